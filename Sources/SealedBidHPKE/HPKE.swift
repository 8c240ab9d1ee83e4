import Foundation
import SealedBidPrimitives

/// Hybrid Public Key Encryption (RFC 9180), mode_base, for the one suite of
/// SealedBid v1: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.
/// The normative profile is `docs/spec/hpke-profile-v1.md`.
///
/// Most callers need two calls:
/// ```swift
/// let (enc, ciphertext) = try HPKE.seal(plaintext, to: recipientKey, info: info)
/// let plaintext = try HPKE.open(ciphertext, encapsulatedKey: enc, with: privateKey, info: info)
/// ```
/// ``Sender`` and ``Recipient`` are the context API for several messages and
/// for secret export; ``Recipient/init(encapsulatedKey:recipientKey:sharedDH:info:)``
/// lets a committee finish decapsulation with a Diffie-Hellman value it
/// computed jointly, without any single party holding the private key.
public enum HPKE {
    /// KEM identifier of DHKEM(P-256, HKDF-SHA256).
    public static let kemID: UInt16 = 0x0010
    /// KDF identifier of HKDF-SHA256.
    public static let kdfID: UInt16 = 0x0001
    /// AEAD identifier of AES-256-GCM.
    public static let aeadID: UInt16 = 0x0002
    /// mode_base.
    public static let modeBase: UInt8 = 0x00

    static let nSecret = 32, nEnc = 65, nPk = 65, nSk = 32, nK = 32, nN = 12, nH = 32

    /// `"KEM" || I2OSP(kem_id, 2)`.
    static let kemSuiteID: [UInt8] = Array("KEM".utf8) + i2osp(kemID)
    /// `"HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2)`.
    static let hpkeSuiteID: [UInt8] = Array("HPKE".utf8) + i2osp(kemID) + i2osp(kdfID) + i2osp(aeadID)

    static func i2osp(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    // MARK: Single shot

    /// Encrypts one message to `recipientKey`; returns the encapsulated key and `ciphertext || tag`.
    public static func seal(
        _ plaintext: some ContiguousBytes, to recipientKey: PublicKey, info: some ContiguousBytes,
        authenticating aad: some ContiguousBytes = [UInt8]()
    ) throws(CryptoError) -> (encapsulatedKey: EncapsulatedKey, ciphertext: [UInt8]) {
        var sender = try Sender(recipientKey: recipientKey, info: info)
        let ciphertext = try sender.seal(plaintext, authenticating: aad)
        return (sender.encapsulatedKey, ciphertext)
    }

    /// Decrypts one message sealed with ``seal(_:to:info:authenticating:)``.
    /// - Throws: ``CryptoError/authenticationFailed`` for any wrong key, info, aad or ciphertext.
    public static func open(
        _ ciphertext: some ContiguousBytes, encapsulatedKey: EncapsulatedKey, with privateKey: PrivateKey,
        info: some ContiguousBytes, authenticating aad: some ContiguousBytes = [UInt8]()
    ) throws(CryptoError) -> [UInt8] {
        var recipient = try Recipient(encapsulatedKey: encapsulatedKey, privateKey: privateKey, info: info)
        return try recipient.open(ciphertext, authenticating: aad)
    }

    /// Decrypts one message from a Diffie-Hellman value revealed by the recipient (hpke-profile-v1,
    /// "External decapsulation"): `sharedDH` is the 32-byte X coordinate of `skR * pkE`, proven
    /// correct by the caller (committee-v1, "Complaints"). Package access: a wrong `sharedDH` only
    /// shows as ``CryptoError/authenticationFailed``, so only a layer that checked its proof uses it.
    package static func open(
        _ ciphertext: some ContiguousBytes, encapsulatedKey: EncapsulatedKey, recipientKey: PublicKey, sharedDH: SecureBytes,
        info: some ContiguousBytes, authenticating aad: some ContiguousBytes = [UInt8]()
    ) throws(CryptoError) -> [UInt8] {
        var recipient = try Recipient(encapsulatedKey: encapsulatedKey, recipientKey: recipientKey, sharedDH: sharedDH, info: info)
        return try recipient.open(ciphertext, authenticating: aad)
    }
}
