import Foundation
import SealedBidPrimitives

/// The one form of a bidder's signed statements about one of its bids (`docs/spec/envelope-v1.md`,
/// "Bidder statements"): `"sealbid-<kind>-v1\n" || lp8(tender) || lp8(bidder) || bid digest ||
/// signer || signature`, signed by the identities that sign bids. Only the bidder can make one,
/// so a portal can neither withdraw a bidder nor turn its whole submission into a commitment.
struct BidderStatement: Sendable {
    /// `withdrawal` or `commitment`.
    let kind: String
    let tender: TenderID
    let bidder: BidderID
    let bidDigest: [UInt8]
    let signer: SignerIdentity
    let signature: [UInt8]
    /// Everything before the signature.
    let body: [UInt8]

    /// No statement is larger (a 4-certificate chain of 16 KiB each, and the rest).
    static let maximumSize = 70_000

    static func magic(_ kind: String) -> [UInt8] { Array("sealbid-\(kind)-v1\n".utf8) }
    var signatureLabel: [UInt8] { Array("sealbid/\(kind)-v1".utf8) + [0] }
    var digestLabel: [UInt8] { Array("sealbid/\(kind)-v1 digest".utf8) + [0] }

    init(kind: String, tender: TenderID, bidder: BidderID, bidDigest: [UInt8], signer: BidSigner) throws(EnvelopeError) {
        guard bidDigest.count == 32 else { throw .invalidInput("a bid digest is 32 bytes") }
        try signer.check()
        self.kind = kind
        self.tender = tender
        self.bidder = bidder
        self.bidDigest = bidDigest
        self.signer = signer.identity
        self.body = Self.magic(kind) + tender.lengthPrefixed + bidder.lengthPrefixed + bidDigest + signer.identity.encoded
        self.signature = try signer.sign(Array("sealbid/\(kind)-v1".utf8) + [0] + body)
    }

    /// Structure only; `malformed` makes the kind's error.
    init(kind: String, encoded bytes: [UInt8], malformed: (String) -> EnvelopeError) throws(EnvelopeError) {
        guard bytes.count <= Self.maximumSize else { throw malformed("larger than \(Self.maximumSize) bytes") }
        let magic = Self.magic(kind)
        guard bytes.starts(with: magic) else { throw malformed("not a \(kind) statement") }
        var r = Cursor(bytes, position: magic.count)
        do throws(EnvelopeError) {
            guard let tender = TenderID(bytes: try r.lengthPrefixed()) else { throw EnvelopeError.malformedHeader("tender id") }
            guard let bidder = BidderID(bytes: try r.lengthPrefixed()) else { throw EnvelopeError.malformedHeader("bidder id") }
            let digest = try r.take(32)
            let signer = try BidHeader.parseSigner(&r)
            let bodyEnd = r.position
            let signature = try r.take(64)
            guard r.position == bytes.count else { throw EnvelopeError.malformedHeader("bytes after the signature") }
            self.kind = kind
            self.tender = tender
            self.bidder = bidder
            self.bidDigest = digest
            self.signer = signer
            self.signature = signature
            self.body = Array(bytes[..<bodyEnd])
        } catch {
            throw malformed(error.description)
        }
    }

    var encoded: [UInt8] { body + signature }

    /// `SHA-256("sealbid/<kind>-v1 digest" || 0x00 || everything before the signature)`: the
    /// (malleable) signature is left out.
    var digest: [UInt8] { SHA256.hash(digestLabel + body) }

    func verify(tender expectedTender: TenderID, bidder expectedBidder: BidderID, policy: SignerPolicy) throws(EnvelopeError) {
        try SignatureCheck.verify(signer: signer, signature: signature, message: signatureLabel + body, policy: policy)
        guard tender == expectedTender else { throw .wrongTender(expected: expectedTender.value, found: tender.value) }
        guard bidder == expectedBidder else { throw .wrongBidder(expected: expectedBidder.value, found: bidder.value) }
    }
}

