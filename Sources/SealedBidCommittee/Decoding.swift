import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// Parsing of the committee messages (`docs/spec/committee-v1.md`). Every
/// decoder checks the prefix, bounds every read, validates every point and
/// scalar, and rejects trailing bytes.
struct MessageReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8], type: CommitteeFormat.MessageType) throws(CommitteeError) {
        self.bytes = bytes
        let prefix = try take(5)
        guard prefix[0] == 0, prefix[1] == 1 else { throw .malformed("unsupported version") }
        guard prefix[2] == 0, prefix[3] == 1 else { throw .malformed("unsupported suite") }
        guard prefix[4] == type.rawValue else { throw .malformed("expected a message of type \(type.rawValue), got \(prefix[4])") }
    }

    mutating func take(_ count: Int) throws(CommitteeError) -> [UInt8] {
        guard count >= 0, bytes.count - position >= count else { throw .malformed("message cut short") }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    mutating func u8() throws(CommitteeError) -> Int { Int(try take(1)[0]) }
    mutating func u16() throws(CommitteeError) -> UInt16 { let b = try take(2); return UInt16(b[0]) << 8 | UInt16(b[1]) }
    mutating func u32() throws(CommitteeError) -> Int { try take(4).reduce(0) { $0 << 8 | Int($1) } }
    mutating func member() throws(CommitteeError) -> MemberID { try MemberID(try u16()) }

    mutating func string() throws(CommitteeError) -> String {
        let raw = try take(try u8())
        guard let s = String(bytes: raw, encoding: .utf8) else { throw .malformed("a name is not UTF-8") }
        return s
    }

    mutating func point() throws(CommitteeError) -> P256Point {
        let raw = try take(65)
        guard raw[0] == 0x04, let point = try? P256Point(sec1: raw) else { throw .malformed("invalid point") }
        return point
    }

    mutating func scalar() throws(CommitteeError) -> P256Scalar {
        guard let s = try? P256Scalar(bytes: try take(32)) else { throw .malformed("invalid scalar") }
        return s
    }

    mutating func commitment() throws(CommitteeError) -> VSSCommitment {
        let count = try u8()
        guard count >= 1 else { throw .malformed("empty commitment") }
        var points: [P256Point] = []
        for _ in 0..<count { points.append(try point()) }
        return VSSCommitment(points: points)
    }

    func finish() throws(CommitteeError) {
        guard position == bytes.count else { throw .malformed("\(bytes.count - position) trailing bytes") }
    }
}

extension MessageReader {
    mutating func signature() throws(CommitteeError) -> Ed25519Signature {
        guard let signature = try? Ed25519Signature(rawRepresentation: try take(64)) else { throw .malformed("signature") }
        return signature
    }

    /// A roster's Ed25519 key: a canonical point of the prime-order subgroup, not of small order
    /// (libsodium's `crypto_core_ed25519_is_valid_point`), as key generation makes them; any other
    /// key could never sign under primitives-v1's policy, so its member could never take part.
    mutating func ed25519Key() throws(CommitteeError) -> Ed25519PublicKey {
        guard let key = try? Ed25519PublicKey(rawRepresentation: try take(32)), key.isValidPoint else {
            throw .malformed("an Ed25519 key that is not a canonical point of the prime-order subgroup")
        }
        return key
    }
}

extension CommitteeRoster {
    public init(encoded bytes: [UInt8]) throws(CommitteeError) {
        var r = try MessageReader(bytes, type: .roster)
        let committee = try r.string()
        let stage = try r.string()
        let ceremony = try r.take(CommitteeFormat.ceremonySize)
        let t = try r.u8()
        let n = try r.u8()
        var cards: [MemberCard] = []
        for _ in 0..<n {
            let id = try r.member()
            let hpke = HPKE.PublicKey(point: try r.point())
            cards.append(MemberCard(id: id, encryptionKey: hpke, signingKey: try r.ed25519Key()))
        }
        var dealer: Ed25519PublicKey?
        switch try r.u8() {
        case 0: break
        case 1: dealer = try r.ed25519Key()
        default: throw .malformed("the dealer flag is neither 0 nor 1")
        }
        try r.finish()
        guard cards.map(\.id) == cards.map(\.id).sorted() else { throw .malformed("cards are not sorted by identifier") }
        try self.init(committee: committee, stage: stage, threshold: t, members: cards, dealerKey: dealer, ceremony: ceremony)
    }
}

