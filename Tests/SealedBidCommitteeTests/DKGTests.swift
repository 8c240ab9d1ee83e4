import Foundation
import Testing

@testable import SealedBidCommittee
import SealedBidHPKE
import SealedBidPrimitives

/// Runs a DKG in-process; `tamper` may alter the shares in flight.
func runDKG(_ committee: Committee, tamper: (inout [SealedShare]) throws -> Void = { _ in }) throws
    -> (results: [(share: SecretShare, stageKey: StageKey)], packages: [DKG.Round1Package])
{
    var secrets: [DKG.Round1Secret] = []
    var packages: [DKG.Round1Package] = []
    for keys in committee.keys {
        let (secret, package) = try DKG.round1(roster: committee.roster, keys: keys)
        secrets.append(secret)
        packages.append(package)
    }
    var shares: [SealedShare] = []
    for secret in secrets { shares += try DKG.round2(secret, packages: packages) }
    try tamper(&shares)
    let results = try secrets.map { try DKG.finish($0, packages: packages, shares: shares) }
    return (results, packages)
}

@Suite("Committee keys: dealerless DKG")
struct DKGTests {
    @Test("t-of-n DKG: one key, signed transcript, every t-subset opens", arguments: matrix)
    func dkgMatrix(t: Int, n: Int) throws {
        let committee = try Committee(t: t, n: n)
        let (results, _) = try runDKG(committee)
        let stageKey = results[0].stageKey
        #expect(results.allSatisfy { $0.stageKey == stageKey })
        let signatures = zip(results, committee.keys).map { TranscriptSignature(stageKey: $0.stageKey, keys: $1) }
        try DKG.confirm(stageKey: stageKey, signatures: signatures)
        let wraps = try Wraps(to: stageKey.publicKey)
        let shares = results.map(\.share)
        let contributions = try shares.map { try DecryptionShares.create(share: $0, stageKey: stageKey, encapsulatedKeys: wraps.encs) }
        try checkMatrix(stageKey: stageKey, shares: shares, contributions: contributions, wraps: wraps)
    }

    @Test("a member sending an inconsistent share is blamed by its recipient")
    func inconsistentShareBlamed() throws {
        let committee = try Committee(t: 3, n: 5)
        let cheater = committee.keys[2].id, victim = committee.keys[4].id
        let error = committeeError {
            _ = try runDKG(committee) { shares in
                // The cheater re-seals a different value to the victim under its own commitment binding.
                let index = shares.firstIndex { $0.sender == cheater.value && $0.recipient == victim }!
                let original = shares[index]
                let card = try committee.roster.card(victim)
                let info = SealedShare.info(rosterDigest: committee.roster.digest, sender: cheater.value, recipient: victim, purpose: "dkg-share")
                let (enc, ct) = try HPKE.seal(P256Scalar.random().secureRepresentation, to: card.encryptionKey, info: info, authenticating: [UInt8]())
                shares[index] = SealedShare(
                    rosterDigest: original.rosterDigest, sender: original.sender, recipient: victim, encapsulatedKey: enc, ciphertext: ct)
            }
        }
        #expect(error == .badShare(culprits: [cheater]))
    }

