import Foundation
import Testing

import SealedBidPrimitives
import SealedBidTestSupport

/// A tender from the descriptor to the verified report, on plain files, as the
/// parties would run it; each party's dishonest move is tried against the
/// release binary on the way (docs/threat-model.md).
@Suite("sealbid CLI: a tender from the descriptor to a verified report")
struct OpeningCLITests {
    /// Members 1-3 (2-of-3) with a dealt key for the stage `technical`; returns the member options.
    static func committee(_ cli: CLI) throws {
        var fingerprints: [String] = []
        for i in 1...3 {
            // keygen names the public key file and prints the key's fingerprint, which 'committee
            // show' prints the first 16 digits of.
            let hpke = try cli.ok(["keygen", "hpke", "m\(i).hpke"])
            #expect(hpke.contains("public key   m\(i).hpke.pub (hpke 04"), "\(hpke)")
            fingerprints += hpke.split(separator: "\n").filter { $0.hasPrefix("fingerprint  SHA-256 ") }.map { String($0.dropFirst(21)) }
            let ed25519 = try cli.ok(["keygen", "ed25519", "m\(i).sign"])
            let key = try readPublicKey(cli.path("m\(i).sign.pub"))
            #expect(ed25519.contains("public key   m\(i).sign.pub (ed25519 \(key.rawRepresentation.hexString))"), "\(ed25519)")
            #expect(ed25519.contains("fingerprint  SHA-256 \(SHA256.hash(key.rawRepresentation).hexString)\n"), "\(ed25519)")
        }
        #expect(fingerprints.count == 3 && fingerprints.allSatisfy { $0.count == 64 })
        try cli.ok(["keygen", "ed25519", "dealer.sign"])
        try cli.ok(
            ["committee", "roster", "--committee", "T-CLI", "--stage", "technical", "--threshold", "2", "--dealer-key", "dealer.sign.pub"]
                + (1...3).flatMap { ["--member", "\($0):m\($0).hpke.pub:m\($0).sign.pub"] } + ["--out", "roster.bin"])
        try cli.ok(["committee", "deal", "--roster", "roster.bin", "--dealer-key", "dealer.sign", "--out-dir", "dealt"])
        for i in 1...3 {
            try cli.ok(["committee", "accept-share", "--roster", "roster.bin", "--id", "\(i)", "--hpke-key", "m\(i).hpke",
                        "--signing-key", "m\(i).sign", "--dealing", "dealt/dealing.bin", "--share", "dealt/share-\(i).bin",
                        "--out-share", "m\(i).share", "--out-stage-key", "sk-\(i).bin", "--out-signature", "sig-\(i).bin"])
        }
        try cli.ok(["committee", "confirm", "--roster", "roster.bin", "--stage-key", "dealt/stage-key.bin",
                    "--signature", "sig-1.bin", "sig-2.bin", "sig-3.bin"])
        let shown = try cli.ok(["committee", "show", "--roster", "roster.bin", "--stage-key", "dealt/stage-key.bin",
                                "--out-public-key", "technical.pub"])
        #expect(shown.contains("2-of-3") && shown.contains("member 3") && shown.contains("stage key: 04"))
        for (i, fingerprint) in fingerprints.enumerated() {
            #expect(shown.contains("member \(i + 1): HPKE \(fingerprint.prefix(16))…"), "\(shown)")
        }
        #expect(try String(contentsOfFile: cli.path("technical.pub"), encoding: .utf8).contains("sealbid-hpke-public-v1 04"))
    }

    static func member(_ i: Int) -> [String] { ["--id", "\(i)", "--hpke-key", "m\(i).hpke", "--signing-key", "m\(i).sign"] }

