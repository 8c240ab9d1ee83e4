import Foundation
import Testing

import SealedBidLog
import SealedBidPrimitives
import SealedBidTestSupport

/// The command line's edges (issue 14, items 6-8): short and standard-stream paths, special
/// files, out-of-range options, and errors that each carry a stable code and the documented
/// exit status (`sealbid --help`: 1 refused, 2 io/storage, 64 usage) — never a trap, a raw
/// Foundation error, or an overwritten file.
@Suite("sealbid CLI: paths, special files and error codes at the edges")
struct CommandLineEdgeTests {
    /// A one-stage tender with bidder A (Ed25519) and an escrow key; returns the tender options.
    static func tender(_ cli: CLI) throws -> [String] {
        try OpeningCLITests.committee(cli)
        try cli.ok(["keygen", "ed25519", "A.sign"])
        try cli.ok(["keygen", "hpke", "escrow"])
        try cli.ok(["keygen", "ed25519", "log.key"])
        try cli.ok(["tender", "registry", "--add", "A:ed25519:A.sign.pub", "--out", "registry.txt"])
        try cli.ok(["tender", "create", "--tender", "T-CLI", "--deadline", "2099-01-01T00:00:00Z", "--grace", "60",
                    "--log-key", "log.key.pub", "--origin", "portal.example/T-CLI",
                    "--stage", "technical:roster.bin:dealt/stage-key.bin", "--envelope", "technical:technical",
                    "--bidders", "registry.txt", "--out", "tender.txt"])
        let digest = SHA256.hash([UInt8](try Data(contentsOf: URL(fileURLWithPath: cli.path("tender.txt"))))).hexString
        try Data("the technical proposal\n".utf8).write(to: URL(fileURLWithPath: cli.path("p.pdf")))
        return ["--tender", "tender.txt", "--tender-digest", digest]
    }

    static func seal(_ out: String, _ tender: [String]) -> [String] {
        ["seal", "--bidder", "A", "--signing-key", "A.sign", "--escrow-key", "escrow.pub", "--file", "technical=p.pdf", "--out", out] + tender
    }

