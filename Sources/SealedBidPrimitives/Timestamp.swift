internal import COpenSSL
internal import SealedBidShims
import Foundation

/// An RFC 3161 TimeStampReq for a SHA-256 digest, with a random nonce and certReq.
public struct TimestampRequest: Sendable, Equatable {
    public let digest: [UInt8]
    public let nonce: UInt64
    public let derRepresentation: [UInt8]

    /// - Throws: ``CryptoError/invalidLength(what:expected:actual:)`` unless `digest` is 32 bytes.
    public init(digest: [UInt8], nonce: UInt64? = nil) throws(CryptoError) {
        guard digest.count == 32 else { throw .length("timestamp imprint", expected: 32, actual: digest.count) }
        let nonce = nonce ?? SecureRandom.bytes(count: 8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var out = [UInt8](repeating: 0, count: 256)
        var length = 0
        let ok = digest.withUnsafeBytes { d in out.withUnsafeMutableBytes { sb_ts_request(d.baseAddress, nonce, $0.baseAddress, $0.count, &length) } }
        guard ok == 1 else { throw .libraryFailure(operation: "TS_REQ") }
        self.digest = digest
        self.nonce = nonce
        self.derRepresentation = Array(out.prefix(length))
    }
}

/// An RFC 3161 TimeStampToken (a CMS SignedData over TSTInfo), DER.
public struct TimestampToken: Sendable, Equatable {
    public let derRepresentation: [UInt8]

    /// The token from a DER TimeStampResp.
    /// - Throws: ``CryptoError/timestampInvalid(reason:)`` when malformed or not granted.
    public init(response der: [UInt8]) throws(CryptoError) {
        var out = [UInt8](repeating: 0, count: der.count)
        var length = 0
        let status = der.withUnsafeBytes { r in out.withUnsafeMutableBytes { sb_ts_response_token(r.baseAddress, r.count, $0.baseAddress, $0.count, &length) } }
        switch status {
        // The token must be one `init(derRepresentation:)` accepts, or a receipt would carry
        // a token that no verifier can read.
        case 1: try self.init(derRepresentation: Array(out.prefix(length)))
        case 0: throw .timestampInvalid(reason: "the time-stamp authority did not grant the request")
        default: throw .timestampInvalid(reason: "malformed TimeStampResp")
        }
    }

    public init(derRepresentation der: [UInt8]) throws(CryptoError) {
        guard der.count <= 1 << 16 else { throw .timestampInvalid(reason: "token larger than 64 KiB") }
        derRepresentation = der
        _ = try fields()
    }

    struct Fields {
        let time: Date
        let imprint: [UInt8]
        let nonce: UInt64?
        let serial: UInt64
    }

    func fields() throws(CryptoError) -> Fields {
        var time: Int64 = 0, nonce: UInt64 = 0, serial: UInt64 = 0
        var hasNonce: Int32 = 0
        var imprint = [UInt8](repeating: 0, count: 32)
        let ok = derRepresentation.withUnsafeBytes { t in
            imprint.withUnsafeMutableBytes { sb_ts_token_info(t.baseAddress, t.count, &time, $0.baseAddress, &nonce, &hasNonce, &serial) }
        }
        guard ok == 1 else { throw .timestampInvalid(reason: "malformed token, or not SHA-256") }
        return Fields(time: Date(timeIntervalSince1970: TimeInterval(time)), imprint: imprint, nonce: hasNonce != 0 ? nonce : nil, serial: serial)
    }

    /// Verifies the token for `digest` (and `nonce`, when the caller made the
    /// request): CMS signature, signer certificate with a critical
    /// timeStamping EKU chaining to `roots` at the token's own time, imprint.
    public func verify(digest: [UInt8], nonce: UInt64? = nil, roots: [X509Certificate], intermediates: [X509Certificate] = [])
        throws(CryptoError) -> VerifiedTimestamp
    {
        guard digest.count == 32 else { throw .length("timestamp imprint", expected: 32, actual: digest.count) }
        guard !roots.isEmpty else { throw .timestampInvalid(reason: "no trust anchors given") }
        var reason: UnsafePointer<CChar>?
        let anchors: [OpaquePointer?] = roots.map { $0.handle }
        let extra: [OpaquePointer?] = intermediates.map { $0.handle }
        let ok = derRepresentation.withUnsafeBytes { t in
            digest.withUnsafeBytes { d in
                anchors.withUnsafeBufferPointer { r in
                    extra.withUnsafeBufferPointer { u in
                        sb_ts_verify(t.baseAddress, t.count, d.baseAddress, nonce ?? 0, nonce == nil ? 0 : 1, r.baseAddress, r.count,
                                     u.baseAddress, u.count, &reason)
                    }
                }
            }
        }
        withExtendedLifetime((roots, intermediates)) {}
        guard ok == 1 else { throw .timestampInvalid(reason: reason.map { String(cString: $0) } ?? "token does not verify") }
        let f = try fields()
        var micros: Int64 = 0
        let accuracy = derRepresentation.withUnsafeBytes { sb_ts_token_accuracy($0.baseAddress, $0.count, &micros) }
        guard accuracy >= 0 else { throw .timestampInvalid(reason: "malformed accuracy") }
        return VerifiedTimestamp(
            time: f.time, serial: f.serial, nonce: f.nonce, accuracy: accuracy == 1 ? TimeInterval(micros) / 1_000_000 : nil)
    }
}

/// A token that verified: what it attests.
public struct VerifiedTimestamp: Sendable, Equatable {
    /// genTime: when the authority saw the digest.
    public let time: Date
    public let serial: UInt64
    public let nonce: UInt64?
    /// The accuracy the authority states (RFC 3161 `accuracy`), nil when the token has none.
    public let accuracy: TimeInterval?
}

/// A time-stamp authority on OpenSSL's TS functions (`TS_RESP_create_response`),
/// for tests and the demo. Production portals use their national TSA; the
/// library only verifies its tokens.
public struct TimestampAuthority: Sendable {
    private let signer: Result<Signer, CryptoError>

