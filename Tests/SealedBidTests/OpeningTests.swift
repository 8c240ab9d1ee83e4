import Foundation
import Testing

@testable import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidPrimitives

/// The facade's opening as honest parties run it (report-v1): both modes,
/// the exact live set, stage isolation, bad bids reported without stopping
/// the others, commit-then-upload.
@Suite("Opening a stage through the facade")
struct OpeningTests {
    @Test("threshold mode opens every live bid, and members 1 and 2 sign a report anyone verifies")
    func thresholdOpening() async throws {
        let run = try await TenderRun()
        let closing = try await run.close()
        let out = "\(run.dir)/opened"
        let report = try run.opening(run.technical, closing: closing).open(
            with: try run.memberShares(run.technical, closing: closing), to: .directory(out))
        #expect(report.lines.count == 5 && report.lines.allSatisfy { $0.result == .opened })
        #expect(report.mode == .thresholdDecryption && report.participants == [1, 2] && report.culprits.isEmpty)
        for line in report.lines {
            let plaintext = try Data(contentsOf: URL(fileURLWithPath: "\(out)/entry-\(line.logIndex).technical"))
            #expect([UInt8](plaintext) == run.documents[line.bidder])
        }
        let signatures = try run.members.prefix(2).map {
            try ReportSignature(report: report, roster: run.stageKeys["technical"]!.roster, keys: $0)
        }
        let verified = try OpeningReport(encoded: report.encoded).verify(tender: run.tender, signatures: signatures, now: run.openingTime)
        #expect(verified.signers == [1, 2])
    }

    @Test("reconstruction mode opens the same bids from two released shares")
    func reconstructionOpening() async throws {
        let run = try await TenderRun(bidders: 3)
        let closing = try await run.close()
        let opening = try run.opening(run.technical, closing: closing)
        let released = try [run.members[0], run.members[2]].map {
            try opening.releaseShare(share: run.shares["technical"]![$0.id]!, keys: $0)
        }
        let report = try opening.open(with: released, to: .discard)
        #expect(report.mode == .reconstruction && report.participants == [1, 3])
        #expect(report.lines.allSatisfy { $0.result == .opened })
    }

    @Test("the live set: a replacement counts, a signed withdrawal withdraws, the rest open")
    func liveSet() async throws {
        let run = try await TenderRun(bidders: 4)
        let replacement = try await run.submit("BIDDER-1", tag: "-v2")
        let bid2 = try await run.portal.receipt(forDigest: run.records.compactMap { record -> [UInt8]? in
            guard case .entry(let bytes, _) = record, let entry = try? LogEntry(encoded: bytes), entry.bidder == "BIDDER-2" else { return nil }
            return entry.bidDigest
        }[0]).verify(log: run.tender.log, origin: run.tender.origin)
        let statement = try Withdrawal(
            tender: run.tender.id, bidder: BidderID("BIDDER-2"), withdrawing: bid2.entry.bidDigest, signer: .ed25519(run.keys["BIDDER-2"]!))
        _ = try await run.portal.withdraw(statement: statement.encoded, from: BidderID("BIDDER-2"))
        let closing = try await run.close()
        let report = try run.open(run.technical, closing: closing)
        let replaced = try replacement.verify(log: run.tender.log, origin: run.tender.origin)
        #expect(report.line(for: "BIDDER-1")?.bidDigest == replaced.entry.bidDigest.hexString)
        #expect(report.result("BIDDER-1") == "opened")
        #expect(report.result("BIDDER-2") == "withdrawn")
        #expect(report.result("BIDDER-3") == "opened" && report.result("BIDDER-4") == "opened")
        #expect(report.lines.count == 4)
    }

    @Test("stage isolation: the price stage opens only qualified bidders; technical shares cannot open prices")
    func stageIsolation() async throws {
        let run = try await TenderRun(bidders: 3)
        let closing = try await run.close()
        let qualified: Set<BidderID> = [try BidderID("BIDDER-1"), try BidderID("BIDDER-3")]
        let price = try run.opening(run.price, closing: closing, qualified: qualified)
        #expect(price.bids.map(\.entry.bidder) == ["BIDDER-1", "BIDDER-3"])
        // Technical-stage shares (another roster, another opening) are ignored, not combined.
        let technicalShares = try run.memberShares(run.technical, closing: closing)
        #expect(throws: OpeningError.self) { _ = try price.open(with: technicalShares, to: .discard) }
        let report = try price.open(with: try run.memberShares(run.price, closing: closing, qualified: qualified), to: .discard)
        #expect(report.result("BIDDER-2") == "not-opened: not-qualified")
        #expect(report.qualified == ["BIDDER-1", "BIDDER-3"])
        // Members' shares for one qualification list do not serve another: the opening id differs.
        #expect(price.openingID != (try run.opening(run.price, closing: closing)).openingID)
    }

