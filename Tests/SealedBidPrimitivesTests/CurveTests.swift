import Foundation
import Testing

@testable import SealedBidPrimitives

@Suite("P-256 scalars and points")
struct CurveTests {
    static let orderHex = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"
    static let fieldHex = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"

    @Test func scalarDecoding() throws {
        #expect(throws: CryptoError.nonCanonicalScalar) { try P256Scalar(bytes: Hex.decode(Self.orderHex)) }
        #expect(throws: CryptoError.nonCanonicalScalar) { try P256Scalar(bytes: [UInt8](repeating: 0xFF, count: 32)) }
        #expect(throws: CryptoError.self) { try P256Scalar(bytes: [UInt8](repeating: 1, count: 31)) }
        var nMinus1 = try Hex.decode(Self.orderHex)
        nMinus1[31] -= 1
        let big = try P256Scalar(bytes: nMinus1)
        #expect((big + .one).isZero)
        #expect(P256Scalar.zero.isZero)
        #expect(try P256Scalar(bytes: [UInt8](repeating: 0, count: 32)).isZero)
    }

    @Test func scalarArithmetic() throws {
        let a = P256Scalar.random(), b = P256Scalar.random()
        #expect(a + b - b == a)
        #expect(a * b == b * a)
        #expect(a * (try a.inverse()) == .one)
        #expect(a + (-a) == .zero)
        #expect(P256Scalar(6) == P256Scalar(2) * P256Scalar(3))
        #expect(throws: CryptoError.zeroScalar) { try P256Scalar.zero.inverse() }
    }

    @Test func pointDecodingRejectsHostileInput() throws {
        let g = P256Point.generator
        #expect(try P256Point(sec1: g.uncompressedRepresentation) == g)
        #expect(try P256Point(sec1: g.compressedRepresentation) == g)
        // Identity, empty, wrong lengths, hybrid encodings.
        #expect(throws: CryptoError.pointAtInfinity) { try P256Point(sec1: [0x00] as [UInt8]) }
        #expect(throws: CryptoError.self) { try P256Point(sec1: [UInt8]()) }
        #expect(throws: CryptoError.self) { try P256Point(sec1: g.uncompressedRepresentation.dropLast()) }
        var hybrid = g.uncompressedRepresentation
        hybrid[0] = 0x06 | (hybrid[64] & 1)
        #expect(throws: CryptoError.invalidPointEncoding) { try P256Point(sec1: hybrid) }
        // Off the curve: change Y.
        var offCurve = g.uncompressedRepresentation
        offCurve[64] ^= 1
        #expect(throws: CryptoError.pointNotOnCurve) { try P256Point(sec1: offCurve) }
        // X >= p.
        let tooBig = [0x04] + (try Hex.decode(Self.fieldHex)) + g.uncompressedRepresentation[33...]
        #expect(throws: CryptoError.invalidPointEncoding) { try P256Point(sec1: tooBig) }
        // A compressed X for which no Y exists.
        let noRoot = [0x02] + [UInt8](repeating: 0, count: 31) + [1]  // x^3 - 3x + b is a non-residue for x = 1
        #expect(throws: CryptoError.self) { try P256Point(sec1: noRoot) }
    }

    @Test func groupLaw() throws {
        let a = P256Scalar.random(), b = P256Scalar.random()
        let aG = try P256Point.generatorMultiple(a), bG = try P256Point.generatorMultiple(b)
        #expect(try aG.adding(bG) == P256Point.generatorMultiple(a + b))
        #expect(try P256Point.generator.multiplied(by: a) == aG)
        #expect(try P256Point.multiScalarMultiply([a, b], [P256Point.generator, P256Point.generator]) == P256Point.generatorMultiple(a + b))
        #expect(throws: CryptoError.pointAtInfinity) { try aG.adding(aG.negated()) }
        #expect(throws: CryptoError.pointAtInfinity) { try P256Point.generatorMultiple(.zero) }
        #expect(throws: CryptoError.self) { try P256Point.multiScalarMultiply([], []) }
        // ECDH agrees both ways and is the X coordinate.
        #expect(try bG.sharedSecret(privateScalar: a) == aG.sharedSecret(privateScalar: b))
        #expect(try bG.sharedSecret(privateScalar: a).unsafeCopy() == P256Point.generatorMultiple(a * b).xCoordinate)
        #expect(throws: CryptoError.zeroScalar) { try bG.sharedSecret(privateScalar: .zero) }
    }

