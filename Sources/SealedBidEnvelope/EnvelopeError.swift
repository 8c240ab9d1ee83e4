import SealedBidPrimitives

/// Why a bid could not be sealed, verified or opened.
///
/// Each case has a stable ``code``, the one `docs/spec/envelope-v1.md`
/// ("Opening") names. Messages describe structure (a field, a length, a
/// name), never key material or plaintext.
public enum EnvelopeError: SealedBidError, Equatable, Sendable {
    case notABid
    case unsupportedVersion(UInt16)
    case unsupportedSuite(UInt16)
    case malformedHeader(String)
    case truncated(String)
    case trailingData(UInt64)
    case unsupportedSignatureAlgorithm(UInt8)
    case badSignature
    case untrustedSigner(String)
    case wrongTender(expected: String, found: String)
    case wrongBidder(expected: String, found: String)
    case wrongStage(envelope: String, expected: String, found: String)
    case wrongRecipient(envelope: String)
    case noSuchEnvelope(String)
    case badWrapProof(envelope: String)
    case keyUnwrapFailed(envelope: String)
    case wrapMismatch(envelope: String)
    case headerMACInvalid(envelope: String)
    case payloadCommitmentMismatch(envelope: String)
    case payloadAuthenticationFailed(envelope: String, chunk: UInt64)
    case payloadDigestMismatch(envelope: String)
    case malformedWithdrawal(String)
    case malformedCommitment(String)
    case invalidInput(String)
    case io(String)
    case crypto(CryptoError)

    public var code: String {
        switch self {
        case .notABid: "not-a-bid"
        case .unsupportedVersion: "unsupported-version"
        case .unsupportedSuite: "unsupported-suite"
        case .malformedHeader: "malformed-header"
        case .truncated: "truncated"
        case .trailingData: "trailing-data"
        case .unsupportedSignatureAlgorithm: "unsupported-signature-algorithm"
        case .badSignature: "bad-signature"
        case .untrustedSigner: "untrusted-signer"
        case .wrongTender: "wrong-tender"
        case .wrongBidder: "wrong-bidder"
        case .wrongStage: "wrong-stage"
        case .wrongRecipient: "wrong-recipient"
        case .noSuchEnvelope: "no-such-envelope"
        case .badWrapProof: "bad-wrap-proof"
        case .keyUnwrapFailed: "key-unwrap-failed"
        case .wrapMismatch: "wrap-mismatch"
        case .headerMACInvalid: "header-mac-invalid"
        case .payloadCommitmentMismatch: "payload-commitment-mismatch"
        case .payloadAuthenticationFailed: "payload-authentication-failed"
        case .payloadDigestMismatch: "payload-digest-mismatch"
        case .malformedWithdrawal: "malformed-withdrawal"
        case .malformedCommitment: "malformed-commitment"
        case .invalidInput: "invalid-input"
        case .io: "io-error"
        case .crypto(let error): error.code
        }
    }

    public var description: String {
        switch self {
        case .notABid: "\(code): the input does not start with the SealedBid magic bytes"
        case .unsupportedVersion(let v): "\(code): version \(v)"
        case .unsupportedSuite(let s): "\(code): suite \(s)"
        case .malformedHeader(let why): "\(code): \(why)"
        case .truncated(let why): "\(code): \(why)"
        case .trailingData(let n): "\(code): \(n) bytes after the last payload"
        case .unsupportedSignatureAlgorithm(let a): "\(code): signature algorithm \(a)"
        case .badSignature: "\(code): the bidder's signature does not verify"
        case .untrustedSigner(let why): "\(code): \(why)"
        case .wrongTender(let expected, let found): "\(code): bid is for tender '\(found)', expected '\(expected)'"
        case .wrongBidder(let expected, let found): "\(code): bid is from bidder '\(found)', expected '\(expected)'"
        case .wrongStage(let envelope, let expected, let found):
            "\(code): envelope '\(envelope)' belongs to stage '\(found)', not '\(expected)'"
        case .wrongRecipient(let envelope): "\(code): envelope '\(envelope)' is not sealed to this key"
        case .noSuchEnvelope(let name): "\(code): the bid has no envelope '\(name)'"
        case .badWrapProof(let envelope):
            "\(code): the key-wrap proof of envelope '\(envelope)' does not verify; its wrap must not be opened"
        case .keyUnwrapFailed(let envelope): "\(code): the key of envelope '\(envelope)' does not unwrap"
        case .wrapMismatch(let envelope):
            "\(code): the wraps of envelope '\(envelope)' are not the ones its key derives; the envelope is void"
        case .headerMACInvalid(let envelope): "\(code): header MAC of envelope '\(envelope)'"
        case .payloadCommitmentMismatch(let envelope): "\(code): envelope '\(envelope)'"
        case .payloadAuthenticationFailed(let envelope, let chunk): "\(code): envelope '\(envelope)', chunk \(chunk)"
        case .payloadDigestMismatch(let envelope): "\(code): envelope '\(envelope)'"
        case .malformedWithdrawal(let why), .malformedCommitment(let why): "\(code): \(why)"
        case .invalidInput(let why): "\(code): \(why)"
        case .io(let why): "\(code): \(why)"
        case .crypto(let error): error.description
        }
    }
}

/// Runs `body`, turning a primitive's error into ``EnvelopeError/crypto(_:)``.
@inline(__always)
func lift<R>(_ body: () throws(CryptoError) -> R) throws(EnvelopeError) -> R {
    do { return try body() } catch { throw .crypto(error) }
}
