import Foundation
import SealedBidPrimitives

/// A bidder's signed withdrawal of one bid (`docs/spec/envelope-v1.md`,
/// "Withdrawal statements"). The portal logs it; nobody else can make one,
/// so a portal cannot withdraw a bidder it would like to see gone.
public struct Withdrawal: Sendable {
    public static let magic = Array("sealbid-withdrawal-v1\n".utf8)
    static let signatureLabel = Array("sealbid/withdrawal-v1".utf8) + [0]
    static let digestLabel = Array("sealbid/withdrawal-v1 digest".utf8) + [0]
    /// No statement is larger (a 4-certificate chain of 16 KiB each, and the rest).
    public static let maximumSize = 70_000

    public let tender: TenderID
    public let bidder: BidderID
    /// The `bid_digest` of the bid withdrawn: the bidder's live bid at the time.
    public let withdrawnDigest: [UInt8]
    public let signer: SignerIdentity
    public let signature: [UInt8]
    /// Everything before the signature.
    let body: [UInt8]

    /// Signs a withdrawal of the bid with digest `withdrawnDigest`.
    public init(tender: TenderID, bidder: BidderID, withdrawing withdrawnDigest: [UInt8], signer: BidSigner) throws(EnvelopeError) {
        guard withdrawnDigest.count == 32 else { throw .invalidInput("a bid digest is 32 bytes") }
        try signer.check()
        let body = Self.magic + tender.lengthPrefixed + bidder.lengthPrefixed + withdrawnDigest + signer.identity.encoded
        self.tender = tender
        self.bidder = bidder
        self.withdrawnDigest = withdrawnDigest
        self.signer = signer.identity
        self.signature = try signer.sign(Self.signatureLabel + body)
        self.body = body
    }

    /// Parses a statement (structure only: ``verify(tender:bidder:policy:)`` checks the signature).
    /// - Throws: ``EnvelopeError/malformedWithdrawal(_:)``.
    public init(encoded bytes: [UInt8]) throws(EnvelopeError) {
        guard bytes.count <= Self.maximumSize else { throw .malformedWithdrawal("larger than \(Self.maximumSize) bytes") }
        guard bytes.starts(with: Self.magic) else { throw .malformedWithdrawal("not a withdrawal statement") }
        var r = Cursor(bytes, position: Self.magic.count)
        do throws(EnvelopeError) {
            guard let tender = TenderID(bytes: try r.lengthPrefixed()) else { throw EnvelopeError.malformedHeader("tender id") }
            guard let bidder = BidderID(bytes: try r.lengthPrefixed()) else { throw EnvelopeError.malformedHeader("bidder id") }
            let digest = try r.take(32)
            let signer = try BidHeader.parseSigner(&r)
            let bodyEnd = r.position
            let signature = try r.take(64)
            guard r.position == bytes.count else { throw EnvelopeError.malformedHeader("bytes after the signature") }
            self.tender = tender
            self.bidder = bidder
            self.withdrawnDigest = digest
            self.signer = signer
            self.signature = signature
            self.body = Array(bytes[..<bodyEnd])
        } catch {
            throw .malformedWithdrawal(error.description)
        }
    }

    /// `magic || lp8(tender) || lp8(bidder) || withdrawn digest || signer || signature`.
    public var encoded: [UInt8] { body + signature }

    /// `SHA-256("sealbid/withdrawal-v1 digest" || 0x00 || everything before the signature)`:
    /// what the log entry of the withdrawal binds. The (malleable) signature is left out.
    public var digest: [UInt8] { SHA256.hash(Self.digestLabel + body) }

    /// Checks the signature with the bidder's registered identities (as envelope-v1 step 7) and
    /// that the statement is for this tender and bidder.
    /// - Throws: ``EnvelopeError/badSignature``, ``EnvelopeError/untrustedSigner(_:)``,
    ///   ``EnvelopeError/wrongTender(expected:found:)``, ``EnvelopeError/wrongBidder(expected:found:)``.
    public func verify(tender expectedTender: TenderID, bidder expectedBidder: BidderID, policy: SignerPolicy) throws(EnvelopeError) {
        try SignatureCheck.verify(signer: signer, signature: signature, message: Self.signatureLabel + body, policy: policy)
        guard tender == expectedTender else { throw .wrongTender(expected: expectedTender.value, found: tender.value) }
        guard bidder == expectedBidder else { throw .wrongBidder(expected: expectedBidder.value, found: bidder.value) }
    }
}
