internal import COpenSSL
internal import SealedBidShims
import Foundation

/// A point of the P-256 group other than the identity.
///
/// Decoding accepts SEC1 uncompressed (65 bytes) and compressed (33 bytes)
/// encodings and rejects hybrid encodings, the identity, coordinates >= p and
/// points off the curve (`docs/spec/primitives-v1.md`, "Encodings"). P-256
/// has cofactor 1, so every decoded point has prime order. The value keeps
/// the canonical uncompressed encoding.
public struct P256Point: Sendable, Hashable, CustomStringConvertible {
    public static let uncompressedByteCount = 65
    public static let compressedByteCount = 33

    /// SEC1 uncompressed encoding `04 || X || Y`.
    public let uncompressedRepresentation: [UInt8]

    private init(validatedUncompressed bytes: [UInt8]) {
        self.uncompressedRepresentation = bytes
    }

    /// Decodes and validates a SEC1 encoding.
    /// - Throws: ``CryptoError/invalidLength(what:expected:actual:)``,
    ///   ``CryptoError/invalidPointEncoding``, ``CryptoError/pointNotOnCurve``,
    ///   ``CryptoError/pointAtInfinity``.
    public init(sec1 bytes: some ContiguousBytes) throws(CryptoError) {
        let input = bytes.withUnsafeBytes { Array($0) }
        switch (input.first, input.count) {
        case (0x00?, 1): throw .pointAtInfinity
        case (0x04?, 65), (0x02?, 33), (0x03?, 33): break
        case (0x04?, _), (0x02?, _), (0x03?, _), (0x00?, _):
            throw .invalidLength(what: "P-256 point", expected: "33 or 65", actual: input.count)
        case (nil, _): throw .invalidLength(what: "P-256 point", expected: "33 or 65", actual: 0)
        default: throw .invalidPointEncoding  // 0x06/0x07 hybrid and anything else
        }
        let group = try P256Group.get()
        let scratch = try ECScratch()
        let point = try scratch.point(group)
        let decoded = input.withUnsafeBufferPointer {
            EC_POINT_oct2point(group.group, point, $0.baseAddress, $0.count, scratch.context) == 1
        }
        guard decoded else {
            ERR_clear_error()
            throw input.first == 0x04 ? Self.classifyUncompressedFailure(input) : .invalidPointEncoding
        }
        guard EC_POINT_is_at_infinity(group.group, point) == 0 else { throw .pointAtInfinity }
        guard EC_POINT_is_on_curve(group.group, point, scratch.context) == 1 else { throw .pointNotOnCurve }
        self.init(validatedUncompressed: try Self.encode(point, group: group, scratch: scratch, compressed: false))
    }

    /// Coordinates >= p are an encoding error; in-range ones that fail are off the curve.
    private static func classifyUncompressedFailure(_ input: [UInt8]) -> CryptoError {
        let p: [UInt8] = [
            0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ]
        let x = Array(input[1..<33]), y = Array(input[33..<65])
        if !x.lexicographicallyPrecedes(p) || !y.lexicographicallyPrecedes(p) { return .invalidPointEncoding }
        return .pointNotOnCurve
    }

    /// SEC1 compressed encoding `02/03 || X`.
    public var compressedRepresentation: [UInt8] {
        [0x02 | (uncompressedRepresentation[64] & 1)] + uncompressedRepresentation[1..<33]
    }

    /// The 32-byte big-endian X coordinate.
    public var xCoordinate: [UInt8] { Array(uncompressedRepresentation[1..<33]) }

    public var description: String {
        "P256Point(\(compressedRepresentation.map { String(format: "%02x", $0) }.joined()))"
    }

    /// The generator G.
    public static let generator: P256Point = {
        do {
            let group = try P256Group.get()
            let scratch = try ECScratch()
            return P256Point(
                validatedUncompressed: try encode(group.generator, group: group, scratch: scratch, compressed: false))
        } catch {
            fatalError("OpenSSL cannot provide the P-256 generator: \(error)")
        }
    }()

    // MARK: Arithmetic

