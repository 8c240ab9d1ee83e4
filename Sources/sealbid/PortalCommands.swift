import ArgumentParser
import Foundation
import SealedBidEnvelope
import SealedBidKeyFiles
import SealedBidLog
import SealedBidPrimitives

/// A portal's log for one tender kept in a directory (docs/spec/receipts-v1.md).
struct Portal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a tender's submission log: accept bids, issue receipts, close at the deadline.",
        discussion: """
            Example:
              sealbid portal init --dir portal --tender LPSE-2026-0042 --deadline 2026-12-01T10:00:00Z \\
                --name lpse.example.go.id/portal
              sealbid portal submit --dir portal --bid acme.sbid --bidder ACME --bidder-key acme.pub \\
                --receipt acme.receipt
              sealbid portal close --dir portal --out closing.note
              sealbid receipt verify acme.receipt --log-key portal/portal.vkey
            """,
        subcommands: [Init.self, Submit.self, Withdraw.self, Close.self, Checkpoint.self, ProveConsistency.self, Stress.self]
    )

    struct Config: Codable {
        var tender: String
        var origin: String
        var deadline: Date
        let grace: Double
        let keyName: String
        let tsaCertificate: String?
        let tsaKey: String?
    }

    struct DirectoryOption: ParsableArguments {
        @Option(help: "The portal directory.") var dir: String

        func config() throws -> Config {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(Config.self, from: Data(contentsOf: URL(fileURLWithPath: "\(dir)/portal.json")))
        }

        func open() throws -> SubmissionLog {
            let config = try config()
            let signer = try NoteSigner(name: config.keyName, key: KeyFile.ed25519PrivateKey("\(dir)/portal.key"))
            var timestamper: (@Sendable ([UInt8]) throws -> [UInt8])?
            if let cert = config.tsaCertificate, let key = config.tsaKey {
                let authority = try TimestampAuthority(
                    certificatePEM: try String(contentsOfFile: cert, encoding: .utf8), keyPEM: SecureBytes(contentsOfFile: key))
                timestamper = { digest in
                    let request = try TimestampRequest(digest: digest)
                    let serial = UInt64(Date().timeIntervalSince1970 * 1000)
                    return try TimestampToken(response: authority.respond(to: request.derRepresentation, serial: serial)).derRepresentation
                }
            }
            return try SubmissionLog(
                origin: config.origin, tender: config.tender, deadline: config.deadline, grace: config.grace, signer: signer,
                store: FileLogStore(path: "\(dir)/log.bin"), timestamper: timestamper)
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a portal directory: signing key, verifier key, config, empty log.")
        @Option(help: "The portal directory (created).") var dir: String
        @Option(help: "Tender id.") var tender: String
        @Option(help: "Deadline, ISO 8601 (e.g. 2026-12-01T10:00:00Z).") var deadline: String
        @Option(help: "Grace window for committed bids, seconds.") var grace: Double = 0
        @Option(help: "The log's key name (a schema-less URL).") var name: String
        @Option(help: "PEM certificate of a time-stamp authority to stamp every entry.") var tsaCert: String?
        @Option(help: "PEM private key of that authority.") var tsaKey: String?

        func run() throws {
            guard let when = ISO8601DateFormatter().date(from: deadline) else { throw ValidationError("--deadline must be ISO 8601") }
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let key = Ed25519PrivateKey()
            try KeyFile.write(key.seed, kind: .ed25519Private, to: "\(dir)/portal.key", comment: "portal log signing key: keep secret")
            let verifier = try NoteVerifier(name: name, publicKey: key.publicKey)
            try writeNew(Array((verifier.verifierKey + "\n").utf8), to: "\(dir)/portal.vkey")
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let config = Config(
                tender: tender, origin: "\(name)/\(tender)", deadline: when, grace: grace, keyName: name,
                tsaCertificate: tsaCert.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                tsaKey: tsaKey.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
            try writeNew([UInt8](try encoder.encode(config)), to: "\(dir)/portal.json")
            print("portal for \(tender): origin \(config.origin)")
            print("verifier key \(verifier.verifierKey) (in \(dir)/portal.vkey)")
        }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a bid (signature, tender, every digest) and log it; write the receipt.")
        @OptionGroup var portal: DirectoryOption
        @Option(help: "The bid file.") var bid: String
        @Option(help: "The uploader as the portal authenticated them; the bid must name this bidder.") var bidder: String
        @Option(help: "The bidder's registered Ed25519 public key file: only bids signed with it are accepted.")
        var bidderKey: String?
        @Option(help: "PEM trust anchors for bidders who sign with national-PKI certificates (with --bidder-subject).")
        var roots: String?
        @Option(help: "The bidder's registered certificate subject, RFC 2253 (as 'sealbid inspect' prints it).")
        var bidderSubject: String?

        func validate() throws {
            guard bidderKey != nil || (roots != nil && bidderSubject != nil) else {
                throw ValidationError(
                    "name the bidder's registered identity: --bidder-key, or --roots with --bidder-subject "
                        + "(otherwise anyone could upload a bid in this bidder's name)")
            }
            if (roots == nil) != (bidderSubject == nil) { throw ValidationError("--roots and --bidder-subject go together") }
        }
        @Option(help: "submit, replace or commit.") var kind: String = "submit"
        @Option(help: "Output receipt file.") var receipt: String

        func run() async throws {
            let config = try portal.config()
            // Only the registered identities: no Ed25519 key when none is registered, no
            // certificate but the registered subject's.
            let policy = SignerPolicy.registered(
                ed25519Keys: try bidderKey.map { [try KeyFile.ed25519PublicKey($0)] } ?? [],
                x509Roots: try roots.map { try X509Certificate.certificates(pem: String(contentsOfFile: $0, encoding: .utf8)) } ?? [],
                x509Subjects: bidderSubject.map { [$0] } ?? [])
            let opener = try BidOpener(path: bid, tender: TenderID(config.tender), bidder: BidderID(bidder), policy: policy)
            try opener.checkWrapProofs()
            try opener.verifyPayloadDigests()
            let kinds: [String: LogEntry.Kind] = ["submit": .submit, "replace": .replace, "commit": .commit]
            guard let entryKind = kinds[kind] else { throw ValidationError("--kind must be submit, replace or commit") }
            // Keep the bid under its digest, where the opening looks for it (as PortalService does).
            try FileManager.default.createDirectory(atPath: "\(portal.dir)/bids", withIntermediateDirectories: true)
            let stored = "\(portal.dir)/bids/\(opener.header.bidDigest.hexString).sbid"
            if !FileManager.default.fileExists(atPath: stored) { try FileManager.default.copyItem(atPath: bid, toPath: stored) }
            let log = try portal.open()
            let result = try await log.submit(
                kind: entryKind, bidder: opener.header.bidder.value, bidDigest: opener.header.bidDigest,
                bidLength: opener.header.expectedFileLength)
            try writeNew(result.encoded, to: receipt)
            let verified = try result.verify(log: await log.verifier, origin: config.origin)
            print("logged \(opener.header.bidder) as entry \(verified.index); receipt \(receipt)")
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Log a bidder's withdrawal.")
        @OptionGroup var portal: DirectoryOption
        @Option(help: "Bidder id.") var bidder: String
        @Option(help: "Output receipt file.") var receipt: String

        func run() async throws {
            let result = try await portal.open().submit(kind: .withdraw, bidder: bidder, bidDigest: [UInt8](repeating: 0, count: 32), bidLength: 0)
            try writeNew(result.encoded, to: receipt)
            print("logged the withdrawal of \(bidder)")
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close the log at the deadline; write the closing checkpoint.")
        @OptionGroup var portal: DirectoryOption
        @Option(help: "Output file for the closing checkpoint (signed note).") var out: String

        func run() async throws {
            let log = try portal.open()
            let closing = try await log.close()
            try writeNew(Array(closing.note.serialized.utf8), to: out)
            print("closed at size \(closing.checkpoint.size); \(await log.liveEntries().count) live bid(s)")
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a signed checkpoint of the current log.")
        @OptionGroup var portal: DirectoryOption
        @Option(help: "Output file.") var out: String

        func run() async throws {
            let checkpoint = try await portal.open().checkpoint()
            try writeNew(Array(checkpoint.note.serialized.utf8), to: out)
            print("checkpoint of size \(checkpoint.checkpoint.size) in \(out)")
        }
    }

    struct ProveConsistency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a consistency proof between two sizes (concatenated 32-byte hashes).")
        @OptionGroup var portal: DirectoryOption
        @Option var from: UInt64
        @Option var to: UInt64
        @Option(help: "Output file.") var out: String

        func run() async throws {
            let proof = try await portal.open().consistencyProof(from: from, to: to)
            try writeNew(proof.flatMap { $0 }, to: out)
            print("consistency proof \(from) -> \(to): \(proof.count) hashes in \(out)")
        }
    }

    struct Stress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append synthetic commitments, printing 'ack N' after each is durable (for crash tests).",
            shouldDisplay: false)
        @OptionGroup var portal: DirectoryOption
        @Option var count: Int = 1000

        func run() async throws {
            let log = try portal.open()
            let start = await log.size
            for i in 0..<count {
                let n = Int(start) + i
                _ = try await log.submit(kind: .commit, bidder: "B-\(n)", bidDigest: SHA256.hash(Array("\(n)".utf8)), bidLength: 1)
                // Unbuffered, so a crash test sees every acknowledgement that was made.
                FileHandle.standardOutput.write(Data("ack \(n)\n".utf8))
            }
        }
    }
}

struct ReceiptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipt", abstract: "Receipts.", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a receipt offline from its bytes and the log's verifier key.")
        @Argument(help: "The receipt file.") var receipt: String
        @Option(help: "The log's verifier key (file or the key string).") var logKey: String
        @Option(help: "Expected origin (default: the checkpoint's).") var origin: String?
        @Option(help: "PEM trust anchors of the time-stamp authority: also check the RFC 3161 token.") var tsaRoots: String?

        func run() throws {
            let key = try NoteVerifier(verifierKey: readKeyString(logKey))
            let parsed = try Receipt(encoded: readBytes(receipt))
            let roots = try tsaRoots.map { try X509Certificate.certificates(pem: String(contentsOfFile: $0, encoding: .utf8)) }
            let verified = try parsed.verify(log: key, origin: origin ?? parsed.checkpointOrigin(), timestampRoots: roots)
            let e = verified.entry
            print("valid receipt: entry \(verified.index) of \(verified.checkpoint.checkpoint.origin) (tree size \(verified.checkpoint.checkpoint.size))")
            print("  \(e.kind) tender \(e.tender) bidder \(e.bidder) at \(Date(timeIntervalSince1970: Double(e.receivedAt) / 1000))")
            print("  bid digest \(e.bidDigest.hexString), \(e.bidLength) bytes")
            if let t = verified.timestamp { print("  RFC 3161 time \(t.time) (serial \(t.serial))") }
        }
    }
}

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "Log checkpoints.", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a later checkpoint extends an earlier one (nothing dropped, added before, or rewritten).")
        @Option(help: "The earlier checkpoint (signed note).") var old: String
        @Option(help: "The later checkpoint (signed note).") var new: String
        @Option(help: "The consistency proof file (sealbid portal prove-consistency).") var proof: String
        @Option(help: "The log's verifier key (file or the key string).") var logKey: String

        func run() throws {
            let key = try NoteVerifier(verifierKey: readKeyString(logKey))
            let first = try SignedCheckpoint(serialized: String(contentsOfFile: old, encoding: .utf8))
            let second = try SignedCheckpoint(serialized: String(contentsOfFile: new, encoding: .utf8))
            let bytes = try readBytes(proof)
            guard bytes.count % 32 == 0 else { throw ValidationError("the proof file is not a list of 32-byte hashes") }
            let hashes = stride(from: 0, to: bytes.count, by: 32).map { Array(bytes[$0..<($0 + 32)]) }
            try first.verifyConsistency(to: second, proof: hashes, log: key, origin: first.checkpoint.origin)
            print("consistent: size \(first.checkpoint.size) -> \(second.checkpoint.size) of \(first.checkpoint.origin)")
        }
    }
}

struct TimestampCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "timestamp", abstract: "RFC 3161 tokens.", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify an RFC 3161 token or response for a file or a SHA-256 digest.")
        @Argument(help: "A DER TimeStampResp or TimeStampToken.") var token: String
        @Option(help: "The time-stamped file.") var data: String?
        @Option(help: "Or its SHA-256 digest in hex.") var digest: String?
        @Option(help: "PEM trust anchors of the authority.") var roots: String

        func run() throws {
            let bytes = try readBytes(token)
            let parsed = try (try? TimestampToken(response: bytes)) ?? TimestampToken(derRepresentation: bytes)
            let hash: [UInt8]
            if let data { hash = SHA256.hash(try readBytes(data)) } else if let digest { hash = try Hex.decode(digest) } else {
                throw ValidationError("give --data or --digest")
            }
            let verified = try parsed.verify(digest: hash, roots: X509Certificate.certificates(pem: String(contentsOfFile: roots, encoding: .utf8)))
            print("valid time-stamp: \(verified.time) (serial \(verified.serial))")
        }
    }
}

/// A verifier key given inline or as a file holding it.
func readKeyString(_ value: String) throws -> String {
    if FileManager.default.fileExists(atPath: value) {
        return try String(contentsOfFile: value, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return value
}
