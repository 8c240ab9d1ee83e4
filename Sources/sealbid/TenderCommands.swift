import ArgumentParser
import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidKeyFiles
import SealedBidLog
import SealedBidPrimitives

/// The published tender descriptor every command anchors on (docs/spec/tender-v1.md).
struct TenderOption: ParsableArguments {
    @Option(help: "The tender descriptor, as published (sealbid tender create).") var tender: String
    @Option(help: "Its published SHA-256 (hex): the descriptor is refused unless it matches.") var tenderDigest: String?

    /// Bidders and members pin the published descriptor: without its digest, whoever hands over
    /// the file could hand over another (other stage keys, another log key).
    func requirePinned() throws {
        guard tenderDigest != nil else {
            throw ValidationError("--tender-digest is required: check the descriptor against its published SHA-256")
        }
    }

    func load() throws -> Tender {
        let expected = try tenderDigest.map { value throws -> [UInt8] in
            guard value.utf8.count == 64, let bytes = try? Hex.decode(value) else {
                throw ValidationError("--tender-digest is 64 hex digits")
            }
            return bytes
        }
        if expected == nil {
            FileHandle.standardError.write(
                Data("sealbid: warning: the descriptor is not pinned: give --tender-digest with its published SHA-256\n".utf8))
        }
        return try Tender(encoded: readBytes(tender, limit: Tender.maximumSize), expectedDigest: expected)
    }
}

