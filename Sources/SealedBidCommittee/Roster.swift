import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// Wire constants (`docs/spec/committee-v1.md`, "Conventions").
public enum CommitteeFormat {
    public static let version: UInt16 = 1
    public static let suite: UInt16 = 1
    public static let maximumMembers = 255

    enum MessageType: UInt8 {
        case roster = 0x01
        case sealedShare = 0x02
        case round1 = 0x03
        case stageKey = 0x04
        case decryptionShares = 0x05
        case transcriptSignature = 0x06
        case reshare = 0x07
        case releasedShare = 0x08
        case dealing = 0x09
        case complaint = 0x0A
    }

    /// Bytes of the roster's ceremony nonce.
    public static let ceremonySize = 16

    static func prefix(_ type: MessageType) -> [UInt8] {
        [UInt8(version >> 8), UInt8(version & 0xFF), UInt8(suite >> 8), UInt8(suite & 0xFF), type.rawValue]
    }

    static func label(_ name: String) -> [UInt8] { Array("sealbid/committee-v1 \(name)".utf8) + [0] }

    /// What a protocol message's sender signs: `label("message") || message without its signature`
    /// (`docs/spec/committee-v1.md`, "Signed messages").
    static func signedMessage(_ body: [UInt8]) -> [UInt8] { label("message") + body }

    static func sign(_ body: [UInt8], with key: Ed25519PrivateKey) -> Ed25519Signature {
        key.signature(for: signedMessage(body))
    }
}

/// A committee message that names its sender and carries the sender's Ed25519
/// signature over every other byte (`docs/spec/committee-v1.md`, "Signed messages").
public protocol SignedCommitteeMessage: Sendable {
    /// The message without its signature: what the sender signed.
    var body: [UInt8] { get }
    var signature: Ed25519Signature { get }
}

extension SignedCommitteeMessage {
    /// `body || signature`.
    public var encoded: [UInt8] { body + signature.rawRepresentation }

    /// Whether `key` signed this message. Receivers check it before using anything else in it,
    /// and ignore (never blame anyone for) a message that fails.
    public func isSigned(by key: Ed25519PublicKey) -> Bool {
        key.isValidSignature(signature, for: CommitteeFormat.signedMessage(body))
    }
}

/// A member's public card: its identifier, the HPKE key shares are sealed
/// to, and the Ed25519 key it signs protocol messages with.
public struct MemberCard: Sendable, Hashable {
    public let id: MemberID
    public let encryptionKey: HPKE.PublicKey
    public let signingKey: Ed25519PublicKey

    public init(id: MemberID, encryptionKey: HPKE.PublicKey, signingKey: Ed25519PublicKey) {
        self.id = id
        self.encryptionKey = encryptionKey
        self.signingKey = signingKey
    }

    var encoded: [UInt8] { id.bytes + encryptionKey.rawRepresentation + signingKey.rawRepresentation }
}

/// The private half of a member: its HPKE and Ed25519 keys.
public struct MemberKeys: Sendable {
    public let id: MemberID
    public let encryptionKey: HPKE.PrivateKey
    public let signingKey: Ed25519PrivateKey

    public init(id: MemberID, encryptionKey: HPKE.PrivateKey = HPKE.PrivateKey(), signingKey: Ed25519PrivateKey = Ed25519PrivateKey()) {
        self.id = id
        self.encryptionKey = encryptionKey
        self.signingKey = signingKey
    }

    public var card: MemberCard {
        MemberCard(id: id, encryptionKey: encryptionKey.publicKey, signingKey: signingKey.publicKey)
    }
}

/// Who holds one stage key: the committee, the stage, the ceremony nonce, the
/// threshold t (the smallest number of members who can open), the members, and
/// for a dealing the dealer's signing key. Every message of every protocol binds
/// the roster's digest, so keys, shares, messages and signatures of one stage or
/// one attempt (ceremony) are useless for any other.
public struct CommitteeRoster: Sendable, Hashable {
    public let committee: String
    public let stage: String
    /// 16 random bytes, new for every attempt (a DKG, a dealing, a resharing's new roster).
    public let ceremony: [UInt8]
    public let threshold: Int
    /// Sorted by identifier.
    public let members: [MemberCard]
    /// The trusted dealer's Ed25519 key, for a roster whose key is dealt; nil for a DKG.
    public let dealerKey: Ed25519PublicKey?

