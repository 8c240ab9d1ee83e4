import Foundation
import Testing

import SealedBidLog
import SealedBidPrimitives
import SealedBidTestSupport

/// Faults a busy portal meets, against the release CLI: concurrent writers, a full disk at every
/// step, a killed writer retried, a shortened store. After each, every receipt ever handed out
/// verifies against the reopened log and no index is handed out twice (docs/spec/receipts-v1.md).
@Suite("sealbid portal under faults")
struct FaultTests {
    /// A committee, a descriptor with `bidders` registered, a portal in `portal/`; returns the tender options.
    static func tender(_ cli: CLI, bidders: [String], portalDir: String = "portal") throws -> [String] {
        try OpeningCLITests.committee(cli)
        for bidder in bidders { try cli.ok(["keygen", "ed25519", "\(bidder).sign"]) }
        try cli.ok(["tender", "registry"] + bidders.flatMap { ["--add", "\($0):ed25519:\($0).sign.pub"] } + ["--out", "registry.txt"])
        try cli.ok(["keygen", "ed25519", "portal-log.key"])
        try cli.ok(["tender", "create", "--tender", "T-CLI", "--deadline", "2099-01-01T00:00:00Z", "--log-key", "portal-log.key.pub",
                    "--origin", "portal.example/cli/T-CLI", "--stage", "technical:roster.bin:dealt/stage-key.bin",
                    "--envelope", "technical:technical", "--bidders", "registry.txt", "--out", "tender.txt"])
        try cli.ok(["portal", "init", "--dir", portalDir, "--tender", "tender.txt", "--log-key", "portal-log.key"])
        let pinned = ["--tender", "tender.txt", "--tender-digest", SHA256.hash([UInt8](try Data(contentsOf: URL(fileURLWithPath: cli.path("tender.txt"))))).hexString]
        for bidder in bidders {
            try Data("proposal of \(bidder)".utf8).write(to: URL(fileURLWithPath: cli.path("\(bidder).pdf")))
            try cli.ok(["seal", "--bidder", bidder, "--signing-key", "\(bidder).sign",
                        "--file", "technical=\(bidder).pdf", "--out", "\(bidder).sbid"] + pinned)
        }
        return pinned
    }

    /// Every receipt file verifies against the final log, and no two receipts share an index.
    static func checkReceipts(_ cli: CLI, _ receipts: [String], log: String = "portal/log.bin") throws {
        let logKey = try NoteVerifier(name: "portal.example/cli/T-CLI", publicKey: readPublicKey(cli.path("portal-log.key.pub")))
        var entries: [LogEntry] = []
        for record in try FileLogStore.records(atPath: cli.path(log)) {
            if case .entry(let bytes, _) = record { entries.append(try LogEntry(encoded: bytes)) }
        }
        var seen: [UInt64: String] = [:]
        for file in receipts {
            let verified = try Receipt(encoded: [UInt8](Data(contentsOf: URL(fileURLWithPath: cli.path(file))))).verify(
                log: logKey, origin: "portal.example/cli/T-CLI")
            #expect(verified.index < UInt64(entries.count) && entries[Int(verified.index)] == verified.entry, "\(file)")
            if let other = seen[verified.index] {
                #expect(other.split(separator: ".")[0] == file.split(separator: ".")[0], "index \(verified.index) given to \(other) and \(file)")
            }
            seen[verified.index] = file
        }
    }