    /// `scalar * G`. Constant time in the scalar.
    /// - Throws: ``CryptoError/pointAtInfinity`` when the scalar is zero.
    public static func generatorMultiple(_ scalar: P256Scalar) throws(CryptoError) -> P256Point {
        try computeSecret { group, scratch, result throws(CryptoError) in
            let (k, negate) = try scalar.fixedWidthBignum(in: scratch)
            guard EC_POINT_mul(group.group, result, k, nil, nil, scratch.context) == 1 else {
                throw .libraryFailure(operation: "EC_POINT_mul")
            }
            return negate
        }
    }

    /// `scalar * self`. Constant time in the scalar.
    /// - Throws: ``CryptoError/pointAtInfinity`` when the scalar is zero.
    public func multiplied(by scalar: P256Scalar) throws(CryptoError) -> P256Point {
        try Self.computeSecret { group, scratch, result throws(CryptoError) in
            let (k, negate) = try scalar.fixedWidthBignum(in: scratch)
            let p = try load(group: group, scratch: scratch)
            guard EC_POINT_mul(group.group, result, nil, p, k, scratch.context) == 1 else {
                throw .libraryFailure(operation: "EC_POINT_mul")
            }
            return negate
        }
    }

    /// `self + other`.
    /// - Throws: ``CryptoError/pointAtInfinity`` when the sum is the identity.
    public func adding(_ other: P256Point) throws(CryptoError) -> P256Point {
        try Self.compute { group, scratch, result throws(CryptoError) in
            let a = try load(group: group, scratch: scratch)
            let b = try other.load(group: group, scratch: scratch)
            guard EC_POINT_add(group.group, result, a, b, scratch.context) == 1 else {
                throw .libraryFailure(operation: "EC_POINT_add")
            }
        }
    }

    /// `-self`.
    public func negated() -> P256Point {
        var bytes = uncompressedRepresentation
        // -(x, y) = (x, p - y); computed by OpenSSL to avoid hand-written field arithmetic.
        do {
            bytes = try Self.compute { group, scratch, result throws(CryptoError) in
                let a = try load(group: group, scratch: scratch)
                guard EC_POINT_copy(result, a) == 1, EC_POINT_invert(group.group, result, scratch.context) == 1 else {
                    throw .libraryFailure(operation: "EC_POINT_invert")
                }
            }.uncompressedRepresentation
        } catch {
            fatalError("EC_POINT_invert failed on a valid point: \(error)")
        }
        return P256Point(validatedUncompressed: bytes)
    }

    /// `generatorScalar * G + scalar * point` in one OpenSSL call, which takes
    /// its fast P-256 path (precomputed table for G); for checking Schnorr-type
    /// proofs over public values (the scalars are loaded as they are, not in
    /// fixed width: never pass a secret).
    /// - Throws: ``CryptoError/pointAtInfinity`` when the result is the identity.
    public static func linearCombination(generatorScalar: P256Scalar, point: P256Point, scalar: P256Scalar) throws(CryptoError)
        -> P256Point
    {
        try compute { group, scratch, result throws(CryptoError) in
            let g = try generatorScalar.bignum(in: scratch)
            let k = try scalar.bignum(in: scratch)
            let p = try point.load(group: group, scratch: scratch)
            guard EC_POINT_mul(group.group, result, g, p, k, scratch.context) == 1 else {
                throw .libraryFailure(operation: "EC_POINT_mul")
            }
        }
    }

    /// `sum(scalars[i] * points[i])`, variable time: for public values only
    /// (batch verification, commitment evaluation).
    /// - Throws: ``CryptoError/pointAtInfinity`` when the sum is the identity,
    ///   ``CryptoError/invalidParameter(_:)`` when the lists differ in length or are empty.
    public static func multiScalarMultiply(_ scalars: [P256Scalar], _ points: [P256Point]) throws(CryptoError)
        -> P256Point
    {
        guard scalars.count == points.count, !scalars.isEmpty else {
            throw .invalidParameter("multi-scalar multiplication needs equally many scalars and points")
        }
        return try compute { group, scratch, result throws(CryptoError) in
            try multiScalarMultiply(scalars, points, into: result, group: group, scratch: scratch)
        }
    }