extension StageKey {
    /// Decodes a stage key for `roster` (whose digest it must carry).
    public init(encoded bytes: [UInt8], roster: CommitteeRoster) throws(CommitteeError) {
        var r = try MessageReader(bytes, type: .stageKey)
        guard try r.take(32) == roster.digest else { throw .malformed("the stage key is for another roster") }
        let commitment = try r.commitment()
        guard commitment.points.count == roster.threshold else {
            throw .malformed("\(commitment.points.count) commitments for threshold \(roster.threshold)")
        }
        let transcript = try r.take(32)
        try r.finish()
        self.init(roster: roster, commitment: commitment, transcriptHash: transcript)
    }
}

extension SealedShare {
    public init(encoded bytes: [UInt8]) throws(CommitteeError) {
        var r = try MessageReader(bytes, type: .sealedShare)
        let digest = try r.take(32)
        let sender = try r.u16()
        let recipient = try r.member()
        let enc = HPKE.EncapsulatedKey(publicKey: HPKE.PublicKey(point: try r.point()))
        let ciphertext = try r.take(48)
        let proof = SchnorrProof(challenge: try r.scalar(), response: try r.scalar())
        let signature = try r.signature()
        try r.finish()
        self.init(
            rosterDigest: digest, sender: sender, recipient: recipient, encapsulatedKey: enc, ciphertext: ciphertext,
            ephemeralProof: proof, signature: signature)
    }
}

extension Complaint {
    public init(encoded bytes: [UInt8]) throws(CommitteeError) {
        var r = try MessageReader(bytes, type: .complaint)
        let digest = try r.take(32)
        let accuser = try r.member()
        let accused = try r.u16()
        let sealed = try SealedShare(encoded: try r.take(SealedShare.encodedSize))
        var revealed: Revealed?
        switch try r.u8() {
        case 0: break
        case 1:
            let point = try r.point()
            revealed = Revealed(point: point, proof: DLEQProof(challenge: try r.scalar(), response: try r.scalar()))
        default: throw .malformed("the reveal flag is neither 0 nor 1")
        }
        let signature = try r.signature()
        try r.finish()
        self.init(rosterDigest: digest, accuser: accuser, accused: accused, sealedShare: sealed, revealed: revealed, signature: signature)
    }
}

extension DealingMessage {
    public init(encoded bytes: [UInt8]) throws(CommitteeError) {
        var r = try MessageReader(bytes, type: .dealing)
        let digest = try r.take(32)
        let commitment = try r.commitment()
        let signature = try r.signature()
        try r.finish()
        self.init(rosterDigest: digest, commitment: commitment, signature: signature)
    }
}

extension DKG.Round1Package {
    public init(encoded bytes: [UInt8]) throws(CommitteeError) {
        var r = try MessageReader(bytes, type: .round1)
        let digest = try r.take(32)
        let member = try r.member()
        let commitment = try r.commitment()
        let R = try r.point()
        let z = try r.scalar()
        let signature = try r.signature()
        try r.finish()
        self.init(rosterDigest: digest, member: member, commitment: commitment, proofR: R, proofZ: z, signature: signature)
    }
}

extension DecryptionShares {
    public init(encoded bytes: [UInt8]) throws(CommitteeError) {
        var r = try MessageReader(bytes, type: .decryptionShares)
        let digest = try r.take(32)
        let opening = try r.take(32)
        let member = try r.member()
        let count = try r.u32()
        guard count >= 1, count <= DecryptionShares.maximumBatch else { throw .malformed("share count \(count) out of range") }
        var encs: [P256Point] = [], shares: [P256Point] = []
        for _ in 0..<count {
            encs.append(try r.point())
            shares.append(try r.point())
        }
        guard let proof = try? DLEQProof(rawRepresentation: try r.take(64)) else { throw .malformed("proof") }
        let signature = try r.signature()
        try r.finish()
        self.init(
            rosterDigest: digest, openingID: opening, member: member, encapsulatedKeys: encs, shares: shares, proof: proof,
            signature: signature)
    }
}

extension TranscriptSignature {
    public init(encoded bytes: [UInt8]) throws(CommitteeError) {
        var r = try MessageReader(bytes, type: .transcriptSignature)
        let digest = try r.take(32)
        let member = try r.member()
        let stageKeyDigest = try r.take(32)
        let signature = try r.signature()
        try r.finish()
        self.init(rosterDigest: digest, member: member, stageKeyDigest: stageKeyDigest, signature: signature)
    }
}

