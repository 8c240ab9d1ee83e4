import ArgumentParser
import Foundation
import SealedBid
import SealedBidEnvelope
import SealedBidLog
import SealedBidPrimitives

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Opening reports.",
        discussion: """
            Example (members' signatures merged, then the report checked):
              sealbid report merge --signatures report.sig-1 report.sig-2 \\
                --out report.sig
              sealbid report verify report.json --tender tender.txt \\
                --tender-digest 3f2a... --signatures report.sig
            """,
        subcommands: [Verify.self, Merge.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an opening report against the descriptor and at least t members' signatures; optionally your own line.",
            discussion: """
                With --log and --bids (copies of the portal's public files), the report is also \
                recomputed: every line must be what those files give; with the members' share files \
                (--dshare or --released) also its mode, participants and culprits. A bidder adds \
                --bidder, --bid, and --receipt with --log to check its own line: each receipt's log \
                must be a prefix of the closed log, so its exact entry is the one opened. Give every \
                receipt you hold: the entry your line counts must be one of yours.

                Example (a bidder checking the line about their bid):
                  sealbid report verify report-technical.json --tender tender.txt \\
                    --tender-digest 3f2a... --signatures report-technical.sig \\
                    --bidder NPWP:01.234.567.8-901.000 --bid my-bid.sbid \\
                    --receipt my.receipt --log log.bin
                """)

        @Argument(help: "The report (canonical JSON).") var report: String
        @OptionGroup var descriptor: TenderOption
        @Option(parsing: .upToNextOption, help: "Signature files (each member's, or merged).") var signatures: [String]
        @Option(help: "A copy of the portal's log store (the closed log).") var log: String?
        @Option(help: "A copy of the portal's bids/ folder (with --log): recompute the report from the public files.") var bids: String?
        @OptionGroup var shareFiles: Opening.ShareFileOptions
        @OptionGroup var previous: Opening.PreviousStageOptions
        @Option(help: "Check the line of this bidder.") var bidder: String?
        @Option(help: "Your bid file: its digest must be the one in your line.") var bid: String?
        @Option(parsing: .upToNextOption, help: "Your receipts, every one you hold: one of them must be for the entry your line counts.")
        var receipt: [String] = []
        @Option(help: "Write a Markdown rendering listing the verified signers.") var markdown: String?

        func validate() throws {
            guard bids == nil || log != nil else { throw ValidationError("--bids needs --log") }
            guard shareFiles.isEmpty || bids != nil else { throw ValidationError("--dshare and --released need --log and --bids") }
            guard bidder != nil || (bid == nil && receipt.isEmpty) else { throw ValidationError("--bid and --receipt need --bidder") }
            guard receipt.isEmpty || log != nil else {
                throw ValidationError("--receipt needs --log: the receipt's entry is checked against the closed log itself")
            }
        }

        func run() throws {
            let tender = try descriptor.load()
            let parsed = try OpeningReport(encoded: readBytes(report, limit: OpeningReport.maximumSize))
            let (lines, skipped) = ReportSignature.parse(try signatures.flatMap { try readBytes($0, limit: 1 << 20) + [0x0A] })
            let verified = try parsed.verify(tender: tender, signatures: lines)
            let previousVerified = try previous.load(tender: tender)
            if bids == nil, previousVerified != nil { try verified.checkFollows(previousVerified, tender: tender) }
            let records = try log.map { try FileLogStore.records(atPath: $0) }
            if let records, let bids {
                try requireDirectory(bids, option: "--bids")
                let opening = try StageOpening(
                    tender: tender, stage: StageName(parsed.stage), closing: verified.closing, records: records,
                    bids: BidStore(directory: bids), qualified: try parsed.qualified.map { Set(try $0.map { try BidderID($0) }) },
                    previous: previousVerified)
                try parsed.check(against: opening, shares: shareFiles.isEmpty ? nil : shareFiles.load().files)
            }
            var bidderLines: [String] = []
            if let bidder {
                // The receipt first: it says why when the bidder has no line.
                if !receipt.isEmpty, let records {
                    let receipts = try receipt.map { try Receipt(encoded: readBytes($0, limit: 1 << 20)) }
                    let index = try parsed.checkReceipts(receipts, bidder: bidder, tender: tender, records: records)
                    bidderLines.append(
                        "  your receipt\(receipts.count == 1 ? "'s entry is" : "s' entries are") in the closed log, and the report counts the entry of one of them (log index \(index))")
                }
                if let line = parsed.line(for: bidder) {
                    bidderLines.insert("  your line: log index \(line.logIndex): \(line.result.rawValue)\(line.reason.map { " (\($0))" } ?? "")", at: 0)
                    if let bid {
                        let header = try BidHeader.read(from: FileSource(path: bid))
                        guard header.bidDigest.hexString == line.bidDigest || line.result == .withdrawn else {
                            throw ReportError.mismatch("the report's digest for \(bidder) is not your bid's digest")
                        }
                        bidderLines.append(
                            line.result == .withdrawn
                                ? "  your line is withdrawn: its entry is your withdrawal, so your bid file is not compared"
                                : "  your bid's digest matches the report")
                    }
                } else {
                    throw ReportError.mismatch("no line for \(bidder): your bid is not in this opening")
                }
            }
            print("valid report: \(parsed.tender), stage \(parsed.stage), signed by members \(verified.signers.map(String.init).joined(separator: ", "))")
            print("  closing checkpoint size \(verified.closing.checkpoint.size), root \(verified.closing.checkpoint.rootHash.hexString)")
            print("  \(parsed.lines.count) bidder line(s), \(parsed.lines.filter { $0.result == .opened }.count) opened\(bids == nil ? "" : "; recomputed from the public files")\(shareFiles.isEmpty ? "" : ", participants and culprits from the share files")\(testModeWarning(tender))")
            if !parsed.culprits.isEmpty { print("  culprits: members \(parsed.culprits.map(String.init).joined(separator: ", "))") }
            if verified.ignoredSignatures + skipped > 0 {
                print("  \(verified.ignoredSignatures + skipped) signature line(s) did not count (malformed, another report, member or key)")
            }
            for line in bidderLines { print(line) }
            if let markdown { try writeNew(Array(parsed.markdown(signers: verified.signers).utf8), to: markdown) }
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge members' signature files into one (sorted, duplicates removed).",
            discussion: """
                Example:
                  sealbid report merge --signatures report.sig-1 report.sig-2 report.sig-4 \\
                    --out report.sig
                """)
        @Option(parsing: .upToNextOption, help: "Signature files.") var signatures: [String]
        @Option(help: "Output file (must not exist).") var out: String

        func run() throws {
            let all = ReportSignature.parse(try signatures.flatMap { try readBytes($0, limit: 1 << 20) + [0x0A] }).signatures
            let unique = Array(Set(all.map(\.line))).sorted()
            try writeNew(Array(unique.map { $0 + "\n" }.joined().utf8), to: out)
            print("\(unique.count) signature line(s) in \(out)")
        }
    }
}