    @Test("one-character output paths work (they trapped in NSString path handling); '-' is standard output where a stream fits")
    func shortAndStreamPaths() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let tender = try Self.tender(cli)
        try cli.ok(Self.seal("b", tender))
        let decrypt = ["decrypt", "b", "--envelope", "technical", "--escrow-key", "escrow"] + tender
        try cli.ok(decrypt + ["--out", "x"])
        #expect(try String(contentsOfFile: cli.path("x"), encoding: .utf8) == "the technical proposal\n")
        // Decryption streams: '-' writes the plaintext to standard output, and nothing else goes there.
        let streamed = try cli.run(decrypt + ["--out", "-"], standardError: false)
        #expect(streamed.status == 0 && streamed.output == "the technical proposal\n", "\(streamed)")
        // Sealing writes the header last, at the start of the file: no stream fits, and the command says so.
        let refused = try cli.run(Self.seal("-", tender))
        #expect(refused.status == 64 && refused.output.hasPrefix("sealbid: usage: --out -:"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("-")))
    }

    @Test("special files are refused at once: a FIFO with no writer does not block")
    func fifoRefused() throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(mkfifo(cli.path("fifo"), 0o600) == 0)
        // Under `timeout`, so that a regression fails the test (status 124) instead of hanging it.
        for arguments in [["inspect", "fifo"], ["verify", "fifo"]] {
            let result = try cli.run(["20", CLI.binary.path] + arguments, executable: URL(fileURLWithPath: "/usr/bin/timeout"))
            #expect(result.status == 2 && result.output.hasPrefix("sealbid: io-error: fifo is not a regular file"), "\(arguments): \(result)")
        }
    }

    @Test("every refusal carries its code and exit status; nothing is overwritten; no raw Foundation error")
    func errorsHaveCodes() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let tender = try Self.tender(cli)
        try cli.ok(Self.seal("bid.sbid", tender))
        let sealed = try Data(contentsOf: URL(fileURLWithPath: cli.path("bid.sbid")))
        try Data(#"{"x":1}"#.utf8).write(to: URL(fileURLWithPath: cli.path("report.json")))
        try Data().write(to: URL(fileURLWithPath: cli.path("report.sig")))
        let create = ["tender", "create", "--deadline", "2099-01-01T00:00:00Z", "--log-key", "log.key.pub", "--origin", "portal.example/T",
                      "--stage", "technical:roster.bin:dealt/stage-key.bin", "--envelope", "technical:technical", "--bidders", "registry.txt"]
        let cases: [(arguments: [String], status: Int32, prefix: String)] = [
            // 2: the machine failed us (a file that cannot be read).
            (["seal", "--bidder", "A", "--signing-key", "A.sign", "--file", "technical=missing.pdf", "--out", "c.sbid"] + tender, 2,
             "sealbid: io-error: cannot open missing.pdf"),
            (["inspect", "no-such.sbid"], 2, "sealbid: io-error:"),
            (["tender", "show", "--tender", "no-such.txt", "--tender-digest", String(repeating: "0", count: 64)], 2, "sealbid: io-error:"),
            // 1: the input was refused, with the specification's code.
            (["seal", "--bidder", "A", "--signing-key", "A.sign.pub", "--file", "technical=p.pdf", "--out", "c.sbid"] + tender, 1,
             "sealbid: wrong-key-kind:"),
            (["report", "verify", "report.json", "--signatures", "report.sig"] + tender, 1, "sealbid: malformed-report:"),
            (create + ["--tender", "T\nX", "--grace", "60", "--out", "t1.txt"], 1, "sealbid: invalid-input:"),
            (create + ["--tender", "T\u{1B}[2J", "--grace", "60", "--out", "t2.txt"], 1, "sealbid: invalid-input:"),
            (["inspect", "p.pdf"], 1, "sealbid: "),
            (["portal", "init", "--dir", "p2", "--log-key", "A.sign"] + tender, 1, "sealbid: wrong-log-key:"),
            // 64: the command line is wrong (no number is NaN; workers in range; outputs never overwritten).
            (create + ["--tender", "T", "--grace", "nan", "--out", "t3.txt"], 64, "sealbid: usage:"),
            (["verify", "bid.sbid", "--workers", "0"] + tender, 64, "sealbid: usage: --workers must be 1...256"),
            (["verify", "bid.sbid", "--workers", "100000"] + tender, 64, "sealbid: usage: --workers must be 1...256"),
            (Self.seal("bid.sbid", tender), 64, "sealbid: usage: bid.sbid exists"),
        ]
        for (arguments, status, prefix) in cases {
            let result = try cli.run(arguments)
            #expect(result.status == status && result.output.hasPrefix(prefix), "\(arguments): \(result)")
            // A code from the specs' vocabulary: lowercase words and hyphens, then ': '.
            let code = result.output.dropFirst("sealbid: ".count).prefix { $0 != ":" }
            #expect(!code.isEmpty && code.allSatisfy { $0.isLowercase || $0 == "-" }, "\(arguments): \(result.output)")
            for raw in ["NSCocoaErrorDomain", "Error Domain=", "DecodingError", "EncodingError", "Fatal error"] {
                #expect(!result.output.contains(raw), "\(arguments): \(result.output)")
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.path("bid.sbid"))) == sealed)
        for name in ["c.sbid", "t1.txt", "t2.txt", "t3.txt", "p2"] {
            #expect(!FileManager.default.fileExists(atPath: cli.path(name)), "\(name) was written")
        }
    }

    static func entries(_ cli: CLI, _ portal: String = "portal") throws -> Int {
        try FileLogStore.records(atPath: cli.path("\(portal)/log.bin")).filter { if case .entry = $0 { true } else { false } }.count
    }

    @Test("a portal command whose output exists is refused before it logs or closes anything (it acted, then said 'usage')")
    func portalOutputsCheckedFirst() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let tender = try Self.tender(cli)
        try cli.ok(["portal", "init", "--dir", "portal", "--log-key", "log.key"] + tender)
        try cli.ok(Self.seal("bid.sbid", tender))
        try cli.ok(["withdraw", "--bidder", "A", "--signing-key", "A.sign", "--bid", "bid.sbid", "--out", "A.withdrawal"] + tender)
        try cli.ok(["commit", "--bidder", "A", "--signing-key", "A.sign", "--bid", "bid.sbid", "--out", "A.commitment"] + tender)
        try Data("taken".utf8).write(to: URL(fileURLWithPath: cli.path("taken")))
        let before = try readFileBytes(cli.path("portal/log.bin"))
        for arguments in [
            ["portal", "submit", "--dir", "portal", "--bid", "bid.sbid", "--bidder", "A", "--receipt", "taken"],
            ["portal", "commit", "--dir", "portal", "--bidder", "A", "--bid", "bid.sbid", "--statement", "A.commitment", "--receipt", "taken"],
            ["portal", "upload", "--dir", "portal", "--bid", "bid.sbid", "--bidder", "A", "--receipt", "taken"],
            ["portal", "withdraw", "--dir", "portal", "--bidder", "A", "--statement", "A.withdrawal", "--receipt", "taken"],
            ["portal", "close", "--dir", "portal", "--out", "taken"],
        ] {
            let result = try cli.run(arguments)
            #expect(result.status == 64 && result.output.hasPrefix("sealbid: usage: taken exists"), "\(arguments): \(result)")
        }
        // An output in a directory that does not exist is refused first too (it logged, then failed with io-error).
        for arguments in [
            ["portal", "submit", "--dir", "portal", "--bid", "bid.sbid", "--bidder", "A", "--receipt", "missing/A.receipt"],
            ["portal", "close", "--dir", "portal", "--out", "missing/closing.note"],
        ] {
            let result = try cli.run(arguments)
            #expect(result.status == 64 && result.output.hasPrefix("sealbid: usage: missing/"), "\(arguments): \(result)")
        }
        #expect(try readFileBytes(cli.path("portal/log.bin")) == before, "the log changed")
        #expect(try String(contentsOfFile: cli.path("taken"), encoding: .utf8) == "taken")
        // The same submission with a free output is logged once.
        try cli.ok(["portal", "submit", "--dir", "portal", "--bid", "bid.sbid", "--bidder", "A", "--receipt", "A.receipt"])
        #expect(try Self.entries(cli) == 1)
    }

    @Test("a test-authority portal initialises with its time-stamp key (it exited 1 yet worked); a failed init leaves no directory")
    func testAuthorityPortalInit() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let tsa = ["--test-tsa-cert", pki.directory.appendingPathComponent("tsa.pem").path,
                   "--test-tsa-key", pki.directory.appendingPathComponent("tsa.key").path]
        try OpeningCLITests.committee(cli)
        try cli.ok(["keygen", "ed25519", "A.sign"])
        try cli.ok(["keygen", "ed25519", "log.key"])
        try cli.ok(["tender", "registry", "--add", "A:ed25519:A.sign.pub", "--out", "registry.txt"])
        try cli.ok(["tender", "create", "--tender", "T-CLI", "--deadline", "2099-01-01T00:00:00Z", "--log-key", "log.key.pub",
                    "--origin", "portal.example/T-CLI", "--stage", "technical:roster.bin:dealt/stage-key.bin", "--envelope", "technical:technical",
                    "--bidders", "registry.txt", "--timestamps", "test-authority", "--tsa-roots", pki.directory.appendingPathComponent("root.pem").path,
                    "--out", "tender.txt"])
        let tender = ["--tender", "tender.txt", "--tender-digest",
                      SHA256.hash([UInt8](try Data(contentsOf: URL(fileURLWithPath: cli.path("tender.txt"))))).hexString]
        // A key that is not the authority's certificate's: refused, and nothing is left behind.
        let wrong = ["--test-tsa-cert", pki.directory.appendingPathComponent("tsa.pem").path,
                     "--test-tsa-key", pki.directory.appendingPathComponent("root.key").path]
        let refused = try cli.run(["portal", "init", "--dir", "bad", "--log-key", "log.key"] + wrong + tender)
        #expect(refused.status != 0 && refused.output.hasPrefix("sealbid: "), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("bad")))
        // An authority whose tokens do not chain to the descriptor's tsa-root (here its root CA acting as one): refused at init.
        let rootAsAuthority = ["--test-tsa-cert", pki.directory.appendingPathComponent("root.pem").path,
                               "--test-tsa-key", pki.directory.appendingPathComponent("root.key").path]
        let unchained = try cli.run(["portal", "init", "--dir", "bad", "--log-key", "log.key"] + rootAsAuthority + tender)
        #expect(unchained.status == 1 && unchained.output.hasPrefix("sealbid: timestamp-invalid: "), "\(unchained)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("bad")))
        let initialised = try cli.run(["portal", "init", "--dir", "portal", "--log-key", "log.key"] + tsa + tender)
        #expect(initialised.status == 0 && initialised.output.contains("TEST MODE"), "\(initialised)")
        try Data("proposal".utf8).write(to: URL(fileURLWithPath: cli.path("p.pdf")))
        try cli.ok(["seal", "--bidder", "A", "--signing-key", "A.sign", "--file", "technical=p.pdf", "--out", "bid.sbid"] + tender)
        try cli.ok(["portal", "submit", "--dir", "portal", "--bid", "bid.sbid", "--bidder", "A", "--receipt", "A.receipt"])
        // The receipt carries the authority's token, and verifies against the descriptor's roots.
        let verified = try cli.ok(["receipt", "verify", "A.receipt"] + tender)
        #expect(verified.contains("valid receipt: entry 0"), "\(verified)")
        #expect(verified.lowercased().contains("time-stamp") || verified.lowercased().contains("token"), "\(verified)")
    }
}
