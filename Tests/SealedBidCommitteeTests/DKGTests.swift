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

/// A round-1 package with its fields changed and signed again by `keys` (a member signing a bad package).
func resigned(_ p: DKG.Round1Package, commitment: VSSCommitment? = nil, R: P256Point? = nil, z: P256Scalar? = nil, by keys: MemberKeys)
    -> DKG.Round1Package
{
    let body = DKG.Round1Package.body(
        rosterDigest: p.rosterDigest, member: p.member, commitment: commitment ?? p.commitment, R: R ?? p.proofR, z: z ?? p.proofZ)
    return DKG.Round1Package(
        rosterDigest: p.rosterDigest, member: p.member, commitment: commitment ?? p.commitment, proofR: R ?? p.proofR,
        proofZ: z ?? p.proofZ, signature: CommitteeFormat.sign(body, with: keys.signingKey))
}

@Suite("Committee keys: dealerless DKG")
struct DKGTests {
    @Test("t-of-n DKG: one key, every member signs it, every t-subset opens", arguments: matrix)
    func dkgMatrix(t: Int, n: Int) throws {
        let committee = try Committee(t: t, n: n)
        let (results, _) = try runDKG(committee)
        let stageKey = results[0].stageKey
        #expect(results.allSatisfy { $0.stageKey == stageKey })
        let signatures = zip(results, committee.keys).map { TranscriptSignature(stageKey: $0.stageKey, keys: $1) }
        try DKG.confirm(stageKey: stageKey, signatures: signatures)
        try checkMatrix(committee, stageKey: stageKey, shares: results.map(\.share), wraps: try Wraps(to: stageKey.publicKey))
    }

    @Test("a member signing an inconsistent share is blamed by its recipient; a forged one is ignored")
    func inconsistentShareBlamed() throws {
        let committee = try Committee(t: 3, n: 5)
        let cheater = committee.keys[2].id, victim = committee.keys[4].id
        func reseal(_ shares: inout [SealedShare], signer: Ed25519PrivateKey) throws {
            // A different value sealed to the victim under the cheater's identifier.
            let index = shares.firstIndex { $0.sender == cheater.value && $0.recipient == victim }!
            let original = shares[index]
            let forged = try SealedShare.seal(
                plaintext: P256Scalar.random().secureRepresentation, to: committee.roster.card(victim), rosterDigest: original.rosterDigest,
                sender: original.sender, signer: signer, commitment: VSSCommitment(points: [.generator]), purpose: "dkg-share")
            shares.insert(forged, at: index)
        }
        // The cheater signs the bad share (and its real one): it signed two different shares for one recipient.
        let error = committeeError { _ = try runDKG(committee) { try reseal(&$0, signer: committee.keys(for: cheater).signingKey) } }
        #expect(error == .badShare(culprits: [cheater]))
        // Someone else places a bad share in the cheater's name: ignored, the DKG completes.
        let (results, _) = try runDKG(committee) { try reseal(&$0, signer: Ed25519PrivateKey()) }
        #expect(results.allSatisfy { $0.stageKey == results[0].stageKey })
    }

    @Test("round 1 faults: bad proof of possession, wrong commitment count, missing members, equivocation; forgeries ignored")
    func round1Faults() throws {
        let committee = try Committee(t: 2, n: 3)
        var secrets: [DKG.Round1Secret] = [], packages: [DKG.Round1Package] = []
        for keys in committee.keys {
            let (s, p) = try DKG.round1(roster: committee.roster, keys: keys)
            secrets.append(s)
            packages.append(p)
        }
        let p = packages[1], k2 = committee.keys[1]
        var badPoP = packages
        badPoP[1] = resigned(p, z: p.proofZ + .one, by: k2)
        #expect(committeeError { _ = try DKG.round2(secrets[0], packages: badPoP) } == .badProofOfPossession(culprits: [p.member]))
        // A proof of possession copied from another member does not transfer (it binds the identifier).
        var stolen = packages
        stolen[1] = resigned(p, commitment: packages[0].commitment, R: packages[0].proofR, z: packages[0].proofZ, by: k2)
        #expect(committeeError { _ = try DKG.round2(secrets[0], packages: stolen) } == .badProofOfPossession(culprits: [p.member]))
        var short = packages
        short[1] = resigned(p, commitment: VSSCommitment(points: [p.commitment.points[0]]), by: k2)
        #expect(committeeError { _ = try DKG.round2(secrets[0], packages: short) } == .wrongCommitmentCount(culprits: [p.member], expected: 2))
        #expect(committeeError { _ = try DKG.round2(secrets[0], packages: Array(packages.dropLast())) } == .missingParticipants([packages[2].member]))
        // Two different packages, both signed by member 2: it equivocated.
        #expect(committeeError { _ = try DKG.round2(secrets[0], packages: packages + [short[1]]) } == .inconsistentTranscript(culprits: [p.member]))
        // Not signed by the member it names, or from outside the roster: ignored.
        let unsigned = resigned(p, z: p.proofZ + .one, by: MemberKeys(id: p.member))
        #expect(try DKG.round2(secrets[0], packages: packages + [unsigned]).count == 2)
        let strangers = try Committee(t: 2, n: 3, ids: [1, 2, 99])
        let outsider = try DKG.round1(roster: strangers.roster, keys: strangers.keys(for: 99)).1
        #expect(try DKG.round2(secrets[0], packages: packages + [outsider]).count == 2)
        #expect(committeeError { _ = try DKG.round2(secrets[0], packages: [packages[0], unsigned, packages[2]]) } == .missingParticipants([p.member]))
    }

