import ArgumentParser
import Foundation
import SealedBid
import SealedBidEnvelope
import SealedBidLog
import SealedBidPrimitives

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Opening reports.", subcommands: [Verify.self, Merge.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an opening report against the descriptor and at least t members' signatures; optionally your own line.",
            discussion: """
                Example (a bidder checking the line about their bid):
                  sealbid report verify report-technical.json --tender tender.txt --tender-digest 3f2a... \\
                    --signatures report-technical.sig --bidder NPWP:01.234.567.8-901.000 --bid my-bid.sbid \\
                    --receipt my.receipt
                """)

        @Argument(help: "The report (canonical JSON).") var report: String
        @OptionGroup var descriptor: TenderOption
        @Option(parsing: .upToNextOption, help: "Signature files (each member's, or merged).") var signatures: [String]
        @Option(help: "Check the line of this bidder.") var bidder: String?
        @Option(help: "Your bid file: its digest must be the one in your line.") var bid: String?
        @Option(help: "Your receipt: its entry must be the one in your line.") var receipt: String?
        @Option(help: "Write a Markdown rendering listing the verified signers.") var markdown: String?

        func run() throws {
            let tender = try descriptor.load()
            let parsed = try OpeningReport(encoded: readBytes(report, limit: OpeningReport.maximumSize))
            let lines = try signatures.map { try readText($0, limit: 1 << 20) }.joined(separator: "\n")
            let verified = try parsed.verify(tender: tender, signatures: ReportSignature.parse(lines))
            print("valid report: \(parsed.tender), stage \(parsed.stage), signed by members \(verified.signers.map(String.init).joined(separator: ", "))")
            print("  closing checkpoint size \(verified.closing.checkpoint.size), root \(verified.closing.checkpoint.rootHash.hexString)")
            print("  \(parsed.lines.count) bidder line(s), \(parsed.lines.filter { $0.result == .opened }.count) opened\(testModeWarning(tender))")
            if !parsed.culprits.isEmpty { print("  culprits: members \(parsed.culprits.map(String.init).joined(separator: ", "))") }
            if verified.ignoredSignatures > 0 { print("  \(verified.ignoredSignatures) signature line(s) did not count (another report, member or key)") }
            if let markdown { try writeNew(Array(parsed.markdown(signers: verified.signers).utf8), to: markdown) }
            guard let bidder else { return }
            guard let line = parsed.line(for: bidder) else { throw ValidationError("no line for \(bidder): your bid is not in this opening") }
            print("  your line: log index \(line.logIndex): \(line.result.rawValue)\(line.reason.map { " (\($0))" } ?? "")")
            if let bid {
                let header = try BidHeader.read(from: FileSource(path: bid))
                guard header.bidDigest.hexString == line.bidDigest else {
                    throw ValidationError("the report's digest for \(bidder) is not your bid's digest")
                }
                print("  your bid's digest matches the report")
            }
            if let receipt {
                let verifiedReceipt = try Receipt(encoded: readBytes(receipt, limit: 1 << 20)).verify(
                    log: tender.log, origin: tender.origin, timestampRoots: tender.timestamps.requiresTokens ? tender.tsaRoots : nil)
                guard verifiedReceipt.entry.bidder == bidder, verifiedReceipt.index == line.logIndex,
                    verifiedReceipt.entry.bidDigest.hexString == line.bidDigest
                else {
                    throw ValidationError(
                        "your receipt is for entry \(verifiedReceipt.index), the report's line for entry \(line.logIndex): a later entry of yours, or one you did not make, counts")
                }
                guard verifiedReceipt.index < verified.closing.checkpoint.size else {
                    throw ValidationError("your receipt's entry is not inside the closing checkpoint")
                }
                print("  your receipt's entry is the one the report counts")
            }
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge members' signature files into one (sorted, duplicates removed).",
            discussion: """
                Example:
                  sealbid report merge --signatures report.sig-1 report.sig-2 report.sig-4 --out report.sig
                """)
        @Option(parsing: .upToNextOption, help: "Signature files.") var signatures: [String]
        @Option(help: "Output file (must not exist).") var out: String

        func run() throws {
            let all = try ReportSignature.parse(try signatures.map { try readText($0, limit: 1 << 20) }.joined(separator: "\n"))
            let unique = Array(Set(all.map(\.line))).sorted()
            try writeNew(Array(unique.map { $0 + "\n" }.joined().utf8), to: out)
            print("\(unique.count) signature line(s) in \(out)")
        }
    }
}
