import Foundation
import Testing

import SealedBidPrimitives
import SealedBidTestSupport

/// `sealbid tender registry`: the bidder registry (docs/spec/report-v1.md, "Bidder registry")
/// written from key files, certificates and subjects, checked before it is written.
@Suite("sealbid tender registry")
struct RegistryCLITests {
    @Test("identities from key files, hex, certificates and subjects; read by tender create")
    func writesWhatTenderCreateReads() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let pki = try TestPKI.make()
        defer { pki.remove() }
        for bidder in ["ACME", "BETA"] { try cli.ok(["keygen", "ed25519", "\(bidder).sign"]) }
        let acme = try readPublicKey(cli.path("ACME.sign.pub")).rawRepresentation.hexString
        let beta = try readPublicKey(cli.path("BETA.sign.pub")).rawRepresentation.hexString
        let leaf = pki.directory.appendingPathComponent("leaf.pem").path
        let subject = try #require(pki.leaf.subject)
        // A bidder id may contain ':' (an NPWP); a subject may contain spaces and commas.
        let output = try cli.ok([
            "tender", "registry", "--add", "ACME:ed25519:ACME.sign.pub", "--add", "NPWP:01.234.567.8-901.000:ed25519:\(beta)",
            "--add", "PT-CONTOH:x509-subject:\(leaf)", "--add", "CV-KARYA:x509-subject:CN=CV Karya,serialNumber=NPWP 02.345,C=ID",
            "--add", "ACME:x509-subject:CN=ACME Signing Officer,C=ID", "--out", "registry.txt",
        ])
        let expected = [
            "ACME ed25519 \(acme)", "NPWP:01.234.567.8-901.000 ed25519 \(beta)", "PT-CONTOH x509-subject \(subject)",
            "CV-KARYA x509-subject CN=CV Karya,serialNumber=NPWP 02.345,C=ID", "ACME x509-subject CN=ACME Signing Officer,C=ID",
        ]
        let written = try String(contentsOfFile: cli.path("registry.txt"), encoding: .utf8)
        #expect(written == "# sealbid bidder registry v1\n" + expected.map { $0 + "\n" }.joined())
        #expect(output.contains("4 bidder(s), 5 identities"), "\(output)")
        #expect(subject.contains("CN=PT Contoh Bidder"))
        // The descriptor takes it as it is.
        try OpeningCLITests.committee(cli)
        try cli.ok(["keygen", "ed25519", "portal-log.key"])
        let created = try cli.ok([
            "tender", "create", "--tender", "T-CLI", "--deadline", "2099-01-01T00:00:00Z", "--log-key", "portal-log.key.pub",
            "--origin", "portal.example/cli/T-CLI", "--stage", "technical:roster.bin:dealt/stage-key.bin",
            "--envelope", "technical:technical", "--bidders", "registry.txt", "--out", "tender.txt",
        ])
        #expect(created.contains("4 bidder(s)"), "\(created)")
        // To standard output, the summary goes to standard error.
        let piped = try cli.ok(["tender", "registry", "--add", "ACME:ed25519:\(acme)", "--out", "-"])
        #expect(piped.contains("# sealbid bidder registry v1\nACME ed25519 \(acme)\n"), "\(piped)")
    }

    @Test("duplicates, an identity for two bidders, bad input and an existing file are refused; nothing is written")
    func refusals() throws {
        let cli = try CLI()
        defer { cli.remove() }
        for bidder in ["ACME", "BETA"] { try cli.ok(["keygen", "ed25519", "\(bidder).sign"]) }
        let cases: [(arguments: [String], says: String)] = [
            (["--add", "ACME:ed25519:ACME.sign.pub", "--add", "ACME:ed25519:ACME.sign.pub"], "the same identity as --add ACME:ed25519:ACME.sign.pub"),
            (["--add", "ACME:ed25519:ACME.sign.pub", "--add", "BETA:ed25519:ACME.sign.pub"], "already registered for ACME"),
            (["--add", "ACME:x509-subject:CN=Shared,C=ID", "--add", "BETA:x509-subject:CN=Shared,C=ID"], "already registered for ACME"),
            (["--add", "ACME:ed25519:" + String(repeating: "0", count: 64)], "not an Ed25519 public key"),
            (["--add", "ACME:ed25519:missing.pub"], "neither a key file nor 64 hex digits"),
            (["--add", "ACME:x509-subject:missing.pem"], "neither a certificate file nor a subject"),
            (["--add", "ACME:rsa:ACME.sign.pub"], "expected BIDDER:ed25519:KEY or BIDDER:x509-subject:SUBJECT"),
            (["--add", "AC ME:ed25519:ACME.sign.pub"], "is not a bidder id"),
            (["--add", "ACME:x509-subject:CN=Tab\there"], "without control characters"),
        ]
        for (arguments, says) in cases {
            let result = try cli.run(["tender", "registry"] + arguments + ["--out", "registry.txt"])
            #expect(result.status == 64 && result.output.contains(says), "\(arguments): \(result.output)")
            #expect(!FileManager.default.fileExists(atPath: cli.path("registry.txt")), "\(arguments)")
        }
        // A private key file is not a public one.
        let secret = try cli.run(["tender", "registry", "--add", "ACME:ed25519:ACME.sign", "--out", "registry.txt"])
        #expect(secret.status == 1 && secret.output.contains("wrong-key-kind"), "\(secret.output)")
        // Never overwrites.
        try cli.ok(["tender", "registry", "--add", "ACME:ed25519:ACME.sign.pub", "--out", "registry.txt"])
        let before = try Data(contentsOf: URL(fileURLWithPath: cli.path("registry.txt")))
        let again = try cli.run(["tender", "registry", "--add", "BETA:ed25519:BETA.sign.pub", "--out", "registry.txt"])
        #expect(again.status == 64 && again.output.contains("registry.txt exists"), "\(again.output)")
        #expect(again.output.contains("Usage: sealbid tender registry --add <identity>"), "\(again.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.path("registry.txt"))) == before)
    }
}
