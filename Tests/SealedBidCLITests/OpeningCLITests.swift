import Foundation
import Testing

@Suite("sealbid CLI: a tender from portal to signed report")
struct OpeningCLITests {
    @Test func portalToReport() throws {
        let cli = try CLI()
        defer { cli.remove() }
        for i in 1...3 {
            try cli.ok(["keygen", "hpke", "m\(i).hpke"])
            try cli.ok(["keygen", "ed25519", "m\(i).sign"])
        }
        try cli.ok(
            ["committee", "roster", "--committee", "T-CLI", "--stage", "technical", "--threshold", "2"]
                + (1...3).flatMap { ["--member", "\($0):m\($0).hpke.pub:m\($0).sign.pub"] } + ["--out", "roster.bin"])
        try cli.ok(["committee", "deal", "--roster", "roster.bin", "--out-dir", "dealt"])
        for i in 1...3 {
            try cli.ok(["committee", "accept-share", "--roster", "roster.bin", "--stage-key", "dealt/stage-key.bin", "--id", "\(i)",
                        "--hpke-key", "m\(i).hpke", "--signing-key", "m\(i).sign", "--share", "dealt/share-\(i).bin", "--out", "m\(i).share"])
        }
        let stageKey = [UInt8](try Data(contentsOf: URL(fileURLWithPath: cli.path("dealt/stage-key.bin"))))
        let publicKey = stageKey[(5 + 32 + 1)..<(5 + 32 + 1 + 65)].map { String(format: "%02x", $0) }.joined()
        try "sealbid-hpke-public-v1 \(publicKey)\n".write(toFile: cli.path("technical.pub"), atomically: true, encoding: .utf8)

        // Six seconds to seal and submit three bids; sanitized builds run slower (scripts/sanitize scales it).
        let deadline = Date().addingTimeInterval(6 * CLI.timeScale)
        let formatter = ISO8601DateFormatter()
        try cli.ok(["portal", "init", "--dir", "portal", "--tender", "T-CLI", "--deadline", formatter.string(from: deadline),
                    "--name", "portal.example/cli"])
        // What the tender publishes: members check the opening against these, not the portal's files.
        try FileManager.default.copyItem(atPath: cli.path("portal/portal.vkey"), toPath: cli.path("published.vkey"))
        let published = ["--log-key", "published.vkey", "--origin", "portal.example/cli/T-CLI", "--tender", "T-CLI",
                         "--deadline", formatter.string(from: deadline), "--bidders", "registry.txt"]
        for bidder in ["ACME", "BETA", "GAMMA"] {
            try Data("technical proposal of \(bidder)".utf8).write(to: URL(fileURLWithPath: cli.path("\(bidder).pdf")))
            try cli.ok(["keygen", "ed25519", "\(bidder).sign"])
            try cli.ok(["seal", "--tender", "T-CLI", "--bidder", bidder, "--signing-key", "\(bidder).sign",
                        "--envelope", "technical:technical:technical.pub:\(bidder).pdf", "--out", "\(bidder).sbid"])
            try cli.ok(["portal", "submit", "--dir", "portal", "--bid", "\(bidder).sbid", "--bidder", bidder,
                        "--bidder-key", "\(bidder).sign.pub", "--receipt", "\(bidder).receipt"])
            try cli.ok(["receipt", "verify", "\(bidder).receipt", "--log-key", "portal/portal.vkey"])
        }
        // The registry the tender publishes: each bidder's Ed25519 key, from their key files.
        var registry = "# sealbid bidder registry v1\n"
        for bidder in ["ACME", "BETA", "GAMMA"] {
            let line = try String(contentsOfFile: cli.path("\(bidder).sign.pub"), encoding: .utf8)
            let hex = try #require(line.split(whereSeparator: \.isWhitespace).map { String($0) }.first { $0.count == 64 })
            registry += "\(bidder) ed25519 \(hex)\n"
        }
        try registry.write(toFile: cli.path("registry.txt"), atomically: true, encoding: .utf8)
        // The same bid file cannot be logged twice (it would revive a replaced bid).
        #expect(try cli.run(["portal", "submit", "--dir", "portal", "--bid", "ACME.sbid", "--bidder", "ACME", "--bidder-key", "ACME.sign.pub",
                             "--kind", "replace", "--receipt", "again.receipt"]).output.contains("duplicate-bid"))
        // BETA cannot submit a bid naming ACME, nor one signed with another key.
        #expect(try cli.run(["portal", "submit", "--dir", "portal", "--bid", "ACME.sbid", "--bidder", "BETA", "--bidder-key", "ACME.sign.pub",
                             "--receipt", "x.receipt"]).output.contains("wrong-bidder"))  // the file's bidder field is checked too
        // Without a registered identity the portal refuses to accept anything in a bidder's name.
        let unpinned = try cli.run(["portal", "submit", "--dir", "portal", "--bid", "ACME.sbid", "--bidder", "ACME", "--receipt", "z.receipt"])
        #expect(unpinned.status != 0 && unpinned.output.contains("registered identity"))
        #expect(try cli.run(["portal", "submit", "--dir", "portal", "--bid", "ACME.sbid", "--bidder", "ACME", "--bidder-key", "BETA.sign.pub",
                             "--receipt", "y.receipt"]).output.contains("untrusted-signer"))
        try cli.ok(["portal", "withdraw", "--dir", "portal", "--bidder", "GAMMA", "--receipt", "GAMMA-withdraw.receipt"])
        let early = try cli.run(["portal", "close", "--dir", "portal", "--out", "early.note"])
        #expect(early.status != 0 && early.output.contains("not-open"))
        while Date() < deadline.addingTimeInterval(0.5) { usleep(200_000) }
        let late = try cli.run(["portal", "submit", "--dir", "portal", "--bid", "ACME.sbid", "--bidder", "ACME", "--bidder-key", "ACME.sign.pub",
                                "--receipt", "late.receipt"])
        #expect(late.status != 0 && late.output.contains("log-closed"))
        try cli.ok(["portal", "close", "--dir", "portal", "--out", "closing.note"])

        let inputs = ["--portal", "portal", "--closing", "closing.note", "--roster", "roster.bin", "--stage-key", "dealt/stage-key.bin"]
        let prepared = try cli.ok(["opening", "prepare"] + inputs + ["--out-dir", "to-open"])
        #expect(prepared.contains("2 bid(s) to open"))
        for i in [1, 3] {
            try cli.ok(["opening", "share"] + inputs + published + ["--share", "m\(i).share", "--out", "d\(i).bin"])
        }
        // A member never relies on the portal directory's own key and origin...
        let unanchored = try cli.run(["opening", "share"] + inputs + ["--share", "m2.share", "--out", "d2.bin"])
        #expect(unanchored.status != 0 && unanchored.output.contains("published with the tender"))
        // ...and a closing that is not the published log's is refused before anything is computed.
        let otherOrigin = published.map { $0 == "portal.example/cli/T-CLI" ? "evil.example/T-CLI" : $0 }
        let refused = try cli.run(["opening", "share"] + inputs + otherOrigin + ["--share", "m2.share", "--out", "d2.bin"])
        #expect(refused.status != 0 && refused.output.contains("wrong-origin"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("d2.bin")))
        try cli.ok(["opening", "run"] + inputs + ["--dshare", "d1.bin", "d3.bin", "--out-dir", "opened", "--report", "report.json"])
        #expect(try String(contentsOfFile: cli.path("opened/entry-0.technical"), encoding: .utf8) == "technical proposal of ACME")
        for i in [1, 3] {
            try cli.ok(["opening", "sign", "--report", "report.json", "--roster", "roster.bin", "--id", "\(i)", "--signing-key", "m\(i).sign"])
        }
        let verified = try cli.ok(["report", "verify", "report.json", "--roster", "roster.bin", "--bidder", "BETA", "--bid", "BETA.sbid"])
        #expect(verified.contains("your bid's digest matches the report"))
        // A member cannot sign with someone else's key.
        #expect(try cli.run(["opening", "sign", "--report", "report.json", "--roster", "roster.bin", "--id", "2", "--signing-key", "m1.sign"]).status != 0)
    }
}
