internal import COpenSSL
internal import SealedBidShims
import Foundation

/// AES-256-GCM (NIST SP 800-38D) with a 12-byte nonce and a 16-byte tag,
/// through OpenSSL EVP.
///
/// One instance holds one key schedule in one `EVP_CIPHER_CTX` and reuses it
/// for every message, so sealing or opening a chunk allocates nothing. An
/// instance is not thread-safe: give each worker its own.
///
/// Opening never releases plaintext that has not authenticated: if the tag
/// does not verify, the output buffer is zeroised before the error is thrown.
public final class AESGCM {
    public static let keyByteCount = 32
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    private let context: OpaquePointer

    /// A cipher for a 32-byte key.
    public convenience init(key: some ContiguousBytes) throws(CryptoError) {
        let count = key.withUnsafeBytes { $0.count }
        guard count == Self.keyByteCount else {
            throw .length("AES-256-GCM key", expected: Self.keyByteCount, actual: count)
        }
        try self.init(anyStandardKey: key)
    }

    /// A cipher for a 32-byte key held in secure memory.
    public convenience init(key: SecureBytes) throws(CryptoError) {
        guard key.count == Self.keyByteCount else {
            throw .length("AES-256-GCM key", expected: Self.keyByteCount, actual: key.count)
        }
        // The key goes from guarded memory straight into OpenSSL (no plain copy).
        try self.init(anyStandardKey: key)
    }

    /// Accepts 16-, 24- and 32-byte keys: only the upstream vector runner
    /// uses this, to exercise the same EVP code path with AES-128/192.
    package init(anyStandardKey key: some ContiguousBytes) throws(CryptoError) {
        let count = key.withUnsafeBytes { $0.count }
        guard let cipher = sb_aes_gcm(count) else {
            throw .invalidLength(what: "AES-GCM key", expected: "16, 24 or 32", actual: count)
        }
        guard let context = EVP_CIPHER_CTX_new() else {
            ERR_clear_error()
            throw .libraryFailure(operation: "EVP_CIPHER_CTX_new")
        }
        let ok = key.withUnsafeBytes { k in
            EVP_CipherInit_ex2(context, cipher, k.bindMemory(to: UInt8.self).baseAddress, nil, 1, nil) == 1
        }
        guard ok else {
            EVP_CIPHER_CTX_free(context)
            ERR_clear_error()
            throw .libraryFailure(operation: "EVP_CipherInit_ex2")
        }
        self.context = context
    }

    deinit {
        // EVP_CIPHER_CTX_free cleanses the key schedule.
        EVP_CIPHER_CTX_free(context)
    }

