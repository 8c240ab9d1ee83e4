import Foundation
import Testing

import SealedBidTestSupport

/// Runs the built `sealbid` binary the way committee members and portals
/// would: plain files in a working directory, one command per step.
struct CLI {
    let directory: URL
    /// `$SEALEDBID_CLI` (scripts/sanitize points it at its instrumented build), else `.build/debug/sealbid`.
    static let binary = ProcessInfo.processInfo.environment["SEALEDBID_CLI"].map { URL(fileURLWithPath: $0) }
        ?? PythonJudge.packageRoot.appendingPathComponent(".build/debug/sealbid")

    /// How much slower than a plain debug build the binary runs (`$SEALEDBID_TEST_TIME_SCALE`,
    /// set by scripts/sanitize): tests with wall-clock deadlines stretch them by this factor.
    static let timeScale = ProcessInfo.processInfo.environment["SEALEDBID_TEST_TIME_SCALE"].flatMap(Double.init) ?? 1

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "build sealbid first: swift build"])
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-cli-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Runs `sealbid args...`; returns (exit status, stdout + stderr).
    @discardableResult
    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs and requires success.
    @discardableResult
    func ok(_ arguments: [String]) throws -> String {
        let (status, output) = try run(arguments)
        #expect(status == 0, "sealbid \(arguments.joined(separator: " ")) failed:\n\(output)")
        return output
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    func glob(_ prefix: String, _ suffix: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted()
    }
    func remove() { try? FileManager.default.removeItem(at: directory) }
}

