import SealedBidHPKE
import SealedBidPrimitives

/// The key-wrap proof (`docs/spec/envelope-v1.md`, "Key-wrap proof"): a
/// Schnorr proof that the sealer knows the ephemeral secret `e` of
/// `enc = e·G`, bound to the envelope's binding and recipient.
///
/// Why: threshold decryption hands out `s·enc` for any `enc` members are
/// asked to open. Without the proof, a bidder could put `k·enc_V` (another
/// bidder's key wrap, multiplied by a `k` they choose) into their own bid
/// and, with a coordinator, divide `k` back out of the members' answer to
/// unwrap an envelope the committee never agreed to open. Nobody can prove
/// knowledge of the discrete log of `k·enc_V`, and a copied proof is bound
/// to the other bidder's binding.
enum WrapProof {
    static let size = 64
    static let domain = Array("sealbid/envelope-v1 wrap-proof".utf8)

    /// `c = hash_to_scalar(binding || recipient_key || enc || R, DST)`.
    private static func challenge(
        binding: EnvelopeBinding, recipient: HPKE.PublicKey, enc: HPKE.EncapsulatedKey, commitment: P256Point
    ) throws(CryptoError) -> P256Scalar {
        let message =
            binding.bytes + recipient.rawRepresentation + enc.rawRepresentation + commitment.uncompressedRepresentation
        return try P256Scalar.hash(message, domain: domain)
    }

    /// `c || z` with `R = r·G`, `z = r + c·e`; `r` is a fresh non-zero scalar.
    static func prove(
        ephemeral: HPKE.PrivateKey, nonce: P256Scalar, binding: EnvelopeBinding, recipient: HPKE.PublicKey
    ) throws(CryptoError) -> [UInt8] {
        let commitment = try P256Point.generatorMultiple(nonce)
        let enc = HPKE.EncapsulatedKey(publicKey: ephemeral.publicKey)
        let c = try challenge(binding: binding, recipient: recipient, enc: enc, commitment: commitment)
        let z = nonce + c * ephemeral.scalar
        return c.rawRepresentation + z.rawRepresentation
    }

    /// Recomputes `R = z·G − c·enc` and checks `c` (variable time: public values only).
    static func isValid(
        _ proof: [UInt8], enc: HPKE.EncapsulatedKey, binding: EnvelopeBinding, recipient: HPKE.PublicKey
    ) -> Bool {
        guard proof.count == size,
            let c = try? P256Scalar(bytes: proof[0..<32]),
            let z = try? P256Scalar(bytes: proof[32..<64]),
            let commitment = try? P256Point.linearCombination(generatorScalar: z, point: enc.publicKey.point, scalar: -c),
            let expected = try? challenge(binding: binding, recipient: recipient, enc: enc, commitment: commitment)
        else { return false }
        return expected == c
    }
}