    @Test func subjectPublicKeyInfo() throws {
        let point = try P256Point.generatorMultiple(.random())
        #expect(try P256Point(subjectPublicKeyInfo: point.subjectPublicKeyInfo) == point)
        #expect(throws: CryptoError.self) { try P256Point(subjectPublicKeyInfo: point.subjectPublicKeyInfo + [0]) }
        #expect(throws: CryptoError.self) { try P256Point(subjectPublicKeyInfo: point.subjectPublicKeyInfo.dropLast(3)) }
        #expect(throws: CryptoError.self) { try P256Point(subjectPublicKeyInfo: [0x30, 0x00] as [UInt8]) }
    }
}

@Suite("Ed25519")
struct Ed25519Tests {
    @Test func signVerifyAndTamper() throws {
        let key = Ed25519PrivateKey()
        let message = Array("bid for tender 42".utf8)
        let signature = key.signature(for: message)
        try key.publicKey.verify(signature, for: message)
        #expect(throws: CryptoError.invalidSignature) { try key.publicKey.verify(signature, for: message + [0]) }
        var bad = signature.rawRepresentation
        bad[63] ^= 0x10
        #expect(throws: CryptoError.invalidSignature) { try key.publicKey.verify(Ed25519Signature(rawRepresentation: bad), for: message) }
        #expect(try Ed25519PrivateKey(seed: key.seed).publicKey == key.publicKey)
    }

    @Test func sizesAreChecked() {
        #expect(throws: CryptoError.self) { try Ed25519PublicKey(rawRepresentation: [UInt8](repeating: 0, count: 31)) }
        #expect(throws: CryptoError.invalidSignatureEncoding) { try Ed25519Signature(rawRepresentation: [UInt8](repeating: 0, count: 65)) }
        #expect(throws: CryptoError.self) { try Ed25519PrivateKey(seed: SecureBytes.random(count: 31)) }
    }

    @Test("non-canonical S is rejected (S + L)")
    func nonCanonicalS() throws {
        let key = Ed25519PrivateKey()
        let message = [UInt8](repeating: 1, count: 10)
        var raw = key.signature(for: message).rawRepresentation
        // Add L (little-endian) to S; the result still satisfies the cofactorless equation mathematically.
        let order: [UInt8] = [
            0xED, 0xD3, 0xF5, 0x5C, 0x1A, 0x63, 0x12, 0x58, 0xD6, 0x9C, 0xF7, 0xA2, 0xDE, 0xF9, 0xDE, 0x14,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ]
        var carry = 0
        for i in 0..<32 {
            let sum = Int(raw[32 + i]) + Int(order[i]) + carry
            raw[32 + i] = UInt8(sum & 0xFF)
            carry = sum >> 8
        }
        if carry == 0 {
            #expect(throws: CryptoError.invalidSignature) { try key.publicKey.verify(Ed25519Signature(rawRepresentation: raw), for: message) }
        }
    }
}

@Suite("ECDSA P-256 encodings")
struct ECDSAEncodingTests {
    @Test func derAndRawRoundTrip() throws {
        let r = [UInt8](repeating: 0, count: 31) + [1], s = [0x7F] + [UInt8](repeating: 0xAA, count: 31)
        let signature = try ECDSAP256Signature(rawRepresentation: r + s)
        let der = signature.derRepresentation
        #expect(try ECDSAP256Signature(derRepresentation: der) == signature)
        #expect(throws: CryptoError.invalidSignatureEncoding) { try ECDSAP256Signature(derRepresentation: der.dropLast()) }
        #expect(throws: CryptoError.invalidSignatureEncoding) { try ECDSAP256Signature(derRepresentation: der + [0]) }
        #expect(throws: CryptoError.invalidSignatureEncoding) { try ECDSAP256Signature(derRepresentation: [UInt8]()) }
        #expect(throws: CryptoError.invalidSignatureEncoding) { try ECDSAP256Signature(rawRepresentation: [UInt8](repeating: 0, count: 64)) }
        #expect(throws: CryptoError.invalidSignatureEncoding) {
            try ECDSAP256Signature(rawRepresentation: Hex.decode(CurveTests.orderHex) + s)
        }
        // BER: a long-form length where short form is required.
        var ber = der
        ber.insert(0x81, at: 1)
        #expect(throws: CryptoError.invalidSignatureEncoding) { try ECDSAP256Signature(derRepresentation: ber) }
    }
}
