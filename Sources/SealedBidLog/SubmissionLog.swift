import Foundation
import SealedBidMerkle
import SealedBidPrimitives

/// Asks a time-stamp authority for an RFC 3161 token (DER TimeStampToken) over a SHA-256 digest.
public typealias Timestamper = @Sendable ([UInt8]) async throws -> [UInt8]

/// The portal's log for one tender (`docs/spec/receipts-v1.md`): appends
/// entries durably, issues signed receipts, closes after the deadline and grace window, and
/// proves which bids are live. An actor, so concurrent submissions are
/// serialised into one consistent log.
public actor SubmissionLog {
    public let origin: String
    public let tender: String
    public let deadline: Date
    /// How long after the deadline a committed digest's ciphertext is accepted.
    public let grace: TimeInterval
    private let signer: NoteSigner
    private let store: any LogStore
    private let clock: @Sendable () -> Date
    /// Asks a time-stamp authority for a token over a digest (DER TimeStampToken), when the portal has one.
    private let timestamper: Timestamper?
    /// Whether every entry must carry a token (the tender's `timestamps` is not `none`).
    private let timestampsRequired: Bool
    private let timestampCheck: (@Sendable (LogEntry, [UInt8]) throws -> Void)?
    /// The tender's witnesses: every checkpoint handed out is cosigned by their quorum first.
    private let witnesses: WitnessGroup?
    /// The last checkpoint the witnesses' quorum cosigned (reused while the log has not grown).
    private var lastCosigned: SignedCheckpoint?
    /// The closing note the store kept, once read (it never changes).
    private var keptClosing: SignedCheckpoint?
    /// What this log knows of its store: changed only by taking in records that are durable.
    private var state = LogState()
    /// One append of this process at a time: an append suspends while its store commits.
    private let appending = AsyncGate()
    /// Whether this log stored a head (a database store's ``LogStore/loadHead()`` is as of opening).
    private var headStored = false
    private var tree: MerkleTree { state.tree }
    private var entries: [LogEntry] { state.entries }
    private var closing: (size: UInt64, at: UInt64)? { state.closing }

    /// Opens (and verifies) the log in `store`.
    /// - Parameter timestampsRequired: every entry gets a token before it is acknowledged; when the
    ///   authority cannot give one, the submission is refused (`timestamp-unavailable`), never
    ///   logged without it.
    /// - Parameter witnesses: the tender's witnesses; with them, no checkpoint leaves the log (in
    ///   a receipt, at the closing) before their quorum cosigned it.
    /// - Throws: ``LogError/corruptStore(_:)`` when a record is damaged or an entry does not parse.
    public init(
        origin: String, tender: String, deadline: Date, grace: TimeInterval = 0, signer: NoteSigner, store: any LogStore,
        clock: @escaping @Sendable () -> Date = { Date() }, timestamper: Timestamper? = nil,
        timestampsRequired: Bool = false, timestampCheck: (@Sendable (LogEntry, [UInt8]) throws -> Void)? = nil,
        witnesses: WitnessGroup? = nil
    ) throws(LogError) {
        guard origin.hasSuffix("/" + tender), origin.count > tender.count + 1 else {
            throw .wrongOrigin(expected: "<log prefix>/\(tender)", found: origin)
        }
        guard !timestampsRequired || timestamper != nil else { throw .timestampUnavailable("time-stamps are required and no authority is set") }
        self.timestamper = timestamper
        self.timestampsRequired = timestampsRequired
        self.timestampCheck = timestampCheck
        self.witnesses = witnesses
        self.origin = origin
        self.tender = tender
        self.deadline = deadline
        self.grace = grace
        self.signer = signer
        self.store = store
        self.clock = clock
        var state = LogState()
        for record in try store.load() { try state.take(record, tender: tender) }
        self.state = state
        try Self.checkHead(store: store, verifier: signer.verifier, origin: origin, tender: tender, tree: state.tree, closing: state.closing)
    }

    /// Every record acknowledged must be in the store: the stored head (the last checkpoint the
    /// log acknowledged with) must verify with the log's key and match the store's prefix. A store
    /// shorter than its head, or different from it, is refused, never cut or rebuilt.
    private static func checkHead(
        store: any LogStore, verifier: NoteVerifier, origin: String, tender: String, tree: MerkleTree, closing: (size: UInt64, at: UInt64)?
    ) throws(LogError) {
        guard let note = try store.loadHead() else {
            // Only a new, empty log has no head (it gets one with its first append).
            guard tree.size == 0, closing == nil else {
                throw .corruptStore("the store holds entries but its head is missing: restore the head, never recreate it")
            }
            return
        }
        let head: SignedCheckpoint
        do {
            head = try SignedCheckpoint(serialized: note)
            _ = try head.note.verify(with: [verifier])
        } catch {
            throw .corruptStore("the head does not verify with the log's key: \(error)")
        }
        guard head.checkpoint.origin.hasSameUTF8(as: origin) else { throw .corruptStore("the head is of another log") }
        let size = head.checkpoint.size
        guard size <= tree.size else {
            throw .corruptStore("the store has \(tree.size) entries, but \(size) were acknowledged: acknowledged entries are missing or damaged")
        }
        guard (try? tree.root(size: size)) == head.checkpoint.rootHash else {
            throw .corruptStore("the store's first \(size) entries are not those acknowledged")
        }
        if head.checkpoint.closedAt(tender: tender) != nil, closing?.size != size {
            throw .corruptStore("the head is the closing checkpoint, but the store has no closing record at its size")
        }
    }

    /// Records `checkpoint` as the head (unless a writer already stored a larger one): the
    /// boundary of what is acknowledged.
    private func acknowledge(_ checkpoint: SignedCheckpoint) async throws(LogError) {
        try await store.raiseHead(checkpoint.note.serialized, size: checkpoint.checkpoint.size)
        headStored = true
    }

    public var size: UInt64 { tree.size }
    public var isClosed: Bool { closing != nil }
    /// Whether the store had a head when this log opened it, or has one since this log stored it.
    public var hasHead: Bool { get throws(LogError) { try store.loadHead() != nil || headStored } }
    public var verifier: NoteVerifier { signer.verifier }

    static func milliseconds(_ date: Date) -> UInt64 { UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down))) }

    /// Logs a submission, replacement, withdrawal or commitment and returns its receipt. The
    /// entry (with its token, when the portal has an authority) is durable before this returns.
    /// - Throws: ``LogError/closed(_:)`` after the deadline or the closing, ``LogError/duplicateBid(_:)``
    ///   for a digest already logged, ``LogError/timestampUnavailable(_:)``.
    public func submit(kind: LogEntry.Kind, bidder: String, bidDigest: [UInt8], bidLength: UInt64) async throws(LogError) -> Receipt {
        // Group commit: every submission that arrives while an append is committing waits for the
        // next one, and the first of them to get the gate appends them all at once — one store
        // commit (one flush) and one head for the batch, not one per entry.
        let ticket = Ticket(kind: kind, bidder: bidder, bidDigest: bidDigest, bidLength: bidLength)
        waiting.append(ticket)
        return try await appending.withGate { () async throws(LogError) -> Receipt in
            if ticket.result == nil {
                let batch = waiting
                waiting = []
                await append(batch)
            }
            guard let result = ticket.result else { throw .storage("the submission was not appended") }
            return try result.get()
        }
    }

    /// One submission waiting for an append, and then its outcome.
    private final class Ticket {
        let kind: LogEntry.Kind, bidder: String, bidDigest: [UInt8], bidLength: UInt64
        var result: Result<Receipt, LogError>?

        init(kind: LogEntry.Kind, bidder: String, bidDigest: [UInt8], bidLength: UInt64) {
            (self.kind, self.bidder, self.bidDigest, self.bidLength) = (kind, bidder, bidDigest, bidLength)
        }
    }

    /// Submissions waiting for the next append (only changed on the actor).
    private var waiting: [Ticket] = []

    /// Appends `batch` in one store append, under the gate: each submission is checked in turn
    /// against the whole log and the ones before it (one refused does not refuse the others),
    /// the accepted ones are committed together (durable before anything is signed), and each
    /// gets a receipt against one checkpoint. Every ticket gets a result.
    private func append(_ batch: [Ticket]) async {
        func fail(_ tickets: [Ticket], _ error: LogError) { for ticket in tickets where ticket.result == nil { ticket.result = .failure(error) } }
        // Hold the log head in the store (no other writer, of any process, appends meanwhile)
        // and take in what the others appended: every check below sees the whole log.
        let append: any LogAppend
        do throws(LogError) {
            append = try await store.beginAppend(after: state.recordCount)
            try catchUp(with: append.appended)
        } catch {
            fail(batch, error)
            return
        }
        // The batch is built on a copy: nothing of it is visible (to a lookup, a receipt, a
        // checkpoint) before the store committed it.
        let base = state
        var pending = base
        var records: [LogRecord] = []
        var accepted: [(ticket: Ticket, index: UInt64)] = []
        for ticket in batch {
            do throws(LogError) {
                let (next, record) = try await prepare(
                    kind: ticket.kind, bidder: ticket.bidder, bidDigest: ticket.bidDigest, bidLength: ticket.bidLength, on: pending)
                pending = next  // the next submission of the batch is checked against this one too
                records.append(record)
                accepted.append((ticket, pending.tree.size - 1))
            } catch {
                ticket.result = .failure(error)
            }
        }
        guard !records.isEmpty else {
            await append.abandon()
            return
        }
        do throws(LogError) {
            try await append.commit(records)  // durable before anything is signed
        } catch {
            fail(batch, error)
            return
        }
        // A reader that caught up from the store meanwhile already holds these records.
        if state.recordCount == base.recordCount { state = pending }
        do throws(LogError) {
            // Durable, but acknowledged only once the witnesses' quorum cosigned: a submission
            // refused for want of the quorum is in the log, and its retry gets its receipt.
            let signed = try await cosigned(size: nil)
            try await acknowledge(signed)
            for (ticket, index) in accepted { ticket.result = Result { () throws(LogError) -> Receipt in try receipt(index: index, against: signed) } }
        } catch {
            fail(batch, error)
        }
    }

    /// Takes in records that other writers appended (durable, so part of the log).
    private func catchUp(with records: [LogRecord]) throws(LogError) {
        guard !records.isEmpty else { return }
        var next = state
        for record in records { try next.take(record, tender: tender) }
        state = next
    }

    /// Whether the store answers, read without waiting for the append in progress (which may be
    /// waiting for witnesses or an authority): a health probe.
    public func probeStore() async throws(LogError) {
        _ = try await store.records(after: state.recordCount)
    }

    /// Reads what other writers appended since this log last looked (receipts, lookups and the
    /// read side of a portal with several instances).
    public func refresh() async throws(LogError) {
        try await appending.withGate { () async throws(LogError) in
            try catchUp(with: try await store.records(after: state.recordCount))
        }
    }

    /// The log state with the new entry, and its record: checked against the whole log (`base`,
    /// with the batch's earlier entries), with its time-stamp token when the portal has an
    /// authority. Changes nothing.
    private func prepare(kind: LogEntry.Kind, bidder: String, bidDigest: [UInt8], bidLength: UInt64, on base: LogState) async throws(LogError)
        -> (LogState, LogRecord)
    {
        // received_at never decreases along the log (report-v1 refuses a log where it does): a
        // clock stepped back gives the previous entry's time, and the limits are checked against
        // the time that is stored, not the raw clock.
        let receivedAt = stampedNow(base)
        let at = Date(timeIntervalSince1970: Double(receivedAt) / 1000)
        if kind == .upload {
            // An upload repeats the digest of the bidder's live commitment, and nothing else.
            _ = try checkUpload(bidder: bidder, bidDigest: bidDigest, at: at, in: base)
        } else {
            try checkOpen(for: kind, at: at, in: base)
            // A digest is logged once: logging an earlier bid again would revive it after its
            // bidder replaced it (report-v1 ignores such a replay at the opening too).
            guard base.digestIndex[bidDigest] == nil else {
                throw .duplicateBid("this file is already in the log; seal the bid again to submit it anew")
            }
        }
        let entry = try LogEntry(
            kind: kind, tender: tender, bidder: bidder, receivedAt: receivedAt, bidDigest: bidDigest, bidLength: bidLength)
        var token: [UInt8] = []
        if let timestamper {
            do {
                token = try await timestamper(SHA256.hash(entry.encoded))
            } catch {
                // Without a required token the entry would never be opened: refuse it now, log nothing.
                if timestampsRequired { throw .timestampUnavailable("the time-stamp authority did not answer: \(error)") }
            }
            // The opening's own rule on the token (its authority, its time before the limit and close
            // to received_at): an entry it would void is refused now rather than acknowledged.
            if timestampsRequired, let timestampCheck {
                do { try timestampCheck(entry, token) } catch { throw .timestampUnavailable("\(error)") }
            }
        }
        let record = LogRecord.entry(entry.encoded, token: token)
        var next = base
        try next.take(record, tender: tender)
        return (next, record)
    }

    /// A checkpoint of the current size, signed by the log (not yet cosigned: see ``cosignedCheckpoint()``).
    public func checkpoint() throws(LogError) -> SignedCheckpoint {
        try checkpoint(size: tree.size)
    }

    /// The checkpoint of the current size, cosigned by the witnesses' quorum when the log has
    /// witnesses: the one to hand out. Once the log is closed, the closing (receipts-v1).
    /// - Throws: ``LogError/witnessQuorum(_:)`` when fewer witnesses cosigned.
    public func cosignedCheckpoint() async throws(LogError) -> SignedCheckpoint {
        if let closing { return try await closingNote(size: closing.size) }
        return try await cosigned(size: nil)
    }

    /// The checkpoint of `size` (nil: the current size, following other writers when a witness
    /// already saw a larger one), cosigned by the quorum.
    private func cosigned(size: UInt64?) async throws(LogError) -> SignedCheckpoint {
        guard let witnesses else { return try checkpoint(size: size ?? tree.size) }
        var attempt = 0
        while true {
            // The last cosigned checkpoint while the log has not changed: no signature, no witness round.
            if let lastCosigned, lastCosigned.checkpoint == (try body(size: size ?? tree.size)) { return lastCosigned }
            let signed = try checkpoint(size: size ?? tree.size)
            let tree = self.tree
            let target = signed.checkpoint.size
            do {
                let cosigned = try await witnesses.cosign(signed) { old in try tree.consistencyProof(size1: old, size2: target) }
                if lastCosigned.map({ $0.checkpoint.size <= target }) ?? true { lastCosigned = cosigned }
                return cosigned
            } catch let error as LogError {
                throw error
            } catch let ahead as WitnessAhead {
                // Another instance appended and had a larger checkpoint cosigned: catch up with
                // the store and offer the latest one (never for a fixed size, the closing).
                attempt += 1
                guard size == nil, attempt < 4 else {
                    throw .witnessQuorum("a witness holds size \(ahead.size), larger than this log's \(target)")
                }
                let count = state.recordCount
                let records = try await store.records(after: count)
                if state.recordCount == count { try catchUp(with: records) }  // else another task caught up meanwhile
            } catch {
                throw .witnessQuorum("\(error)")
            }
        }
    }

    func checkpoint(size: UInt64) throws(LogError) -> SignedCheckpoint {
        try SignedCheckpoint(note: SignedNote(text: try body(size: size).text, signers: [signer]))
    }

    /// The checkpoint body of `size` entries (with the closing line at the closing's size).
    private func body(size: UInt64) throws(LogError) -> Checkpoint {
        let root: [UInt8]
        do { root = try tree.root(size: size) } catch { throw .proof(error.code) }
        var extensions: [String] = []
        if let closing, closing.size == size { extensions.append("closed \(tender) \(closing.at)") }  // Checkpoint.closedAt
        return try Checkpoint(origin: origin, size: size, rootHash: root, extensions: extensions)
    }

    /// The receipt for entry `index` against the latest (cosigned) checkpoint.
    public func receipt(index: UInt64) async throws(LogError) -> Receipt {
        try receipt(index: index, against: try await cosignedCheckpoint())
    }

    /// The receipt of entry `index` against `signed`, whose tree holds it (the log may have grown since).
    private func receipt(index: UInt64, against signed: SignedCheckpoint) throws(LogError) -> Receipt {
        let size = signed.checkpoint.size
        guard index < size, size <= tree.size else { throw .proof("no entry \(index) in the checkpoint of size \(size)") }
        let proof: [[UInt8]]
        do { proof = try tree.inclusionProof(index: index, size: size) } catch { throw .proof(error.code) }
        return Receipt(
            entry: entries[Int(index)].encoded, index: index, proof: proof, checkpoint: signed.note.serialized,
            timestampToken: state.tokens[index] ?? [])
    }

    /// The hashes of the complete subtrees of height `level` with indices `range`, nil when the
    /// log has not completed them (the read side of a portal: C2SP tlog-tiles).
    public func subtreeHashes(level: Int, range: Range<UInt64>) -> [[UInt8]]? { tree.subtreeHashes(level: level, range: range) }

    /// The encoded entries (the leaves) with indices `range`, nil beyond the log's size.
    public func encodedEntries(_ range: Range<UInt64>) -> [[UInt8]]? {
        guard range.upperBound <= tree.size else { return nil }
        return entries[Int(range.lowerBound)..<Int(range.upperBound)].map(\.encoded)
    }

    /// The closing checkpoint (cosigned by the witnesses' quorum), once the log is closed: the
    /// note the store kept, so that every copy handed out, by any instance, is the same bytes
    /// (the members and every stage's report carry it).
    public func closingCheckpoint() async throws(LogError) -> SignedCheckpoint? {
        guard let closing else { return nil }
        return try await closingNote(size: closing.size)
    }

    /// The kept closing note: this log's cache, else the store's, else cosigned now and kept
    /// (the first writer's note wins; every writer returns the one kept).
    private func closingNote(size: UInt64) async throws(LogError) -> SignedCheckpoint {
        if let keptClosing { return keptClosing }
        let expected = try body(size: size)
        if let note = try await store.closingNote() {
            let kept = try verifiedClosing(note, expected: expected)
            keptClosing = kept
            return kept
        }
        let signed = try await cosigned(size: size)
        let kept = try verifiedClosing(try await store.keepClosingNote(signed.note.serialized), expected: expected)
        try await acknowledge(kept)
        keptClosing = kept
        return kept
    }

    /// A kept closing note must be this log's closing, signed and cosigned by the quorum.
    private func verifiedClosing(_ note: String, expected: Checkpoint) throws(LogError) -> SignedCheckpoint {
        do {
            let kept = try SignedCheckpoint(serialized: note)
            guard kept.checkpoint == expected else { throw LogError.corruptStore("another checkpoint") }
            try kept.verifySignatures(log: signer.verifier, origin: origin, witnesses: witnesses?.policy ?? .none)
            return kept
        } catch {
            throw .corruptStore("the kept closing note is not this log's closing: \(error)")
        }
    }

    /// The index of the entry that logged `digest`, if any.
    public func index(ofDigest digest: [UInt8]) -> UInt64? { state.digestIndex[digest] }

    /// The entry at `index`.
    public func entry(at index: UInt64) -> LogEntry? { index < UInt64(entries.count) ? entries[Int(index)] : nil }

    /// The latest entry of `bidder`, whatever its kind.
    public func latest(bidder: String) -> VerifiedEntry? { state.latest(bidder: bidder) }

    /// The time the next entry (or the closing) gets: the clock, or the last entry's time if the
    /// clock stepped back, so that `received_at` never decreases. (A clock that jumped forward
    /// gives later entries its time until the clock catches up; with time-stamps, the token check
    /// before acknowledging refuses entries whose time the authority contradicts.)
    private func stampedNow(_ base: LogState? = nil) -> UInt64 {
        max(Self.milliseconds(clock()), (base ?? state).entries.last?.receivedAt ?? 0)
    }

    /// Whether an entry of `kind` may be logged now: submissions, replacements, commitments and
    /// withdrawals before the deadline; uploads of committed bids until the end of the grace
    /// window; nothing after the closing.
    /// - Throws: ``LogError/closed(_:)``.
    public func checkOpen(for kind: LogEntry.Kind, at now: Date? = nil) throws(LogError) {
        try checkOpen(for: kind, at: now ?? clock(), in: state)
    }

    private func checkOpen(for kind: LogEntry.Kind, at now: Date, in base: LogState) throws(LogError) {
        guard base.closing == nil else { throw .closed("the log of \(tender) is closed") }
        if kind == .upload {
            guard now < deadline.addingTimeInterval(grace) else { throw .closed("the grace window of \(tender) has passed") }
        } else {
            guard now < deadline else { throw .closed("the deadline of \(tender) has passed") }
        }
    }

    /// Closes the log (at or after the end of the grace window, so that every upload of a
    /// committed bid is in it); returns the closing checkpoint, whose extension line
    /// `closed <tender> <ms>` marks it.
    public func close() async throws(LogError) -> SignedCheckpoint {
        try await appending.withGate { () async throws(LogError) -> SignedCheckpoint in
            let append = try await store.beginAppend(after: state.recordCount)
            var next: LogState
            let record: LogRecord
            do throws(LogError) {
                try catchUp(with: append.appended)
                if let closing {
                    // Another instance closed it.
                    await append.abandon()
                    return try await closingNote(size: closing.size)
                }
                let now = clock()
                guard now >= deadline.addingTimeInterval(grace) else {
                    throw LogError.notOpen(
                        grace > 0 ? "the grace window of \(tender) has not passed" : "the deadline of \(tender) has not passed")
                }
                record = .closed(size: tree.size, at: stampedNow())
                next = state
                try next.take(record, tender: tender)
            } catch {
                await append.abandon()
                throw error
            }
            try await append.commit([record])
            state = next
            return try await closingNote(size: tree.size)
        }
    }

    /// Stores the head of a new, empty log, so that from the start a missing head means a
    /// damaged store (`portal init` calls this once).
    public func initializeHead() async throws(LogError) {
        guard try store.loadHead() == nil, entries.isEmpty, closing == nil else { throw .storage("this log already has a head") }
        try await acknowledge(try checkpoint())
    }

    /// The ciphertext of a committed bid may follow until the end of the grace window: it must
    /// match the bidder's latest entry, a commitment.
    /// - Throws: ``LogError/noCommitment``, ``LogError/commitmentMismatch``, ``LogError/closed(_:)``.
    public func checkUpload(bidder: String, bidDigest: [UInt8], at now: Date? = nil) throws(LogError) -> VerifiedEntry {
        try checkUpload(bidder: bidder, bidDigest: bidDigest, at: now ?? clock(), in: state)
    }

    private func checkUpload(bidder: String, bidDigest: [UInt8], at now: Date, in base: LogState) throws(LogError) -> VerifiedEntry {
        try checkOpen(for: .upload, at: now, in: base)
        guard let live = base.latest(bidder: bidder), live.entry.kind == .commit else { throw .noCommitment }
        guard ConstantTime.equals(live.entry.bidDigest, bidDigest) else { throw .commitmentMismatch }
        return live
    }

    /// Every entry up to the closing size (or the current size while open), in log order.
    public func allEntries() -> [LogEntry] { Array(entries.prefix(Int(closing?.size ?? tree.size))) }

    /// The RFC 3161 token of entry `index`, if it has one.
    public func timestampToken(index: UInt64) -> [UInt8]? { state.tokens[index] }

    /// A consistency proof between two sizes of this log.
    public func consistencyProof(from size1: UInt64, to size2: UInt64) throws(LogError) -> [[UInt8]] {
        do { return try tree.consistencyProof(size1: size1, size2: size2) } catch { throw .proof(error.code) }
    }
}