    @Test func descriptorToReport() throws {
        let cli = try CLI()
        defer { cli.remove() }
        try Self.committee(cli)
        let bidders = ["ACME", "BETA", "GAMMA", "DELTA"]
        for bidder in bidders { try cli.ok(["keygen", "ed25519", "\(bidder).sign"]) }
        try cli.ok(["tender", "registry"] + bidders.flatMap { ["--add", "\($0):ed25519:\($0).sign.pub"] } + ["--out", "registry.txt"])
        try cli.ok(["keygen", "ed25519", "portal-log.key"])
        // Twelve seconds to seal and submit before the deadline, three of grace; sanitized builds
        // run slower (scripts/sanitize scales both).
        let deadline = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 12 * CLI.timeScale).rounded(.up))
        let grace = Int((3 * CLI.timeScale).rounded(.up))
        let formatter = ISO8601DateFormatter()
        try cli.ok(["tender", "create", "--tender", "T-CLI", "--deadline", formatter.string(from: deadline), "--grace", "\(grace)",
                    "--log-key", "portal-log.key.pub", "--origin", "portal.example/cli/T-CLI",
                    "--stage", "technical:roster.bin:dealt/stage-key.bin", "--envelope", "technical:technical",
                    "--bidders", "registry.txt", "--out", "tender.txt"])
        let digest = SHA256.hash([UInt8](try Data(contentsOf: URL(fileURLWithPath: cli.path("tender.txt"))))).hexString
        let tender = ["--tender", "tender.txt", "--tender-digest", digest]
        try cli.ok(["tender", "show"] + tender)
        // A descriptor that is not the published one is refused by everyone who pins the digest.
        #expect(try cli.run(["tender", "show", "--tender", "tender.txt", "--tender-digest", String(repeating: "0", count: 64)])
            .output.contains("tender-digest-mismatch"))
        // The portal's own time-stamp key is refused unless the descriptor says test-authority.
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let tsa = try cli.run(["portal", "init", "--dir", "tsa-portal", "--log-key", "portal-log.key", "--test-tsa-cert",
                               pki.directory.appendingPathComponent("tsa.pem").path, "--test-tsa-key",
                               pki.directory.appendingPathComponent("tsa.key").path] + tender)
        #expect(tsa.status != 0 && tsa.output.contains("test-authority"))
        try cli.ok(["portal", "init", "--dir", "portal", "--log-key", "portal-log.key"] + tender)

        for bidder in bidders {
            try Data("technical proposal of \(bidder)".utf8).write(to: URL(fileURLWithPath: cli.path("\(bidder).pdf")))
            try cli.ok(["seal", "--bidder", bidder, "--signing-key", "\(bidder).sign", "--file", "technical=\(bidder).pdf",
                        "--out", "\(bidder).sbid"] + tender)
        }
        for bidder in ["ACME", "BETA", "GAMMA"] {
            try cli.ok(["portal", "submit", "--dir", "portal", "--bid", "\(bidder).sbid", "--bidder", bidder, "--receipt", "\(bidder).receipt"])
            try cli.ok(["receipt", "verify", "\(bidder).receipt"] + tender)
        }
        // Submitting the same file again returns its receipt; another bidder cannot log it.
        try cli.ok(["portal", "submit", "--dir", "portal", "--bid", "ACME.sbid", "--bidder", "ACME", "--receipt", "again.receipt"])
        #expect(try cli.run(["portal", "submit", "--dir", "portal", "--bid", "ACME.sbid", "--bidder", "BETA", "--receipt", "x.receipt"])
            .output.contains("duplicate-bid"))
        // A bid signed with a key that is not the bidder's registered one is refused.
        try Data("fake".utf8).write(to: URL(fileURLWithPath: cli.path("fake.pdf")))
        // The bidder's tool refuses to sign with a key the descriptor does not register for the bidder...
        #expect(try cli.run(["seal", "--bidder", "BETA", "--signing-key", "ACME.sign", "--file", "technical=fake.pdf", "--out", "fake.sbid"] + tender)
            .output.contains("untrusted-signer"))
        // ...so the dishonest party makes its own descriptor, registering the keys it holds for BETA.
        try cli.ok(["tender", "registry", "--add", "BETA:ed25519:ACME.sign.pub", "--add", "BETA:ed25519:portal-log.key.pub",
                    "--out", "lax-registry.txt"])
        try cli.ok(["tender", "create", "--tender", "T-CLI", "--deadline", formatter.string(from: deadline), "--grace", "\(grace)",
                    "--log-key", "portal-log.key.pub", "--origin", "portal.example/cli/T-CLI",
                    "--stage", "technical:roster.bin:dealt/stage-key.bin", "--envelope", "technical:technical",
                    "--bidders", "lax-registry.txt", "--out", "tender-lax.txt"])
        let lax = ["--tender", "tender-lax.txt", "--tender-digest",
                   SHA256.hash([UInt8](try Data(contentsOf: URL(fileURLWithPath: cli.path("tender-lax.txt"))))).hexString]
        try cli.ok(["seal", "--bidder", "BETA", "--signing-key", "ACME.sign", "--file", "technical=fake.pdf", "--out", "fake.sbid"] + lax)
        #expect(try cli.run(["portal", "submit", "--dir", "portal", "--bid", "fake.sbid", "--bidder", "BETA", "--receipt", "y.receipt"])
            .output.contains("untrusted-signer"))
        // GAMMA withdraws with a statement it signs; the portal cannot make one in its name.
        try cli.ok(["withdraw", "--bidder", "GAMMA", "--signing-key", "GAMMA.sign", "--bid", "GAMMA.sbid", "--out", "gamma.withdrawal"] + tender)
        try cli.ok(["withdraw", "--bidder", "BETA", "--signing-key", "portal-log.key", "--bid", "BETA.sbid", "--out", "forged.withdrawal"] + lax)
        #expect(try cli.run(["portal", "withdraw", "--dir", "portal", "--bidder", "BETA", "--statement", "forged.withdrawal", "--receipt", "w.receipt"])
            .output.contains("untrusted-signer"))
        try cli.ok(["portal", "withdraw", "--dir", "portal", "--bidder", "GAMMA", "--statement", "gamma.withdrawal", "--receipt", "gamma-w.receipt"])
        // DELTA's upload is slow: it commits its header before the deadline, and uploads in the
        // grace window after it; the log closes when the window ends.
        // The commitment is the bidder's own signed request; the portal cannot make one.
        try cli.ok(["commit", "--bidder", "DELTA", "--signing-key", "DELTA.sign", "--bid", "DELTA.sbid", "--out", "DELTA.commitment"] + tender)
        #expect(try cli.run(["commit", "--bidder", "DELTA", "--signing-key", "ACME.sign", "--bid", "DELTA.sbid", "--out", "x.commitment"] + tender)
            .output.contains("untrusted-signer"))
        try cli.ok(["portal", "commit", "--dir", "portal", "--bid", "DELTA.sbid", "--bidder", "DELTA", "--statement", "DELTA.commitment",
                    "--receipt", "DELTA.receipt"])
        let early = try cli.run(["portal", "close", "--dir", "portal", "--out", "early.note"])
        #expect(early.status != 0 && early.output.contains("not-open"))
        while Date() < deadline.addingTimeInterval(0.2) { usleep(100_000) }
        let late = try cli.run(["portal", "submit", "--dir", "portal", "--bid", "fake.sbid", "--bidder", "ACME", "--receipt", "late.receipt"])
        #expect(late.status != 0)
        #expect(try cli.run(["portal", "upload", "--dir", "portal", "--bid", "ACME.sbid", "--bidder", "DELTA", "--receipt", "x.receipt"]).output.contains("commitment-mismatch"))
        try cli.ok(["portal", "upload", "--dir", "portal", "--bid", "DELTA.sbid", "--bidder", "DELTA", "--receipt", "DELTA-upload.receipt"])
        try cli.ok(["receipt", "verify", "DELTA-upload.receipt"] + tender)
        let inGrace = try cli.run(["portal", "close", "--dir", "portal", "--out", "early.note"])
        #expect(inGrace.status != 0 && inGrace.output.contains("not-open"))
        while Date() < deadline.addingTimeInterval(Double(grace) + 0.2) { usleep(100_000) }
        try cli.ok(["portal", "close", "--dir", "portal", "--out", "closing.note"])

        // The members get copies of the public files only: the closing, the log, the bids.
        try FileManager.default.copyItem(atPath: cli.path("portal/log.bin"), toPath: cli.path("log.bin"))
        try FileManager.default.copyItem(atPath: cli.path("portal/bids"), toPath: cli.path("bids"))
        let inputs = tender + ["--stage", "technical", "--closing", "closing.note", "--log", "log.bin", "--bids", "bids"]
        let prepared = try cli.ok(["opening", "prepare"] + inputs)
        #expect(prepared.contains("3 envelope(s) to open"))
        #expect(prepared.contains("GAMMA: withdrawn"))
        for i in [1, 3] {
            try cli.ok(["opening", "share"] + inputs + Self.member(i) + ["--share", "m\(i).share", "--out", "d\(i).bin"])
        }
        // A member refuses a descriptor other than the published one before computing anything.
        let wrongDigest = inputs.map { $0 == digest ? String(repeating: "1", count: 64) : $0 }
        let refused = try cli.run(["opening", "share"] + wrongDigest + Self.member(2) + ["--share", "m2.share", "--out", "d2.bin"])
        #expect(refused.status != 0 && !FileManager.default.fileExists(atPath: cli.path("d2.bin")))
        try cli.ok(["opening", "run"] + inputs + ["--dshare", "d1.bin", "d3.bin", "--out-dir", "opened", "--report", "report.json"])
        #expect(try String(contentsOfFile: cli.path("opened/entry-0.technical"), encoding: .utf8) == "technical proposal of ACME")
        #expect(try String(contentsOfFile: cli.path("opened/entry-5.technical"), encoding: .utf8) == "technical proposal of DELTA")

        // Members sign in parallel; the signature files merge.
        // Each member checks the report against its own opening before signing.
        for i in [1, 3] {
            try cli.ok(["opening", "sign", "--report", "report.json", "--out", "report.sig-\(i)", "--dshare", "d1.bin", "d3.bin"] + inputs + Self.member(i))
        }
        // Not without the share files, nor without the published digest.
        #expect(try cli.run(["opening", "sign", "--report", "report.json", "--out", "x.sig"] + inputs + Self.member(2)).status == 64)
        #expect(try cli.run(["opening", "sign", "--report", "report.json", "--out", "x.sig", "--dshare", "d1.bin", "d3.bin"]
            + inputs.filter { $0 != "--tender-digest" && $0 != digest } + Self.member(2)).output.contains("--tender-digest"))
        try cli.ok(["report", "merge", "--signatures", "report.sig-1", "report.sig-3", "--out", "report.sig"])
        let verified = try cli.ok(["report", "verify", "report.json", "--signatures", "report.sig", "--bidder", "BETA", "--bid", "BETA.sbid",
                                   "--receipt", "BETA.receipt", "--log", "log.bin", "--bids", "bids", "--dshare", "d1.bin", "d3.bin",
                                   "--markdown", "report.md"] + tender)
        #expect(verified.contains("your bid's digest matches the report") && verified.contains("and the report counts the entry of one of them (log index"))
        // A receipt is checked against the closed log itself.
        #expect(try cli.run(["report", "verify", "report.json", "--signatures", "report.sig", "--bidder", "BETA", "--receipt", "BETA.receipt"] + tender)
            .status == 64)
        #expect(try String(contentsOfFile: cli.path("report.md"), encoding: .utf8).contains("Signed by members: 1, 3"))
        // One signature of a 2-of-3 committee is not a report, nor are none.
        #expect(try cli.run(["report", "verify", "report.json", "--signatures", "report.sig-1"] + tender).output.contains("too-few-signatures"))
        // A member cannot sign with someone else's key.
        #expect(try cli.run(["opening", "sign", "--report", "report.json", "--out", "bad.sig", "--id", "2", "--hpke-key", "m2.hpke",
                             "--signing-key", "m1.sign", "--dshare", "d1.bin", "d3.bin"] + inputs).status != 0)
        // A line added after signing, or a key written twice, is not the signed report.
        let original = try String(contentsOfFile: cli.path("report.json"), encoding: .utf8)
        // A threshold opening relabelled as a reconstruction (to name member 2 without its files):
        // a member signs neither without the released shares nor against the decryption shares.
        try original.replacingOccurrences(of: "\"mode\":\"threshold-decryption\"", with: "\"mode\":\"reconstruction\"")
            .write(toFile: cli.path("relabelled.json"), atomically: true, encoding: .utf8)
        #expect(try cli.run(["opening", "sign", "--report", "relabelled.json", "--out", "r.sig"] + inputs + Self.member(2)).status == 64)
        #expect(try cli.run(["opening", "sign", "--report", "relabelled.json", "--out", "r.sig", "--dshare", "d1.bin", "d3.bin"]
            + inputs + Self.member(2)).output.contains("--released"))
        // The first stage takes no qualification list.
        #expect(try cli.run(["opening", "prepare", "--qualified", "ACME"] + inputs).output.contains("first stage"))
        for (name, forged) in [
            ("winner.json", original.replacingOccurrences(of: "{\"closingNote\"", with: "{\"a\":\"ACME wins\",\"closingNote\"")),
            ("pretty.json", original.replacingOccurrences(of: ",\"culprits\"", with: ", \"culprits\"")),
        ] {
            try forged.write(toFile: cli.path(name), atomically: true, encoding: .utf8)
            #expect(try cli.run(["report", "verify", name, "--signatures", "report.sig"] + tender).output.contains("malformed-report"))
        }
    }

    @Test("the demo's published artefacts verify with the CLI alone, from the descriptor")
    func demoArtefacts() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let demo = try cli.ok(["demo", "--bidders", "6", "--members", "4", "--threshold", "2", "--bid-size", "20000", "--workdir", "demo"])
        // Piped, the progress bars are plain lines: no carriage-return frames.
        #expect(!demo.contains("\r"), "\(demo)")
        let progress = demo.split(separator: "\n").filter { $0.hasPrefix("  opening ") }.map(String.init)
        #expect(progress.count == 2 && progress.allSatisfy { $0.split(separator: " ").last.map { $0.split(separator: "/").count == 2 } ?? false },
                "\(progress)")
        try verifyDemo(cli, testAuthority: true)
    }

    @Test("the demo in real time with an outside RFC 3161 authority (openssl ts on loopback, scripts/loopback-tsa) and two witnesses: its artefacts verify with the quorum and the authority's tokens")
    func demoWithOutsideAuthority() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/loopback-tsa").path
        let tsa = cli.path("tsa")
        func run(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: script)
            process.arguments = arguments
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        _ = try run(["init", tsa])
        let started = try run(["start", tsa])
        func value(_ name: String) -> String? {
            started.split(separator: "\n").first { $0.hasPrefix("export \(name)=") }
                .map { String($0.dropFirst("export \(name)=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
        }
        let url = try #require(value("SEALEDBID_TSA_URL"), "\(started)"), pid = try #require(value("SEALEDBID_TSA_PID"))
        defer { _ = try? run(["stop", pid]) }
        let demo = try cli.ok([
            "demo", "--bidders", "4", "--members", "3", "--threshold", "2", "--bid-size", "2000", "--workdir", "demo", "--tsa-url", url,
            "--tsa-root", "\(tsa)/root.pem",
        ])
        #expect(demo.contains("each with an RFC 3161 token from the outside authority at \(url)"), "\(demo)")
        try verifyDemo(cli, testAuthority: false)
    }

    /// What anyone checks of the demo's published files with the CLI, from the descriptor alone.
    private func verifyDemo(_ cli: CLI, testAuthority: Bool) throws {
        let digest = try String(contentsOfFile: cli.path("demo/tender.txt.sha256"), encoding: .utf8).prefix(64)
        let tender = ["--tender", "demo/tender.txt", "--tender-digest", String(digest)]
        let shown = try cli.ok(["tender", "show"] + tender)
        #expect(shown.contains("TEST MODE") == testAuthority, "\(shown)")
        #expect(shown.contains("witnesses   2 of 2 must cosign every checkpoint"), "\(shown)")
        #expect(shown.contains(testAuthority ? "timestamps  test-authority" : "timestamps  required"), "\(shown)")
        for receipt in try FileManager.default.contentsOfDirectory(atPath: cli.path("demo/bidders")).filter({ $0.hasSuffix(".receipt") }) {
            let verified = try cli.ok(["receipt", "verify", "demo/bidders/\(receipt)"] + tender)
            #expect(verified.contains("cosigned by 2 witness(es), quorum 2") && verified.contains("RFC 3161 time"), "\(verified)")
        }
        let inputs = tender + ["--closing", "demo/closing.note", "--log", "demo/portal/log.bin", "--bids", "demo/portal/bids"]
        try cli.ok(["opening", "prepare", "--stage", "technical"] + inputs)
        for stage in ["technical", "price"] {
            let shares = try FileManager.default.contentsOfDirectory(atPath: cli.path("demo/shares")).filter { $0.hasPrefix("\(stage)-") }
                .map { "demo/shares/\($0)" }
            // The price stage opens after the technical one, on its closing: its report comes along.
            let previous = stage == "price" ? ["--previous-report", "demo/report-technical.json", "--previous-signatures", "demo/report-technical.sig"] : []
            try cli.ok(["report", "verify", "demo/report-\(stage).json", "--signatures", "demo/report-\(stage).sig", "--bidder", "BIDDER-0003",
                        "--bid", "demo/bidders/BIDDER-0003.sbid", "--receipt", "demo/bidders/BIDDER-0003.receipt", "--log", "demo/portal/log.bin",
                        "--bids", "demo/portal/bids", "--dshare"] + shares + tender + previous)
        }
    }
}