extension Resharing.Package {
    public init(encoded bytes: [UInt8]) throws(CommitteeError) {
        var r = try MessageReader(bytes, type: .reshare)
        let old = try r.take(32)
        let new = try r.take(32)
        let from = try r.member()
        let commitment = try r.commitment()
        let count = try r.u8()
        var shares: [SealedShare] = []
        for _ in 0..<count {
            let length = Int(try r.u16())
            shares.append(try SealedShare(encoded: try r.take(length)))
        }
        let signature = try r.signature()
        try r.finish()
        self.init(oldRosterDigest: old, newRosterDigest: new, from: from, commitment: commitment, shares: shares, signature: signature)
    }
}

extension ReleasedShare {
    /// Decodes a released share (a secret: read from guarded memory, decoded without plain copies).
    public init(encoded bytes: SecureBytes) throws(CommitteeError) {
        guard bytes.count == Self.encodedSize else { throw .malformed("a released share is \(Self.encodedSize) bytes") }
        var raw = bytes.unsafeCopyForDecoding()
        defer { ConstantTime.wipe(&raw) }
        var r = try MessageReader(Array(raw[0..<71]), type: .releasedShare)
        let digest = try r.take(32)
        let opening = try r.take(32)
        let member = try r.member()
        try r.finish()
        guard let value = try? P256Scalar(bytes: raw[71..<103]) else { throw .malformed("share value") }
        guard let signature = try? Ed25519Signature(rawRepresentation: raw[103..<167]) else { throw .malformed("signature") }
        self.init(rosterDigest: digest, openingID: opening, share: SecretShare(id: member, value: value), signature: signature)
    }
}


extension SecretShare {
    /// The share key file payload: `roster digest (32) || u16(id) || s (32)`.
    public func fileRepresentation(roster: CommitteeRoster) -> SecureBytes {
        Self.assemble(roster.digest + id.bytes, secrets: [value])
    }

    /// `prefix || scalars`, built directly in guarded memory (no plain copy of the scalars).
    static func assemble(_ prefix: [UInt8], secrets: [P256Scalar]) -> SecureBytes {
        SecureBytes(count: prefix.count + 32 * secrets.count) { (out: UnsafeMutableRawBufferPointer) in
            out.copyBytes(from: prefix)
            for (i, scalar) in secrets.enumerated() {
                scalar.secureRepresentation.withUnsafeBytes { s in
                    UnsafeMutableRawBufferPointer(rebasing: out[(prefix.count + 32 * i)..<(prefix.count + 32 * (i + 1))]).copyMemory(from: s)
                }
            }
        }
    }

    public init(fileRepresentation bytes: SecureBytes, roster: CommitteeRoster) throws(CommitteeError) {
        guard bytes.count == 66 else { throw .malformed("a share file holds 66 bytes") }
        var raw = bytes.unsafeCopyForDecoding()
        defer { ConstantTime.wipe(&raw) }
        guard Array(raw[0..<32]) == roster.digest else { throw .malformed("the share is for another roster") }
        let id = try MemberID(UInt16(raw[32]) << 8 | UInt16(raw[33]))
        guard let value = try? P256Scalar(bytes: raw[34..<66]) else { throw .malformed("share value") }
        self.init(id: id, value: value)
    }
}

extension SecureBytes {
    fileprivate func unsafeCopyForDecoding() -> [UInt8] { withUnsafeBytes { Array($0) } }
}

extension DKG.Round1Secret {
    /// The secret state kept between rounds (a key file of kind
    /// `sealbid-dkg-state-v1`): `roster digest || u16(id) || a_0 || ... || a_{t-1}`.
    public var fileRepresentation: SecureBytes {
        SecretShare.assemble(roster.digest + keys.id.bytes, secrets: polynomial.coefficients)
    }

    public init(fileRepresentation bytes: SecureBytes, roster: CommitteeRoster, keys: MemberKeys) throws(CommitteeError) {
        var raw = bytes.unsafeCopyForDecoding()
        defer { ConstantTime.wipe(&raw) }
        guard raw.count == 34 + 32 * roster.threshold else { throw .malformed("DKG state length") }
        guard Array(raw[0..<32]) == roster.digest else { throw .malformed("the DKG state is for another roster") }
        let owner = try MemberID(UInt16(raw[32]) << 8 | UInt16(raw[33]))
        guard owner == keys.id else { throw .wrongRecipient(owner) }
        var coefficients: [P256Scalar] = []
        for k in 0..<roster.threshold {
            guard let c = try? P256Scalar(bytes: raw[(34 + 32 * k)..<(66 + 32 * k)]) else { throw .malformed("coefficient") }
            coefficients.append(c)
        }
        let polynomial = SecretPolynomial(coefficients: coefficients)
        self.init(roster: roster, keys: keys, polynomial: polynomial, commitment: try polynomial.commitment())
    }
}
