import Foundation
import SealedBidPrimitives

/// DHKEM(P-256, HKDF-SHA256) (RFC 9180 §4.1).
enum DHKEM {
    /// Encap(pkR) with the given ephemeral key; returns (shared_secret, enc).
    static func encapsulate(to recipient: HPKE.PublicKey, ephemeral: HPKE.PrivateKey) throws(CryptoError)
        -> (sharedSecret: SecureBytes, enc: HPKE.EncapsulatedKey)
    {
        let dh = try recipient.point.sharedSecret(privateScalar: ephemeral.scalar)
        let enc = HPKE.EncapsulatedKey(publicKey: ephemeral.publicKey)
        return (try extractAndExpand(dh: dh, enc: enc, recipient: recipient), enc)
    }

    /// Decap(enc, skR).
    static func decapsulate(_ enc: HPKE.EncapsulatedKey, with privateKey: HPKE.PrivateKey) throws(CryptoError)
        -> SecureBytes
    {
        let dh = try enc.publicKey.point.sharedSecret(privateScalar: privateKey.scalar)
        return try extractAndExpand(dh: dh, enc: enc, recipient: privateKey.publicKey)
    }

    /// ExtractAndExpand(dh, kem_context) with kem_context = enc || pkRm.
    static func extractAndExpand(dh: SecureBytes, enc: HPKE.EncapsulatedKey, recipient: HPKE.PublicKey)
        throws(CryptoError) -> SecureBytes
    {
        guard dh.count == 32 else { throw .length("DHKEM(P-256) DH value", expected: 32, actual: dh.count) }
        let kemContext = enc.rawRepresentation + recipient.rawRepresentation
        let eaePRK = Labeled.extract(salt: [], label: "eae_prk", ikm: dh, suiteID: HPKE.kemSuiteID)
        return try Labeled.expand(
            prk: eaePRK, label: "shared_secret", info: kemContext, length: HPKE.nSecret, suiteID: HPKE.kemSuiteID)
    }
}

/// The key schedule output of RFC 9180 §5.1 (mode_base: empty psk and psk_id).
package struct KeySchedule: Sendable {
    package let key: SecureBytes
    package let baseNonce: SecureBytes
    package let exporterSecret: SecureBytes
    package let keyScheduleContext: [UInt8]

    /// `psk_id_hash = LabeledExtract("", "psk_id_hash", "")`, the same for every base-mode context.
    private static let emptyPSKIDHash: SecureBytes =
        Labeled.extract(salt: [], label: "psk_id_hash", ikm: SecureBytes(count: 0) { _ in }, suiteID: HPKE.hpkeSuiteID)

    package init(sharedSecret: SecureBytes, info: some ContiguousBytes) throws(CryptoError) {
        let suite = HPKE.hpkeSuiteID
        let infoHash = Labeled.extract(salt: [], label: "info_hash", ikm: SecureBytes(copying: info), suiteID: suite)
        // key_schedule_context = mode || psk_id_hash || info_hash (public values).
        let context = [HPKE.modeBase] + Self.emptyPSKIDHash.unsafeCopy() + infoHash.unsafeCopy()
        // secret = LabeledExtract(shared_secret, "secret", psk = "").
        let secret = Labeled.extract(salt: sharedSecret, label: "secret", ikm: SecureBytes(count: 0) { _ in }, suiteID: suite)
        self.key = try Labeled.expand(prk: secret, label: "key", info: context, length: HPKE.nK, suiteID: suite)
        self.baseNonce = try Labeled.expand(prk: secret, label: "base_nonce", info: context, length: HPKE.nN, suiteID: suite)
        self.exporterSecret = try Labeled.expand(prk: secret, label: "exp", info: context, length: HPKE.nH, suiteID: suite)
        self.keyScheduleContext = context
    }
}

extension HPKE {
    /// Decap(enc, skR) alone, for the RFC 9180 vector runner's intermediate values.
    package static func testingSharedSecret(enc: EncapsulatedKey, privateKey: PrivateKey) throws(CryptoError)
        -> SecureBytes
    {
        try DHKEM.decapsulate(enc, with: privateKey)
    }
}
