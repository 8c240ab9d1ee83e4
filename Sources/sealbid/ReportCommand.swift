import ArgumentParser
import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidPrimitives

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Opening reports.", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an opening report's member signatures, and optionally your own bid's line.",
            discussion: """
                Example (a bidder checking the line about their bid):
                  sealbid report verify report-technical.json --roster roster-technical.bin \\
                    --bidder NPWP:01.234.567.8-901.000 --bid my-bid.sbid
                """)

        @Argument(help: "The report (JSON).") var report: String
        @Option(help: "The stage's roster file (members' signing keys).") var roster: String
        @Option(help: "Check the line of this bidder.") var bidder: String?
        @Option(help: "Your bid file: its digest must be the one in your line.") var bid: String?

        func run() throws {
            let decoded = try JSONDecoder().decode(OpeningReport.self, from: Data(contentsOf: URL(fileURLWithPath: report)))
            guard decoded.format == OpeningReport.format else { throw ValidationError("not a \(OpeningReport.format) report") }
            let rosterValue = try CommitteeRoster(encoded: readBytes(roster))
            guard rosterValue.stage == decoded.stage, rosterValue.committee == decoded.tender else {
                throw ValidationError("the roster is for \(rosterValue.committee)/\(rosterValue.stage), the report for \(decoded.tender)/\(decoded.stage)")
            }
            let signers = try decoded.verify(roster: rosterValue)
            print("valid report: \(decoded.tender), stage \(decoded.stage), signed by members \(signers.map(String.init).joined(separator: ", "))")
            print("  closing checkpoint size \(decoded.closingCheckpoint.size), root \(decoded.closingCheckpoint.rootHash)")
            if !decoded.culprits.isEmpty { print("  culprits: members \(decoded.culprits.map(String.init).joined(separator: ", "))") }
            guard let bidder else { return }
            guard let line = decoded.line(for: bidder) else { throw ValidationError("no line for \(bidder): your bid is not in this opening") }
            print("  your line: log index \(line.logIndex), \(line.envelope): \(line.result)")
            if let bid {
                let opener = try BidOpener(path: bid, policy: .signatureOnly())
                guard opener.header.bidDigest.hexString == line.bidDigest else {
                    throw ValidationError("the report's digest for \(bidder) is not your bid's digest")
                }
                print("  your bid's digest matches the report")
            }
        }
    }
}
