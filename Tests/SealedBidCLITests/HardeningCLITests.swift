import Foundation
import Testing

/// Issue 17, items 5 and 6 seen from outside: `sealbid` under resource limits.
@Suite("sealbid CLI: secret memory and key files under resource limits")
struct HardeningCLITests {
    /// Runs `/bin/sh -c script` in the CLI's directory, `$SEALBID` naming the binary.
    func shell(_ cli: CLI, _ script: String) throws -> (status: Int32, output: String) {
        try cli.run(["-c", "SEALBID='\(CLI.binary.path)'; " + script], executable: URL(fileURLWithPath: "/bin/sh"))
    }

    static let hasPrlimit = FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit")

    @Test("a key file whose write fails is removed, not left partial", .enabled(if: hasPrlimit && plainBinary))
    func failedWriteLeavesNoFile() throws {
        let cli = try CLI()
        defer { cli.remove() }
        // RLIMIT_FSIZE of 60 bytes: the 127-byte private key file cannot be written (EFBIG;
        // SIGXFSZ is ignored so the write fails instead of killing the process).
        let (status, output) = try shell(cli, "trap '' XFSZ; exec prlimit --fsize=60 \"$SEALBID\" keygen hpke k.key")
        #expect(status != 0)
        #expect(output.contains("cannot write key file"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("k.key")))
    }

    /// Resource limits are checked on the plain build's `sealbid` only: the sanitizers intercept
    /// `mlock` as a no-op that succeeds, and TSan's runtime itself faults under a 60-byte
    /// RLIMIT_FSIZE. `scripts/sanitize` points `SEALEDBID_CLI` at its instrumented binaries.
    static let plainBinary = ProcessInfo.processInfo.environment["SEALEDBID_CLI"] == nil

    @Test("memory that cannot be locked is reported at start-up", .enabled(if: hasPrlimit && plainBinary))
    func unlockableMemoryIsReported() throws {
        let cli = try CLI()
        defer { cli.remove() }
        // Root locks past any limit (CAP_IPC_LOCK): drop the capability first when running as root.
        let drop = getuid() == 0 ? "setpriv --bounding-set -ipc_lock " : ""
        let (status, output) = try shell(cli, "exec \(drop)prlimit --memlock=0:0 \"$SEALBID\" keygen ed25519 k.key")
        #expect(status == 0, "\(output)")
        #expect(output.contains("warning: secret memory cannot be locked"), "\(output)")
        let (_, normal) = try shell(cli, "exec \"$SEALBID\" keygen ed25519 k2.key")
        #expect(!normal.contains("warning"), "\(normal)")
    }

    @Test("sealbid runs with core dumps disabled")
    func noCoreDumps() throws {
        let cli = try CLI()
        defer { cli.remove() }
        // A long-running sealbid (appending to a log store, one fsync per entry); its limits are
        // read from /proc. The soft core limit is raised first, so 0 can only come from sealbid.
        let script = """
            ulimit -S -c "$(ulimit -H -c)"
            [ "$(ulimit -c)" = 0 ] && { echo "hard core limit is 0 here"; exit 0; }
            "$SEALBID" keygen ed25519 log.key >/dev/null
            "$SEALBID" portal stress --store log.bin --key log.key --count 300 >/dev/null 2>&1 &
            pid=$!
            for i in $(seq 100); do
              grep -q "^Max core file size *0 *0 " /proc/$pid/limits 2>/dev/null && { echo "core 0"; break; }
              sleep 0.05
            done
            kill $pid
            """
        let (_, output) = try shell(cli, script)
        #expect(output.contains("core 0") || output.contains("hard core limit is 0"), "\(output)")
    }
}