@Suite("sealbid CLI: committee ceremonies on plain files")
struct CommitteeCLITests {
    @Test("file-based DKG, sealing to the stage key, threshold opening with a bad share named, resharing")
    func ceremony() throws {
        let cli = try CLI()
        defer { cli.remove() }
        for i in 1...3 {
            try cli.ok(["keygen", "hpke", "m\(i).hpke"])
            try cli.ok(["keygen", "ed25519", "m\(i).sign"])
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: cli.path("m1.hpke"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        try cli.ok(
            ["committee", "roster", "--committee", "LPSE-2026-0042", "--stage", "technical", "--threshold", "2"]
                + (1...3).flatMap { ["--member", "\($0):m\($0).hpke.pub:m\($0).sign.pub"] } + ["--out", "roster.bin"])
        for i in 1...3 {
            try cli.ok(["committee", "dkg-round1", "--roster", "roster.bin", "--id", "\(i)", "--hpke-key", "m\(i).hpke",
                        "--signing-key", "m\(i).sign", "--state", "m\(i).state", "--out", "round1-\(i).bin"])
        }
        let round1 = try cli.glob("round1-")
        for i in 1...3 {
            try cli.ok(["committee", "dkg-round2", "--roster", "roster.bin", "--id", "\(i)", "--hpke-key", "m\(i).hpke",
                        "--signing-key", "m\(i).sign", "--state", "m\(i).state", "--round1"] + round1 + ["--out-dir", "sent-\(i)"])
        }
        for i in 1...3 {
            let received = (1...3).filter { $0 != i }.map { from in "sent-\(from)/dkg-share-\(from)-to-\(i).bin" }
            try cli.ok(["committee", "dkg-finish", "--roster", "roster.bin", "--id", "\(i)", "--hpke-key", "m\(i).hpke",
                        "--signing-key", "m\(i).sign", "--state", "m\(i).state", "--round1"] + round1 + ["--shares"] + received
                        + ["--out-share", "m\(i).share", "--out-stage-key", "stage-key-\(i).bin", "--out-signature", "sig-\(i).bin"])
        }
        let keys = try (1...3).map { try Data(contentsOf: URL(fileURLWithPath: cli.path("stage-key-\($0).bin"))) }
        #expect(keys[0] == keys[1] && keys[1] == keys[2])
        try cli.ok(["committee", "confirm", "--roster", "roster.bin", "--stage-key", "stage-key-1.bin", "--signature", "sig-1.bin", "sig-2.bin", "sig-3.bin"])

        // A bidder seals to the stage key (its public part, as an HPKE key file).
        let stageKey = [UInt8](keys[0])
        let publicKey = stageKey[(5 + 32 + 1)..<(5 + 32 + 1 + 65)].map { String(format: "%02x", $0) }.joined()
        try "sealbid-hpke-public-v1 \(publicKey)\n".write(toFile: cli.path("technical.pub"), atomically: true, encoding: .utf8)
        try cli.ok(["keygen", "ed25519", "bidder.sign"])
        let document = (0..<70000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try Data(document).write(to: URL(fileURLWithPath: cli.path("doc.pdf")))
        try cli.ok(["seal", "--tender", "LPSE-2026-0042", "--bidder", "ACME", "--signing-key", "bidder.sign",
                    "--envelope", "technical:technical:technical.pub:doc.pdf", "--out", "acme.sbid"])
        try cli.ok(["verify", "acme.sbid", "--tender", "LPSE-2026-0042"])

        for i in [1, 2] {
            try cli.ok(["committee", "decryption-share", "--roster", "roster.bin", "--stage-key", "stage-key-1.bin",
                        "--share", "m\(i).share", "--bid", "acme.sbid", "--out", "d\(i).bin"])
        }
        // Member 3 publishes a corrupted file: named, and the opening goes on with 1 and 2.
        try cli.ok(["committee", "decryption-share", "--roster", "roster.bin", "--stage-key", "stage-key-1.bin",
                    "--share", "m3.share", "--bid", "acme.sbid", "--out", "d3.bin"])
        var bad = try Data(contentsOf: URL(fileURLWithPath: cli.path("d3.bin")))
        bad[bad.count - 1] ^= 1
        try bad.write(to: URL(fileURLWithPath: cli.path("d3.bin")))
        let combined = try cli.ok(["committee", "combine", "--roster", "roster.bin", "--stage-key", "stage-key-1.bin",
                                   "--bid", "acme.sbid", "--dshare", "d1.bin", "d2.bin", "d3.bin", "--out-dir", "opened"])
        #expect(combined.contains("rejected shares from: member 3"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.path("opened/acme.technical"))) == Data(document))
        let tooFew = try cli.run(["committee", "combine", "--roster", "roster.bin", "--stage-key", "stage-key-1.bin",
                                  "--bid", "acme.sbid", "--dshare", "d1.bin", "d3.bin", "--out-dir", "opened-2"])
        #expect(tooFew.status != 0)
        #expect(tooFew.output.contains("too-few-shares"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("opened-2/acme.technical")))

        // Member 3 leaves; member 4 joins; 2-of-3 stays 2-of-3 over {1, 2, 4}.
        try cli.ok(["keygen", "hpke", "m4.hpke"])
        try cli.ok(["keygen", "ed25519", "m4.sign"])
        try cli.ok(
            ["committee", "roster", "--committee", "LPSE-2026-0042", "--stage", "technical", "--threshold", "2"]
                + [1, 2, 4].flatMap { ["--member", "\($0):m\($0 == 4 ? 4 : $0).hpke.pub:m\($0).sign.pub"] } + ["--out", "roster-2.bin"])
        for i in [1, 2] {
            try cli.ok(["committee", "reshare-deal", "--roster", "roster.bin", "--stage-key", "stage-key-1.bin",
                        "--share", "m\(i).share", "--new-roster", "roster-2.bin", "--out", "reshare-\(i).bin"])
        }
        for i in [1, 2, 4] {
            let out = try cli.ok(["committee", "reshare-receive", "--roster", "roster.bin", "--stage-key", "stage-key-1.bin",
                                  "--id", "\(i)", "--hpke-key", "m\(i).hpke", "--signing-key", "m\(i).sign", "--new-roster", "roster-2.bin",
                                  "--package", "reshare-1.bin", "reshare-2.bin", "--out-share", "n\(i).share",
                                  "--out-stage-key", "new-stage-key-\(i).bin", "--out-signature", "new-sig-\(i).bin"])
            #expect(out.contains(publicKey))
        }
        try cli.ok(["committee", "confirm", "--roster", "roster-2.bin", "--stage-key", "new-stage-key-1.bin",
                    "--signature", "new-sig-1.bin", "new-sig-2.bin", "new-sig-4.bin"])
        try cli.ok(["committee", "reconstruct", "--roster", "roster-2.bin", "--stage-key", "new-stage-key-1.bin",
                    "--share", "n2.share", "n4.share", "--out", "rec.hpke"])
        try cli.ok(["decrypt", "acme.sbid", "--envelope", "technical", "--stage", "technical", "--key", "rec.hpke", "--out", "rec.pdf"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.path("rec.pdf"))) == Data(document))
        // The retired member's old share does not work with the new committee.
        let stale = try cli.run(["committee", "reconstruct", "--roster", "roster-2.bin", "--stage-key", "new-stage-key-1.bin",
                                 "--share", "m3.share", "n4.share", "--out", "stale.hpke"])
        #expect(stale.status != 0)
    }
}