    @Test("pairs of simultaneous submissions: one consistent log, every receipt verifies, no index twice")
    func concurrentWriters() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let bidders = (1...24).map { "B\($0)" }
        _ = try Self.tender(cli, bidders: bidders)
        for pair in stride(from: 0, to: bidders.count, by: 2) {
            let processes = try bidders[pair..<(pair + 2)].map { bidder -> Process in
                let process = Process()
                process.executableURL = CLI.binary
                process.arguments = ["portal", "submit", "--dir", "portal", "--bidder", bidder, "--bid", "\(bidder).sbid",
                                     "--receipt", "\(bidder).receipt"]
                process.currentDirectoryURL = cli.directory
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                return process
            }
            for process in processes {
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
            }
        }
        try Self.checkReceipts(cli, bidders.map { "\($0).receipt" })
        let checkpoint = try cli.ok(["portal", "checkpoint", "--dir", "portal", "--out", "cp.note"])
        #expect(checkpoint.contains("size \(bidders.count)"))
    }

    @Test("a writer killed at random moments and retried: the retry answers with the receipt, nothing is logged twice")
    func killedAndRetried() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let bidders = (1...12).map { "K\($0)" }
        _ = try Self.tender(cli, bidders: bidders)
        var generator = SystemRandomNumberGenerator()
        for bidder in bidders {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["portal", "submit", "--dir", "portal", "--bidder", bidder, "--bid", "\(bidder).sbid", "--receipt", "\(bidder).first"]
            process.currentDirectoryURL = cli.directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 0...120_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // Whatever the kill interrupted, submitting again gives a receipt (logged once).
            try cli.ok(["portal", "submit", "--dir", "portal", "--bidder", bidder, "--bid", "\(bidder).sbid", "--receipt", "\(bidder).receipt"])
        }
        try Self.checkReceipts(cli, bidders.map { "\($0).receipt" } + (try cli.glob("K", ".first")))
        let checkpoint = try cli.ok(["portal", "checkpoint", "--dir", "portal", "--out", "cp.note"])
        #expect(checkpoint.contains("size \(bidders.count)"))
        // No temporary file is left under a final name in the bids folder.
        let names = try FileManager.default.contentsOfDirectory(atPath: cli.path("portal/bids"))
        #expect(names.filter { !$0.hasPrefix(".") }.allSatisfy { $0.hasSuffix(".sbid") })
    }

    @Test("a receipt that could not be written is fetched again; a shortened store is refused and left as it is")
    func lostReceiptAndShortenedStore() throws {
        let cli = try CLI()
        defer { cli.remove() }
        _ = try Self.tender(cli, bidders: ["A", "B", "C"])
        // The entry is logged, but the receipt cannot be written (no such directory).
        let lost = try cli.run(["portal", "submit", "--dir", "portal", "--bidder", "A", "--bid", "A.sbid", "--receipt", "missing/A.receipt"])
        #expect(lost.status != 0)
        try cli.ok(["portal", "submit", "--dir", "portal", "--bidder", "A", "--bid", "A.sbid", "--receipt", "A.receipt"])
        let digest = try cli.ok(["inspect", "A.sbid"]).split(separator: "\n").first { $0.hasPrefix("bid digest") }!.split(separator: " ").last!
        try cli.ok(["portal", "receipt", "--dir", "portal", "--digest", String(digest), "--out", "A.again"])
        for bidder in ["B", "C"] {
            try cli.ok(["portal", "submit", "--dir", "portal", "--bidder", bidder, "--bid", "\(bidder).sbid", "--receipt", "\(bidder).receipt"])
        }
        try Self.checkReceipts(cli, ["A.receipt", "A.again", "B.receipt", "C.receipt"])
        // Someone cuts the store: every command refuses it, and nothing rewrites it.
        let original = try Data(contentsOf: URL(fileURLWithPath: cli.path("portal/log.bin")))
        let cut = original.prefix(original.count * 2 / 3)
        try cut.write(to: URL(fileURLWithPath: cli.path("portal/log.bin")))
        for command in [["portal", "checkpoint", "--dir", "portal", "--out", "x.note"],
                        ["portal", "submit", "--dir", "portal", "--bidder", "C", "--bid", "C.sbid", "--receipt", "x.receipt"]] {
            let refused = try cli.run(command)
            #expect(refused.status != 0 && refused.output.contains("corrupt-store"), "\(refused.output)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.path("portal/log.bin"))) == cut)
        // A deleted store is not recreated.
        try FileManager.default.removeItem(atPath: cli.path("portal/log.bin"))
        #expect(try cli.run(["portal", "checkpoint", "--dir", "portal", "--out", "y.note"]).output.contains("storage-error"))
    }

    @Test("an interrupted decryption (SIGTERM, SIGINT) leaves no partial plaintext behind")
    func interruptedDecryption() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let pinned = try Self.tender(cli, bidders: ["BIG"])
        try cli.ok(["keygen", "hpke", "escrow"])
        // A large document, so that the decryption is still running when the signal comes.
        let fd = open(cli.path("big.pdf"), O_WRONLY | O_CREAT, 0o600)
        #expect(ftruncate(fd, 400 << 20) == 0)
        close(fd)
        try cli.ok(["seal", "--bidder", "BIG", "--signing-key", "BIG.sign", "--escrow-key", "escrow.pub",
                    "--file", "technical=big.pdf", "--out", "big.sbid"] + pinned)
        try FileManager.default.removeItem(atPath: cli.path("big.pdf"))
        for signal in [SIGTERM, SIGINT] {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["decrypt", "big.sbid", "--envelope", "technical", "--escrow-key", "escrow", "--workers", "1",
                                 "--out", "out-\(signal).pdf"]
            process.currentDirectoryURL = cli.directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait until the temporary file exists, then interrupt.
            for _ in 0..<200 where try cli.glob(".out-\(signal).pdf.partial").isEmpty { usleep(5_000) }
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal || process.terminationStatus != 0)
            #expect(try cli.glob(".out-\(signal).pdf.partial").isEmpty, "a partial plaintext file was left")
            #expect(!FileManager.default.fileExists(atPath: cli.path("out-\(signal).pdf")))
        }
    }

    @Test("a full disk at every step of a submission: nothing acknowledged is lost, no empty bid is logged")
    func fullDisk() throws {
        guard getuid() == 0 else {
            print("FaultTests.fullDisk skipped: mounting a small tmpfs needs root")
            return
        }
        let cli = try CLI()
        defer { cli.remove() }
        let bidders = (1...8).map { "F\($0)" }
        _ = try Self.tender(cli, bidders: bidders, portalDir: "setup")
        let mount = cli.path("small")
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        let mounted = Process()
        mounted.executableURL = URL(fileURLWithPath: "/bin/mount")
        mounted.arguments = ["-t", "tmpfs", "-o", "size=96k", "tmpfs", mount]
        try mounted.run()
        mounted.waitUntilExit()
        guard mounted.terminationStatus == 0 else {
            print("FaultTests.fullDisk skipped: this machine does not allow mounting a tmpfs")
            return
        }
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [mount]
            try? umount.run()
            umount.waitUntilExit()
        }
        try cli.ok(["portal", "init", "--dir", "small/portal", "--tender", "tender.txt", "--log-key", "portal-log.key"])
        // For each bidder: fill the disk completely, then free a different amount (0 bytes to a few
        // KiB), so that the space runs out at a different step of the submission each time (the bid
        // copy, its flush, the log append, the head).
        var acknowledged: [String] = []
        let ballast = "\(mount)/ballast"
        for (i, bidder) in bidders.enumerated() {
            let fd = open(ballast, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            let block = [UInt8](repeating: 1, count: 512)
            while block.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, 512) }) == 512 {}
            fsync(fd)
            let size = lseek(fd, 0, SEEK_END)
            _ = ftruncate(fd, max(0, size - off_t(i * 700)))
            close(fd)
            let result = try cli.run(["portal", "submit", "--dir", "small/portal", "--bidder", bidder, "--bid", "\(bidder).sbid",
                                      "--receipt", "\(bidder).receipt"])
            if result.status == 0 { acknowledged.append(bidder) } else { #expect(result.output.contains("error"), "\(result.output)") }
        }
        #expect(acknowledged.count < bidders.count, "the disk never filled: the test proves nothing")
        // Free the space and retry everyone: each gets a receipt, nothing twice, no empty file logged.
        try FileManager.default.removeItem(atPath: "\(mount)/ballast")
        for bidder in bidders where !acknowledged.contains(bidder) {
            try? FileManager.default.removeItem(atPath: cli.path("\(bidder).receipt"))
            try cli.ok(["portal", "submit", "--dir", "small/portal", "--bidder", bidder, "--bid", "\(bidder).sbid", "--receipt", "\(bidder).receipt"])
        }
        try Self.checkReceipts(cli, bidders.map { "\($0).receipt" }, log: "small/portal/log.bin")
        for name in try FileManager.default.contentsOfDirectory(atPath: "\(mount)/portal/bids") where name.hasSuffix(".sbid") {
            #expect((try FileManager.default.attributesOfItem(atPath: "\(mount)/portal/bids/\(name)")[.size] as? Int ?? 0) > 0)
        }
    }
}
