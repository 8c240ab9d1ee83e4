import ArgumentParser
import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidKeyFiles
import SealedBidLog
import SealedBidPrimitives

/// The committee's opening of one stage from plain files (docs/spec/report-v1.md):
/// `prepare` lists what will be opened, each member checks everything itself and
/// computes signed decryption shares (`share`) or releases its share (`release`),
/// `run` combines them and writes the report, and each member signs the report
/// (`sign`) into a detached signature file.
struct Opening: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open one stage of a closed tender and write the opening report.",
        discussion: """
            Every command takes the published descriptor and copies of the portal's public files: \
            the closing checkpoint, log.bin and the bids/ folder (never the portal directory with \
            its signing key). Each member runs 'share' on its own copies: it checks the closing \
            checkpoint, the whole log and every bid against the descriptor before computing \
            anything, so a coordinator cannot get any other envelope decrypted.

            Example (technical stage, threshold decryption; '#' says who runs a step):
              sealbid opening prepare --tender tender.txt --tender-digest 3f2a... \\
                --stage technical --closing closing.note --log log.bin --bids bids
              sealbid opening share --tender tender.txt --tender-digest 3f2a... \\
                --stage technical --closing closing.note --log log.bin --bids bids \\
                --id 1 --hpke-key m1.hpke --signing-key m1.sign \\
                --share m1-technical.share --out dshare-1.bin    # each member
              sealbid opening run --tender tender.txt --stage technical \\
                --closing closing.note --log log.bin --bids bids --dshare dshare-*.bin \\
                --out-dir opened --report report.json
              sealbid opening sign --tender tender.txt --tender-digest 3f2a... \\
                --stage technical --closing closing.note --log log.bin --bids bids \\
                --dshare dshare-*.bin --report report.json --id 1 --hpke-key m1.hpke \\
                --signing-key m1.sign --out report.sig-1           # each member
              sealbid report verify report.json --tender tender.txt \\
                --tender-digest 3f2a... --signatures report.sig-*
            """,
        subcommands: [Prepare.self, Share.self, Release.self, Run.self, Sign.self])

    struct Inputs: ParsableArguments {
        @OptionGroup var descriptor: TenderOption
        @Option(help: "The stage to open.") var stage: String
        @Option(help: "The closing checkpoint (signed note).") var closing: String
        @Option(help: "A copy of the portal's log store (log.bin).") var log: String
        @Option(help: "A copy of the portal's bids/ folder.") var bids: String
        @Option(help: "For later stages: the qualified bidders (comma-separated; \"\" for none); the others are not opened.")
        var qualified: String?
        @OptionGroup var previous: PreviousStageOptions

        /// A member pins the published descriptor: without its digest, whoever hands over the
        /// files could hand over another descriptor (another log key, other stage keys).
        func requirePinnedDescriptor() throws { try descriptor.requirePinned() }

        func opening() throws -> StageOpening {
            let tender = try descriptor.load()
            let closingNote = try readCheckpoint(closing)
            // Read only: a member's check never changes the coordinator's files.
            let records = try FileLogStore.records(atPath: log)
            let qualifiedSet = try qualified.map { list throws -> Set<BidderID> in
                let items = list.isEmpty ? [] : list.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                let ids = try items.map { item throws -> BidderID in
                    guard let id = try? BidderID(item) else { throw ValidationError("--qualified: '\(item)' is not a bidder id (comma-separated, no spaces)") }
                    return id
                }
                guard Set(ids).count == ids.count else { throw ValidationError("--qualified names a bidder twice") }
                // A bidder that is not registered, or did not open in the stage before, is the
                // opening's invalid-input (report-v1, step 0), not a command-line error.
                return Set(ids)
            }
            try requireDirectory(bids, option: "--bids")
            return try StageOpening(
                tender: tender, stage: StageName(stage), closing: closingNote, records: records, bids: BidStore(directory: bids),
                qualified: qualifiedSet, previous: previous.load(tender: tender))
        }
    }

    /// A stage after the first opens after the one before it, on its closing: its signed report.
    struct PreviousStageOptions: ParsableArguments {
        @Option(help: "For a stage after the first: the signed report of the stage before it.") var previousReport: String?
        @Option(parsing: .upToNextOption, help: "Its signature files (at least t members').") var previousSignatures: [String] = []

        func validate() throws {
            guard (previousReport == nil) == previousSignatures.isEmpty else {
                throw ValidationError("--previous-report and --previous-signatures go together")
            }
        }

        func load(tender: Tender) throws -> OpeningReport.Verified? {
            guard let previousReport else { return nil }
            let report = try OpeningReport(encoded: readBytes(previousReport, limit: OpeningReport.maximumSize))
            let lines = ReportSignature.parse(try previousSignatures.flatMap { try readBytes($0, limit: 1 << 20) + [0x0A] }).signatures
            return try report.verify(tender: tender, signatures: lines)
        }
    }

    struct Prepare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the closing, the log and every bid against the descriptor, and list what this stage opens.",
            discussion: """
                Example (the first stage; then a later one, after the first's signed report):
                  sealbid opening prepare --tender tender.txt --tender-digest 3f2a... \\
                    --stage technical --closing closing.note --log log.bin --bids bids
                  sealbid opening prepare --tender tender.txt --tender-digest 3f2a... \\
                    --stage price --qualified ACME,BETA --closing closing.note \\
                    --log log.bin --bids bids --previous-report report-technical.json \\
                    --previous-signatures report-technical.sig
                """)
        @OptionGroup var inputs: Inputs

        func run() throws {
            let opening = try inputs.opening()
            print("stage '\(opening.stage)' of \(opening.tender.id): \(opening.bids.count) envelope(s) to open, opening id \(opening.openingID.hexString)\(testModeWarning(opening.tender))")
            // In log order: the bids to open, the other lines, the ignored entries.
            let listed =
                opening.bids.map { ($0.index, "\($0.entry.bidder)") }
                + opening.otherLines.map { ($0.logIndex, "\($0.bidder): \($0.result.rawValue)\($0.reason.map { " (\($0))" } ?? "")") }
                + opening.ignoredEntries.map { ($0.logIndex, "\($0.bidder): ignored (\($0.reason))") }
            for (index, text) in listed.sorted(by: { $0.0 < $1.0 }) { print("  entry \(index): \(text)") }
        }
    }

    struct Share: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A member: check the stage against the descriptor, then compute signed decryption shares for exactly its envelopes.",
            discussion: """
                The member repeats every check of the opening (closing checkpoint against the \
                descriptor's log key and origin, closing root from all entries, each entry's file, \
                signer and time, qualification, stage key and key-wrap proof of every envelope) \
                before computing anything, and binds its shares to this opening's id.

                Example (member 1):
                  sealbid opening share --tender tender.txt --tender-digest 3f2a... \\
                    --stage technical --closing closing.note --log log.bin --bids bids \\
                    --id 1 --hpke-key m1.hpke --signing-key m1.sign \\
                    --share m1-technical.share --out dshare-1.bin
                """)
        @OptionGroup var inputs: Inputs
        @OptionGroup var member: MemberOptions
        @Option(help: "Your share key file for this stage.") var share: String
        @Option(help: "Output decryption-share file.") var out: String

        func validate() throws { try inputs.requirePinnedDescriptor() }

        func run() throws {
            let opening = try inputs.opening()
            let keys = try member.load()
            let secret = try SecretShare(fileRepresentation: KeyFile.read(share, kind: .committeeShare), roster: opening.stageKey.roster)
            guard let shares = try opening.decryptionShares(share: secret, keys: keys) else {
                print("stage '\(opening.stage)' has nothing to decrypt: no shares needed")
                return
            }
            try writeNew(shares.encoded, to: out)
            print("\(secret.id): signed decryption shares for \(opening.bids.count) checked envelope(s) of stage '\(opening.stage)' in \(out)\(testModeWarning(opening.tender))")
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A member: check the stage as 'share' does, then release your share for this opening (reconstruction mode).",
            discussion: """
                The released share is your secret share itself, bound to this opening and signed: \
                whoever holds t of them holds the stage key, and can decrypt every envelope of the \
                stage, qualified or not, now or later. Hand it over in person. Prefer 'share'.

                Example (member 1):
                  sealbid opening release --tender tender.txt --tender-digest 3f2a... \\
                    --stage technical --closing closing.note --log log.bin --bids bids \\
                    --id 1 --hpke-key m1.hpke --signing-key m1.sign \\
                    --share m1-technical.share --out released-1.share
                """)
        @OptionGroup var inputs: Inputs
        @OptionGroup var member: MemberOptions
        @Option(help: "Your share key file for this stage.") var share: String
        @Option(help: "Output released-share file (0600).") var out: String

        func validate() throws { try inputs.requirePinnedDescriptor() }

        func run() throws {
            let opening = try inputs.opening()
            let keys = try member.load()
            let secret = try SecretShare(fileRepresentation: KeyFile.read(share, kind: .committeeShare), roster: opening.stageKey.roster)
            let released = try opening.releaseShare(share: secret, keys: keys)
            try KeyFile.write(released.encoded, kind: .releasedShare, to: out, comment: "released committee share: secret")
            print("\(secret.id): share released for opening \(opening.openingID.hexString) in \(out)")
        }
    }

    /// The members' share files an opening combines, and a report's participants and culprits follow from.
    struct ShareFileOptions: ParsableArguments {
        @Option(parsing: .upToNextOption, help: "Members' decryption-share files.") var dshare: [String] = []
        @Option(parsing: .upToNextOption, help: "Or members' released-share files (reconstruction).") var released: [String] = []

        func validate() throws {
            guard dshare.isEmpty || released.isEmpty else { throw ValidationError("give --dshare or --released, not both") }
        }

        var isEmpty: Bool { dshare.isEmpty && released.isEmpty }

        /// The files as they arrived; `unreadable` counts those that could not be read or do not decode
        /// (skipped, never fatal: a decryption-share file its member signed still names the member).
        func load() -> (files: OpeningReport.ShareFiles, unreadable: Int) {
            var unreadable = 0
            if released.isEmpty {
                let files = dshare.compactMap { path -> [UInt8]? in
                    guard let bytes = try? readBytes(path) else {
                        unreadable += 1
                        return nil
                    }
                    if (try? DecryptionShares(encoded: bytes)) == nil { unreadable += 1 }
                    return bytes
                }
                return (.decryptionShares(files), unreadable)
            }
            let shares = released.compactMap { path -> ReleasedShare? in
                guard let bytes = try? KeyFile.read(path, kind: .releasedShare), let parsed = try? ReleasedShare(encoded: bytes) else {
                    unreadable += 1
                    return nil
                }
                return parsed
            }
            return (.released(shares), unreadable)
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Combine the members' shares (naming members whose signed shares are wrong), decrypt, write the report.",
            discussion: """
                Example:
                  sealbid opening run --tender tender.txt --stage technical \\
                    --closing closing.note --log log.bin --bids bids --dshare dshare-*.bin \\
                    --out-dir opened --report report.json
                """)
        @OptionGroup var inputs: Inputs
        @OptionGroup var shareFiles: ShareFileOptions
        @Option(help: "Output directory for the plaintexts.") var outDir: String
        @Flag(help: "Also put each plaintext's SHA-256 in the report (a second hash over every byte).")
        var plaintextDigests = false
        @Option(help: "Output report (canonical JSON; an unsigned Markdown rendering is written beside it).") var report: String

        func run() throws {
            let opening = try inputs.opening()
            let (files, unreadable) = shareFiles.load()
            let result: OpeningReport
            switch files {
            case .decryptionShares(let files):
                result = try opening.open(
                    withEncodedShares: files, to: .directory(outDir), plaintextDigests: plaintextDigests,
                    progress: progressBar(opening.stage.value))
            case .released(let shares):
                result = try opening.open(
                    with: shares, to: .directory(outDir), plaintextDigests: plaintextDigests, progress: progressBar(opening.stage.value))
            }
            try writeNew(result.encoded, to: report)
            try writeNew(Array(result.markdown(signers: []).utf8), to: report + ".md")
            let opened = result.lines.filter { $0.result == .opened }.count
            print("opened \(opened) of \(result.lines.count) bidder line(s); report \(report) (to be signed by at least t members)")
            if !result.culprits.isEmpty { print("culprits: members \(result.culprits.map(String.init).joined(separator: ", "))") }
            if unreadable > 0 { print("\(unreadable) share file(s) did not decode and were skipped") }
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A member: recompute the opening from the public files, compare the report, and sign its exact bytes.",
            discussion: """
                The member's own derivation (as in 'share') must give every line of the report, and \
                the members' share files the report's mode, participants and culprits; only the \
                outcome of each decryption is taken from the coordinator. The signature is a \
                detached line in its own file (merge them with 'report merge').

                Example (member 1):
                  sealbid opening sign --tender tender.txt --tender-digest 3f2a... \\
                    --stage technical --closing closing.note --log log.bin --bids bids \\
                    --dshare dshare-*.bin --report report.json --id 1 --hpke-key m1.hpke \\
                    --signing-key m1.sign --out report.sig-1
                """)
        @OptionGroup var inputs: Inputs
        @OptionGroup var shareFiles: ShareFileOptions
        @Option(help: "The report (canonical JSON).") var report: String
        @OptionGroup var member: MemberOptions
        @Option(help: "Output signature file (must not exist).") var out: String

        func validate() throws { try inputs.requirePinnedDescriptor() }

        func run() throws {
            let opening = try inputs.opening()
            let parsed = try OpeningReport(encoded: readBytes(report, limit: OpeningReport.maximumSize))
            // Everything but the signatures must already check, and the content must be this member's view.
            do {
                _ = try parsed.verify(tender: opening.tender, signatures: [])
            } catch {
                guard case .tooFewSignatures = error else { throw error }
            }
            // The mode, participants and culprits are checked against the members' share files, of
            // the report's mode: without them a coordinator could name an honest member, or call a
            // threshold opening a reconstruction. (In reconstruction mode, t released shares hand
            // their holder the stage key: residual risk R8.)
            switch parsed.mode {
            case .thresholdDecryption where shareFiles.dshare.isEmpty:
                throw ValidationError("give the members' decryption-share files (--dshare): the report's participants and culprits are checked against them")
            case .reconstruction where shareFiles.released.isEmpty:
                throw ValidationError("give the released shares (--released): the report's participants and culprits are checked against them")
            default: break
            }
            try parsed.check(against: opening, shares: opening.bids.isEmpty ? nil : shareFiles.load().files)
            print("checked: mode \(parsed.mode.rawValue), participants \(parsed.participants.map(String.init).joined(separator: ", ")), culprits \(parsed.culprits.isEmpty ? "none" : parsed.culprits.map(String.init).joined(separator: ", ")), \(parsed.lines.count) line(s)")
            let signature = try ReportSignature(report: parsed, roster: opening.stageKey.roster, keys: member.load())
            try writeNew(Array((signature.line + "\n").utf8), to: out)
            print("member \(signature.member) checked and signed report \(parsed.digest.hexString) into \(out)")
        }
    }
}
