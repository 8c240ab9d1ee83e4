import Foundation
import SealedBidEnvelope
import SealedBidLog
import SealedBidPrimitives

/// The portal side: verifies each upload, keeps the bid file, logs it and
/// returns a receipt; closes at the deadline; hands the committee what it
/// needs to check the opening (every entry up to the closing checkpoint).
public actor PortalService {
    public let tender: TenderID
    public let directory: String
    private let log: SubmissionLog

    /// - Parameters:
    ///   - directory: where the portal keeps `log.bin` and `bids/`.
    public init(
        tender: TenderID, directory: String, origin: String, deadline: Date, grace: TimeInterval = 0, signer: NoteSigner,
        clock: @escaping @Sendable () -> Date = { Date() }, timestamper: (@Sendable ([UInt8]) throws -> [UInt8])? = nil
    ) throws {
        try FileManager.default.createDirectory(atPath: "\(directory)/bids", withIntermediateDirectories: true)
        self.tender = tender
        self.directory = directory
        self.log = try SubmissionLog(
            origin: origin, tender: tender.value, deadline: deadline, grace: grace, signer: signer,
            store: FileLogStore(path: "\(directory)/log.bin"), clock: clock, timestamper: timestamper)
    }

    public var verifier: NoteVerifier { get async { await log.verifier } }

    /// Where the portal keeps the bid with this digest.
    public nonisolated func storedPath(bidDigest: [UInt8]) -> String { "\(directory)/bids/\(bidDigest.hexString).sbid" }

    /// Verifies the bid completely (signature, tender, every digest), stores a copy
    /// under its digest and logs it.
    ///
    /// - Parameters:
    ///   - bidder: the uploader as the portal authenticated them (their login), never
    ///     taken from the file: the bid must name this bidder (`wrong-bidder`).
    ///   - policy: the signing identities registered for this bidder (for example
    ///     `SignerPolicy(ed25519Keys: [registeredKey])`, or X.509 roots): a bid signed
    ///     by anyone else is `untrusted-signer`, so nobody can replace another bidder's bid.
    /// - Throws: the bid's ``EnvelopeError``, or ``LogError/closed(_:)`` after the deadline.
    public func accept(bidAt path: String, from bidder: BidderID, policy: SignerPolicy, kind: LogEntry.Kind = .submit)
        async throws -> Receipt
    {
        let opener = try BidOpener(path: path, tender: tender, bidder: bidder, policy: policy)
        try opener.checkWrapProofs()
        try opener.verifyPayloadDigests()
        let stored = storedPath(bidDigest: opener.header.bidDigest)
        if !FileManager.default.fileExists(atPath: stored) { try FileManager.default.copyItem(atPath: path, toPath: stored) }
        return try await log.submit(
            kind: kind, bidder: opener.header.bidder.value, bidDigest: opener.header.bidDigest, bidLength: opener.header.expectedFileLength)
    }

    /// Logs a withdrawal by `bidder`, who the portal has authenticated.
    public func withdraw(bidder: BidderID) async throws -> Receipt {
        try await log.submit(kind: .withdraw, bidder: bidder.value, bidDigest: [UInt8](repeating: 0, count: 32), bidLength: 0)
    }

    public func close() async throws -> SignedCheckpoint { try await log.close() }

    /// Every entry up to the closing, in log order: the committee recomputes the
    /// closing root from them, so no bid can be added or dropped unseen.
    public func closedEntries() async throws -> [LogEntry] {
        guard await log.isClosed else { throw LogError.notOpen("the log is not closed yet") }
        return await log.allEntries()
    }

    public func receipt(index: UInt64) async throws -> Receipt { try await log.receipt(index: index) }
}
