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
    }

    static func prefix(_ type: MessageType) -> [UInt8] {
        [UInt8(version >> 8), UInt8(version & 0xFF), UInt8(suite >> 8), UInt8(suite & 0xFF), type.rawValue]
    }

    static func label(_ name: String) -> [UInt8] { Array("sealbid/committee-v1 \(name)".utf8) + [0] }
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

/// Who holds one stage key: the committee, the stage, the threshold t (the
/// smallest number of members who can open) and the members. Every message
/// of every protocol binds the roster's digest, so keys and shares of one
/// stage are useless for any other.
public struct CommitteeRoster: Sendable, Hashable {
    public let committee: String
    public let stage: String
    public let threshold: Int
    /// Sorted by identifier.
    public let members: [MemberCard]

    /// - Throws: ``CommitteeError/invalidRoster(_:)``, ``CommitteeError/duplicateIdentifier(_:)``.
    public init(committee: String, stage: String, threshold: Int, members: [MemberCard]) throws(CommitteeError) {
        guard Self.validName(committee, max: 128, extra: Array("._:/@+-ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)) else {
            throw .invalidRoster("committee id must be 1 to 128 of A-Z a-z 0-9 . _ : / @ + -")
        }
        guard Self.validName(stage, max: 32, extra: Array("_-".utf8)) else {
            throw .invalidRoster("stage must be 1 to 32 of a-z 0-9 _ -")
        }
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
        self.committee = committee
        self.stage = stage
        self.threshold = threshold
        self.members = members.sorted { $0.id < $1.id }
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

    /// `prefix(0x01) || lp8(committee) || lp8(stage) || u8(t) || u8(n) || cards`.
    public var encoded: [UInt8] {
        CommitteeFormat.prefix(.roster) + [UInt8(committee.utf8.count)] + Array(committee.utf8) + [UInt8(stage.utf8.count)]
            + Array(stage.utf8) + [UInt8(threshold), UInt8(members.count)] + members.flatMap(\.encoded)
    }

    /// `SHA-256("sealbid/committee-v1 roster" || 0x00 || encoded)`.
    public var digest: [UInt8] { SHA256.hash(CommitteeFormat.label("roster") + encoded) }
}