    /// - Parameter ceremony: leave the default (16 fresh random bytes) except to rebuild a
    ///   published roster.
    /// - Throws: ``CommitteeError/invalidRoster(_:)``, ``CommitteeError/duplicateIdentifier(_:)``.
    public init(
        committee: String, stage: String, threshold: Int, members: [MemberCard], dealerKey: Ed25519PublicKey? = nil,
        ceremony: [UInt8] = SecureRandom.bytes(count: CommitteeFormat.ceremonySize)
    ) throws(CommitteeError) {
        guard Self.validName(committee, max: 128, extra: Array("._:/@+-ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)) else {
            throw .invalidRoster("committee id must be 1 to 128 of A-Z a-z 0-9 . _ : / @ + -")
        }
        guard Self.validName(stage, max: 32, extra: Array("_-".utf8)) else {
            throw .invalidRoster("stage must be 1 to 32 of a-z 0-9 _ -")
        }
        guard ceremony.count == CommitteeFormat.ceremonySize else { throw .invalidRoster("the ceremony nonce is 16 bytes") }
        guard !members.isEmpty, members.count <= CommitteeFormat.maximumMembers else {
            throw .invalidRoster("a committee has 1 to 255 members")
        }
        guard threshold >= 1, threshold <= members.count else {
            throw .invalidRoster("threshold \(threshold) must be between 1 and \(members.count)")
        }
        var seen: Set<MemberID> = []
        for member in members {
            guard seen.insert(member.id).inserted else { throw .duplicateIdentifier(member.id) }
        }
        guard members.allSatisfy(\.signingKey.isValidPoint), dealerKey?.isValidPoint != false else {
            throw .invalidRoster("an Ed25519 key that is not a canonical point of the prime-order subgroup")
        }
        // One key pair, one seat: a member holding two seats would sign and decrypt as both.
        guard Set(members.map(\.encryptionKey)).count == members.count, Set(members.map(\.signingKey)).count == members.count else {
            throw .invalidRoster("two seats share a key: every member has its own HPKE and Ed25519 keys")
        }
        if let dealerKey, members.contains(where: { $0.signingKey == dealerKey }) {
            throw .invalidRoster("the dealer's key is also a member's")
        }
        self.committee = committee
        self.stage = stage
        self.ceremony = ceremony
        self.threshold = threshold
        self.members = members.sorted { $0.id < $1.id }
        self.dealerKey = dealerKey
    }

    private static func validName(_ s: String, max: Int, extra: [UInt8]) -> Bool {
        let bytes = Array(s.utf8)
        return !bytes.isEmpty && bytes.count <= max
            && bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || extra.contains($0) }
    }

    public var ids: [MemberID] { members.map(\.id) }

    public func card(_ id: MemberID) throws(CommitteeError) -> MemberCard {
        guard let card = members.first(where: { $0.id == id }) else { throw .unknownMember(id) }
        return card
    }

    /// The key that signs messages from `sender`: a member's card key, or the dealer's for 0.
    func signingKey(of sender: UInt16) -> Ed25519PublicKey? {
        sender == 0 ? dealerKey : members.first(where: { $0.id.value == sender })?.signingKey
    }

    /// `prefix(0x01) || lp8(committee) || lp8(stage) || ceremony (16) || u8(t) || u8(n) || cards
    /// || u8(0)` or `|| u8(1) || dealer key (32)`.
    public var encoded: [UInt8] {
        CommitteeFormat.prefix(.roster) + [UInt8(committee.utf8.count)] + Array(committee.utf8) + [UInt8(stage.utf8.count)]
            + Array(stage.utf8) + ceremony + [UInt8(threshold), UInt8(members.count)] + members.flatMap(\.encoded)
            + (dealerKey.map { [1] + $0.rawRepresentation } ?? [0])
    }

    /// `SHA-256("sealbid/committee-v1 roster" || 0x00 || encoded)`.
    public var digest: [UInt8] { SHA256.hash(CommitteeFormat.label("roster") + encoded) }
}
