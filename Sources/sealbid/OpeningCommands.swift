import ArgumentParser
import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidKeyFiles
import SealedBidLog
import SealedBidPrimitives

/// The committee's opening of one stage from plain files (docs/spec/report-v1.md):
/// `prepare` lists the bids to open for the members, `run` checks everything,
/// combines the members' decryption shares and writes the report, `sign` adds a
/// member's signature.
struct Opening: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open one stage of a closed tender and write the opening report.",
        discussion: """
            Example (technical stage, threshold decryption):
              sealbid opening prepare --portal portal --closing closing.note --roster roster.bin \\
                --stage-key stage-key.bin --out-dir to-open
              # each member present: sealbid opening share (same inputs) --log-key published.vkey \\
              #   --origin ORIGIN --tender TENDER --deadline DEADLINE --bidders registry.txt \\
              #   --share mN.share --out dshare-N.bin
              sealbid opening run --portal portal --closing closing.note --roster roster.bin \\
                --stage-key stage-key.bin --dshare dshare-*.bin --out-dir opened --report report.json
              sealbid opening sign --report report.json --roster roster.bin --id 1 --signing-key m1.sign
            """,
        subcommands: [Prepare.self, Share.self, Run.self, Sign.self])

    struct Inputs: ParsableArguments {
        @Option(help: "The portal directory (its log and stored bids).") var portal: String
        @Option(help: "The closing checkpoint (signed note).") var closing: String
        @Option(help: "The stage's roster file.") var roster: String
        @Option(help: "The stage key file.") var stageKey: String
        @Option(help: "The envelope opened in this stage (default: the stage's name).") var envelope: String?
        @Option(help: "Only these bidders (comma-separated), for later stages.") var qualified: String?
        @Option(help: "The portal's log verifier key, as published with the tender (default: the portal directory's).")
        var logKey: String?
        @Option(help: "The log origin, as published with the tender (default: the portal directory's).") var origin: String?
        @Option(help: "The tender id, as published (default: the portal directory's).") var tender: String?
        @Option(help: "The submission deadline, ISO 8601, as published (default: the portal directory's).")
        var deadline: String?
        @Option(help: "The bidder registry, as published (docs/spec/report-v1.md): only these identities may sign bids.")
        var bidders: String?
        @Option(help: "PEM trust anchors for bidders who sign with certificates.") var roots: String?

        /// Whether everything a member checks against comes from the tender's publication
        /// rather than from the portal directory.
        var independentlyAnchored: Bool {
            logKey != nil && origin != nil && tender != nil && deadline != nil && bidders != nil
        }

        func opening() throws -> StageOpening {
            let rosterValue = try CommitteeRoster(encoded: readBytes(roster))
            let key = try StageKey(encoded: readBytes(stageKey), roster: rosterValue)
            var config = try Portal.DirectoryOption.parse(["--dir", portal]).config()
            // Whoever controls the portal directory controls its portal.vkey and portal.json:
            // values given here come from the tender's publication instead.
            if let origin { config.origin = origin }
            if let tender { config.tender = tender }
            if let deadline {
                guard let date = ISO8601DateFormatter().date(from: deadline) else { throw ValidationError("--deadline must be ISO 8601") }
                config.deadline = date
            }
            let anchors = try roots.map { try X509Certificate.certificates(pem: String(contentsOfFile: $0, encoding: .utf8)) } ?? []
            let registry = try bidders.map { try BidderRegistry(text: String(contentsOfFile: $0, encoding: .utf8)) }
            let stage = try StageName(rosterValue.stage)
            let tender = try Tender(
                id: TenderID(config.tender), deadline: config.deadline, stages: [key],
                envelopes: [(try EnvelopeName(envelope ?? rosterValue.stage), stage)])
            var entries: [LogEntry] = []
            // Read only: a member's check never changes the coordinator's files.
            for record in try FileLogStore.records(atPath: "\(portal)/log.bin") {
                if case .entry(let bytes) = record { entries.append(try LogEntry(encoded: bytes)) }
            }
            let logKey = try NoteVerifier(verifierKey: readKeyString(self.logKey ?? "\(portal)/portal.vkey"))
            let closingNote = try SignedCheckpoint(serialized: String(contentsOfFile: closing, encoding: .utf8))
            guard let closedCount = Int(exactly: closingNote.checkpoint.size), closedCount <= entries.count else {
                throw ValidationError("the closing checkpoint claims more entries than the portal's log has")
            }
            let closedEntries = Array(entries.prefix(closedCount))
            let portalDirectory = portal
            return try StageOpening(
                tender: tender, stage: stage, closing: closingNote, logKey: logKey, origin: config.origin, entries: closedEntries,
                bidPath: { "\(portalDirectory)/bids/\($0.hexString).sbid" },
                qualified: qualified.map { Set($0.split(separator: ",").map(String.init)) },
                policy: { bidder in
                    registry?.policy(for: bidder, x509Roots: anchors) ?? .signatureOnly(x509Roots: anchors)
                })
        }
    }

    struct Prepare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the bids against the closing checkpoint and copy the ones to open for the members.")
        @OptionGroup var inputs: Inputs
        @Option(help: "Output directory for the bids the members decrypt.") var outDir: String

        func run() throws {
            let opening = try inputs.opening()
            try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            for bid in opening.bids {
                // Named by log index: bidder ids must never reach a path.
                try FileManager.default.copyItem(atPath: bid.path, toPath: "\(outDir)/entry-\(bid.index).sbid")
            }
            print("\(opening.bids.count) bid(s) to open in stage '\(opening.stage)' copied to \(outDir)")
            for bid in opening.bids { print("  entry-\(bid.index).sbid: \(bid.entry.bidder)") }
            for line in opening.notOpened { print("  \(line.bidder): \(line.result)") }
        }
    }

    struct Share: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A member: check the stage's bids against the closing checkpoint, then compute decryption shares for exactly them.",
            discussion: """
                The member repeats every check of the opening (closing checkpoint against the published \
                log key and origin, closing root from all entries, live bids, qualification, each bid's \
                signature, digest, stage key and key-wrap proof) before computing anything, so a \
                coordinator cannot get other envelopes decrypted.
                """)
        @OptionGroup var inputs: Inputs
        @Option(help: "Your share key file.") var share: String
        @Option(help: "Output decryption-share file.") var out: String

        func validate() throws {
            // A member checks the closing against the log key and origin published with the
            // tender, never against files the coordinator hands over with the bids.
            guard inputs.independentlyAnchored else {
                throw ValidationError(
                    "a member gives --log-key, --origin, --tender, --deadline and --bidders as published with the tender")
            }
        }

        func run() throws {
            let opening = try inputs.opening()
            let rosterValue = try CommitteeRoster(encoded: readBytes(inputs.roster))
            let secret = try SecretShare(fileRepresentation: KeyFile.read(share, kind: .committeeShare), roster: rosterValue)
            let shares = try DecryptionShares.create(share: secret, stageKey: opening.stageKey, encapsulatedKeys: opening.encapsulatedKeys)
            try writeNew(shares.encoded, to: out)
            print("\(secret.id): decryption shares for \(opening.bids.count) checked envelope(s) of stage '\(opening.stage)' in \(out)")
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Combine the members' decryption shares (naming bad ones), decrypt every envelope, write the report.")
        @OptionGroup var inputs: Inputs
        @Option(parsing: .upToNextOption, help: "Members' decryption-share files.") var dshare: [String]
        @Option(help: "Output directory for the plaintexts.") var outDir: String
        @Flag(help: "Also put each plaintext's SHA-256 in the report (a second hash over every byte).")
        var plaintextDigests = false
        @Option(help: "Output report (JSON; a Markdown copy is written beside it).") var report: String

        func run() throws {
            let opening = try inputs.opening()
            let shares = try dshare.map { try DecryptionShares(encoded: readBytes($0)) }
            let result = try opening.open(
                with: shares, into: outDir, plaintextDigests: plaintextDigests, progress: progressBar(opening.stage.value))
            try writeNew([UInt8](try result.json), to: report)
            try writeNew(Array(result.markdown.utf8), to: report + ".md")
            let opened = result.lines.filter { $0.result == "opened" }.count
            print("opened \(opened) of \(result.lines.count) live bid(s); report \(report)")
            if !result.culprits.isEmpty { print("rejected shares from members \(result.culprits.map(String.init).joined(separator: ", "))") }
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add your member signature to a report.")
        @Option(help: "The report (JSON), updated in place.") var report: String
        @Option(help: "The stage's roster file.") var roster: String
        @Option(help: "Your member identifier.") var id: UInt16
        @Option(help: "Your Ed25519 signing key file.") var signingKey: String

        func run() throws {
            var decoded = try JSONDecoder().decode(OpeningReport.self, from: Data(contentsOf: URL(fileURLWithPath: report)))
            let rosterValue = try CommitteeRoster(encoded: readBytes(roster))
            let card = try rosterValue.card(MemberID(id))
            let key = try KeyFile.ed25519PrivateKey(signingKey)
            guard key.publicKey == card.signingKey else { throw ValidationError("this key is not member \(id)'s roster key") }
            try decoded.sign(with: MemberKeys(id: card.id, signingKey: key))
            try decoded.json.write(to: URL(fileURLWithPath: report), options: .atomic)
            print("member \(id) signed \(report) (\(decoded.signatures.count) signature(s))")
        }
    }
}
