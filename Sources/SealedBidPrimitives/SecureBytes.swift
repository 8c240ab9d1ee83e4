internal import CSodium
import Foundation

/// Secret bytes in locked, zeroised memory.
///
/// Small secrets (up to ``SecretPool/largestSlot`` bytes: keys, scalars, DH
/// values, PRKs) take a slot in a pool of `sodium_malloc` arenas: locked
/// (`mlock`), fenced by guard pages at the arena's ends, and wiped when the
/// slot is released. Larger ones get their own `sodium_malloc` allocation
/// (guard pages, canary). Either way the bytes are zeroised on release,
/// compare in constant time, and print as `<redacted>`. Instances are
/// immutable once built, which is what makes sharing them across threads safe.
///
/// Why a pool: every `sodium_malloc` is an mmap, two mprotects and an mlock,
/// and every `sodium_free` as many again; with dozens of short-lived secrets
/// per opened envelope those system calls were half the time of a bulk
/// opening of small bids (`docs/performance.md`).
public final class SecureBytes: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    /// The number of secret bytes.
    public let count: Int

    /// Allocates `count` zero bytes and lets `initializer` fill them.
    /// The memory is released (and zeroised) if `initializer` throws.
    package init<E: Error>(
        count: Int,
        initializingWith initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) where E: Error {
        precondition(count >= 0, "SecureBytes count must not be negative")
        let pointer = SecretPool.shared.allocate(count)
        // Fill before the stored properties are set: if `initializer` throws,
        // `self` was never initialised, so deinit does not run and we free here.
        do {
            try initializer(UnsafeMutableRawBufferPointer(start: pointer, count: count))
        } catch {
            SecretPool.shared.release(pointer, count)
            throw error
        }
        self.base = pointer
        self.count = count
    }

    /// Copies `bytes` into guarded memory. The caller remains responsible for
    /// wiping its own copy.
    public convenience init(copying bytes: some ContiguousBytes) {
        let count = bytes.withUnsafeBytes { $0.count }
        self.init(count: count) { (destination: UnsafeMutableRawBufferPointer) in
            bytes.withUnsafeBytes { source in
                if let from = source.baseAddress, let to = destination.baseAddress {
                    to.copyMemory(from: from, byteCount: count)
                }
            }
        }
    }

    /// `count` bytes from the CSPRNG (`randombytes_buf`).
    public static func random(count: Int) -> SecureBytes {
        SecureBytes(count: count) { (buffer: UnsafeMutableRawBufferPointer) in
            SecureRandom.fill(buffer)
        }
    }

    deinit {
        SecretPool.shared.release(base, count)
    }

    /// Calls `body` with a read-only view of the secret. Do not let the
    /// pointer escape, and wipe any copy you make.
    public func withUnsafeBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// A plain copy, for handing the bytes to a format writer. Callers own
    /// the zeroisation of the copy; prefer ``withUnsafeBytes(_:)``.
    package func unsafeCopy() -> [UInt8] {
        withUnsafeBytes { Array($0) }
    }
}

extension SecureBytes: Equatable {
    /// Constant-time comparison (`sodium_memcmp`); lengths are not secret.
    public static func == (lhs: SecureBytes, rhs: SecureBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { a in
            rhs.withUnsafeBytes { b in ConstantTime.equals(a, b) }
        }
    }
}

extension SecureBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "<redacted>" }
    public var debugDescription: String { "SecureBytes(\(count) bytes, <redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Constant-time helpers over libsodium.
public enum ConstantTime {
    /// `true` when both buffers have the same length and contents. The time
    /// taken depends only on the length.
    public static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return sodium_memcmp(pa, pb, a.count) == 0
    }

    /// `true` when both byte sequences are equal, compared in constant time.
    public static func equals(_ a: some ContiguousBytes, _ b: some ContiguousBytes) -> Bool {
        a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in equals(pa, pb) } }
    }

    /// Overwrites `buffer` with zeros in a way the compiler cannot elide.
    public static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }

    /// Zeroises an array in place.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { wipe($0) }
    }
}