    @Test("a split view of round 1, or a swapped stage key file, is caught by the members' signatures")
    func splitView() throws {
        let committee = try Committee(t: 2, n: 3)
        let (results, _) = try runDKG(committee)
        let stageKey = results[0].stageKey
        var signatures = zip(results, committee.keys).map { TranscriptSignature(stageKey: $0.stageKey, keys: $1) }
        // Member 3 signs a stage key from a different view.
        let other = StageKey(roster: stageKey.roster, commitment: stageKey.commitment, transcriptHash: SHA256.hash([1, 2, 3] as [UInt8]))
        signatures[2] = TranscriptSignature(stageKey: other, keys: committee.keys[2])
        #expect(committeeError { try DKG.confirm(stageKey: stageKey, signatures: signatures) } == .inconsistentTranscript(culprits: [committee.keys[2].id]))
        #expect(committeeError { try DKG.confirm(stageKey: stageKey, signatures: Array(signatures.prefix(2))) } == .missingParticipants([committee.keys[2].id]))
        // A forged signature in member 1's name, placed first, does not mask or spoil its real one.
        let honest = zip(results, committee.keys).map { TranscriptSignature(stageKey: $0.stageKey, keys: $1) }
        let forgedSignature = TranscriptSignature(stageKey: stageKey, keys: MemberKeys(id: committee.keys[0].id))
        try DKG.confirm(stageKey: stageKey, signatures: [forgedSignature] + honest)
        // A member who genuinely signed two stage keys is named even if one of them is right.
        #expect(committeeError { try DKG.confirm(stageKey: stageKey, signatures: honest + [signatures[2]]) }
            == .inconsistentTranscript(culprits: [committee.keys[2].id]))
        // The stage key file bidders encrypt to, swapped for other commitments with the same transcript hash.
        var points = stageKey.commitment.points
        points.swapAt(0, 1)
        let swapped = StageKey(roster: stageKey.roster, commitment: VSSCommitment(points: points), transcriptHash: stageKey.transcriptHash)
        #expect(committeeError { try DKG.confirm(stageKey: swapped, signatures: honest) }?.code == "inconsistent-transcript")
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
        let packages = try [0, 2].map {
            try Resharing.deal(share: results[$0].share, keys: old.keys[$0], oldKey: oldKey, newRoster: newRoster)
        }
        let received = try newKeys.map { try Resharing.receive(packages: packages, oldKey: oldKey, newRoster: newRoster, keys: $0) }
        let newKey = received[0].stageKey
        #expect(received.allSatisfy { $0.stageKey == newKey })
        #expect(newKey.publicKey == oldKey.publicKey)
        #expect(newKey.commitment.points.count == 3)
        try DKG.confirm(stageKey: newKey, signatures: zip(received, newKeys).map { TranscriptSignature(stageKey: $0.stageKey, keys: $1) })
        let wraps = try Wraps(to: newKey.publicKey)
        let newShares = received.map(\.share)
        let contributions = try newShares.map { share in
            try DecryptionShares.create(
                share: share, keys: newKeys.first { $0.id == share.id }!, stageKey: newKey, openingID: openingID, encapsulatedKeys: wraps.encs)
        }
        let combined = try ThresholdCombiner.combine(
            stageKey: newKey, openingID: openingID, encapsulatedKeys: wraps.encs, contributions: Array(contributions.prefix(3)))
        #expect(try wraps.open(with: combined, key: newKey.publicKey))