    private static func multiScalarMultiply(
        _ scalars: [P256Scalar], _ points: [P256Point], into result: OpaquePointer, group: P256Group, scratch: ECScratch
    ) throws(CryptoError) {
        var ks: [OpaquePointer?] = []
        var ps: [OpaquePointer?] = []
        for (k, p) in zip(scalars, points) {
            ks.append(try k.bignum(in: scratch))
            ps.append(try p.load(group: group, scratch: scratch))
        }
        let ok = ps.withUnsafeBufferPointer { pp in
            ks.withUnsafeBufferPointer { kk in
                sb_ec_points_mul(group.group, result, kk.count, pp.baseAddress, kk.baseAddress, scratch.context)
            }
        }
        guard ok == 1 else {
            ERR_clear_error()
            throw .libraryFailure(operation: "EC_POINTs_mul")
        }
    }

    /// ECDH: the 32-byte big-endian X coordinate of `privateScalar * self`,
    /// in secure memory.
    /// - Throws: ``CryptoError/zeroScalar`` for a zero scalar.
    public func sharedSecret(privateScalar: P256Scalar) throws(CryptoError) -> SecureBytes {
        guard !privateScalar.isZero else { throw .zeroScalar }
        let group = try P256Group.get()
        let scratch = try ECScratch()
        // The fixed-width representative may be -k: x(-kP) = x(kP), so no correction is needed.
        let (k, _) = try privateScalar.fixedWidthBignum(in: scratch)
        let p = try load(group: group, scratch: scratch)
        let r = try scratch.point(group)
        guard EC_POINT_mul(group.group, r, nil, p, k, scratch.context) == 1 else {
            ERR_clear_error()
            throw .libraryFailure(operation: "EC_POINT_mul")
        }
        return try Self.secretX(r, group: group, scratch: scratch)
    }

    /// `x(sum(scalars[i] * points[i]))` straight into guarded memory: the point itself never
    /// leaves OpenSSL (whose copy is cleared), so no encoding of it stays in the heap. For a
    /// secret result of public inputs, such as the combined DH value `skR * E` of threshold
    /// decryption (variable time: the inputs are public).
    /// - Throws: ``CryptoError/pointAtInfinity`` when the sum is the identity,
    ///   ``CryptoError/invalidParameter(_:)`` when the lists differ in length or are empty.
    public static func multiScalarMultiplySecretX(_ scalars: [P256Scalar], _ points: [P256Point]) throws(CryptoError)
        -> SecureBytes
    {
        guard scalars.count == points.count, !scalars.isEmpty else {
            throw .invalidParameter("multi-scalar multiplication needs equally many scalars and points")
        }
        let group = try P256Group.get()
        let scratch = try ECScratch()
        let result = try scratch.point(group)
        try multiScalarMultiply(scalars, points, into: result, group: group, scratch: scratch)
        guard EC_POINT_is_at_infinity(group.group, result) == 0 else { throw .pointAtInfinity }
        return try secretX(result, group: group, scratch: scratch)
    }

