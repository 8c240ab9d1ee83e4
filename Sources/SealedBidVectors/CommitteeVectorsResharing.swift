import Foundation
import SealedBidCommittee
import SealedBidHPKE
import SealedBidPrimitives

/// The `reshare` scenarios of `TestVectors/committee/` (committee-v1, "Resharing"): a new
/// member combines the old members' resharing packages.
extension CommitteeVectors {
    /// The old stage: its setup, its stage key and its members' shares.
    struct Old {
        let setup: Setup
        let key: StageKey
        let shares: [SecretShare]
    }

    /// The old 2-of-3 dealt stage moves to a new 3-of-4 roster (new key pairs, same committee and
    /// stage); new member 2 receives. `other` is a second dealing of the old roster.
    static func reshareScenarios(_ list: inout [Scenario], _ old: Old, other: TrustedDealer.Dealing) throws {
        let d = old.setup
        let new = try Setup(seed: "reshare", t: 3, n: 4)
        let receiver = new.keys[1]
        func deal(_ index: Int, share: SecretShare? = nil, oldKey: StageKey? = nil, to roster: CommitteeRoster? = nil) throws -> Resharing.Package {
            try Resharing.deal(
                share: share ?? old.shares[index], keys: d.keys[index], oldKey: oldKey ?? old.key, newRoster: roster ?? new.roster,
                randomness: new.random)
        }
        let packages = try (0..<3).map { try deal($0) }
        let p = packages.map(\.encoded)
        func receive(_ chosen: [Resharing.Package]) throws -> (share: SecretShare, stageKey: StageKey) {
            try Resharing.receive(packages: chosen, oldKey: old.key, newRoster: new.roster, keys: receiver)
        }
        let from1and3 = try receive([packages[0], packages[2]])
        func add(
            _ name: String, _ description: String, expect: String, culprits: [UInt16] = [], _ files: [[UInt8]],
            outputs: (share: SecretShare, stageKey: StageKey)? = nil, newRoster: CommitteeRoster? = nil, member: Member? = nil
        ) {
            var v = base("reshare", description, expect: expect, culprits: culprits, roster: d.roster.encoded)
            v.stage_key = old.key.encoded.hexString
            v.new_roster = (newRoster ?? new.roster).encoded.hexString
            v.member = member ?? new.member(1)
            v.packages = files.map(\.hexString)
            if let outputs {
                v.share = outputs.share.value.rawRepresentation.hexString
                v.expected_stage_key = outputs.stageKey.encoded.hexString
            }
            list.append(Scenario(name: name, vector: v))
        }
        add("reshare-success", "new member 2 of a 3-of-4 roster combines the packages of old members 1 and 3 (old t = 2)",
            expect: "success", [p[0], p[2]], outputs: from1and3)
        add("reshare-success-three-packages", "the packages of old members 1, 2 and 3: all three are used (another transcript, the same public key)",
            expect: "success", p, outputs: try receive(packages))
        add("reshare-too-few", "only old member 1's package (old t = 2)", expect: "too-few-shares", [p[0]])
        add("reshare-unsigned-ignored", "beside 1's and 3's, a package claiming to be old member 2's, not signed by it: ignored",
            expect: "success", [p[0], unsigned(p[1]), p[2]], outputs: from1and3)
        let elsewhere = try Setup(seed: "reshare-elsewhere", t: 3, n: 4).roster
        add("reshare-other-new-roster-ignored", "beside 1's and 3's, old member 2's genuine package for another new roster: ignored",
            expect: "success", [p[0], try deal(1, to: elsewhere).encoded, p[2]], outputs: from1and3)

        // Old member 2 signs wrong packages.
        let otherShare = try TrustedDealer.receive(other.shares[1], dealing: other.message, roster: d.roster, keys: d.keys[1]).share
        add("reshare-wrong-start", "old member 2 signs a package dealing another value than its share (C'_0 is not Y_2): named",
            expect: "bad-share", culprits: [2], [p[0], try deal(1, share: otherShare, oldKey: other.stageKey).encoded, p[2]])
        let second = packages[1]
        func resigned(commitment: VSSCommitment? = nil, shares: [SealedShare]? = nil) -> [UInt8] {
            signed(
                Resharing.Package(
                    oldRosterDigest: second.oldRosterDigest, newRosterDigest: second.newRosterDigest, from: second.from,
                    commitment: commitment ?? second.commitment, shares: shares ?? second.shares, signature: second.signature
                ).body, by: d.keys[1].signingKey)
        }
        add("reshare-wrong-commitment-count", "old member 2 signs a package with 2 commitments; the new threshold is 3: named",
            expect: "bad-share", culprits: [2], [p[0], resigned(commitment: VSSCommitment(points: Array(second.commitment.points.prefix(2)))), p[2]])
        add("reshare-no-share-for-member", "old member 2 signs a package without a share for new member 2: named", expect: "bad-share",
            culprits: [2], [p[0], resigned(shares: second.shares.filter { $0.recipient != receiver.id }), p[2]])
        let again = try deal(1)
        let foreignShare = again.shares.first { $0.recipient == receiver.id }!
        add("reshare-share-does-not-open",
            "old member 2 signs a package whose share for new member 2 is from another of its dealings (it does not open with these commitments): named",
            expect: "bad-share", culprits: [2], [p[0], resigned(shares: second.shares.map { $0.recipient == receiver.id ? foreignShare : $0 }), p[2]])
        add("reshare-two-packages", "old member 2 signed two different packages: named", expect: "bad-share", culprits: [2],
            [p[0], p[1], again.encoded, p[2]])

        // The new roster and the receiving member.
        add("reshare-other-stage", "the new roster is for stage \"price\": resharing keeps the stage", expect: "invalid-roster", [p[0], p[2]],
            newRoster: try variant(of: new.roster, stage: "price", ceremony: 0x3C))
        let sameCeremony = try CommitteeRoster(
            committee: new.roster.committee, stage: new.roster.stage, threshold: new.roster.threshold, members: new.roster.members,
            ceremony: d.roster.ceremony)
        add("reshare-same-ceremony", "the new roster reuses the old roster's ceremony nonce", expect: "invalid-roster", [p[0], p[2]],
            newRoster: sameCeremony)
        let card = new.member(1)
        add("reshare-not-a-new-member", "the receiving member's identifier, 9, is not in the new roster", expect: "unknown-member",
            [p[0], p[2]], member: Member(id: 9, hpke_private_key: card.hpke_private_key, ed25519_seed: card.ed25519_seed))

        list.append(decodeScenario("decode-reshare-success", "old member 1's resharing package (type 0x07)", expect: "success", type: "reshare",
            p[0], roster: d.roster))
        // The first sealed share's length follows prefix, both digests, the sender, the 3-point commitment and the count.
        list.append(decodeScenario("decode-reshare-share-length-wrong", "the first sealed share's length says 217 (a sealed share is 218 bytes)",
            expect: "malformed", type: "reshare", patched(p[0], at: 5 + 32 + 32 + 2 + 1 + 3 * 65 + 1, [0, 217]), roster: d.roster))
    }
}
