import Foundation

extension P256Scalar {
    /// hash_to_field(msg, 1) for the P-256 scalar field (RFC 9380 §5.2) with
    /// expand_message_xmd(SHA-256) and L = 48, as used by the P-256
    /// ciphersuites of RFC 9497 and RFC 9591.
    /// - Throws: ``CryptoError/invalidParameter(_:)`` for a DST of 0 or more than 255 bytes.
    public static func hash(_ message: some ContiguousBytes, domain dst: some ContiguousBytes) throws(CryptoError)
        -> P256Scalar
    {
        var uniform = try expandMessageXMD(message: message, dst: dst, length: 48)
        defer { ConstantTime.wipe(&uniform) }
        return try withRawBytes(uniform) { (u) throws(CryptoError) in try reducing(bigEndian: u) }
    }

    /// expand_message_xmd with SHA-256 (RFC 9380 §5.3.1).
    package static func expandMessageXMD(
        message: some ContiguousBytes, dst: some ContiguousBytes, length: Int
    ) throws(CryptoError) -> [UInt8] {
        let dstBytes = dst.withUnsafeBytes { Array($0) }
        guard !dstBytes.isEmpty, dstBytes.count <= 255 else {
            throw .invalidParameter("hash_to_field DST must be 1 to 255 bytes")
        }
        let blocks = (length + 31) / 32
        guard length > 0, length <= 65535, blocks <= 255 else {
            throw .invalidParameter("expand_message_xmd length out of range")
        }
        let dstPrime = dstBytes + [UInt8(dstBytes.count)]
        var hasher = SHA256Hasher()
        hasher.update([UInt8](repeating: 0, count: 64))  // Z_pad: the SHA-256 block size
        hasher.update(message)
        hasher.update([UInt8(length >> 8), UInt8(length & 0xFF), 0])
        hasher.update(dstPrime)
        let b0 = hasher.finalize()

        var output: [UInt8] = []
        output.reserveCapacity(blocks * 32)
        var previous = [UInt8](repeating: 0, count: 32)
        for i in 1...blocks {
            var h = SHA256Hasher()
            h.update(zip(b0, previous).map { $0 ^ $1 })  // for i = 1 this is b0 itself
            h.update([UInt8(i)])
            h.update(dstPrime)
            previous = h.finalize()
            output += previous
        }
        return Array(output.prefix(length))
    }
}
