internal import COpenSSL
internal import SealedBidShims
import Foundation

/// SHA-256 (FIPS 180-4) through OpenSSL's EVP interface.
public enum SHA256 {
    /// Digest length in bytes.
    public static let byteCount = 32

    /// The digest of `data`.
    public static func hash(_ data: some ContiguousBytes) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update(data)
        return hasher.finalize()
    }
}

/// Incremental SHA-256. One hasher digests one message; ``finalize()`` ends it.
public struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer

    public init() {
        guard let md = sb_sha256(), let context = EVP_MD_CTX_new(),
            EVP_DigestInit_ex2(context, md, nil) == 1
        else {
            fatalError("OpenSSL could not provide SHA-256")
        }
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Absorbs `data`.
    public mutating func update(_ data: some ContiguousBytes) {
        data.withUnsafeBytes { update($0) }
    }

    /// Absorbs the bytes in `buffer`.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard buffer.count > 0 else { return }
        // EVP_DigestUpdate only fails on a misconfigured context, which init rules out; if it
        // ever did, the digest would be wrong, so fail closed rather than return it.
        guard EVP_DigestUpdate(context, buffer.baseAddress, buffer.count) == 1 else { Self.fail("EVP_DigestUpdate") }
    }

    /// The digest so far; the hasher starts over empty (no allocation).
    public mutating func finalizeAndReset() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: SHA256.byteCount)
        var length: UInt32 = 0
        let ok = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        guard ok == 1, length == 32 else { Self.fail("EVP_DigestFinal_ex") }
        guard EVP_DigestInit_ex2(context, nil, nil) == 1 else { Self.fail("EVP_DigestInit_ex2") }
        return out
    }

    /// The digest; consumes the hasher.
    public consuming func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: SHA256.byteCount)
        var length: UInt32 = 0
        let ok = out.withUnsafeMutableBufferPointer {
            EVP_DigestFinal_ex(context, $0.baseAddress, &length)
        }
        guard ok == 1, length == 32 else { Self.fail("EVP_DigestFinal_ex") }
        return out
    }

    /// SHA-256 is not allowed to fail open: a digest OpenSSL did not finish is never returned.
    /// The context is valid by construction, so this is an internal failure of OpenSSL, which
    /// stops the process like an allocation failure (primitives-v1, "Error model").
    private static func fail(_ operation: String) -> Never {
        ERR_clear_error()
        fatalError("OpenSSL SHA-256 failed in \(operation)")
    }
}

/// HMAC-SHA256 (RFC 2104).
public enum HMACSHA256 {
    /// Tag length in bytes. Truncated tags are never used by SealedBid.
    public static let byteCount = 32

    /// The authentication code of `message` under `key`.
    public static func authenticationCode(
        key: some ContiguousBytes, message: some ContiguousBytes
    ) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                out.withUnsafeMutableBytes { o in
                    mac(key: k, message: m, into: o)
                }
            }
        }
        return out
    }

    /// Writes the 32-byte tag into `output` (which must hold 32 bytes).
    package static func mac(
        key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) {
        precondition(output.count == byteCount)
        guard
            sb_hmac_sha256(key.baseAddress, key.count, message.baseAddress, message.count, output.baseAddress)
                == 1
        else {
            fatalError("OpenSSL HMAC-SHA256 failed")
        }
    }

    /// Checks a full 32-byte `tag` in constant time.
    /// - Throws: ``CryptoError/authenticationFailed`` on any mismatch, including a wrong length.
    public static func verify(
        tag: some ContiguousBytes, key: some ContiguousBytes, message: some ContiguousBytes
    ) throws(CryptoError) {
        var expected = authenticationCode(key: key, message: message)
        defer { ConstantTime.wipe(&expected) }
        guard ConstantTime.equals(expected, tag) else { throw .authenticationFailed }
    }
}

/// HKDF with SHA-256 (RFC 5869) through OpenSSL's EVP_KDF.
public enum HKDFSHA256 {
    /// The longest output `expand` can produce: 255 * HashLen.
    public static let maximumOutputByteCount = 255 * 32

    /// HKDF-Extract(salt, IKM) into a 32-byte pseudorandom key in secure memory.
    public static func extract(salt: some ContiguousBytes, ikm: some ContiguousBytes) -> SecureBytes {
        SecureBytes(count: 32) { (prk: UnsafeMutableRawBufferPointer) in
            salt.withUnsafeBytes { s in
                ikm.withUnsafeBytes { i in
                    extract(salt: s, ikm: i, into: prk)
                }
            }
        }
    }

    /// HKDF-Expand(PRK, info, L) into secure memory.
    /// - Throws: ``CryptoError/outputTooLong(requested:maximum:)`` when `length` > 8160,
    ///   ``CryptoError/invalidParameter(_:)`` when `length` is 0 or the PRK is shorter than 32 bytes.
    public static func expand(
        prk: some ContiguousBytes, info: some ContiguousBytes, length: Int
    ) throws(CryptoError) -> SecureBytes {
        try checkExpand(length: length, prkCount: prk.withUnsafeBytes { $0.count })
        return SecureBytes(count: length) { (okm: UnsafeMutableRawBufferPointer) in
            prk.withUnsafeBytes { p in
                info.withUnsafeBytes { i in
                    expand(prk: p, info: i, into: okm)
                }
            }
        }
    }

    static func checkExpand(length: Int, prkCount: Int) throws(CryptoError) {
        guard length <= maximumOutputByteCount else {
            throw .outputTooLong(requested: length, maximum: maximumOutputByteCount)
        }
        guard length > 0 else { throw .invalidParameter("HKDF output length must be positive") }
        guard prkCount >= 32 else { throw .invalidParameter("an HKDF PRK has at least 32 bytes") }
    }

    /// Extract into a caller-provided 32-byte buffer (no allocation).
    package static func extract(
        salt: UnsafeRawBufferPointer, ikm: UnsafeRawBufferPointer, into prk: UnsafeMutableRawBufferPointer
    ) {
        precondition(prk.count == 32)
        guard sb_hkdf_sha256_extract(salt.baseAddress, salt.count, ikm.baseAddress, ikm.count, prk.baseAddress) == 1
        else { fatalError("OpenSSL HKDF-Extract failed") }
    }

    /// Expand into a caller-provided buffer; the length must already be checked.
    package static func expand(
        prk: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer, into okm: UnsafeMutableRawBufferPointer
    ) {
        precondition(okm.count > 0 && okm.count <= maximumOutputByteCount && prk.count >= 32)
        guard sb_hkdf_sha256_expand(prk.baseAddress, prk.count, info.baseAddress, info.count, okm.baseAddress, okm.count)
            == 1
        else { fatalError("OpenSSL HKDF-Expand failed") }
    }
}