    @Test("round 1 faults: bad proof of possession, wrong commitment count, missing and unknown members, equivocation")
    func round1Faults() throws {
        let committee = try Committee(t: 2, n: 3)
        var secrets: [DKG.Round1Secret] = [], packages: [DKG.Round1Package] = []
        for keys in committee.keys {
            let (s, p) = try DKG.round1(roster: committee.roster, keys: keys)
            secrets.append(s)
            packages.append(p)
        }
        let p = packages[1]
        var badPoP = packages
        badPoP[1] = DKG.Round1Package(rosterDigest: p.rosterDigest, member: p.member, commitment: p.commitment, proofR: p.proofR, proofZ: p.proofZ + .one)
        #expect(committeeError { _ = try DKG.round2(secrets[0], packages: badPoP) } == .badProofOfPossession(culprits: [p.member]))
        // A proof of possession copied from another member does not transfer (it binds the identifier).
        var stolen = packages
        stolen[1] = DKG.Round1Package(
            rosterDigest: p.rosterDigest, member: p.member, commitment: packages[0].commitment, proofR: packages[0].proofR, proofZ: packages[0].proofZ)
        #expect(committeeError { _ = try DKG.round2(secrets[0], packages: stolen) } == .badProofOfPossession(culprits: [p.member]))
        var short = packages
        short[1] = DKG.Round1Package(
            rosterDigest: p.rosterDigest, member: p.member, commitment: VSSCommitment(points: [p.commitment.points[0]]), proofR: p.proofR, proofZ: p.proofZ)
        #expect(committeeError { _ = try DKG.round2(secrets[0], packages: short) } == .wrongCommitmentCount(culprit: p.member, expected: 2, found: 1))
        #expect(committeeError { _ = try DKG.round2(secrets[0], packages: Array(packages.dropLast())) } == .missingParticipant(packages[2].member))
        let outsider = try DKG.round1(roster: try Committee(t: 2, n: 3, ids: [1, 2, 99]).roster, keys: MemberKeys(id: 99)).1
        #expect(committeeError { _ = try DKG.round2(secrets[0], packages: packages + [outsider]) } == .unknownMember(99))
        #expect(committeeError { _ = try DKG.round2(secrets[0], packages: packages + [short[1]]) } == .inconsistentTranscript(culprits: [p.member]))
    }

    @Test("a split view of round 1 is caught by the transcript signatures")
    func splitView() throws {
        let committee = try Committee(t: 2, n: 3)
        let (results, _) = try runDKG(committee)
        let stageKey = results[0].stageKey
        var signatures = zip(results, committee.keys).map { TranscriptSignature(stageKey: $0.stageKey, keys: $1) }
        // Member 3 signs a transcript from a different view.
        let other = StageKey(roster: stageKey.roster, commitment: stageKey.commitment, transcriptHash: SHA256.hash([1, 2, 3] as [UInt8]))
        signatures[2] = TranscriptSignature(stageKey: other, keys: committee.keys[2])
        #expect(committeeError { try DKG.confirm(stageKey: stageKey, signatures: signatures) } == .inconsistentTranscript(culprits: [committee.keys[2].id]))
        #expect(committeeError { try DKG.confirm(stageKey: stageKey, signatures: Array(signatures.prefix(2))) } == .missingParticipant(committee.keys[2].id))
        // A forged signature in member 1's name, placed first, does not mask or spoil its real one.
        let honest = zip(results, committee.keys).map { TranscriptSignature(stageKey: $0.stageKey, keys: $1) }
        let forgedSignature = TranscriptSignature(stageKey: stageKey, keys: MemberKeys(id: committee.keys[0].id))
        try DKG.confirm(stageKey: stageKey, signatures: [forgedSignature] + honest)
        // A member who genuinely signed two transcripts is named even if one of them is right.
        #expect(committeeError { try DKG.confirm(stageKey: stageKey, signatures: honest + [signatures[2]]) }
            == .inconsistentTranscript(culprits: [committee.keys[2].id]))
    }
}

