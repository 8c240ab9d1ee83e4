import Foundation
import Testing

@testable import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidPrimitives
import SealedBidTestSupport

/// Opening reports (report-v1): what a reader is shown is what t members signed.
@Suite("Opening reports: canonical bytes, t signatures, checked content")
struct ReportTests {
    func signedReport() async throws -> (TenderRun, OpeningReport, [ReportSignature]) {
        let run = try await TenderRun(bidders: 3)
        let closing = try await run.close()
        let report = try run.open(run.technical, closing: closing)
        let roster = run.stageKeys["technical"]!.roster
        return (run, report, try run.members.map { try ReportSignature(report: report, roster: roster, keys: $0) })
    }

    func reportError(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch let error as ReportError {
            return error.code
        } catch {
            return "other: \(error)"
        }
    }

    @Test("a report needs t distinct members' signatures over its exact bytes; members sign in parallel")
    func signatures() async throws {
        let (run, report, signatures) = try await signedReport()
        let parsed = try OpeningReport(encoded: report.encoded)
        #expect(reportError { _ = try parsed.verify(tender: run.tender, signatures: [], now: run.openingTime) } == "too-few-signatures")
        #expect(reportError { _ = try parsed.verify(tender: run.tender, signatures: [signatures[0]], now: run.openingTime) } == "too-few-signatures")
        // The same member twice is one signer.
        #expect(reportError { _ = try parsed.verify(tender: run.tender, signatures: [signatures[0], signatures[0]], now: run.openingTime) } == "too-few-signatures")
        // Detached lines from separate files merge by concatenation.
        let (merged, skipped) = ReportSignature.parse(signatures[2].line + "\n" + signatures[0].line + "\nnot a signature line\n")
        #expect(merged.count == 2 && skipped == 1)
        // A line that is not UTF-8 is skipped like any other, and spoils nothing.
        let bytes = Array(signatures[2].line.utf8) + [0x0A, 0x6A, 0xFF, 0xFE, 0x0A] + Array(signatures[0].line.utf8)
        let (fromBytes, skippedBytes) = ReportSignature.parse(bytes)
        #expect(fromBytes.count == 2 && skippedBytes == 1)
        #expect(try parsed.verify(tender: run.tender, signatures: merged, now: run.openingTime).signers == [1, 3])
        // A signature over another report does not count, and does not spoil the others.
        let other = try await signedReport()
        let mixed = try parsed.verify(tender: run.tender, signatures: [other.2[0], signatures[1], signatures[2]], now: run.openingTime)
        #expect(mixed.signers == [2, 3] && mixed.ignoredSignatures == 1)
    }

    @Test("bytes nobody signed are refused: an extra field, a key written twice, whitespace, another order")
    func canonicalOnly() async throws {
        let (run, report, signatures) = try await signedReport()
        let text = String(decoding: report.encoded, as: UTF8.self)
        let forgeries = [
            text.replacingOccurrences(of: "{\"closingNote\"", with: "{\"a\":\"ACME wins\",\"closingNote\""),  // an unsigned field
            text.replacingOccurrences(of: "\"result\":\"opened\"", with: "\"result\":\"opened\",\"result\":\"failed\""),  // twice
            text.replacingOccurrences(of: ",\"culprits\"", with: ", \"culprits\""),  // whitespace
            text.replacingOccurrences(of: "\"format\":\"sealbid-opening-report-v1\",", with: "") + "",  // a key missing
            text + "\n",  // trailing bytes
            text.replacingOccurrences(of: "\"logIndex\":0", with: "\"logIndex\":00"),  // a leading zero
            text.replacingOccurrences(of: "\"culprits\":[]", with: "\"culprits\":[],\"culprits\":[]"),
        ]
        for forged in forgeries {
            #expect(reportError { _ = try OpeningReport(encoded: Array(forged.utf8)).verify(tender: run.tender, signatures: signatures, now: run.openingTime) }
                == "malformed-report", "\(forged.prefix(120))")
        }
        // Keys out of order (a reordering another parser would accept as the same object).
        var swapped = text
        if let a = swapped.range(of: "\"envelope\":\"technical\","), let b = swapped.range(of: "\"format\":\"sealbid-opening-report-v1\",") {
            let first = String(swapped[a]), second = String(swapped[b])
            swapped = swapped.replacingOccurrences(of: first, with: "@@").replacingOccurrences(of: second, with: first)
                .replacingOccurrences(of: "@@", with: second)
        }
        #expect(reportError { _ = try OpeningReport(encoded: Array(swapped.utf8)) } == "malformed-report")
    }

    @Test("the content is checked: another tender, an opening id that is not this closing's, participants outside the roster")
    func content() async throws {
        let (run, report, _) = try await signedReport()
        let roster = run.stageKeys["technical"]!.roster
        func resigned(_ r: OpeningReport) throws -> [ReportSignature] {
            try run.members.map { try ReportSignature(report: r, roster: roster, keys: $0) }
        }
        func variant(
            participants: [UInt16]? = nil, culprits: [UInt16]? = nil, openingID: [UInt8]? = nil, lines: [OpeningReport.Line]? = nil,
            tenderDigest: [UInt8]? = nil
        ) -> OpeningReport {
            OpeningReport(
                tender: report.tender, tenderDigest: tenderDigest ?? report.tenderDigest, stage: report.stage, envelope: report.envelope,
                openingID: openingID ?? report.openingID, closingNote: report.closingNote, timestamps: report.timestamps,
                qualified: report.qualified, mode: report.mode, participants: participants ?? report.participants,
                culprits: culprits ?? report.culprits, lines: lines ?? report.lines, ignoredEntries: report.ignoredEntries)
        }
        let cases: [(OpeningReport, String)] = [
            (variant(participants: [1]), "invalid-report"),  // fewer than t
            (variant(participants: [1, 9]), "invalid-report"),  // not in the roster
            (variant(participants: [2, 1]), "invalid-report"),  // not sorted
            (variant(culprits: [1]), "invalid-report"),  // a participant and a culprit
            (variant(openingID: SHA256.hash([1])), "invalid-report"),
            (variant(tenderDigest: SHA256.hash([2])), "wrong-tender"),
            (variant(lines: report.lines.reversed()), "invalid-report"),  // not in log order
            (variant(lines: report.lines.map { .init(bidder: $0.bidder, logIndex: $0.logIndex, bidDigest: $0.bidDigest, result: .opened, reason: "late") }), "invalid-report"),
        ]
        for (forged, code) in cases {
            // Even signed by every member, a report that breaks the rules is not valid.
            #expect(reportError { _ = try forged.verify(tender: run.tender, signatures: try resigned(forged), now: run.openingTime) } == code)
        }
    }

    @Test("the canonical form is what an independent JSON implementation writes (Python's json, sorted, compact)")
    func pythonAgrees() async throws {
        let (_, report, _) = try await signedReport()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-report-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("report.json").path
        try Data(report.encoded).write(to: URL(fileURLWithPath: path))
        guard let (result, status) = try PythonJudge.run("canonical_json_judge.py", [path]) else { return }
        #expect(status == 0)
        #expect(result["same"] as? Bool == true)
        #expect(result["lines"] as? Int == report.lines.count)
    }
}
