import Foundation
import Testing

@testable import SealedBidPrimitives

/// The constant-time scalar layer (primitives-v1, "Secret scalar arithmetic") against an independent
/// reference: schoolbook byte arithmetic here, reduced by OpenSSL's `BN_nnmod` (``P256Scalar/reducing(bigEndian:)``).
@Suite("Secret scalar arithmetic: fixed-width layer against a reference")
struct ScalarArithmeticTests {
    static let order: [UInt8] = try! Hex.decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")

    /// Big-endian sum of two byte strings (any lengths), one byte longer than the longer.
    static func add(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        let width = max(a.count, b.count) + 1
        let x = [UInt8](repeating: 0, count: width - a.count) + a, y = [UInt8](repeating: 0, count: width - b.count) + b
        var out = [UInt8](repeating: 0, count: width)
        var carry = 0
        for i in stride(from: width - 1, through: 0, by: -1) {
            let s = Int(x[i]) + Int(y[i]) + carry
            out[i] = UInt8(s & 0xFF)
            carry = s >> 8
        }
        return out
    }

    /// Big-endian `a - b` for `a >= b`.
    static func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        let y = [UInt8](repeating: 0, count: a.count - b.count) + b
        var out = [UInt8](repeating: 0, count: a.count)
        var borrow = 0
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            var d = Int(a[i]) - Int(y[i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            out[i] = UInt8(d)
        }
        #expect(borrow == 0)
        return out
    }

    /// Big-endian schoolbook product.
    static func multiply(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var acc = [Int](repeating: 0, count: a.count + b.count)
        for i in 0..<a.count {
            for j in 0..<b.count { acc[i + j + 1] += Int(a[i]) * Int(b[j]) }
        }
        for k in stride(from: acc.count - 1, to: 0, by: -1) {
            acc[k - 1] += acc[k] >> 8
            acc[k] &= 0xFF
        }
        return acc.map { UInt8($0) }
    }

    static func reduce(_ bytes: [UInt8]) throws -> P256Scalar {
        try bytes.withUnsafeBytes { try P256Scalar.reducing(bigEndian: $0) }
    }

    /// Scalars from every region the masks distinguish: zero, small, top byte zero, near n, random.
    static func samples() throws -> [P256Scalar] {
        var nMinus = [P256Scalar]()
        for k in [1, 2, 255] {
            nMinus.append(try P256Scalar(bytes: subtract(order, [UInt8(k)])))
        }
        var shortTop = SecureRandom.bytes(count: 32)
        shortTop[0] = 0
        var shortLimb = SecureRandom.bytes(count: 32)
        for i in 0..<8 { shortLimb[i] = 0 }
        return [.zero, .one, P256Scalar(2), P256Scalar(UInt64.max), try P256Scalar(bytes: shortTop), try P256Scalar(bytes: shortLimb)]
            + nMinus + (0..<12).map { _ in P256Scalar.random() }
    }

    @Test func knownAnswers() throws {
        let nMinus1 = try P256Scalar(bytes: Self.subtract(Self.order, [1]))
        let nMinus2 = try P256Scalar(bytes: Self.subtract(Self.order, [2]))
        #expect(P256Scalar.zero - .one == nMinus1)
        #expect(nMinus1 + .one == .zero)
        #expect(nMinus1 + nMinus1 == nMinus2)
        #expect(-P256Scalar.zero == .zero)
        #expect(-P256Scalar.one == nMinus1)
        #expect(P256Scalar.one - nMinus1 == P256Scalar(2))
        #expect(nMinus1 * nMinus1 == .one)
        #expect(try nMinus1.inverse() == nMinus1)
        #expect(try P256Scalar(2).inverse() * P256Scalar(2) == .one)
    }

    @Test func addSubtractNegateMatchTheReference() throws {
        let samples = try Self.samples()
        for a in samples {
            let ra = a.rawRepresentation
            #expect(-a == (try Self.reduce(Self.subtract(Self.order, ra))))
            for b in samples {
                let rb = b.rawRepresentation
                #expect(a + b == (try Self.reduce(Self.add(ra, rb))))
                // a - b = (a + n) - b, which is never negative.
                #expect(a - b == (try Self.reduce(Self.subtract(Self.add(ra, Self.order), rb))))
            }
        }
    }

    @Test func multiplyAndInvertMatchTheReference() throws {
        let samples = try Self.samples()
        for a in samples {
            for b in samples {
                #expect(a * b == (try Self.reduce(Self.multiply(a.rawRepresentation, b.rawRepresentation))))
            }
            if !a.isZero { #expect(a * (try a.inverse()) == .one) }
        }
    }

    @Test func wideRepresentativesHaveATopByte() throws {
        for a in try Self.samples() where !a.isZero {
            let (wide, mask) = ScalarLimbs.wideRepresentative(a.limbs)
            #expect(wide.w3 >> 56 != 0)
            let back = ScalarLimbs.conditionallyNegated(wide, mask)
            #expect((back.w0, back.w1, back.w2, back.w3) == (a.limbs.w0, a.limbs.w1, a.limbs.w2, a.limbs.w3))
        }
    }

    @Test func wordBorrowsAndCarries() {
        let edges: [UInt64] = [0, 1, 2, 1 << 63, (1 << 63) - 1, .max, .max - 1] + (0..<20).map { _ in .random(in: 0 ... .max) }
        for a in edges {
            for b in edges {
                for c: UInt64 in [0, 1] {
                    let (d1, o1) = a.subtractingReportingOverflow(b)
                    let (d2, o2) = d1.subtractingReportingOverflow(c)
                    #expect(ScalarLimbs.subtractWord(a, b, c) == (d2, (o1 || o2) ? 1 : 0))
                    let (s1, p1) = a.addingReportingOverflow(b)
                    let (s2, p2) = s1.addingReportingOverflow(c)
                    #expect(ScalarLimbs.addWord(a, b, c) == (s2, (p1 || p2) ? 1 : 0))
                }
            }
        }
    }

    @Test("secret multiples take the fixed-width path and agree with the public one")
    func pointMultiplesAgree() throws {
        let p = try P256Point.generatorMultiple(.random())
        for k in try Self.samples() where !k.isZero {
            let reference = try P256Point.multiScalarMultiply([k], [.generator])
            #expect(try P256Point.generatorMultiple(k) == reference)
            let kp = try P256Point.multiScalarMultiply([k], [p])
            #expect(try p.multiplied(by: k) == kp)
            #expect(try p.sharedSecret(privateScalar: k) == SecureBytes(copying: kp.xCoordinate))
            #expect(try P256Point.multiScalarMultiplySecretX([k], [p]) == SecureBytes(copying: kp.xCoordinate))
        }
    }
}
