/// Errors raised by the SealedBid primitives.
///
/// Every case has a stable ``code`` (documented in `docs/spec/primitives-v1.md`,
/// "Error model"). Messages describe what was wrong with the *shape* of an
/// input (a length, an encoding), never secret values. Every authentication
/// failure is the single case ``authenticationFailed``, so callers cannot
/// build an oracle from the reason.
/// Every error SealedBid throws: a stable `code` (the name the specs use; docs/spec/*) and a
/// description that starts with that code. No description carries key material or plaintext.
public protocol SealedBidError: Error, CustomStringConvertible {
    var code: String { get }
}

extension SealedBidError {
    /// `io-error` and `storage-error` are about the machine, every other code about the input.
    public var isEnvironmental: Bool { code == "io-error" || code == "storage-error" }

    /// The description without its leading `<code>: `: for wrapping in an error of the same code.
    public var message: String {
        let text = description
        return text.hasPrefix(code + ": ") ? String(text.dropFirst(code.count + 2)) : text
    }
}

public enum CryptoError: SealedBidError, Equatable, Hashable, Sendable {
    /// An input had the wrong number of bytes.
    case invalidLength(what: String, expected: String, actual: Int)
    /// A scalar was not reduced modulo the group order.
    case nonCanonicalScalar
    /// A scalar that must be non-zero (a private key) was zero.
    case zeroScalar
    /// A point encoding was malformed (wrong prefix, hybrid or identity encoding, coordinate >= p).
    case invalidPointEncoding
    /// A point's coordinates do not satisfy the curve equation.
    case pointNotOnCurve
    /// An operation produced, or was given, the point at infinity.
    case pointAtInfinity
    /// A signature had a malformed encoding (wrong size, non-strict DER, r or s out of range).
    case invalidSignatureEncoding
    /// A well-formed signature did not verify.
    case invalidSignature
    /// AEAD decryption or MAC verification failed. Deliberately undifferentiated.
    case authenticationFailed
    /// A DER structure could not be parsed, had trailing data, or was not canonical.
    case invalidDER(what: String)
    /// A key was of an unsupported type, curve or parameter encoding.
    case unsupportedKey(reason: String)
    /// An X.509 certificate chain did not verify.
    case certificateInvalid(reason: String)
    /// An RFC 3161 response or token was refused, malformed or did not verify.
    case timestampInvalid(reason: String)
    /// A requested output length exceeds what the construction allows.
    case outputTooLong(requested: Int, maximum: Int)
    /// An HPKE context used all of its sequence numbers.
    case messageLimitReached
    /// A parameter was outside its documented range (for example a DST of 0 or > 255 bytes).
    case invalidParameter(String)
    /// libsodium or OpenSSL could not be initialised or failed internally.
    case libraryFailure(operation: String)

    /// A stable, machine-readable identifier for the error kind.
    public var code: String {
        switch self {
        case .invalidLength: "invalid-length"
        case .nonCanonicalScalar: "non-canonical-scalar"
        case .zeroScalar: "zero-scalar"
        case .invalidPointEncoding: "invalid-point-encoding"
        case .pointNotOnCurve: "point-not-on-curve"
        case .pointAtInfinity: "point-at-infinity"
        case .invalidSignatureEncoding: "invalid-signature-encoding"
        case .invalidSignature: "invalid-signature"
        case .authenticationFailed: "authentication-failed"
        case .invalidDER: "invalid-der"
        case .unsupportedKey: "unsupported-key"
        case .certificateInvalid: "certificate-invalid"
        case .timestampInvalid: "timestamp-invalid"
        case .outputTooLong: "output-too-long"
        case .messageLimitReached: "message-limit-reached"
        case .invalidParameter: "invalid-parameter"
        case .libraryFailure: "library-failure"
        }
    }

    public var description: String {
        switch self {
        case let .invalidLength(what, expected, actual):
            "\(code): \(what) must be \(expected) bytes, got \(actual)"
        case let .invalidDER(what): "\(code): \(what)"
        case let .unsupportedKey(reason): "\(code): \(reason)"
        case let .certificateInvalid(reason): "\(code): \(reason)"
        case let .timestampInvalid(reason): "\(code): \(reason)"
        case let .outputTooLong(requested, maximum):
            "\(code): requested \(requested) bytes, at most \(maximum)"
        case let .invalidParameter(reason): "\(code): \(reason)"
        case let .libraryFailure(operation): "\(code): \(operation)"
        default: code
        }
    }
}

extension CryptoError {
    package static func length(_ what: String, expected: Int, actual: Int) -> CryptoError {
        .invalidLength(what: what, expected: String(expected), actual: actual)
    }
}
