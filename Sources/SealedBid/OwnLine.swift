import SealedBidEnvelope
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

extension OpeningReport {
    /// Where a bidder's receipt stands in a report (report-v1, "A bidder's line").
    public enum ReceiptStanding: Sendable, Equatable {
        /// The receipt's entry is the one the bidder's line counts.
        case counted
        /// A later entry in the bidder's name counts (a replacement, the upload of a commitment,
        /// a withdrawal); `index` is its log index.
        case superseded(index: UInt64)
    }

    /// A bidder's check of its own line with its receipt and a copy of the public log. The
    /// receipt must verify against the descriptor (`Tender.verify(receipt:)`) and its tree must be
    /// a prefix of the closed log — so its exact entry (kind, time, digest, length) is the one in
    /// the log that was opened: a portal that showed the bidder one log and closed another (a
    /// fork) is caught here, and the receipt proves it. Then the line must count that entry or a
    /// later one of the bidder's; an entry the opening ignored, or a receipt checkpoint that is
    /// another closing, is a mismatch.
    /// - Parameters:
    ///   - records: the portal's log store as published (`log.bin`); it must be the closed log.
    /// - Throws: ``ReportError/mismatch(_:)``.
    public func checkReceipt(_ receipt: Receipt, bidder: String, tender: Tender, records: [LogRecord]) throws(ReportError)
        -> ReceiptStanding
    {
        let verified: VerifiedReceipt
        do {
            verified = try tender.verify(receipt: receipt)
        } catch {
            throw .mismatch("your receipt does not verify against the descriptor: \(error)")
        }
        guard verified.entry.bidder == bidder else { throw .mismatch("the receipt is \(verified.entry.bidder)'s, not \(bidder)'s") }
        guard let closing = try? SignedCheckpoint(serialized: closingNote) else { throw .invalid("the closing note does not parse") }
        var tree = MerkleTree()
        for record in records {
            guard case .entry(let bytes, _) = record else { continue }
            guard let entry = try? LogEntry(encoded: bytes) else { throw .mismatch("the log given has a malformed entry") }
            tree.append(leafHash: entry.leafHash)
        }
        guard tree.size == closing.checkpoint.size, (try? tree.root()) == closing.checkpoint.rootHash else {
            throw .mismatch("the log given is not the closed log of this report")
        }
        // A receipt's checkpoint that is itself a closing must be this closing: the portal's own
        // signature on another closing proves it closed twice.
        if let closedAt = verified.checkpoint.checkpoint.closedAt(tender: tender.id.value) {
            guard verified.checkpoint.checkpoint == closing.checkpoint else {
                throw .mismatch("your receipt's checkpoint is a closing (at \(closedAt)) other than the report's: the portal closed the log twice")
            }
        }
        let size = verified.checkpoint.checkpoint.size
        guard size <= tree.size, (try? tree.root(size: size)) == verified.checkpoint.checkpoint.rootHash else {
            throw .mismatch(
                "your receipt's log (size \(size)) is not a prefix of the closed log: the portal showed you another log than the one it closed (keep the receipt: it proves this)"
            )
        }
        // An honest portal never acknowledges an entry the opening ignores (it refuses a replay, a
        // stale withdrawal, an unmatched upload): a receipt for one shows the portal logged around it.
        if let ignored = ignoredEntries.first(where: { $0.logIndex == verified.index }) {
            throw .mismatch(
                "your receipt's entry (log index \(verified.index)) is in the closed log but the opening ignored it (\(ignored.reason)): the portal acknowledged an entry it should have refused, or logged another before it"
            )
        }
        guard let line = line(for: bidder) else { throw .mismatch("no line for \(bidder), though your entry is in the closed log") }
        if verified.index == line.logIndex {
            guard verified.entry.bidDigest.hexString == line.bidDigest, (verified.entry.kind == .withdraw) == (line.result == .withdrawn)
            else { throw .mismatch("your receipt's entry is not what the report says of it") }
            return .counted
        }
        guard verified.index < line.logIndex else {
            throw .mismatch("the report counts an earlier entry (\(line.logIndex)) than your receipt's (\(verified.index))")
        }
        return .superseded(index: line.logIndex)
    }

    /// A bidder's check of its own line with every receipt it holds (report-v1, "A bidder's
    /// line"): each must pass ``checkReceipt(_:bidder:tender:records:)`` (all are checked, in any
    /// order), and one of them must be
    /// the entry the line counts. A line that counts an entry in the bidder's name for which the
    /// bidder holds no receipt — a bid the portal kept after refusing it and logged later, say —
    /// is a mismatch, whatever the bidder's other entries.
    /// - Returns: the log index of the counted entry.
    /// - Throws: ``ReportError/mismatch(_:)``.
    public func checkReceipts(_ receipts: [Receipt], bidder: String, tender: Tender, records: [LogRecord]) throws(ReportError) -> UInt64 {
        guard !receipts.isEmpty else { throw .mismatch("no receipt given for \(bidder)") }
        // Every receipt is checked, whatever its place in the list: one that is not in the closed
        // log (a fork), is another bidder's, or is for an ignored entry fails the whole check.
        var counted = false, later: UInt64 = 0
        for receipt in receipts {
            switch try checkReceipt(receipt, bidder: bidder, tender: tender, records: records) {
            case .counted: counted = true
            case .superseded(let index): later = index
            }
        }
        if counted, let line = line(for: bidder) { return line.logIndex }
        throw .mismatch(
            "the report counts log index \(later) in your name, and none of your receipts is for it: if you did not make that entry (a replacement, an upload, a withdrawal), the portal logged one you did not intend to stand, such as a bid it refused and kept"
        )
    }
}

extension OpeningReport.Verified {
    /// That this report's stage opens after `previous`'s, on the same closing, with qualified
    /// bidders among those `previous` opened (report-v1, "Stages"); for the first stage,
    /// `previous` is nil and the report has no qualification list.
    /// - Throws: ``ReportError/mismatch(_:)``.
    public func checkFollows(_ previous: OpeningReport.Verified?, tender: Tender) throws(ReportError) {
        do {
            let qualified = try report.qualified.map { Set(try $0.map { try BidderID($0) }) }
            try StageOpening.checkStageOrder(
                tender: tender, stage: StageName(report.stage), closing: closing, qualified: qualified, previous: previous)
        } catch {
            throw .mismatch("the stage order: \(error)")
        }
    }
}

