internal import COpenSSL
import Foundation

/// An integer modulo the P-256 group order n, held in secure memory.
///
/// Encoded as 32 big-endian bytes; decoding rejects values >= n
/// (`docs/spec/primitives-v1.md`, "Encodings"). Every operation is constant
/// time in the values ("Secret scalar arithmetic"): addition, subtraction
/// and negation are fixed-width masked arithmetic (``ScalarLimbs``);
/// multiplication is OpenSSL's Montgomery multiplication and inversion
/// Fermat's `a^(n-2)` with `BN_mod_exp_mont_consttime`, both on fixed-width
/// operands (``ScalarLimbs/wideRepresentative(_:)``).
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
            // One branch, on the combined verdict: a rejected candidate is discarded, so the
            // branch says nothing about the scalar kept.
            let nonZero = candidate.withUnsafeBytes { bytes in bytes.reduce(UInt8(0)) { $0 | $1 } } != 0
            if isBelowOrder(candidate) && nonZero { return P256Scalar(unchecked: candidate) }
        }
    }

    /// Reduces a big-endian integer of any length modulo n (used by
    /// hash_to_field with its 48-byte outputs). Variable time (`BN_nnmod`):
    /// for hashes of public transcripts, never for secret input.
    public static func reducing(bigEndian bytes: UnsafeRawBufferPointer) throws(CryptoError) -> P256Scalar {
        let group = try P256Group.get()
        let scratch = try ECScratch()
        let wide = try scratch.number(bytes)
        let reduced = try scratch.number()
        guard BN_nnmod(reduced, wide, group.order, scratch.context) == 1 else {
            ERR_clear_error()
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

    // MARK: Arithmetic (constant time: "Secret scalar arithmetic" in primitives-v1)

    public static func + (lhs: P256Scalar, rhs: P256Scalar) -> P256Scalar {
        limbwise(lhs, rhs, ScalarLimbs.addModOrder)
    }

    public static func - (lhs: P256Scalar, rhs: P256Scalar) -> P256Scalar {
        limbwise(lhs, rhs, ScalarLimbs.subtractModOrder)
    }

    public static prefix func - (value: P256Scalar) -> P256Scalar {
        limbwise(value, value) { a, _ in ScalarLimbs.negateModOrder(a) }
    }

    /// OpenSSL's Montgomery multiplication on fixed-width representatives: `a·R mod n`
    /// (`BN_to_montgomery`), then `(a·R)·b·R^-1` (`BN_mod_mul_montgomery`); both operands have
    /// four limbs, so both calls take the constant-time `bn_mul_mont` assembly.
    public static func * (lhs: P256Scalar, rhs: P256Scalar) -> P256Scalar {
        openSSL { group, scratch throws(CryptoError) in
            let (a, negateA) = try lhs.fixedWidthBignum(in: scratch)
            let (b, negateB) = try rhs.fixedWidthBignum(in: scratch)
            let aR = try scratch.number(), r = try scratch.number()
            guard BN_to_montgomery(aR, a, group.montgomery, scratch.context) == 1,
                BN_mod_mul_montgomery(r, aR, b, group.montgomery, scratch.context) == 1
            else { throw .libraryFailure(operation: "BN_mod_mul_montgomery") }
            return (r, negateA ^ negateB)
        }
    }

    /// The multiplicative inverse: Fermat's `a^(n-2)` with `BN_mod_exp_mont_consttime`.
    /// - Throws: ``CryptoError/zeroScalar`` for zero.
    public func inverse() throws(CryptoError) -> P256Scalar {
        guard !isZero else { throw .zeroScalar }
        return Self.openSSL { group, scratch throws(CryptoError) in
            let (a, negate) = try fixedWidthBignum(in: scratch)
            let r = try scratch.number()
            guard BN_mod_exp_mont_consttime(r, a, group.orderMinusTwo, group.order, scratch.context, group.montgomery) == 1
            else { throw .libraryFailure(operation: "BN_mod_exp_mont_consttime") }
            // (-a)^(n-2) = -(a^(n-2)): n - 2 is odd.
            return (r, negate)
        }
    }

    // MARK: Internals

    /// The scalar as limbs (they live in registers and on the stack, which cannot be wiped).
    var limbs: ScalarLimbs {
        secureRepresentation.withUnsafeBytes { ScalarLimbs(bigEndian: $0) }
    }

    private static func limbwise(
        _ lhs: P256Scalar, _ rhs: P256Scalar, _ op: (ScalarLimbs, ScalarLimbs) -> ScalarLimbs
    ) -> P256Scalar {
        let result = op(lhs.limbs, rhs.limbs)
        return P256Scalar(unchecked: SecureBytes(count: 32) { (out: UnsafeMutableRawBufferPointer) in result.store(bigEndian: out) })
    }

    /// Runs an OpenSSL computation that yields a BIGNUM below n and a mask; the result is the
    /// BIGNUM, negated (branch-free) where the mask is all ones. The group and the operands are
    /// valid by construction, so an OpenSSL failure here can only be memory exhaustion, which
    /// we treat like Swift's allocator does.
    private static func openSSL(
        _ body: (P256Group, ECScratch) throws(CryptoError) -> (OpaquePointer, UInt64)
    ) -> P256Scalar {
        do {
            let group = try P256Group.get()
            let scratch = try ECScratch()
            let (r, negate) = try body(group, scratch)
            let out = try SecureBytes(count: 32) { (out: UnsafeMutableRawBufferPointer) throws(CryptoError) in
                try scratch.write(r, into: out)
                ScalarLimbs.conditionallyNegated(ScalarLimbs(bigEndian: UnsafeRawBufferPointer(out)), negate).store(bigEndian: out)
            }
            return P256Scalar(unchecked: out)
        } catch {
            ERR_clear_error()
            fatalError("P-256 scalar arithmetic failed inside OpenSSL: \(error)")
        }
    }

    /// Loads ``ScalarLimbs/wideRepresentative(_:)`` of this scalar into a BIGNUM owned by
    /// `scratch`: `±self` with 32 significant bytes (four limbs) unless the scalar is zero, and
    /// the mask that is all ones when the representative is `-self`. Secret scalars reach
    /// OpenSSL only this way.
    func fixedWidthBignum(in scratch: ECScratch) throws(CryptoError) -> (OpaquePointer, UInt64) {
        let (wide, negated) = ScalarLimbs.wideRepresentative(limbs)
        let bytes = SecureBytes(count: 32) { (out: UnsafeMutableRawBufferPointer) in wide.store(bigEndian: out) }
        let n = try bytes.withUnsafeBytes { (b) throws(CryptoError) in try scratch.number(b) }
        return (n, negated)
    }

    /// Loads this scalar into a BIGNUM owned by `scratch` with `BN_bin2bn`, which skips
    /// leading zero bytes: for public scalars only (verification, multi-scalar multiplication).
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
