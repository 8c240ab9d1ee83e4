import Foundation
import SealedBidEnvelope
import SealedBidLog
import SealedBidPrimitives

/// The portal side of a tender: verifies each upload against the tender
/// descriptor (the bidder's registered identities, the tender, every digest
/// and key-wrap proof), keeps the file under its digest, logs it and returns a
/// receipt; takes commitments, their later uploads and signed withdrawals;
/// closes once the deadline and the grace window have passed (`docs/spec/receipts-v1.md`).
///
/// Submitting the same file again returns its receipt (a retry after a lost
/// answer is safe); nothing is logged that was not verified and stored durably
/// first.
public actor PortalService {
    public nonisolated let tender: Tender
    public let directory: String
    public nonisolated let bids: BidStore
    private let log: SubmissionLog
    private let clock: @Sendable () -> Date

    /// - Parameters:
    ///   - directory: where the portal keeps `log.bin` (unless `store` is given) and `bids/`.
    ///   - signer: the log's key; its verifier must be the tender's `log` key.
    ///   - timestamper: asks the tender's time-stamp authority for a token over a digest; required
    ///     unless the tender's `timestamps` is `none`.
    ///   - witnesses: how to reach the tender's witnesses; required when the tender names witnesses
    ///     (no checkpoint is handed out before their quorum cosigned it).
    public init(
        tender: Tender, directory: String, signer: NoteSigner, store: (any LogStore)? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }, timestamper: Timestamper? = nil,
        witnesses: [(CosignerVerifier, any WitnessTransport)] = []
    ) throws {
        guard signer.verifier == tender.log else { throw PortalError.wrongLogKey }
        let group = tender.witnesses.quorum > 0 ? try WitnessGroup(policy: tender.witnesses, witnesses: witnesses) : nil
        self.tender = tender
        self.directory = directory
        self.bids = try BidStore.create(directory: "\(directory)/bids")
        self.clock = clock
        self.log = try SubmissionLog(
            origin: tender.origin, tender: tender.id.value, deadline: tender.deadline, grace: TimeInterval(tender.grace), signer: signer,
            store: try store ?? FileLogStore(path: "\(directory)/log.bin"), clock: clock, timestamper: timestamper,
            timestampsRequired: tender.timestamps.requiresTokens,
            timestampCheck: { entry, token in
                let limit = entry.kind == .upload ? tender.deadline.addingTimeInterval(TimeInterval(tender.grace)) : tender.deadline
                if let problem = StageOpening.timestampProblem(entry, token: token, tender: tender, limit: limit) {
                    throw LogError.timestamp("\(problem.rawValue): the opening would void this entry (is this portal's clock right?)")
                }
            }, witnesses: group)
    }

    /// Creates a new portal: the directory, an empty log store with its head, the bids folder.
    /// Only this creates a store; opening an existing portal (``init(tender:directory:signer:store:clock:timestamper:)``)
    /// never does, so a deleted store is an error, not a fresh log.
    public static func create(
        tender: Tender, directory: String, signer: NoteSigner, clock: @escaping @Sendable () -> Date = { Date() },
        timestamper: Timestamper? = nil, witnesses: [(CosignerVerifier, any WitnessTransport)] = []
    ) async throws -> PortalService {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try FileLogStore.create(path: "\(directory)/log.bin")
        let service = try PortalService(
            tender: tender, directory: directory, signer: signer, store: store, clock: clock, timestamper: timestamper,
            witnesses: witnesses)
        try await service.log.initializeHead()
        return service
    }

    /// Stores the head of a new, empty log (a store opened for the first time); does nothing for
    /// a log that has one. A store with entries and no head is refused when opened.
    public func initializeHeadIfNew() async throws {
        guard await log.size == 0, await !log.isClosed, try await !log.hasHead else { return }
        try await log.initializeHead()
    }

    public var verifier: NoteVerifier { get async { await log.verifier } }

    /// The number of entries logged.
    public var size: UInt64 { get async { await log.size } }

    /// Verifies a bid completely (the registered signer, tender and bidder, the envelopes the
    /// descriptor names, every key-wrap proof and payload digest) on the portal's own stored copy,
    /// then logs it as the bidder's submission (or replacement) and returns the receipt. The
    /// ciphertext of the bidder's own live commitment is logged as its upload.
    ///
    /// - Parameter bidder: the uploader as the portal authenticated them (their login), never taken
    ///   from the file: the bid must name this bidder and be signed by one of its identities in the
    ///   tender's bidder registry.
    /// - Throws: ``PortalError``, the bid's ``EnvelopeError``, or ``LogError`` (`log-closed`, `duplicate-bid`).
    public func accept(bidAt path: String, from bidder: BidderID) async throws -> Receipt {
        try await log.refresh()  // what other instances on the store logged
        let header = try readHeader(path)
        if let current = await log.latest(bidder: bidder.value), current.entry.kind == .commit,
            current.entry.bidDigest == header.bidDigest
        {
            return try await upload(bidAt: path, from: bidder)
        }
        if let receipt = try await previous(header.bidDigest, bidder: bidder, kinds: [.submit, .replace]) { return receipt }
        try await log.checkOpen(for: .submit)  // refused before anything is stored
        let length = try FileSource(path: path).length
        guard length <= tender.maxBidBytes else { throw PortalError.bidTooLarge(length, limit: tender.maxBidBytes) }
        let policy = tender.signerPolicy(for: bidder, at: clock())
        let (bids, tender) = (self.bids, self.tender)
        // The copy, its flush and the verification run off the actor, on as many threads as there
        // are uploads: the actor stays free for other uploads and lookups meanwhile.
        _ = try await Self.offActor {
            try bids.store(copyOf: path, as: .bid) { copy in try Self.verify(bidAt: copy, tender: tender, bidder: bidder, policy: policy).bidDigest }
        }
        // The log may have moved meanwhile (another upload of this file); the log itself checks the
        // digest and the deadline again under its head.
        if let receipt = try await previous(header.bidDigest, bidder: bidder, kinds: [.submit, .replace]) { return receipt }
        let current = await log.latest(bidder: bidder.value)
        let kind: LogEntry.Kind = current == nil || current?.entry.kind == .withdraw ? .submit : .replace
        return try await log.submit(kind: kind, bidder: bidder.value, bidDigest: header.bidDigest, bidLength: header.expectedFileLength)
    }

    /// Commit-then-upload: logs a bid's digest before the deadline from its header alone (the
    /// first `header_length` bytes, or the whole file) and the bidder's signed commitment statement
    /// (only the bidder asks for a commitment), after checking both: the header's signature,
    /// tender, bidder, envelopes and key-wrap proofs, and the statement's signer and digest. The
    /// ciphertext follows with ``upload(bidAt:from:)`` before the end of the grace window, as an
    /// `upload` entry.
    /// - Throws: ``LogError/commitmentMismatch`` when the statement names another bid, or the
    ///   statement's or the header's error.
    public func commit(bidAt path: String, statement bytes: [UInt8], from bidder: BidderID) async throws -> Receipt {
        try await log.refresh()  // what other instances on the store logged
        let header = try readHeader(path)
        let statement = try Commitment(encoded: bytes)
        guard statement.bidDigest == header.bidDigest else { throw LogError.commitmentMismatch }
        if let receipt = try await previous(header.bidDigest, bidder: bidder, kinds: [.commit]) { return receipt }
        try await log.checkOpen(for: .commit)
        guard header.expectedFileLength <= tender.maxBidBytes else {
            throw PortalError.bidTooLarge(header.expectedFileLength, limit: tender.maxBidBytes)
        }
        let policy = tender.signerPolicy(for: bidder, at: clock())
        try header.verify(tender: tender.id, bidder: bidder, policy: policy)
        try statement.verify(tender: tender.id, bidder: bidder, policy: policy)
        try Self.checkEnvelopes(header, tender: tender)
        try header.checkWrapProofs()
        try bids.store(statement.encoded, digest: header.bidDigest, as: .commitment)
        try bids.store(header.bytes, digest: header.bidDigest, as: .header)
        return try await log.submit(kind: .commit, bidder: bidder.value, bidDigest: header.bidDigest, bidLength: header.expectedFileLength)
    }

    /// The ciphertext of the bidder's live commitment, until the end of the grace window: it must
    /// be the committed bid and verify completely; it is logged as an `upload` entry, so whether
    /// the committed bid counts is decided in the log before the closing. Sending it again returns
    /// the same receipt.
    /// - Throws: ``LogError/noCommitment``, ``LogError/commitmentMismatch``, ``LogError/closed(_:)``, or the bid's error.
    public func upload(bidAt path: String, from bidder: BidderID) async throws -> Receipt {
        try await log.refresh()  // what other instances on the store logged
        let header = try readHeader(path)
        if let current = await log.latest(bidder: bidder.value), current.entry.kind == .upload,
            current.entry.bidDigest == header.bidDigest
        {
            return try await log.receipt(index: current.index)
        }
        let committed = try await log.checkUpload(bidder: bidder.value, bidDigest: header.bidDigest)
        // Checked at the time the commitment was logged, as the opening will.
        let policy = tender.signerPolicy(for: bidder, at: Date(timeIntervalSince1970: Double(committed.entry.receivedAt) / 1000))
        let (id, bids) = (tender.id, self.bids)
        _ = try await Self.offActor {
            try bids.store(copyOf: path, as: .bid) { copy in
                let opener = try BidOpener(path: copy, tender: id, bidder: bidder, policy: policy)
                guard opener.header.bidDigest == committed.entry.bidDigest, opener.header.expectedFileLength == committed.entry.bidLength
                else { throw LogError.commitmentMismatch }
                try opener.checkWrapProofs()
                try opener.verifyPayloadDigests()
                return opener.header.bidDigest
            }
        }
        return try await log.submit(
            kind: .upload, bidder: bidder.value, bidDigest: committed.entry.bidDigest, bidLength: committed.entry.bidLength)
    }

    /// Logs the bidder's signed withdrawal of its live bid.
    /// - Throws: ``PortalError/staleWithdrawal`` when the statement does not name the bidder's live bid.
    public func withdraw(statement bytes: [UInt8], from bidder: BidderID) async throws -> Receipt {
        try await log.refresh()  // what other instances on the store logged
        let statement = try Withdrawal(encoded: bytes)
        if let receipt = try await previous(statement.digest, bidder: bidder, kinds: [.withdraw]) { return receipt }
        try await log.checkOpen(for: .withdraw)
        try statement.verify(tender: tender.id, bidder: bidder, policy: tender.signerPolicy(for: bidder, at: clock()))
        guard let current = await log.latest(bidder: bidder.value), current.entry.kind != .withdraw,
            current.entry.bidDigest == statement.withdrawnDigest
        else { throw PortalError.staleWithdrawal }
        try bids.store(statement.encoded, digest: statement.digest, as: .withdrawal)
        return try await log.submit(kind: .withdraw, bidder: bidder.value, bidDigest: statement.digest, bidLength: UInt64(bytes.count))
    }

    /// Runs blocking work (file copies, flushes, verification) on a Dispatch thread, not on the
    /// actor nor on the cooperative pool, and returns its result.
    private static func offActor<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Everything the portal checks of a bid file before it logs it as a submission: envelope-v1
    /// steps 1 to 8 first (signer, tender, bidder: a bid sealed for another tender is
    /// `wrong-tender`, before its envelopes are compared with this descriptor's), the envelopes
    /// exactly the descriptor's (`wrong-envelopes`), every key-wrap proof, the payload digests.
    /// Returns the bid's header.
    public static func verify(bidAt path: String, tender: Tender, bidder: BidderID, policy: SignerPolicy) throws -> BidHeader {
        let opener = try BidOpener(path: path, tender: tender.id, bidder: bidder, policy: policy)
        try checkEnvelopes(opener.header, tender: tender)
        try opener.checkWrapProofs()
        try opener.verifyPayloadDigests()
        return opener.header
    }

    /// The bid's envelopes are exactly the descriptor's, each for its stage and sealed to that
    /// stage's committee key: a bid that could never open is refused now, not at the opening.
    private static func checkEnvelopes(_ header: BidHeader, tender: Tender) throws {
        guard header.envelopes.count == tender.envelopes.count else {
            throw PortalError.wrongEnvelopes("the tender has \(tender.envelopes.count) envelope(s), the bid \(header.envelopes.count)")
        }
        for expected in tender.envelopes {
            guard let entry = header.envelopes.first(where: { $0.name == expected.name }) else {
                throw PortalError.wrongEnvelopes("no '\(expected.name)' envelope")
            }
            guard entry.stage == expected.stage, entry.recipientKey == (try tender.stageKey(expected.stage)).publicKey else {
                throw PortalError.wrongEnvelopes("envelope '\(expected.name)' is not sealed to stage '\(expected.stage)''s committee key")
            }
        }
    }

    public func close() async throws -> SignedCheckpoint { try await log.close() }

    /// The receipt of the entry that logged `digest` (a bid, a commitment or a withdrawal).
    public func receipt(forDigest digest: [UInt8]) async throws -> Receipt {
        try await log.refresh()
        guard let index = await log.index(ofDigest: digest) else { throw PortalError.notLogged }
        return try await log.receipt(index: index)
    }

    public func receipt(index: UInt64) async throws -> Receipt { try await log.receipt(index: index) }

    /// A signed checkpoint of the log as it is now (with what other instances on the store
    /// logged), cosigned by the witnesses' quorum when the tender has witnesses.
    public func checkpoint() async throws -> SignedCheckpoint {
        try await log.refresh()
        return try await log.cosignedCheckpoint()
    }

    /// Takes in what other portal instances sharing the log's store appended.
    public func refresh() async throws { try await log.refresh() }

    /// Whether the log's store answers, without waiting for an append in progress (a health probe).
    public func probeStore() async throws { try await log.probeStore() }

    /// The closing checkpoint, once the log is closed (by this instance or another).
    public func closingCheckpoint() async throws -> SignedCheckpoint? {
        try await log.refresh()
        return try await log.closingCheckpoint()
    }

    /// The read side of the log (C2SP tlog-tiles): complete subtree hashes and encoded entries,
    /// as this instance last saw the log (``refresh()`` first).
    public func subtreeHashes(level: Int, range: Range<UInt64>) async -> [[UInt8]]? {
        await log.subtreeHashes(level: level, range: range)
    }

    public func encodedEntries(_ range: Range<UInt64>) async -> [[UInt8]]? { await log.encodedEntries(range) }

    // MARK: Helpers

    private func readHeader(_ path: String) throws -> BidHeader {
        try BidHeader.read(from: try FileSource(path: path))
    }

    /// The receipt of `digest` when this bidder already logged it with one of `kinds` (a retry);
    /// `duplicate-bid` when someone else did, or as another kind.
    /// The log index of the bidder's latest entry (the one that currently stands for it), if any.
    public func currentIndex(of bidder: BidderID) async -> UInt64? { await log.latest(bidder: bidder.value)?.index }

    private func previous(_ digest: [UInt8], bidder: BidderID, kinds: Set<LogEntry.Kind>) async throws -> Receipt? {
        guard let index = await log.index(ofDigest: digest), let entry = await log.entry(at: index) else { return nil }
        guard entry.bidder == bidder.value, kinds.contains(entry.kind) else {
            throw LogError.duplicateBid("this file is already in the log; seal the bid again to submit it anew")
        }
        return try await log.receipt(index: index)
    }
}

/// Why the portal refused something (besides the bid's and the log's own errors).
public enum PortalError: SealedBidError, Equatable, Sendable {
    case bidTooLarge(UInt64, limit: UInt64)
    case wrongEnvelopes(String)
    case staleWithdrawal
    case wrongLogKey
    case notLogged

    public var code: String {
        switch self {
        case .bidTooLarge: "bid-too-large"
        case .wrongEnvelopes: "wrong-envelopes"
        case .staleWithdrawal: "stale-withdrawal"
        case .wrongLogKey: "wrong-log-key"
        case .notLogged: "not-logged"
        }
    }

    public var description: String {
        switch self {
        case .bidTooLarge(let size, let limit): "\(code): \(size) bytes, the tender accepts at most \(limit)"
        case .wrongEnvelopes(let why): "\(code): \(why)"
        case .staleWithdrawal: "\(code): the statement does not withdraw the bidder's live bid"
        case .wrongLogKey: "\(code): this signing key is not the tender's log key"
        case .notLogged: "\(code): nothing in the log has this digest"
        }
    }
}
