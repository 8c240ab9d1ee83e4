import Foundation
import SealedBidPrimitives

/// Discrete-log-equality proofs over P-256, exactly as RFC 9497 §2.2
/// (GenerateProof / VerifyProof with ComputeComposites), parameterised by
/// the context string. One proof covers a whole batch of pairs (C_i, D_i)
/// that share the key k: it proves `B = k*A` and `D_i = k*C_i` for every i.
///
/// SealedBid uses it with `A = G`, `B` = a member's verification share,
/// `C_i` = the envelopes' `enc` points and `D_i` = the member's decryption
/// shares (`docs/spec/committee-v1.md`, "Decryption shares"). The RFC 9497
/// vectors pin the implementation with the OPRF context strings.
public struct DLEQProof: Sendable, Hashable {
    public let challenge: P256Scalar
    public let response: P256Scalar

    public static let byteCount = 64

    public init(challenge: P256Scalar, response: P256Scalar) {
        self.challenge = challenge
        self.response = response
    }

    /// `c || s`.
    public init(rawRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
        let raw = bytes.withUnsafeBytes { Array($0) }
        guard raw.count == Self.byteCount else { throw .length("DLEQ proof", expected: 64, actual: raw.count) }
        self.challenge = try P256Scalar(bytes: raw[..<32])
        self.response = try P256Scalar(bytes: raw[32...])
    }

    public var rawRepresentation: [UInt8] { challenge.rawRepresentation + response.rawRepresentation }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawRepresentation) }
}

public enum DLEQ {
    /// SerializeElement for P-256 in RFC 9497: SEC1 compressed, 33 bytes.
    static func serialize(_ point: P256Point) -> [UInt8] { point.compressedRepresentation }

    static func lengthPrefixed(_ bytes: [UInt8]) -> [UInt8] { [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes }

    /// HashToScalar with DST `"HashToScalar-" || contextString`.
    static func hashToScalar(_ message: [UInt8], context: [UInt8]) throws(CryptoError) -> P256Scalar {
        try P256Scalar.hash(message, domain: Array("HashToScalar-".utf8) + context)
    }

    /// The composite weights d_i of ComputeComposites.
    static func compositeWeights(B: P256Point, C: [P256Point], D: [P256Point], context: [UInt8]) throws(CryptoError)
        -> [P256Scalar]
    {
        let seedDST = Array("Seed-".utf8) + context
        let seed = SHA256.hash(lengthPrefixed(serialize(B)) + lengthPrefixed(seedDST))
        var weights: [P256Scalar] = []
        weights.reserveCapacity(C.count)
        for i in C.indices {
            let transcript =
                lengthPrefixed(seed) + [UInt8(i >> 8), UInt8(i & 0xFF)] + lengthPrefixed(serialize(C[i]))
                + lengthPrefixed(serialize(D[i])) + Array("Composite".utf8)
            weights.append(try hashToScalar(transcript, context: context))
        }
        return weights
    }

    static func challenge(B: P256Point, M: P256Point, Z: P256Point, t2: P256Point, t3: P256Point, context: [UInt8])
        throws(CryptoError) -> P256Scalar
    {
        let transcript =
            lengthPrefixed(serialize(B)) + lengthPrefixed(serialize(M)) + lengthPrefixed(serialize(Z))
            + lengthPrefixed(serialize(t2)) + lengthPrefixed(serialize(t3)) + Array("Challenge".utf8)
        return try hashToScalar(transcript, context: context)
    }

    /// GenerateProof(k, A, B, C, D) with a fresh random nonce `r`.
    public static func prove(
        key k: P256Scalar, A: P256Point, B: P256Point, C: [P256Point], D: [P256Point], context: [UInt8]
    ) throws(CryptoError) -> DLEQProof {
        try prove(key: k, A: A, B: B, C: C, D: D, context: context, nonce: .random())
    }

    /// GenerateProof with a given `r`: for test vectors only. Package-internal because two
    /// proofs with the same `r` and different challenges give the key away (k = (s1 - s2) / (c2 - c1)).
    package static func prove(
        key k: P256Scalar, A: P256Point, B: P256Point, C: [P256Point], D: [P256Point], context: [UInt8],
        nonce r: P256Scalar
    ) throws(CryptoError) -> DLEQProof {
        guard !C.isEmpty, C.count == D.count, C.count <= Int(UInt16.max) else {
            throw .invalidParameter("a DLEQ batch needs 1 to 65535 equal-length lists")
        }
        let weights = try compositeWeights(B: B, C: C, D: D, context: context)
        // ComputeCompositesFast: M = sum d_i C_i, Z = k M.
        let M = try P256Point.multiScalarMultiply(weights, C)
        let Z = try M.multiplied(by: k)
        let t2 = try A.multiplied(by: r)
        let t3 = try M.multiplied(by: r)
        let c = try challenge(B: B, M: M, Z: Z, t2: t2, t3: t3, context: context)
        return DLEQProof(challenge: c, response: r - c * k)
    }

    /// VerifyProof(A, B, C, D, proof).
    /// - Throws: ``CryptoError/invalidSignature`` when the proof does not verify.
    public static func verify(
        _ proof: DLEQProof, A: P256Point, B: P256Point, C: [P256Point], D: [P256Point], context: [UInt8]
    ) throws(CryptoError) {
        guard !C.isEmpty, C.count == D.count, C.count <= Int(UInt16.max) else {
            throw .invalidParameter("a DLEQ batch needs 1 to 65535 equal-length lists")
        }
        let weights = try compositeWeights(B: B, C: C, D: D, context: context)
        let M = try P256Point.multiScalarMultiply(weights, C)
        let Z = try P256Point.multiScalarMultiply(weights, D)
        // t2 or t3 at infinity happens only for forged proofs.
        guard let t2 = try? P256Point.multiScalarMultiply([proof.response, proof.challenge], [A, B]),
            let t3 = try? P256Point.multiScalarMultiply([proof.response, proof.challenge], [M, Z])
        else { throw .invalidSignature }
        let expected = try challenge(B: B, M: M, Z: Z, t2: t2, t3: t3, context: context)
        guard expected == proof.challenge else { throw .invalidSignature }
    }
}