/// The CSPRNG (libsodium `randombytes_buf`).
public enum SecureRandom {
    /// Fills `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        // randombytes_buf cannot fail once sodium_init succeeded; if
        // initialisation failed we must not hand out predictable bytes.
        guard (try? Sodium.ensureInitialised()) != nil else {
            fatalError("libsodium failed to initialise: refusing to produce randomness")
        }
        randombytes_buf(base, buffer.count)
    }

    /// `count` random bytes (for public values such as nonces and salts).
    public static func bytes(count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0) }
        return out
    }
}

/// Secrets can be handed to any byte-consuming API without a plain copy.
extension SecureBytes: ContiguousBytes {}

/// Slots for small secrets in `sodium_malloc` arenas (see ``SecureBytes``).
/// A slot is zeroed when it is released, so every allocation starts zeroed.
package final class SecretPool: @unchecked Sendable {
    package static let shared = SecretPool()
    /// Secrets larger than this get their own `sodium_malloc` allocation.
    package static let largestSlot = 256
    private static let slotSizes = [32, 64, 128, 256]
    private static let arenaSize = 64 * 1024

    private let lock = NSLock()
    // Guarded by `lock`: free slots per size class.
    private var free: [[UnsafeMutableRawPointer]] = Array(repeating: [], count: slotSizes.count)
    // Guarded by `lock`: allocations whose mlock failed (see `lock(_:_:)`).
    private var unlocked = 0

    /// How many arenas and large allocations could not be locked in RAM.
    package var lockFailures: Int {
        lock.lock()
        defer { lock.unlock() }
        return unlocked
    }

    /// libsodium 1.0.18's `sodium_malloc` calls `mlock` but ignores its result, so past
    /// RLIMIT_MEMLOCK secrets would silently become swappable. Lock again (locking locked pages
    /// is a no-op that costs no extra quota) and count the failures. Called with `lock` held.
    private func lockInRAM(_ pointer: UnsafeMutableRawPointer, _ count: Int) {
        if mlock(pointer, count) != 0 { unlocked += 1 }
    }

    private static func sizeClass(_ count: Int) -> Int? { slotSizes.firstIndex { count <= $0 } }

    package func allocate(_ count: Int) -> UnsafeMutableRawPointer {
        // An allocation failure leaves no sensible way forward, exactly as for Swift's own allocator.
        guard (try? Sodium.ensureInitialised()) != nil else { fatalError("libsodium unusable") }
        guard let sizeClass = Self.sizeClass(count) else {
            guard let pointer = sodium_malloc(count) else { fatalError("sodium_malloc failed: out of memory") }
            sodium_memzero(pointer, count)
            lock.lock()
            defer { lock.unlock() }
            if count > 0 { lockInRAM(pointer, count) }
            return pointer
        }
        lock.lock()
        defer { lock.unlock() }
        if free[sizeClass].isEmpty {
            // A new arena: sodium_malloc puts guard pages around it; we make sure it is locked.
            let slot = Self.slotSizes[sizeClass]
            guard let arena = sodium_malloc(Self.arenaSize) else { fatalError("sodium_malloc failed: out of memory") }
            sodium_memzero(arena, Self.arenaSize)
            lockInRAM(arena, Self.arenaSize)
            for offset in stride(from: 0, to: Self.arenaSize, by: slot) { free[sizeClass].append(arena + offset) }
        }
        return free[sizeClass].removeLast()
    }

    package func release(_ pointer: UnsafeMutableRawPointer, _ count: Int) {
        guard let sizeClass = Self.sizeClass(count) else {
            sodium_free(pointer)  // zeroises
            return
        }
        sodium_memzero(pointer, Self.slotSizes[sizeClass])
        lock.lock()
        defer { lock.unlock() }
        free[sizeClass].append(pointer)
    }
}