/// A bidder's signed withdrawal of one bid (envelope-v1, "Bidder statements"). The portal logs
/// it; nobody else can make one, so a portal cannot withdraw a bidder it would like to see gone.
public struct Withdrawal: Sendable {
    public static let maximumSize = BidderStatement.maximumSize
    let statement: BidderStatement

    public var tender: TenderID { statement.tender }
    public var bidder: BidderID { statement.bidder }
    /// The `bid_digest` of the bid withdrawn: the bidder's live bid at the time.
    public var withdrawnDigest: [UInt8] { statement.bidDigest }
    public var signer: SignerIdentity { statement.signer }

    /// Signs a withdrawal of the bid with digest `withdrawnDigest`.
    public init(tender: TenderID, bidder: BidderID, withdrawing withdrawnDigest: [UInt8], signer: BidSigner) throws(EnvelopeError) {
        statement = try BidderStatement(kind: "withdrawal", tender: tender, bidder: bidder, bidDigest: withdrawnDigest, signer: signer)
    }

    /// Parses a statement (structure only: ``verify(tender:bidder:policy:)`` checks the signature).
    /// - Throws: ``EnvelopeError/malformedWithdrawal(_:)``.
    public init(encoded bytes: [UInt8]) throws(EnvelopeError) {
        statement = try BidderStatement(kind: "withdrawal", encoded: bytes, malformed: EnvelopeError.malformedWithdrawal)
    }

    public var encoded: [UInt8] { statement.encoded }

    /// What the log entry of the withdrawal binds (the signature left out).
    public var digest: [UInt8] { statement.digest }

    /// Checks the signature with the bidder's registered identities (as envelope-v1 step 7) and
    /// that the statement is for this tender and bidder.
    /// - Throws: ``EnvelopeError/badSignature``, ``EnvelopeError/untrustedSigner(_:)``,
    ///   ``EnvelopeError/wrongTender(expected:found:)``, ``EnvelopeError/wrongBidder(expected:found:)``.
    public func verify(tender: TenderID, bidder: BidderID, policy: SignerPolicy) throws(EnvelopeError) {
        try statement.verify(tender: tender, bidder: bidder, policy: policy)
    }
}

/// A bidder's signed request to commit to a bid before the deadline, its ciphertext to follow in
/// the grace window (envelope-v1, "Bidder statements"; receipts-v1, "Commit-then-upload"). The
/// portal logs a commitment only with it, and the opening voids a commitment without it: a
/// portal cannot log a whole submission as a commitment and then decide whether it counts.
public struct Commitment: Sendable {
    public static let maximumSize = BidderStatement.maximumSize
    let statement: BidderStatement

    public var tender: TenderID { statement.tender }
    public var bidder: BidderID { statement.bidder }
    /// The `bid_digest` of the bid committed to.
    public var bidDigest: [UInt8] { statement.bidDigest }
    public var signer: SignerIdentity { statement.signer }

    /// Signs a commitment to the bid with digest `bidDigest`.
    public init(tender: TenderID, bidder: BidderID, committing bidDigest: [UInt8], signer: BidSigner) throws(EnvelopeError) {
        statement = try BidderStatement(kind: "commitment", tender: tender, bidder: bidder, bidDigest: bidDigest, signer: signer)
    }

    /// Parses a statement (structure only: ``verify(tender:bidder:policy:)`` checks the signature).
    /// - Throws: ``EnvelopeError/malformedCommitment(_:)``.
    public init(encoded bytes: [UInt8]) throws(EnvelopeError) {
        statement = try BidderStatement(kind: "commitment", encoded: bytes, malformed: EnvelopeError.malformedCommitment)
    }

    public var encoded: [UInt8] { statement.encoded }

    /// `statement_digest`: `SHA-256("sealbid/commitment-v1 digest" || 0x00 || everything before
    /// the signature)`, the signature left out.
    public var digest: [UInt8] { statement.digest }

    /// Checks the signature with the bidder's registered identities and that the statement is
    /// for this tender and bidder, as ``Withdrawal/verify(tender:bidder:policy:)``.
    public func verify(tender: TenderID, bidder: BidderID, policy: SignerPolicy) throws(EnvelopeError) {
        try statement.verify(tender: tender, bidder: bidder, policy: policy)
    }
}
