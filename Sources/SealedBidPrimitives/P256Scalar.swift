internal import COpenSSL
import Foundation

/// An integer modulo the P-256 group order n, held in secure memory.
///
/// Encoded as 32 big-endian bytes; decoding rejects values >= n
/// (`docs/spec/primitives-v1.md`, "Encodings"). Arithmetic goes through
/// OpenSSL `BIGNUM`s flagged constant-time; inversion is Fermat's
/// `a^(n-2)` with `BN_mod_exp_mont_consttime`.
public struct P256Scalar: Sendable, Equatable, CustomStringConvertible {
    public static let byteCount = 32

    /// The big-endian encoding, in guarded memory.
    public let secureRepresentation: SecureBytes

    private init(unchecked bytes: SecureBytes) {
        self.secureRepresentation = bytes
    }

    /// Decodes a canonical 32-byte big-endian scalar (zero allowed).
    /// - Throws: ``CryptoError/invalidLength(what:expected:actual:)``, ``CryptoError/nonCanonicalScalar``.
    public init(bytes: some ContiguousBytes) throws(CryptoError) {
        let count = bytes.withUnsafeBytes { $0.count }
        guard count == Self.byteCount else { throw .length("P-256 scalar", expected: 32, actual: count) }
        let candidate = SecureBytes(copying: bytes)
        guard Self.isBelowOrder(candidate) else { throw .nonCanonicalScalar }
        self.init(unchecked: candidate)
    }

    /// A small constant, for identifiers and Lagrange arithmetic.
    public init(_ value: UInt64) {
        let bytes = SecureBytes(count: 32) { (out: UnsafeMutableRawBufferPointer) in
            for i in 0..<8 { out[31 - i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        self.init(unchecked: bytes)
    }

    /// A uniformly random non-zero scalar (rejection sampling from the CSPRNG).
    public static func random() -> P256Scalar {
        while true {
            let candidate = SecureBytes.random(count: 32)
            if isBelowOrder(candidate), !candidate.withUnsafeBytes({ $0.allSatisfy { $0 == 0 } }) {
                return P256Scalar(unchecked: candidate)
            }
        }
    }

    /// Reduces a big-endian integer of any length modulo n (used by
    /// hash_to_field with its 48-byte outputs).
    public static func reducing(bigEndian bytes: UnsafeRawBufferPointer) throws(CryptoError) -> P256Scalar {
        let group = try P256Group.get()
        let scratch = try ECScratch()
        let wide = try scratch.number(bytes)
        let reduced = try scratch.number()
        guard BN_nnmod(reduced, wide, group.order, scratch.context) == 1 else {
            throw .libraryFailure(operation: "BN_nnmod")
        }
        return try P256Scalar(unchecked: SecureBytes(count: 32) { (out: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            try scratch.write(reduced, into: out)
        })
    }

    public static let zero = P256Scalar(0)
    public static let one = P256Scalar(1)

    /// `true` when the scalar is zero (constant time in the value).
    public var isZero: Bool {
        secureRepresentation.withUnsafeBytes { bytes in
            var acc: UInt8 = 0
            for b in bytes { acc |= b }
            return acc == 0
        }
    }

    /// A plain copy of the encoding. The caller must wipe it if the scalar is secret.
    public var rawRepresentation: [UInt8] { secureRepresentation.unsafeCopy() }

    public var description: String { "P256Scalar(<redacted>)" }

    public static func == (lhs: P256Scalar, rhs: P256Scalar) -> Bool {
        lhs.secureRepresentation == rhs.secureRepresentation
    }

    // MARK: Arithmetic

    public static func + (lhs: P256Scalar, rhs: P256Scalar) -> P256Scalar {
        binary(lhs, rhs) { r, a, b, group, ctx in BN_mod_add_quick(r, a, b, group.order) == 1 }
    }

    public static func - (lhs: P256Scalar, rhs: P256Scalar) -> P256Scalar {
        binary(lhs, rhs) { r, a, b, group, ctx in BN_mod_sub_quick(r, a, b, group.order) == 1 }
    }

    public static func * (lhs: P256Scalar, rhs: P256Scalar) -> P256Scalar {
        binary(lhs, rhs) { r, a, b, group, ctx in BN_mod_mul(r, a, b, group.order, ctx) == 1 }
    }

    public static prefix func - (value: P256Scalar) -> P256Scalar {
        .zero - value
    }

    /// The multiplicative inverse.
    /// - Throws: ``CryptoError/zeroScalar`` for zero.
    public func inverse() throws(CryptoError) -> P256Scalar {
        guard !isZero else { throw .zeroScalar }
        return Self.binary(self, self) { r, a, _, group, ctx in
            BN_mod_exp_mont_consttime(r, a, group.orderMinusTwo, group.order, ctx, nil) == 1
        }
    }

    // MARK: Internals

    /// Runs a modular operation on two reduced operands. The group and the
    /// operands are valid by construction, so an OpenSSL failure here can
    /// only be memory exhaustion, which we treat like Swift's allocator does.
    private static func binary(
        _ lhs: P256Scalar, _ rhs: P256Scalar,
        _ op: (OpaquePointer, OpaquePointer, OpaquePointer, P256Group, OpaquePointer) -> Bool
    ) -> P256Scalar {
        do {
            let group = try P256Group.get()
            let scratch = try ECScratch()
            let a = try lhs.secureRepresentation.withUnsafeBytes { (b) throws(CryptoError) in try scratch.number(b) }
            let b = try rhs.secureRepresentation.withUnsafeBytes { (b) throws(CryptoError) in try scratch.number(b) }
            let r = try scratch.number()
            guard op(r, a, b, group, scratch.context) else { throw CryptoError.libraryFailure(operation: "BN mod op") }
            let out = try SecureBytes(count: 32) { (out: UnsafeMutableRawBufferPointer) throws(CryptoError) in
                try scratch.write(r, into: out)
            }
            return P256Scalar(unchecked: out)
        } catch {
            fatalError("P-256 scalar arithmetic failed inside OpenSSL: \(error)")
        }
    }

    /// Loads this scalar into a constant-time BIGNUM owned by `scratch`.
    func bignum(in scratch: ECScratch) throws(CryptoError) -> OpaquePointer {
        try secureRepresentation.withUnsafeBytes { (b) throws(CryptoError) in try scratch.number(b) }
    }

    private static let orderBytes: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ]

    /// Big-endian `bytes < n`, without branching on the secret bytes:
    /// a borrow-propagating subtraction of n from the candidate.
    static func isBelowOrder(_ candidate: SecureBytes) -> Bool {
        candidate.withUnsafeBytes { bytes in
            var borrow: Int = 0
            for i in stride(from: 31, through: 0, by: -1) {
                let difference = Int(bytes[i]) - Int(orderBytes[i]) - borrow
                borrow = (difference >> 8) & 1
            }
            return borrow == 1
        }
    }
}