    @Test("commit-then-upload: committed before the deadline, uploaded in the grace window, logged before the closing")
    func commitThenUpload() async throws {
        let run = try await TenderRun(bidders: 4, submit: false, grace: 60)
        for i in 1...2 { try await run.submit("BIDDER-\(i)") }
        let late = try run.seal("BIDDER-3"), never = try run.seal("BIDDER-4")
        _ = try await run.commit(late, "BIDDER-3")
        _ = try await run.commit(never, "BIDDER-4")
        // In the grace window: no new commitment, and the log cannot close yet.
        run.clock.set(run.tender.deadline.addingTimeInterval(1))
        await #expect(throws: LogError.self) { _ = try await run.commit(try run.seal("BIDDER-1", tag: "-late"), "BIDDER-1") }
        await #expect(throws: LogError.self) { _ = try await run.portal.close() }
        // Another bid than the committed one is refused; the committed one is logged as an upload.
        await #expect(throws: LogError.commitmentMismatch) { _ = try await run.portal.upload(bidAt: never, from: BidderID("BIDDER-3")) }
        let uploaded = try await run.portal.upload(bidAt: late, from: BidderID("BIDDER-3"))
        let entry = try uploaded.verify(log: run.tender.log, origin: run.tender.origin).entry
        #expect(entry.kind == .upload && entry.bidder == "BIDDER-3")
        // Sending it again returns the same receipt.
        let again = try await run.portal.upload(bidAt: late, from: BidderID("BIDDER-3"))
        #expect(try again.verify(log: run.tender.log, origin: run.tender.origin).index == uploaded.verify(log: run.tender.log, origin: run.tender.origin).index)
        // At the end of the grace window: refused, and the log closes.
        run.clock.set(run.tender.deadline.addingTimeInterval(60))
        await #expect(throws: LogError.self) { _ = try await run.portal.upload(bidAt: never, from: BidderID("BIDDER-4")) }
        let closing = try await run.close()
        #expect(closing.checkpoint.size == 5)  // 2 bids, 2 commitments, 1 upload
        let report = try run.open(run.technical, closing: closing)
        #expect(report.result("BIDDER-3") == "opened")
        #expect(report.result("BIDDER-4") == "not-opened: committed-never-uploaded")
        #expect(report.result("BIDDER-1") == "opened")
    }

    @Test("a bad bid is reported and the others open; nothing to decrypt needs no shares")
    func badBidsDoNotStopOthers() async throws {
        let run = try await TenderRun(bidders: 2)
        let closing = try await run.close()
        // Corrupt one stored bid's payload after the fact (the storage failed, say).
        let entries = try run.records.compactMap { record -> LogEntry? in
            guard case .entry(let bytes, _) = record else { return nil }
            return try LogEntry(encoded: bytes)
        }
        let path = run.store.path(of: entries[0].bidDigest, .bid)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 100] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let report = try run.open(run.technical, closing: closing)
        #expect(report.result("BIDDER-1").hasPrefix("failed: payload"))
        #expect(report.result("BIDDER-2") == "opened")
        let empty = try await TenderRun(bidders: 1, submit: false)
        let emptyClosing = try await empty.close()
        let opening = try empty.opening(empty.technical, closing: emptyClosing)
        #expect(try opening.decryptionShares(share: empty.shares["technical"]![1]!, keys: empty.members[0]) == nil)
        let nothing = try opening.open(with: [DecryptionShares](), to: .discard)
        #expect(nothing.mode == .none && nothing.lines.isEmpty)
    }

    @Test("a retried submission returns its receipt; a withdrawal of a replaced bid is refused")
    func retriesAndStaleWithdrawal() async throws {
        let run = try await TenderRun(bidders: 1, submit: false)
        let path = try run.seal("BIDDER-1")
        let first = try await run.portal.accept(bidAt: path, from: BidderID("BIDDER-1"))
        let again = try await run.portal.accept(bidAt: path, from: BidderID("BIDDER-1"))
        #expect(try first.verify(log: run.tender.log, origin: run.tender.origin).index == again.verify(log: run.tender.log, origin: run.tender.origin).index)
        let old = try first.verify(log: run.tender.log, origin: run.tender.origin).entry.bidDigest
        try await run.submit("BIDDER-1", tag: "-v2")
        let stale = try Withdrawal(tender: run.tender.id, bidder: BidderID("BIDDER-1"), withdrawing: old, signer: .ed25519(run.keys["BIDDER-1"]!))
        await #expect(throws: PortalError.staleWithdrawal) { _ = try await run.portal.withdraw(statement: stale.encoded, from: BidderID("BIDDER-1")) }
    }
}
