internal import SealedBidShims
import Foundation

/// What the process can promise about its secrets: locked memory and core dumps
/// (`docs/spec/primitives-v1.md`, "Secret handling").
public enum SecureMemory {
    /// Guarded allocations (pool arenas and large secrets) whose `mlock` failed, typically
    /// because RLIMIT_MEMLOCK was reached: their secrets may be swapped out. libsodium 1.0.18
    /// does not report this itself; a process that must not swap secrets checks this count.
    public static var unlockedAllocations: Int { SecretPool.shared.lockFailures }

    /// The soft RLIMIT_MEMLOCK in bytes, or nil when it is unlimited. A process with
    /// CAP_IPC_LOCK (root, usually) may lock more than this.
    public static var lockLimit: UInt64? {
        var bytes: UInt64 = 0
        return sb_memlock_limit(&bytes) == 1 ? bytes : nil
    }

    /// A start-up check for a process about to handle secrets: allocates (and so locks) the
    /// secret pool's first arena now, and returns a warning when that could not be locked.
    /// Nil when memory locking works.
    public static func lockingWarning() -> String? {
        withExtendedLifetime(SecureBytes(count: 32) { _ in }) {}
        guard unlockedAllocations > 0 else { return nil }
        let limit = lockLimit.map { "RLIMIT_MEMLOCK is \($0 / 1024) KiB" } ?? "mlock is not permitted"
        return "secret memory cannot be locked (\(limit)): secrets may be swapped to disk; raise the limit (ulimit -l)"
    }

    /// Disables core dumps for this process (RLIMIT_CORE 0) and makes it non-dumpable
    /// (`prctl(PR_SET_DUMPABLE, 0)`: no core even if the limit is raised again, no ptrace
    /// attach by other processes of the same user). For executables that hold secrets, at start.
    /// - Throws: ``CryptoError/libraryFailure(operation:)`` when the system refuses.
    public static func disableCoreDumps() throws(CryptoError) {
        let error = sb_disable_core_dumps()
        guard error == 0 else { throw .libraryFailure(operation: "disabling core dumps: \(String(cString: strerror(error)))") }
    }

    /// Whether OpenSSL frees through SealedBid's wiping allocator (set up before OpenSSL's
    /// first allocation; Linux with glibc only).
    public static var openSSLWipesFreedMemory: Bool { sb_openssl_wipes_freed_memory() == 1 }

    /// Whether OpenSSL's secure heap (where it keeps EC private keys, such as an
    /// ``ECDSAP256SigningKey``) is set up and locked in RAM.
    public static var openSSLSecureHeapLocked: Bool { sb_openssl_secure_heap() == 1 }
}
