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

    /// Runs `sealbid args...` (or another `executable`), with `environment` set and `unsetting`
    /// removed from this process's environment; returns (exit status, stdout + stderr, or stdout
    /// alone without `standardError`).
    @discardableResult
    func run(
        _ arguments: [String], executable: URL = Self.binary, environment: [String: String] = [:], unsetting: [String] = [],
        standardError: Bool = true
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if !environment.isEmpty || !unsetting.isEmpty {
            var variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            for name in unsetting { variables[name] = nil }
            process.environment = variables
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = standardError ? pipe : FileHandle.nullDevice
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
    @Test("committee judge: a true complaint names the sender, a false one the accuser, a foreign one nobody (from the vectors' files)")
    func judgeComplaints() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let vectors = PythonJudge.packageRoot.appendingPathComponent("TestVectors/committee")
        func judge(_ vector: String) throws -> (status: Int32, output: String) {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: vectors.appendingPathComponent("\(vector).json"))) as? [String: Any])
            func write(_ hex: String, _ name: String) throws {
                let bytes = stride(from: 0, to: hex.count, by: 2).map { i -> UInt8 in
                    let start = hex.index(hex.startIndex, offsetBy: i)
                    return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
                }
                try Data(bytes).write(to: URL(fileURLWithPath: cli.path(name)))
            }
            try write(try #require(object["roster"] as? String), "\(vector)-roster.bin")
            try write(try #require(object["message"] as? String), "\(vector)-complaint.bin")
            let round1 = try #require(object["round1"] as? [String])
            for (i, package) in round1.enumerated() { try write(package, "\(vector)-round1-\(i).bin") }
            return try cli.run(
                ["committee", "judge", "--roster", "\(vector)-roster.bin", "--complaint", "\(vector)-complaint.bin", "--round1"]
                    + round1.indices.map { "\(vector)-round1-\($0).bin" })
        }
        let upheld = try judge("complaint-true-names-sender")
        #expect(upheld.status == 0 && upheld.output.contains("culprit: member 1 (bad-share)"), "\(upheld.output)")
        let false_ = try judge("complaint-false-names-accuser")
        #expect(false_.status == 0 && false_.output.contains("culprit: member 3 (false-complaint)"), "\(false_.output)")
        let proof = try judge("complaint-bad-dleq-proof")
        #expect(proof.status == 0 && proof.output.contains("culprit: member 3 (false-complaint)"), "\(proof.output)")
        let foreign = try judge("complaint-wrong-roster")
        #expect(foreign.status == 1 && foreign.output.contains("sealbid: invalid-complaint:"), "\(foreign.output)")
        // One transcript, and only one.
        let usage = try cli.run(["committee", "judge", "--roster", "x", "--complaint", "y"])
        #expect(usage.status == 64)
    }

    @Test("dkg-finish given a bad share writes a complaint next to its output, and 'committee judge' names the sender")
    func dkgFinishWritesComplaint() throws {
        let cli = try CLI()
        defer { cli.remove() }
        for i in 1...3 {
            try cli.ok(["keygen", "hpke", "m\(i).hpke"])
            try cli.ok(["keygen", "ed25519", "m\(i).sign"])
        }
        try cli.ok(
            ["committee", "roster", "--committee", "LPSE-2026-0042", "--stage", "technical", "--threshold", "2"]
                + (1...3).flatMap { ["--member", "\($0):m\($0).hpke.pub:m\($0).sign.pub"] } + ["--out", "roster.bin"])
        func member(_ i: Int) -> [String] { ["--roster", "roster.bin", "--id", "\(i)", "--hpke-key", "m\(i).hpke", "--signing-key", "m\(i).sign"] }
        for i in 1...3 { try cli.ok(["committee", "dkg-round1"] + member(i) + ["--state", "m\(i).state", "--out", "round1-\(i).bin"]) }
        // Member 1 deals from a second polynomial: its shares are signed, but not of the commitment it broadcast.
        try cli.ok(["committee", "dkg-round1"] + member(1) + ["--state", "m1-other.state", "--out", "other-round1-1.bin"])
        try cli.ok(["committee", "dkg-round2"] + member(1) + ["--state", "m1-other.state", "--round1", "other-round1-1.bin", "round1-2.bin",
                    "round1-3.bin", "--out-dir", "sent-1"])
        let round1 = ["round1-1.bin", "round1-2.bin", "round1-3.bin"]
        try cli.ok(["committee", "dkg-round2"] + member(2) + ["--state", "m2.state", "--round1"] + round1 + ["--out-dir", "sent-2"])
        try FileManager.default.createDirectory(atPath: cli.path("out-3"), withIntermediateDirectories: true)
        let finish = try cli.run(
            ["committee", "dkg-finish"] + member(3) + ["--state", "m3.state", "--round1"] + round1
                + ["--shares", "sent-1/dkg-share-1-to-3.bin", "sent-2/dkg-share-2-to-3.bin", "--out-share", "out-3/m3.share",
                   "--out-stage-key", "out-3/stage-key.bin", "--out-signature", "out-3/sig.bin"])
        #expect(finish.status == 1 && finish.output.contains("sealbid: bad-share: member 1"), "\(finish.output)")
        #expect(finish.output.contains("complaint against member 1: out-3/complaint-3-against-1.bin"), "\(finish.output)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("out-3/m3.share")))
        let verdict = try cli.ok(["committee", "judge", "--roster", "roster.bin", "--complaint", "out-3/complaint-3-against-1.bin", "--round1"] + round1)
        #expect(verdict.contains("culprit: member 1 (bad-share)"), "\(verdict)")
        // One-character output names, in the working directory: the complaint goes beside them
        // (path handling that trapped in NSString on Linux).
        let short = try cli.run(
            ["committee", "dkg-finish"] + member(3) + ["--state", "m3.state", "--round1"] + round1
                + ["--shares", "sent-1/dkg-share-1-to-3.bin", "sent-2/dkg-share-2-to-3.bin", "--out-share", "s",
                   "--out-stage-key", "k", "--out-signature", "g"])
        #expect(short.status == 1 && short.output.contains("complaint against member 1: complaint-3-against-1.bin "), "\(short.output)")
        #expect(FileManager.default.fileExists(atPath: cli.path("complaint-3-against-1.bin")))
    }

    @Test("file-based DKG (the state file wiped), a dealing confirmed by every member, resharing; no raw share commands")
    func ceremony() throws {
        let cli = try CLI()
        defer { cli.remove() }
        for i in 1...4 {
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
            // The secret polynomial is not left on disk once the share exists.
            #expect(!FileManager.default.fileExists(atPath: cli.path("m\(i).state")))
        }
        let keys = try (1...3).map { try Data(contentsOf: URL(fileURLWithPath: cli.path("stage-key-\($0).bin"))) }
        #expect(keys[0] == keys[1] && keys[1] == keys[2])
        // A file that does not decode is nobody's: skipped with a warning, not fatal (committee-v1, "Signed messages").
        try Data([0, 1, 0, 1, 6]).write(to: URL(fileURLWithPath: cli.path("garbage.bin")))
        let confirmed = try cli.ok(
            ["committee", "confirm", "--roster", "roster.bin", "--stage-key", "stage-key-1.bin", "--signature", "sig-1.bin", "garbage.bin", "sig-2.bin", "sig-3.bin"])
        #expect(confirmed.contains("skipped garbage.bin"))
        // A missing signature is named.
        let missing = try cli.run(["committee", "confirm", "--roster", "roster.bin", "--stage-key", "stage-key-1.bin", "--signature", "sig-1.bin", "sig-2.bin"])
        #expect(missing.status != 0 && missing.output.contains("missing-participant") && missing.output.contains("member 3"))

        // Decryption shares come only from 'opening share', which checks every bid first.
        let help = try cli.ok(["committee", "--help"])
        for removed in ["decryption-share", "combine", "reconstruct"] {
            #expect(!help.contains("  \(removed) "))
            #expect(try cli.run(["committee", removed, "--out", "x.bin"]).status != 0)
        }

        // A trusted dealing: the roster names the dealer's key; every member confirms the same stage key.
        try cli.ok(["keygen", "ed25519", "dealer.sign"])
        try cli.ok(
            ["committee", "roster", "--committee", "LPSE-2026-0042", "--stage", "price", "--threshold", "2", "--dealer-key", "dealer.sign.pub"]
                + (1...3).flatMap { ["--member", "\($0):m\($0).hpke.pub:m\($0).sign.pub"] } + ["--out", "roster-price.bin"])
        try cli.ok(["committee", "deal", "--roster", "roster-price.bin", "--dealer-key", "dealer.sign", "--out-dir", "dealt"])
        for i in 1...3 {
            try cli.ok(["committee", "accept-share", "--roster", "roster-price.bin", "--id", "\(i)", "--hpke-key", "m\(i).hpke",
                        "--signing-key", "m\(i).sign", "--dealing", "dealt/dealing.bin", "--share", "dealt/share-\(i).bin",
                        "--out-share", "p\(i).share", "--out-stage-key", "p-stage-key-\(i).bin", "--out-signature", "p-sig-\(i).bin"])
        }
        try cli.ok(["committee", "confirm", "--roster", "roster-price.bin", "--stage-key", "dealt/stage-key.bin",
                    "--signature", "p-sig-1.bin", "p-sig-2.bin", "p-sig-3.bin"])
        // Another member's share is refused.
        let wrong = try cli.run(["committee", "accept-share", "--roster", "roster-price.bin", "--id", "2", "--hpke-key", "m2.hpke",
                                 "--signing-key", "m2.sign", "--dealing", "dealt/dealing.bin", "--share", "dealt/share-1.bin",
                                 "--out-share", "x.share", "--out-stage-key", "x.bin", "--out-signature", "x.sig"])
        #expect(wrong.status != 0 && wrong.output.contains("wrong-recipient"))

        // Member 3 leaves; member 4 joins; 2-of-3 stays 2-of-3 over {1, 2, 4} with the same public key.
        try cli.ok(
            ["committee", "roster", "--committee", "LPSE-2026-0042", "--stage", "technical", "--threshold", "2"]
                + [1, 2, 4].flatMap { ["--member", "\($0):m\($0).hpke.pub:m\($0).sign.pub"] } + ["--out", "roster-2.bin"])
        for i in [1, 2] {
            try cli.ok(["committee", "reshare-deal", "--roster", "roster.bin", "--stage-key", "stage-key-1.bin", "--id", "\(i)",
                        "--hpke-key", "m\(i).hpke", "--signing-key", "m\(i).sign",
                        "--share", "m\(i).share", "--new-roster", "roster-2.bin", "--out", "reshare-\(i).bin"])
        }
        let publicKey = [UInt8](keys[0])[(5 + 32 + 1)..<(5 + 32 + 1 + 65)].map { String(format: "%02x", $0) }.joined()
        for i in [1, 2, 4] {
            let out = try cli.ok(["committee", "reshare-receive", "--roster", "roster.bin", "--stage-key", "stage-key-1.bin",
                                  "--id", "\(i)", "--hpke-key", "m\(i).hpke", "--signing-key", "m\(i).sign", "--new-roster", "roster-2.bin",
                                  "--package", "reshare-1.bin", "reshare-2.bin", "--out-share", "n\(i).share",
                                  "--out-stage-key", "new-stage-key-\(i).bin", "--out-signature", "new-sig-\(i).bin"])
            #expect(out.contains(publicKey))
        }
        try cli.ok(["committee", "confirm", "--roster", "roster-2.bin", "--stage-key", "new-stage-key-1.bin",
                    "--signature", "new-sig-1.bin", "new-sig-2.bin", "new-sig-4.bin"])
    }
}