@Suite("Committee keys: resharing")
struct ResharingTests {
    @Test("2-of-3 moves to 3-of-5 with a replaced member; the public key stays; old shares stop working")
    func reshare() throws {
        let old = try Committee(t: 2, n: 3, ids: [1, 2, 3])
        let (results, _) = try runDKG(old)
        let oldKey = results[0].stageKey
        // Member 3 retires; 4, 5, 6 join; 1 and 2 stay with new key pairs.
        let newKeys = [MemberKeys(id: 1), MemberKeys(id: 2), MemberKeys(id: 4), MemberKeys(id: 5), MemberKeys(id: 6)]
        let newRoster = try CommitteeRoster(committee: old.roster.committee, stage: old.roster.stage, threshold: 3, members: newKeys.map(\.card))
        // Old members 1 and 3 contribute (member 2 is absent).
        let packages = try [results[0].share, results[2].share].map { try Resharing.deal(share: $0, oldKey: oldKey, newRoster: newRoster) }
        let received = try newKeys.map { try Resharing.receive(packages: packages, oldKey: oldKey, newRoster: newRoster, keys: $0) }
        let newKey = received[0].stageKey
        #expect(received.allSatisfy { $0.stageKey == newKey })
        #expect(newKey.publicKey == oldKey.publicKey)
        #expect(newKey.commitment.points.count == 3)
        try DKG.confirm(stageKey: newKey, signatures: zip(received, newKeys).map { TranscriptSignature(stageKey: $0.stageKey, keys: $1) })

        let wraps = try Wraps(to: newKey.publicKey)
        let newShares = received.map(\.share)
        let contributions = try newShares.map { try DecryptionShares.create(share: $0, stageKey: newKey, encapsulatedKeys: wraps.encs) }
        try checkMatrix(stageKey: newKey, shares: newShares, contributions: contributions, wraps: wraps)

        // An old share is not a share of the new polynomial, even for a member who stayed.
        #expect(try !newKey.commitment.verify(SecretShare(id: 1, value: results[0].share.value)))
        let mixed = [SecretShare(id: 1, value: results[0].share.value), newShares[1], newShares[2]]
        #expect(try Reconstruction.reconstruct(stageKey: newKey, shares: mixed + [newShares[3]]).culprits == [1])
        #expect(committeeError { _ = try Reconstruction.reconstruct(stageKey: newKey, shares: mixed) }
            == .tooFewShares(have: 2, need: 3, culprits: [1]))
    }

    @Test("a resharing package that does not start at the sender's share is blamed")
    func badResharePackage() throws {
        let old = try Committee(t: 2, n: 3, ids: [1, 2, 3])
        let dealing = try TrustedDealer.deal(roster: old.roster)
        let shares = try dealing.shares.map { try TrustedDealer.receive($0, stageKey: dealing.stageKey, keys: old.keys(for: $0.recipient)) }
        let newKeys = [MemberKeys(id: 7), MemberKeys(id: 8)]
        let newRoster = try CommitteeRoster(committee: old.roster.committee, stage: old.roster.stage, threshold: 2, members: newKeys.map(\.card))
        // Member 2 deals a random value instead of its share.
        let honest = try Resharing.deal(share: shares[0], oldKey: dealing.stageKey, newRoster: newRoster)
        let fakeShare = SecretShare(id: 2, value: .random())
        #expect(committeeError { _ = try Resharing.deal(share: fakeShare, oldKey: dealing.stageKey, newRoster: newRoster) }?.code == "key-mismatch")
        let polynomial = SecretPolynomial(threshold: 2, constant: fakeShare.value)
        let commitment = try polynomial.commitment()
        let forged = Resharing.Package(
            oldRosterDigest: dealing.stageKey.roster.digest, newRosterDigest: newRoster.digest, from: 2, commitment: commitment,
            shares: try newRoster.members.map {
                try SealedShare.seal(polynomial.evaluate($0.id), to: $0, rosterDigest: newRoster.digest, sender: 2, commitment: commitment, purpose: "reshare-share")
            })
        #expect(committeeError { _ = try Resharing.receive(packages: [honest, forged], oldKey: dealing.stageKey, newRoster: newRoster, keys: newKeys[0]) }
            == .badShare(culprits: [2]))
        #expect(committeeError { _ = try Resharing.receive(packages: [honest], oldKey: dealing.stageKey, newRoster: newRoster, keys: newKeys[0]) }
            == .tooFewShares(have: 1, need: 2, culprits: []))
        // A forged package in member 2's name next to member 2's real one neither aborts nor
        // blames: every new member uses the real one and gets the same key.
        let real2 = try Resharing.deal(share: shares[1], oldKey: dealing.stageKey, newRoster: newRoster)
        let received = try newKeys.map {
            try Resharing.receive(packages: [forged, honest, real2], oldKey: dealing.stageKey, newRoster: newRoster, keys: $0)
        }
        #expect(received[0].stageKey == received[1].stageKey)
        #expect(received[0].stageKey.publicKey == dealing.stageKey.publicKey)
    }
}
