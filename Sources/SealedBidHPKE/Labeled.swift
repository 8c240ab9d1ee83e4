import Foundation
import SealedBidPrimitives

/// LabeledExtract and LabeledExpand (RFC 9180 §4). Labeled inputs that carry
/// secrets are assembled in temporary memory that is wiped before return.
enum Labeled {
    static let version: [UInt8] = Array("HPKE-v1".utf8)

    /// `Extract(salt, "HPKE-v1" || suite_id || label || ikm)`.
    static func extract(salt: SecureBytes?, label: String, ikm: SecureBytes, suiteID: [UInt8]) -> SecureBytes {
        let labelBytes = Array(label.utf8)
        let total = version.count + suiteID.count + labelBytes.count + ikm.count
        return withUnsafeTemporaryAllocation(byteCount: total, alignment: 1) { labeled in
            defer { ConstantTime.wipe(labeled) }
            var offset = 0
            func append(_ bytes: UnsafeRawBufferPointer) {
                UnsafeMutableRawBufferPointer(rebasing: labeled[offset..<(offset + bytes.count)]).copyMemory(from: bytes)
                offset += bytes.count
            }
            version.withUnsafeBytes(append)
            suiteID.withUnsafeBytes(append)
            labelBytes.withUnsafeBytes(append)
            ikm.withUnsafeBytes(append)
            let saltBytes = salt ?? SecureBytes(count: 0) { _ in }
            return saltBytes.withUnsafeBytes { s in HKDFSHA256.extract(salt: s, ikm: UnsafeRawBufferPointer(labeled)) }
        }
    }

    static func extract(salt: [UInt8], label: String, ikm: SecureBytes, suiteID: [UInt8]) -> SecureBytes {
        extract(salt: salt.isEmpty ? nil : SecureBytes(copying: salt), label: label, ikm: ikm, suiteID: suiteID)
    }

    /// `Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L)`.
    static func expand(
        prk: SecureBytes, label: String, info: some ContiguousBytes, length: Int, suiteID: [UInt8]
    ) throws(CryptoError) -> SecureBytes {
        guard length > 0 else { throw .invalidParameter("output length must be positive") }
        guard length <= HKDFSHA256.maximumOutputByteCount, length <= Int(UInt16.max) else {
            throw .outputTooLong(requested: length, maximum: HKDFSHA256.maximumOutputByteCount)
        }
        var labeledInfo: [UInt8] = HPKE.i2osp(UInt16(length)) + version + suiteID + Array(label.utf8)
        labeledInfo += info.withUnsafeBytes { Array($0) }
        return try prk.withUnsafeBytes { (p) throws(CryptoError) in
            try HKDFSHA256.expand(prk: p, info: labeledInfo, length: length)
        }
    }
}

extension HKDFSHA256 {
    /// Extract where both inputs are raw buffers, into secure memory.
    static func extract(salt: UnsafeRawBufferPointer, ikm: UnsafeRawBufferPointer) -> SecureBytes {
        SecureBytes(count: 32) { (prk: UnsafeMutableRawBufferPointer) in
            HKDFSHA256.extract(salt: salt, ikm: ikm, into: prk)
        }
    }
}