    /// The certificate and the private key, parsed once; the key lives only in OpenSSL's
    /// `EVP_PKEY` (freed, and cleared, with the authority).
    private final class Signer: @unchecked Sendable {
        // Both are only read after construction; TS_RESP_CTX takes its own references.
        let certificate: X509Certificate
        let key: OpaquePointer

        init(certificate: X509Certificate, key: OpaquePointer) {
            self.certificate = certificate
            self.key = key
        }

        deinit { EVP_PKEY_free(key) }
    }

    /// The authority's certificate (PEM) and private key as PEM in guarded memory (read it
    /// with ``SecureBytes/init(contentsOfFile:maximumCount:)``): OpenSSL's PEM reader decodes
    /// the key straight from those bytes.
    /// - Throws: ``CryptoError/invalidDER(what:)`` for a bad certificate,
    ///   ``CryptoError/unsupportedKey(reason:)`` when no unencrypted private key is found.
    public init(certificatePEM: String, keyPEM: SecureBytes) throws(CryptoError) {
        signer = .success(try Self.signer(certificatePEM: certificatePEM, keyPEM: keyPEM))
    }

    /// As ``init(certificatePEM:keyPEM:)-(String,SecureBytes)``, from a `String` this type cannot wipe
    /// (prefer the `SecureBytes` form). A certificate or key that does not parse makes every
    /// ``respond(to:at:serial:)`` fail.
    public init(certificatePEM: String, keyPEM: String) {
        let key = SecureBytes(count: keyPEM.utf8.count) { (out: UnsafeMutableRawBufferPointer) in
            out.copyBytes(from: keyPEM.utf8)
        }
        do throws(CryptoError) {
            signer = .success(try Self.signer(certificatePEM: certificatePEM, keyPEM: key))
        } catch {
            signer = .failure(error)
        }
    }

    private static func signer(certificatePEM: String, keyPEM: SecureBytes) throws(CryptoError) -> Signer {
        guard let certificate = try X509Certificate.certificates(pem: certificatePEM).first else {
            throw .invalidDER(what: "no certificate in the authority's PEM")
        }
        guard let key = keyPEM.withUnsafeBytes({ sb_private_key_from_pem($0.baseAddress, $0.count) }) else {
            throw .unsupportedKey(reason: "no unencrypted private key in the authority's PEM")
        }
        // Tokens signed with a key that is not the certificate's verify nowhere: refuse the pair now.
        var spki = [UInt8](repeating: 0, count: 2048)
        var length = 0
        let encoded = spki.withUnsafeMutableBufferPointer { sb_public_key_spki_der(key, $0.baseAddress, $0.count, &length) }
        guard encoded == 1, !certificate.subjectPublicKeyInfo.isEmpty, Array(spki.prefix(length)) == certificate.subjectPublicKeyInfo else {
            EVP_PKEY_free(key)
            throw .unsupportedKey(reason: "the authority's private key is not the key of its certificate")
        }
        return Signer(certificate: certificate, key: key)
    }

    /// A DER TimeStampResp for a DER TimeStampReq, stamped at `time`.
    public func respond(to request: [UInt8], at time: Date = Date(), serial: UInt64) throws(CryptoError) -> [UInt8] {
        let signer = try self.signer.get()
        var out = [UInt8](repeating: 0, count: 16384)
        var length = 0
        let ok = request.withUnsafeBytes { r in
            out.withUnsafeMutableBytes { o in
                sb_ts_respond(r.baseAddress, r.count, signer.certificate.handle, signer.key,
                              Int64(time.timeIntervalSince1970), serial, o.baseAddress, o.count, &length)
            }
        }
        withExtendedLifetime(signer) {}
        guard ok == 1 else { throw .timestampInvalid(reason: "the authority could not answer this request") }
        return Array(out.prefix(length))
    }
}
