internal import COpenSSL
internal import SealedBidShims
import Foundation

/// An ECDSA P-256 signature, verification only (SHA-256).
///
/// Accepted encodings (`docs/spec/primitives-v1.md`, "ECDSA P-256"): strict
/// DER, which must re-encode byte for byte, or IEEE P1363 `r || s` (64
/// bytes). Both r and s must lie in [1, n-1]. High-s values are accepted.
public struct ECDSAP256Signature: Sendable, Hashable {
    /// `r || s`, 32 bytes each, big-endian.
    public let rawRepresentation: [UInt8]

    /// - Throws: ``CryptoError/invalidSignatureEncoding``.
    public init(rawRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
        let raw = bytes.withUnsafeBytes { Array($0) }
        guard raw.count == 64 else { throw .invalidSignatureEncoding }
        try Self.checkRange(raw)
        self.rawRepresentation = raw
    }

    /// - Throws: ``CryptoError/invalidSignatureEncoding`` for non-DER, BER, trailing data or out-of-range values.
    public init(derRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
        var raw = [UInt8](repeating: 0, count: 64)
        let ok = bytes.withUnsafeBytes { d in
            raw.withUnsafeMutableBufferPointer { r in
                sb_ecdsa_sig_from_der(d.baseAddress, d.count, r.baseAddress, r.baseAddress! + 32) == 1
            }
        }
        guard ok else { throw .invalidSignatureEncoding }
        try Self.checkRange(raw)
        self.rawRepresentation = raw
    }

    /// The DER `ECDSA-Sig-Value`.
    public var derRepresentation: [UInt8] {
        var out = [UInt8](repeating: 0, count: 80)
        var length = 0
        let ok = rawRepresentation.withUnsafeBufferPointer { r in
            out.withUnsafeMutableBufferPointer { o in
                sb_ecdsa_sig_to_der(r.baseAddress, r.baseAddress! + 32, o.baseAddress, o.count, &length) == 1
            }
        }
        precondition(ok, "DER encoding of an ECDSA signature failed")
        return Array(out.prefix(length))
    }

    private static func checkRange(_ raw: [UInt8]) throws(CryptoError) {
        for half in [raw[0..<32], raw[32..<64]] {
            let value = SecureBytes(copying: Array(half))
            guard !half.allSatisfy({ $0 == 0 }), P256Scalar.isBelowOrder(value) else {
                throw .invalidSignatureEncoding
            }
        }
    }
}

/// An ECDSA P-256 public key for verifying bidder signatures.
public struct ECDSAP256PublicKey: Sendable, Hashable {
    public let point: P256Point

    public init(point: P256Point) { self.point = point }

    /// From a SEC1 point encoding.
    public init(sec1 bytes: some ContiguousBytes) throws(CryptoError) {
        self.point = try P256Point(sec1: bytes)
    }

    /// From a DER SubjectPublicKeyInfo (named curve prime256v1 only).
    public init(subjectPublicKeyInfo der: some ContiguousBytes) throws(CryptoError) {
        self.point = try P256Point(subjectPublicKeyInfo: der)
    }

    /// Verifies `signature` over SHA-256(`message`).
    /// - Throws: ``CryptoError/invalidSignature``.
    public func verify(_ signature: ECDSAP256Signature, for message: some ContiguousBytes) throws(CryptoError) {
        let spki = point.subjectPublicKeyInfo
        let der = signature.derRepresentation
        let result = spki.withUnsafeBufferPointer { k in
            message.withUnsafeBytes { m in
                der.withUnsafeBufferPointer { s in
                    sb_ecdsa_p256_sha256_verify(k.baseAddress, k.count, m.baseAddress, m.count, s.baseAddress, s.count)
                }
            }
        }
        switch result {
        case 1: return
        case 0: throw .invalidSignature
        default: throw .libraryFailure(operation: "EVP_DigestVerify")
        }
    }
}