    /// The affine x coordinate of `point` as 32 bytes of guarded memory.
    private static func secretX(_ point: OpaquePointer, group: P256Group, scratch: ECScratch) throws(CryptoError) -> SecureBytes {
        let x = try scratch.number()
        guard EC_POINT_get_affine_coordinates(group.group, point, x, nil, scratch.context) == 1 else {
            ERR_clear_error()
            throw .libraryFailure(operation: "EC_POINT_get_affine_coordinates")
        }
        return try SecureBytes(count: 32) { (out: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            try scratch.write(x, into: out)
        }
    }

    // MARK: Internals

    func load(group: P256Group, scratch: ECScratch) throws(CryptoError) -> OpaquePointer {
        let p = try scratch.point(group)
        let ok = uncompressedRepresentation.withUnsafeBufferPointer {
            EC_POINT_oct2point(group.group, p, $0.baseAddress, $0.count, scratch.context) == 1
        }
        guard ok else {
            ERR_clear_error()
            throw .libraryFailure(operation: "EC_POINT_oct2point on a validated point")
        }
        return p
    }

    private static func compute(
        _ body: (P256Group, ECScratch, OpaquePointer) throws(CryptoError) -> Void
    ) throws(CryptoError) -> P256Point {
        let group = try P256Group.get()
        let scratch = try ECScratch()
        let result = try scratch.point(group)
        do { try body(group, scratch, result) } catch {
            ERR_clear_error()  // a failure must not leave OpenSSL's error queue to the next caller
            throw error
        }
        guard EC_POINT_is_at_infinity(group.group, result) == 0 else { throw .pointAtInfinity }
        return P256Point(validatedUncompressed: try encode(result, group: group, scratch: scratch, compressed: false))
    }

    /// As ``compute(_:)`` for a multiple by a secret scalar loaded in fixed width: `body`
    /// returns the mask that is all ones when it multiplied by `-k`; then both the result and
    /// its negation are encoded and one is picked with the mask (no branch on it).
    private static func computeSecret(
        _ body: (P256Group, ECScratch, OpaquePointer) throws(CryptoError) -> UInt64
    ) throws(CryptoError) -> P256Point {
        let group = try P256Group.get()
        let scratch = try ECScratch()
        let result = try scratch.point(group)
        let negate: UInt64
        do { negate = try body(group, scratch, result) } catch {
            ERR_clear_error()
            throw error
        }
        guard EC_POINT_is_at_infinity(group.group, result) == 0 else { throw .pointAtInfinity }
        let opposite = try scratch.point(group)
        guard EC_POINT_copy(opposite, result) == 1, EC_POINT_invert(group.group, opposite, scratch.context) == 1 else {
            ERR_clear_error()
            throw .libraryFailure(operation: "EC_POINT_invert")
        }
        let plain = try encode(result, group: group, scratch: scratch, compressed: false)
        let negated = try encode(opposite, group: group, scratch: scratch, compressed: false)
        let mask = UInt8(truncatingIfNeeded: negate)
        var chosen = [UInt8](repeating: 0, count: 65)
        for i in 0..<65 { chosen[i] = (negated[i] & mask) | (plain[i] & ~mask) }
        return P256Point(validatedUncompressed: chosen)
    }

    private static func encode(
        _ point: OpaquePointer, group: P256Group, scratch: ECScratch, compressed: Bool
    ) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 65)
        let form = compressed ? POINT_CONVERSION_COMPRESSED : POINT_CONVERSION_UNCOMPRESSED
        let written = out.withUnsafeMutableBufferPointer {
            EC_POINT_point2oct(group.group, point, form, $0.baseAddress, 65, scratch.context)
        }
        guard written == 65 else {
            ERR_clear_error()
            throw .libraryFailure(operation: "EC_POINT_point2oct")
        }
        return out
    }
}

extension P256Point {
    /// Decodes a DER SubjectPublicKeyInfo carrying an id-ecPublicKey on the
    /// named curve prime256v1. Explicit curve parameters, other curves and
    /// trailing bytes are rejected.
    public init(subjectPublicKeyInfo der: some ContiguousBytes) throws(CryptoError) {
        var point = [UInt8](repeating: 0, count: 65)
        var length = 0
        let status = der.withUnsafeBytes { d in
            point.withUnsafeMutableBytes { p in
                sb_spki_p256_point(d.baseAddress, d.count, p.baseAddress, p.count, &length)
            }
        }
        ERR_clear_error()
        switch status {
        case Int32(SB_SPKI_OK): try self.init(sec1: point[0..<length])
        case Int32(SB_SPKI_TRAILING_DATA): throw .invalidDER(what: "trailing data after SubjectPublicKeyInfo")
        case Int32(SB_SPKI_NOT_DER): throw .invalidDER(what: "SubjectPublicKeyInfo is not in canonical DER")
        case Int32(SB_SPKI_NOT_EC): throw .unsupportedKey(reason: "not an elliptic-curve key")
        case Int32(SB_SPKI_WRONG_CURVE): throw .unsupportedKey(reason: "curve is not P-256")
        case Int32(SB_SPKI_EXPLICIT_PARAMETERS):
            throw .unsupportedKey(reason: "explicit curve parameters are not accepted")
        case Int32(SB_SPKI_BAD_DER): throw .invalidDER(what: "malformed SubjectPublicKeyInfo")
        default: throw .libraryFailure(operation: "SubjectPublicKeyInfo decoding")
        }
    }

    /// The DER SubjectPublicKeyInfo (id-ecPublicKey, prime256v1, uncompressed point).
    public var subjectPublicKeyInfo: [UInt8] {
        Self.spkiPrefix + uncompressedRepresentation
    }

    /// SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (66 bytes) }.
    static let spkiPrefix: [UInt8] = [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
        0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ]
}