    /// Encrypts `plaintext` and writes `ciphertext || tag` into `output`,
    /// which must hold exactly `plaintext.count + 16` bytes.
    public func seal(
        nonce: UnsafeRawBufferPointer, plaintext: UnsafeRawBufferPointer,
        authenticating aad: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) {
        try checkNonce(nonce)
        guard output.count == plaintext.count + Self.tagByteCount else {
            throw .length("AES-GCM output", expected: plaintext.count + Self.tagByteCount, actual: output.count)
        }
        guard plaintext.count <= Int(Int32.max) - 16, aad.count <= Int(Int32.max) else {
            throw .invalidParameter("AES-GCM input larger than 2 GiB in one call")
        }
        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var written: Int32 = 0
        guard EVP_CipherInit_ex2(context, nil, nil, nonce.baseAddress?.assumingMemoryBound(to: UInt8.self), 1, nil) == 1,
            aad.count == 0 || EVP_CipherUpdate(context, nil, &written, bytes(aad), Int32(aad.count)) == 1,
            plaintext.count == 0 || EVP_CipherUpdate(context, out, &written, bytes(plaintext), Int32(plaintext.count)) == 1,
            EVP_CipherFinal_ex(context, out + plaintext.count, &written) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(Self.tagByteCount), out + plaintext.count) == 1
        else {
            ConstantTime.wipe(output)
            ERR_clear_error()
            throw .libraryFailure(operation: "AES-GCM encrypt")
        }
    }

    /// Decrypts `ciphertext || tag` into `output`, which must hold exactly
    /// `ciphertextAndTag.count - 16` bytes.
    /// - Throws: ``CryptoError/authenticationFailed`` if the tag does not verify;
    ///   `output` is then all zeros.
    public func open(
        nonce: UnsafeRawBufferPointer, ciphertextAndTag: UnsafeRawBufferPointer,
        authenticating aad: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) {
        try checkNonce(nonce)
        guard ciphertextAndTag.count >= Self.tagByteCount else { throw .authenticationFailed }
        let bodyCount = ciphertextAndTag.count - Self.tagByteCount
        guard output.count == bodyCount else {
            throw .length("AES-GCM output", expected: bodyCount, actual: output.count)
        }
        guard bodyCount <= Int(Int32.max), aad.count <= Int(Int32.max) else {
            throw .invalidParameter("AES-GCM input larger than 2 GiB in one call")
        }
        let input = bytes(ciphertextAndTag)
        var written: Int32 = 0
        let out = output.bytePointer
        // The tag is copied to the stack (no allocation per chunk) because
        // EVP_CTRL_AEAD_SET_TAG takes a mutable pointer.
        let ok = withUnsafeTemporaryAllocation(byteCount: Self.tagByteCount, alignment: 16) { tag in
            tag.copyMemory(from: UnsafeRawBufferPointer(rebasing: ciphertextAndTag[bodyCount...]))
            return EVP_CipherInit_ex2(context, nil, nil, nonce.baseAddress?.assumingMemoryBound(to: UInt8.self), 0, nil) == 1
                && (aad.count == 0 || EVP_CipherUpdate(context, nil, &written, bytes(aad), Int32(aad.count)) == 1)
                && (bodyCount == 0 || EVP_CipherUpdate(context, out, &written, input, Int32(bodyCount)) == 1)
                && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(Self.tagByteCount), tag.baseAddress) == 1
                && EVP_CipherFinal_ex(context, out, &written) == 1
        }
        guard ok else {
            ConstantTime.wipe(output)
            // A forged chunk must not leave entries in this thread's OpenSSL error queue
            // (a portal fed forgeries would otherwise grow it without bound).
            ERR_clear_error()
            throw .authenticationFailed
        }
    }

    private func checkNonce(_ nonce: UnsafeRawBufferPointer) throws(CryptoError) {
        guard nonce.count == Self.nonceByteCount else {
            throw .length("AES-GCM nonce", expected: Self.nonceByteCount, actual: nonce.count)
        }
    }

    private func bytes(_ buffer: UnsafeRawBufferPointer) -> UnsafePointer<UInt8>? {
        buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }
}

extension AESGCM {
    /// Convenience: returns `ciphertext || tag`.
    public func seal(
        nonce: some ContiguousBytes, plaintext: some ContiguousBytes, authenticating aad: some ContiguousBytes
    ) throws(CryptoError) -> [UInt8] {
        let count = plaintext.withUnsafeBytes { $0.count } + Self.tagByteCount
        var out = [UInt8](repeating: 0, count: count)
        try withRawBytes(nonce) { (n: UnsafeRawBufferPointer) throws(CryptoError) in
            try withRawBytes(plaintext) { (p: UnsafeRawBufferPointer) throws(CryptoError) in
                try withRawBytes(aad) { (a: UnsafeRawBufferPointer) throws(CryptoError) in
                    try withMutableRawBytes(&out) { (o: UnsafeMutableRawBufferPointer) throws(CryptoError) in
                        try seal(nonce: n, plaintext: p, authenticating: a, into: o)
                    }
                }
            }
        }
        return out
    }

    /// Convenience: returns the plaintext of `ciphertext || tag`.
    public func open(
        nonce: some ContiguousBytes, ciphertextAndTag: some ContiguousBytes, authenticating aad: some ContiguousBytes
    ) throws(CryptoError) -> [UInt8] {
        let total = ciphertextAndTag.withUnsafeBytes { $0.count }
        guard total >= Self.tagByteCount else { throw .authenticationFailed }
        var out = [UInt8](repeating: 0, count: total - Self.tagByteCount)
        try withRawBytes(nonce) { (n: UnsafeRawBufferPointer) throws(CryptoError) in
            try withRawBytes(ciphertextAndTag) { (c: UnsafeRawBufferPointer) throws(CryptoError) in
                try withRawBytes(aad) { (a: UnsafeRawBufferPointer) throws(CryptoError) in
                    try withMutableRawBytes(&out) { (o: UnsafeMutableRawBufferPointer) throws(CryptoError) in
                        try open(nonce: n, ciphertextAndTag: c, authenticating: a, into: o)
                    }
                }
            }
        }
        return out
    }
}