        // An old share is not a share of the new polynomial, even for a member who stayed.
        #expect(try !newKey.commitment.verify(SecretShare(id: 1, value: results[0].share.value)))
        func release(_ share: SecretShare) throws -> ReleasedShare {
            try ReleasedShare.release(share: share, keys: newKeys.first { $0.id == share.id }!, roster: newRoster, openingID: openingID)
        }
        let mixed = try [SecretShare(id: 1, value: results[0].share.value), newShares[1], newShares[2]].map(release)
        #expect(try Reconstruction.reconstruct(stageKey: newKey, openingID: openingID, released: mixed + [release(newShares[3])]).culprits == [1])
        #expect(committeeError { _ = try Reconstruction.reconstruct(stageKey: newKey, openingID: openingID, released: mixed) }
            == .tooFewShares(have: 2, need: 3, culprits: [1]))
    }

    @Test("a signed resharing package that does not start at the sender's share is blamed; a forged one is ignored")
    func badResharePackage() throws {
        let old = try Committee(t: 2, n: 3, ids: [1, 2, 3])
        let (oldKey, shares) = try old.deal()
        let newKeys = [MemberKeys(id: 7), MemberKeys(id: 8)]
        let newRoster = try CommitteeRoster(committee: old.roster.committee, stage: old.roster.stage, threshold: 2, members: newKeys.map(\.card))
        let honest = try Resharing.deal(share: shares[0], keys: old.keys[0], oldKey: oldKey, newRoster: newRoster)
        let fakeShare = SecretShare(id: 2, value: .random())
        #expect(committeeError { _ = try Resharing.deal(share: fakeShare, keys: old.keys[1], oldKey: oldKey, newRoster: newRoster) }?.code == "key-mismatch")
        // Member 2 deals a random value instead of its share, and signs the package.
        func package(from fake: SecretShare, signer: MemberKeys) throws -> Resharing.Package {
            let polynomial = SecretPolynomial(threshold: 2, constant: fake.value)
            let commitment = try polynomial.commitment()
            let sealed = try newRoster.members.map {
                try SealedShare.seal(
                    polynomial.evaluate($0.id), to: $0, rosterDigest: newRoster.digest, sender: 2, signer: signer.signingKey,
                    commitment: commitment, purpose: "reshare-share")
            }
            let body = Resharing.Package.body(old: oldKey.roster.digest, new: newRoster.digest, from: 2, commitment: commitment, shares: sealed)
            return Resharing.Package(
                oldRosterDigest: oldKey.roster.digest, newRosterDigest: newRoster.digest, from: 2, commitment: commitment, shares: sealed,
                signature: CommitteeFormat.sign(body, with: signer.signingKey))
        }
        // The new roster keeps the stage and has a ceremony of its own, for the receiver as for the dealer.
        let reused = try CommitteeRoster(
            committee: newRoster.committee, stage: newRoster.stage, threshold: 2, members: newRoster.members, ceremony: old.roster.ceremony)
        #expect(committeeError { _ = try Resharing.receive(packages: [honest], oldKey: oldKey, newRoster: reused, keys: newKeys[0]) }
            == .invalidRoster("the new roster needs a new ceremony nonce"))
        let bad = try package(from: fakeShare, signer: old.keys[1])
        #expect(committeeError { _ = try Resharing.receive(packages: [honest, bad], oldKey: oldKey, newRoster: newRoster, keys: newKeys[0]) }
            == .badShare(culprits: [2]))
        #expect(committeeError { _ = try Resharing.receive(packages: [honest], oldKey: oldKey, newRoster: newRoster, keys: newKeys[0]) }
            == .tooFewShares(have: 1, need: 2, culprits: []))
        // The same bad package signed by someone else next to member 2's real one: ignored, nobody blamed,
        // and every new member gets the same key.
        let forged = try package(from: fakeShare, signer: MemberKeys(id: 2))
        let real2 = try Resharing.deal(share: shares[1], keys: old.keys[1], oldKey: oldKey, newRoster: newRoster)
        let received = try newKeys.map { try Resharing.receive(packages: [forged, honest, real2], oldKey: oldKey, newRoster: newRoster, keys: $0) }
        #expect(received[0].stageKey == received[1].stageKey)
        #expect(received[0].stageKey.publicKey == oldKey.publicKey)
    }
}
