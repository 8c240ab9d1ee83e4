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
        subcommands: [Create.self, Show.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a tender descriptor from the stage keys, the log key and the bidder registry.",
            discussion: """
                Publish the descriptor and the SHA-256 this prints before bidding opens: bidders, \
                members and verifiers pin it with --tender-digest.

                Example:
                  sealbid tender create --tender LPSE-2026-0042 --deadline 2026-12-01T10:00:00Z --grace 600 \\
                    --log-key portal-log.key.pub --origin lpse.example.go.id/portal/LPSE-2026-0042 \\
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
        @Option(help: "none, required or test-authority.") var timestamps: String = "none"
        @Option(parsing: .upToNextOption, help: "PEM files of the time-stamp authority's roots.") var tsaRoots: [String] = []
        @Option(parsing: .upToNextOption, help: "PEM files of the national PKI's roots (bidders signing with certificates).")
        var x509Roots: [String] = []
        @Option(name: .customLong("stage"), help: "NAME:ROSTER_FILE:STAGE_KEY_FILE, in opening order (repeat).") var stages: [String]
        @Option(name: .customLong("envelope"), help: "ENVELOPE:STAGE (repeat).") var envelopes: [String]
        @Option(help: "The bidder registry (docs/spec/report-v1.md).") var bidders: String
        @Option(help: "Output descriptor (must not exist).") var out: String

        func run() throws {
            guard let policy = Tender.TimestampPolicy(rawValue: timestamps) else {
                throw ValidationError("--timestamps is none, required or test-authority")
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
                id: TenderID(tender), deadline: parseDeadline(deadline), grace: grace, maxBidBytes: maxBidBytes,
                log: NoteVerifier(name: origin, publicKey: KeyFile.ed25519PublicKey(logKey)), timestamps: policy,
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

/// `YYYY-MM-DDTHH:MM:SSZ` only (tender-v1), as the descriptor writes it.
func parseDeadline(_ text: String) throws -> Date {
    guard let date = TenderTime.parse(text) else { throw ValidationError("--deadline must be YYYY-MM-DDTHH:MM:SSZ (UTC)") }
    return date
}