/// An entry of the log with its index.
public struct VerifiedEntry: Sendable, Equatable {
    public let entry: LogEntry
    public let index: UInt64
}

/// A clock moved by hand, for rehearsals, demos and tests of deadline rules
/// (pass `{ clock.now }` as a log's clock).
public final class ManualClock: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) { current = start }

    public var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    public func set(_ date: Date) {
        lock.lock()
        defer { lock.unlock() }
        current = date
    }

    public func advance(_ seconds: TimeInterval) {
        lock.lock()
        defer { lock.unlock() }
        current = current.addingTimeInterval(seconds)
    }
}

/// What a log knows of its store, built only by taking in durable records in order: the tree,
/// the entries with their tokens, the index of every digest logged (bids, commitments and
/// withdrawal statements) and the closing. A value: an append prepares the next state and
/// the log adopts it only once the store has committed.
struct LogState: Sendable {
    var tree = MerkleTree()
    var entries: [LogEntry] = []
    var tokens: [UInt64: [UInt8]] = [:]
    var digestIndex: [[UInt8]: UInt64] = [:]
    var closing: (size: UInt64, at: UInt64)?

    /// The number of records taken in (the entries and the closing marker).
    var recordCount: Int { entries.count + (closing == nil ? 0 : 1) }

    /// Takes in the next record of the store, checking what opening a store checks.
    /// - Throws: ``LogError/corruptStore(_:)`` for a record that cannot follow the others.
    /// The latest entry of `bidder`, whatever its kind.
    func latest(bidder: String) -> VerifiedEntry? {
        guard let index = entries.lastIndex(where: { $0.bidder == bidder }) else { return nil }
        return VerifiedEntry(entry: entries[index], index: UInt64(index))
    }

    mutating func take(_ record: LogRecord, tender: String) throws(LogError) {
        switch record {
        case .entry(let bytes, let token):
            guard closing == nil else { throw .corruptStore("an entry after the closing record") }
            let entry: LogEntry
            do { entry = try LogEntry(encoded: bytes) } catch { throw .corruptStore("entry \(entries.count): \(error)") }
            guard entry.tender == tender else { throw .corruptStore("entry \(entries.count) is for tender \(entry.tender)") }
            if entry.kind != .upload {
                guard digestIndex[entry.bidDigest] == nil else { throw .corruptStore("entry \(entries.count) repeats a digest") }
                digestIndex[entry.bidDigest] = UInt64(entries.count)
            }
            if !token.isEmpty { tokens[UInt64(entries.count)] = token }
            entries.append(entry)
            tree.append(leafHash: entry.leafHash)
        case .closed(let size, let at):
            guard closing == nil, size == UInt64(entries.count) else { throw .corruptStore("closing record out of place") }
            closing = (size, at)
        }
    }
}
