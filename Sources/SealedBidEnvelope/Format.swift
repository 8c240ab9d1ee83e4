import SealedBidHPKE
import SealedBidPrimitives

/// Constants and derivations of `docs/spec/envelope-v1.md`.
public enum EnvelopeFormat {
    public static let magic: [UInt8] = [0x53, 0x42, 0x49, 0x44, 0x0D, 0x0A, 0x1A, 0x0A]
    public static let version: UInt16 = 1
    public static let suite: UInt16 = 1
    /// Bytes before the variable part of the header: magic, version, suite, header_length.
    static let fixedPrefixLength = 16
    public static let minimumHeaderLength = 64
    public static let maximumEnvelopes = 16
    public static let maximumCertificates = 4
    public static let maximumCertificateLength = 16384
    /// The largest well-formed header, 74829 bytes (spec, "core"): 128-byte ids, a signer of four
    /// 16384-byte certificates, and 16 envelopes with 32-byte names and escrow copies. A larger
    /// `header_length` can only be malformed, so it is refused before anything is read.
    public static let maximumHeaderLength =
        fixedPrefixLength + 2 * (1 + 128) + (2 + maximumCertificates * (2 + maximumCertificateLength)) + 1
        + maximumEnvelopes * (2 * (1 + 32) + 65 + 65 + 48 + 64 + 1 + (65 + 65 + 48) + 8 + 32 + 32) + 64

    /// C2SP chunked-encryption parameters for `AEAD_AES_256_GCM`.
    public static let chunkSize = 16384
    public static let tagSize = 16
    public static let encryptedChunkSize = chunkSize + tagSize
    public static let saltSize = 24
    public static let commitmentSize = 32
    public static let payloadPrefixSize = saltSize + commitmentSize
    /// The smallest payload: prefix and one empty final chunk.
    public static let minimumPayloadLength = UInt64(payloadPrefixSize + tagSize)
    /// SealedBid's limit on chunks per payload (C2SP allows 2^38; 2^32 is 64 TiB).
    public static let maximumChunks: UInt64 = 1 << 32
    /// Block size of the payload Merkle digest.
    public static let digestBlockSize = 1 << 20

    static let c2spInfoPrefix = Array("c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM".utf8) + [0]
    static let wrapLabel = Array("sealbid/envelope-v1 key-wrap".utf8) + [0]
    static let escrowLabel = Array("sealbid/envelope-v1 escrow".utf8) + [0]
    static let payloadLabel = Array("sealbid/envelope-v1 payload".utf8) + [0]
    static let macLabel = Array("sealbid/envelope-v1 header-mac".utf8) + [0]
    static let signatureLabel = Array("sealbid/envelope-v1 signature".utf8) + [0]
    static let bidDigestLabel = Array("sealbid/envelope-v1 bid-digest".utf8) + [0]
    static let wrapEphemeralLabel = Array("sealbid/envelope-v1 wrap-ephemeral".utf8) + [0]
    static let escrowEphemeralLabel = Array("sealbid/envelope-v1 escrow-ephemeral".utf8) + [0]

    /// The number of chunks in a payload of `length` bytes, or nil when the
    /// length is not a valid chunked-encryption length (spec, Opening step 5).
    public static func chunkCount(payloadLength length: UInt64) -> UInt64? {
        guard length >= minimumPayloadLength else { return nil }
        let body = length - UInt64(payloadPrefixSize)
        let full = body / UInt64(encryptedChunkSize)
        let rest = body % UInt64(encryptedChunkSize)
        guard rest >= UInt64(tagSize) else { return nil }
        let chunks = full + 1
        return chunks <= maximumChunks ? chunks : nil
    }

    /// The payload length for `plaintextLength` bytes of plaintext.
    public static func payloadLength(plaintextLength: UInt64) -> UInt64 {
        UInt64(payloadPrefixSize) + (plaintextLength / UInt64(chunkSize) + 1) * UInt64(tagSize) + plaintextLength
    }

    /// The plaintext length of a valid payload length.
    public static func plaintextLength(payloadLength: UInt64) -> UInt64? {
        guard let chunks = chunkCount(payloadLength: payloadLength) else { return nil }
        return payloadLength - UInt64(payloadPrefixSize) - chunks * UInt64(tagSize)
    }
}

/// What one envelope's derivations bind: `lp8(tender) || lp8(bidder) || lp8(name) || lp8(stage)`.
struct EnvelopeBinding {
    let bytes: [UInt8]

    init(tender: TenderID, bidder: BidderID, name: EnvelopeName, stage: StageName) {
        bytes = tender.lengthPrefixed + bidder.lengthPrefixed + name.lengthPrefixed + stage.lengthPrefixed
    }

    var wrapInfo: [UInt8] { EnvelopeFormat.wrapLabel + bytes }
    var escrowInfo: [UInt8] { EnvelopeFormat.escrowLabel + bytes }
    var payloadContext: [UInt8] { EnvelopeFormat.payloadLabel + bytes }

    /// Which of an envelope's two HPKE wraps.
    enum Wrap {
        case committee
        case escrow

        var info: KeyPath<EnvelopeBinding, [UInt8]> {
            switch self {
            case .committee: \.wrapInfo
            case .escrow: \.escrowInfo
            }
        }

        var ephemeralLabel: [UInt8] {
            switch self {
            case .committee: EnvelopeFormat.wrapEphemeralLabel
            case .escrow: EnvelopeFormat.escrowEphemeralLabel
            }
        }
    }

    /// The wrap's HPKE ephemeral key: `DeriveKeyPair(HKDF-Expand(K, label || binding || recipient, 32))`
    /// (spec, "Derivations"), so that whoever holds `K` recomputes the wrap byte for byte.
    func ephemeralKey(_ wrap: Wrap, envelopeKey: SecureBytes, recipient: HPKE.PublicKey) throws(CryptoError) -> HPKE.PrivateKey {
        let ikm = try HKDFSHA256.expand(prk: envelopeKey, info: wrap.ephemeralLabel + bytes + recipient.rawRepresentation, length: 32)
        return try HPKE.PrivateKey.derive(fromIKM: ikm)
    }

    /// `HPKE.SealDerived(recipient, ikmE, info, K)`: the wrap of `K`, deterministic given `K`.
    func seal(_ wrap: Wrap, envelopeKey: SecureBytes, to recipient: HPKE.PublicKey) throws(CryptoError)
        -> (enc: HPKE.EncapsulatedKey, ciphertext: [UInt8], ephemeral: HPKE.PrivateKey)
    {
        let ephemeral = try ephemeralKey(wrap, envelopeKey: envelopeKey, recipient: recipient)
        var sender = try HPKE.Sender(recipientKey: recipient, info: self[keyPath: wrap.info], ephemeralKey: ephemeral)
        return (sender.encapsulatedKey, try sender.seal(envelopeKey), ephemeral)
    }

    /// `HKDF-Expand(K, "sealbid/envelope-v1 header-mac" || 0x00 || binding, 32)`.
    func macKey(envelopeKey: SecureBytes) throws(EnvelopeError) -> SecureBytes {
        try lift { () throws(CryptoError) in
            try HKDFSHA256.expand(prk: envelopeKey, info: EnvelopeFormat.macLabel + bytes, length: 32)
        }
    }
}
