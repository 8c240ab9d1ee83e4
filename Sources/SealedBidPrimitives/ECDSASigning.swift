internal import COpenSSL
internal import SealedBidShims
import Foundation

/// An ECDSA P-256 signing key, as issued with a national-PKI certificate
/// (PKCS#8 or SEC1 `EC PRIVATE KEY`, DER or PEM). Signatures use SHA-256 and
/// OpenSSL's nonce generation.
public final class ECDSAP256SigningKey: @unchecked Sendable, CustomStringConvertible {
    // The EVP_PKEY is only read after construction; EVP_DigestSign takes its own context.
    private let key: OpaquePointer
    public let publicKey: ECDSAP256PublicKey

    /// - Throws: ``CryptoError/unsupportedKey(reason:)`` unless the DER holds a P-256 private key
    ///   (with a public key, when the file carries one, that belongs to it).
    public convenience init(derRepresentation der: SecureBytes) throws(CryptoError) {
        guard let key = der.withUnsafeBytes({ sb_ecdsa_p256_private_key_from_der($0.baseAddress, $0.count) }) else {
            throw .unsupportedKey(reason: "not a P-256 private key in PKCS#8 or SEC1 DER, or its public key is not its own")
        }
        try self.init(owning: key)
    }

    /// From a PEM `PRIVATE KEY` or `EC PRIVATE KEY` block in guarded memory (for example
    /// ``SecureBytes/init(contentsOfFile:maximumCount:)``): OpenSSL's PEM reader decodes it
    /// straight from those bytes, so no `String` or `Data` copy of the key is made.
    /// Encrypted PEM is refused.
    /// - Throws: ``CryptoError/unsupportedKey(reason:)`` unless it holds a P-256 private key.
    public convenience init(pem: SecureBytes) throws(CryptoError) {
        guard let key = pem.withUnsafeBytes({ sb_private_key_from_pem($0.baseAddress, $0.count) }) else {
            throw .unsupportedKey(reason: "no unencrypted private key in the PEM text, or its public key is not its own")
        }
        guard sb_is_p256_key(key) == 1 else {
            EVP_PKEY_free(key)
            throw .unsupportedKey(reason: "not a P-256 private key")
        }
        try self.init(owning: key)
    }

    /// From a PEM `PRIVATE KEY` or `EC PRIVATE KEY` block. The text is copied once into
    /// guarded memory and decoded by OpenSSL there, but the caller's `String` is a plain copy
    /// this initialiser cannot wipe: prefer ``init(pem:)-(SecureBytes)`` with
    /// ``SecureBytes/init(contentsOfFile:maximumCount:)``.
    public convenience init(pem: String) throws(CryptoError) {
        try self.init(pem: SecureBytes(count: pem.utf8.count) { (out: UnsafeMutableRawBufferPointer) in
            out.copyBytes(from: pem.utf8)
        })
    }

    /// Takes ownership of `key` (a P-256 private key).
    private init(owning key: OpaquePointer) throws(CryptoError) {
        var point = [UInt8](repeating: 0, count: 65)
        guard point.withUnsafeMutableBytes({ sb_ecdsa_p256_public_point(key, $0.baseAddress) }) == 1 else {
            EVP_PKEY_free(key)
            throw .libraryFailure(operation: "EVP_PKEY_get1_encoded_public_key")
        }
        do {
            self.publicKey = try ECDSAP256PublicKey(sec1: point)
        } catch {
            EVP_PKEY_free(key)
            throw error
        }
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }

    /// Signs SHA-256(`message`).
    public func signature(for message: some ContiguousBytes) throws(CryptoError) -> ECDSAP256Signature {
        var der = [UInt8](repeating: 0, count: 80)
        var length = 0
        let ok = message.withUnsafeBytes { m in
            der.withUnsafeMutableBytes { d in
                sb_ecdsa_p256_sha256_sign(key, m.baseAddress, m.count, d.baseAddress, d.count, &length)
            }
        }
        guard ok == 1 else { throw .libraryFailure(operation: "EVP_DigestSign") }
        return try ECDSAP256Signature(derRepresentation: der.prefix(length))
    }

    public var description: String { "ECDSAP256SigningKey(<redacted>)" }
}