struct TenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tender", abstract: "Tender descriptors: the one published file every party checks against.",
        discussion: """
            Example (the bidder registry, then the descriptor; see each command's help):
              sealbid tender registry --add ACME:ed25519:acme.key.pub --out registry.txt
              sealbid tender create ... --bidders registry.txt --out tender.txt
              sealbid tender show --tender tender.txt --tender-digest 3f2a...
            """,
        subcommands: [Registry.self, Create.self, Show.self])

    struct Registry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the bidder registry: each bidder's signing identities (docs/spec/report-v1.md).",
            discussion: """
                Each --add is BIDDER:ed25519:KEY, KEY being the bidder's Ed25519 public key file \
                (sealbid keygen ed25519) or its 64 hex digits, or BIDDER:x509-subject:SUBJECT, \
                SUBJECT being the bidder's certificate (a PEM or DER file: the subject of its \
                first certificate is registered, in RFC 2253 form) or the subject itself. A \
                bidder may have several identities; a bidder id may itself contain ':'. The \
                registry is read back as 'tender create' reads it before it is written; the \
                same identity twice, or one identity for two bidders, is refused, and an \
                existing file is never overwritten.

                Example:
                  sealbid tender registry --add ACME:ed25519:acme.key.pub \\
                    --add PT-MAJU:x509-subject:maju-leaf.pem \\
                    --add "CV-KARYA:x509-subject:CN=CV Karya,C=ID" --out registry.txt
                """)
        @Option(
            name: .customLong("add"),
            help: ArgumentHelp(
                "BIDDER:ed25519:KEY_FILE_OR_HEX or BIDDER:x509-subject:CERTIFICATE_FILE_OR_SUBJECT (repeat).",
                valueName: "identity"))
        var identities: [String]
        @Option(help: "Output registry file (must not exist; - for standard output).") var out: String

        func run() throws {
            var owners: [BidderRegistry.Identity.Kind: (bidder: BidderID, spec: String)] = [:]
            var identities: [BidderRegistry.Identity] = []
            for spec in self.identities {
                let identity = try Self.identity(spec)
                if let owner = owners[identity.kind] {
                    throw ValidationError(
                        owner.bidder == identity.bidder
                            ? "--add \(spec): the same identity as --add \(owner.spec)"
                            : "--add \(spec): this identity is already registered for \(owner.bidder) (--add \(owner.spec))")
                }
                owners[identity.kind] = (identity.bidder, spec)
                identities.append(identity)
            }
            let text = "# sealbid bidder registry v1\n" + identities.map { $0.line + "\n" }.joined()
            // Read back as 'tender create' will read it: the same identities, in the same order.
            guard try BidderRegistry(text: text).identities == identities else {
                throw ValidationError("the registry does not read back as written")
            }
            try writeNew(Array(text.utf8), to: out)
            let summary =
                identities.map { "  \($0.line)\n" }.joined()
                + "bidder registry \(out == "-" ? "written" : out): \(Set(identities.map(\.bidder)).count) bidder(s), "
                + "\(identities.count) identit\(identities.count == 1 ? "y" : "ies")\n"
            FileHandle(fileDescriptor: out == "-" ? STDERR_FILENO : STDOUT_FILENO).write(Data(summary.utf8))
        }

        /// One `--add`: the bidder id runs to the first `:ed25519:` or `:x509-subject:`.
        static func identity(_ spec: String) throws -> BidderRegistry.Identity {
            let kinds = ["ed25519", "x509-subject"].compactMap { kind in spec.range(of: ":\(kind):").map { (kind, $0) } }
            guard let (kind, range) = kinds.min(by: { $0.1.lowerBound < $1.1.lowerBound }), range.upperBound < spec.endIndex else {
                throw ValidationError("--add \(spec): expected BIDDER:ed25519:KEY or BIDDER:x509-subject:SUBJECT")
            }
            guard let bidder = try? BidderID(String(spec[..<range.lowerBound])) else {
                throw ValidationError("--add \(spec): '\(spec[..<range.lowerBound])' is not a bidder id (1 to 128 of A-Z a-z 0-9 . _ : / @ + -)")
            }
            let value = String(spec[range.upperBound...])
            let isFile = FileManager.default.fileExists(atPath: value)
            let identity: BidderRegistry.Identity
            if kind == "ed25519" {
                let key: Ed25519PublicKey
                if isFile {
                    key = try KeyFile.ed25519PublicKey(value)
                } else if value.utf8.count == 64, let bytes = try? Hex.decode(value), let parsed = try? Ed25519PublicKey(rawRepresentation: bytes) {
                    key = parsed
                } else {
                    throw ValidationError("--add \(spec): \(value) is neither a key file nor 64 hex digits")
                }
                guard key.isValidPoint else {
                    throw ValidationError("--add \(spec): not an Ed25519 public key (a canonical point of the prime-order subgroup)")
                }
                identity = BidderRegistry.Identity(bidder: bidder, kind: .ed25519(key))
            } else {
                let subject: String
                if isFile {
                    let bytes = try readBytes(value, limit: 1 << 20)
                    let text = String(decoding: bytes, as: UTF8.self)
                    let certificate =
                        text.contains("-----BEGIN") ? try X509Certificate.certificates(pem: text).first : try X509Certificate(derRepresentation: bytes)
                    guard let certificate else { throw ValidationError("--add \(spec): no certificate in \(value)") }
                    guard let name = certificate.subject else { throw ValidationError("--add \(spec): the certificate's subject cannot be printed") }
                    subject = name
                } else {
                    guard value.contains("=") else {
                        throw ValidationError("--add \(spec): \(value) is neither a certificate file nor a subject such as 'CN=PT Maju Jaya,C=ID'")
                    }
                    subject = value
                }
                identity = BidderRegistry.Identity(bidder: bidder, kind: .x509Subject(subject))
            }
            // The registry's own rules for one identity (a subject's length and characters).
            do {
                _ = try BidderRegistry([identity])
            } catch {
                switch error {
                case .malformedLine(_, let why): throw ValidationError("--add \(spec): \(why)")
                }
            }
            return identity
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a tender descriptor from the stage keys, the log key and the bidder registry.",
            discussion: """
                Publish the descriptor and the SHA-256 this prints before bidding opens: bidders, \
                members and verifiers pin it with --tender-digest.

                Example:
                  sealbid tender create --tender LPSE-2026-0042 \\
                    --deadline 2026-12-01T10:00:00Z --grace 600 \\
                    --log-key portal-log.key.pub \\
                    --origin lpse.example.go.id/portal/LPSE-2026-0042 \\
                    --stage technical:roster-technical.bin:stage-key-technical.bin \\
                    --stage price:roster-price.bin:stage-key-price.bin \\
                    --envelope technical:technical --envelope price:price \\
                    --bidders registry.txt --out tender.txt
                """)
        @Option(help: "Tender id.") var tender: String
        @Option(help: "Deadline, UTC, YYYY-MM-DDTHH:MM:SSZ.") var deadline: String
        @Option(help: "Grace window for committed bids, seconds.") var grace: Int = 0
        @Option(help: "Largest bid file accepted, bytes.") var maxBidBytes: UInt64 = 1 << 30
        @Option(help: "The log's Ed25519 public key file (sealbid keygen ed25519).") var logKey: String
        @Option(help: "The log's origin, <prefix>/<tender id> (also the log key's name).") var origin: String
        @Option(
            name: .customLong("witness"),
            help: "A witness's cosignature/v1 verifier key, name+keyid+base64(0x04 || key) (sealbid witness key; repeat, at most 15).")
        var witnesses: [String] = []
        @Option(help: "How many of the witnesses must cosign each checkpoint: a strict majority of them (required with --witness).")
        var witnessQuorum: Int?
        @Option(help: "none, required or test-authority.") var timestamps: String = "none"
        @Option(parsing: .upToNextOption, help: "PEM files of the time-stamp authority's roots.") var tsaRoots: [String] = []
        @Option(parsing: .upToNextOption, help: "PEM files of the national PKI's roots (bidders signing with certificates).")
        var x509Roots: [String] = []
        @Option(name: .customLong("stage"), help: "NAME:ROSTER_FILE:STAGE_KEY_FILE, in opening order (repeat).") var stages: [String]
        @Option(name: .customLong("envelope"), help: "ENVELOPE:STAGE (repeat).") var envelopes: [String]
        @Option(help: "The bidder registry (docs/spec/report-v1.md).") var bidders: String
        @Option(help: "Output descriptor (must not exist).") var out: String

        func validate() throws {
            guard witnesses.isEmpty == (witnessQuorum == nil) else { throw ValidationError("--witness and --witness-quorum go together") }
        }

        func run() throws {
            guard let policy = Tender.TimestampPolicy(rawValue: timestamps) else {
                throw ValidationError("--timestamps is none, required or test-authority")
            }
            let witnessPolicy: WitnessPolicy
            do {
                witnessPolicy = try WitnessPolicy(witnesses: witnesses.map { try CosignerVerifier(verifierKey: $0) }, quorum: witnessQuorum ?? 0)
            } catch {
                throw ValidationError("--witness/--witness-quorum: \(error)")
            }
            let stageKeys = try stages.map { spec throws -> StageKey in
                let parts = spec.split(separator: ":").map(String.init)
                guard parts.count == 3 else { throw ValidationError("--stage \(spec): expected NAME:ROSTER:STAGE_KEY") }
                let roster = try CommitteeRoster(encoded: readBytes(parts[1]))
                guard roster.stage == parts[0] else { throw ValidationError("\(parts[1]) is the roster of stage \(roster.stage)") }
                return try StageKey(encoded: readBytes(parts[2]), roster: roster)
            }
            let envelopeMap = try envelopes.map { spec throws -> (name: EnvelopeName, stage: StageName) in
                let parts = spec.split(separator: ":").map(String.init)
                guard parts.count == 2 else { throw ValidationError("--envelope \(spec): expected ENVELOPE:STAGE") }
                return (try EnvelopeName(parts[0]), try StageName(parts[1]))
            }
            let descriptor = try Tender(
                id: TenderID(tender), deadline: parseTime(deadline), grace: grace, maxBidBytes: maxBidBytes,
                log: NoteVerifier(name: origin, publicKey: KeyFile.ed25519PublicKey(logKey)), witnesses: witnessPolicy, timestamps: policy,
                tsaRoots: try tsaRoots.flatMap { try X509Certificate.certificates(pem: readText($0)) },
                x509Roots: try x509Roots.flatMap { try X509Certificate.certificates(pem: readText($0)) }, stages: stageKeys,
                envelopes: envelopeMap, bidders: BidderRegistry(text: readText(bidders)))
            try writeNew(descriptor.encoded, to: out)
            print("tender descriptor \(out) for \(descriptor.id): \(descriptor.stages.count) stage(s), \(descriptor.bidders.bidders.count) bidder(s)")
            print("SHA-256 \(descriptor.digest.hexString)  (publish it with the descriptor)")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a tender descriptor and show what it fixes.",
            discussion: """
                Example:
                  sealbid tender show --tender tender.txt --tender-digest 3f2a...
                """)
        @OptionGroup var descriptor: TenderOption

        func run() throws {
            let tender = try descriptor.load()
            print("tender      \(tender.id)   SHA-256 \(tender.digest.hexString)")
            print("deadline    \(TenderTime.format(tender.deadline) ?? "?") (grace \(tender.grace) s, bids up to \(tender.maxBidBytes) bytes)")
            print("log         \(tender.log.verifierKey)")
            if tender.witnesses.quorum > 0 {
                print("witnesses   \(tender.witnesses.quorum) of \(tender.witnesses.witnesses.count) must cosign every checkpoint")
                for witness in tender.witnesses.witnesses { print("witness     \(witness.verifierKey)") }
            } else {
                print("witnesses   none: checkpoints carry the log's signature alone (a fork is seen only by bidders who check)")
            }
            print("timestamps  \(tender.timestamps.rawValue), \(tender.tsaRoots.count) authority root(s)\(testModeWarning(tender))")
            for key in tender.stages {
                let envelope = (try? tender.envelope(for: StageName(key.roster.stage)))?.value ?? "?"
                print("stage       \(key.roster.stage): envelope \(envelope), \(key.roster.threshold)-of-\(key.roster.members.count), key \(key.publicKey.rawRepresentation.hexString.prefix(18))…")
            }
            print("bidders     \(tender.bidders.bidders.count) registered, \(tender.bidders.identities.count) identities; \(tender.x509Roots.count) PKI root(s)")
        }
    }
}

/// The warning every verifier prints for a tender whose portal is its own time-stamp authority.
func testModeWarning(_ tender: Tender) -> String {
    tender.timestamps == .testAuthority ? "\n  WARNING: TEST MODE: the portal holds the time-stamp authority's key; its tokens prove nothing against the portal" : ""
}

/// `YYYY-MM-DDTHH:MM:SSZ` only (tender-v1), as the descriptor writes it; `option` names the flag in errors.
func parseTime(_ text: String, option: String = "--deadline") throws -> Date {
    guard let date = TenderTime.parse(text) else { throw ValidationError("\(option) must be YYYY-MM-DDTHH:MM:SSZ (UTC), a valid date and time in the years 2000 to 9999") }
    return date
}
