import Foundation
import Testing

@testable import SealedBidCommittee
import SealedBidHPKE
import SealedBidPrimitives

/// committee-v1 "Complaints": a member who says a share sealed to it is bad must show it, and
/// anyone holding the public files decides who lied.
@Suite("Committee keys: verifiable complaints")
struct ComplaintTests {
    /// A 2-of-3 DKG after round 2: every member's secret, the round-1 packages, and all sealed shares.
    struct Ceremony {
        let committee: Committee
        let secrets: [DKG.Round1Secret]
        let packages: [DKG.Round1Package]
        var shares: [SealedShare]

        init() throws {
            committee = try Committee(t: 2, n: 3)
            var secrets: [DKG.Round1Secret] = [], packages: [DKG.Round1Package] = []
            for keys in committee.keys {
                let (s, p) = try DKG.round1(roster: committee.roster, keys: keys)
                secrets.append(s)
                packages.append(p)
            }
            self.secrets = secrets
            self.packages = packages
            shares = try secrets.flatMap { try DKG.round2($0, packages: packages) }
        }

        var roster: CommitteeRoster { committee.roster }
        func keys(_ index: Int) -> MemberKeys { committee.keys[index] }
        func share(from sender: Int, to recipient: Int) -> SealedShare {
            shares.first { $0.sender == keys(sender).id.value && $0.recipient == keys(recipient).id }!
        }

        /// Member `sender` replaces its share to `recipient` with one that opens to a random value,
        /// sealed and signed properly (a valid ephemeral-key proof): only the recipient can tell.
        mutating func corrupt(from sender: Int, to recipient: Int) throws {
            let bad = try SealedShare.seal(
                plaintext: P256Scalar.random().secureRepresentation, to: keys(recipient).card, rosterDigest: roster.digest,
                sender: keys(sender).id.value, signer: keys(sender).signingKey, commitment: packages[sender].commitment, purpose: "dkg-share")
            let original = share(from: sender, to: recipient)
            shares = shares.map { $0 == original ? bad : $0 }
        }

        func received(by index: Int) -> [SealedShare] { shares.filter { $0.recipient == keys(index).id } }
    }

    /// The complaint `c` with some fields replaced, signed again by `signer`.
    func resigned(_ c: Complaint, revealed: Complaint.Revealed?? = nil, share: SealedShare? = nil, by signer: Ed25519PrivateKey) throws
        -> Complaint
    {
        let body = Complaint.body(
            rosterDigest: c.rosterDigest, accuser: c.accuser, accused: c.accused, sealedShare: share ?? c.sealedShare,
            revealed: revealed ?? c.revealed)
        return try Complaint(encoded: body + CommitteeFormat.sign(body, with: signer).rawRepresentation)
    }

    @Test("an honest member falsely accused: the DKG would finish, and the judge names the accuser, not the accused")
    func falseAccusationNamesAccuser() throws {
        let c = try Ceremony()
        let honest = c.share(from: 0, to: 2)
        // Member 3 lies: member 1's share is fine (its finish succeeds), but it complains anyway.
        _ = try DKG.finish(c.secrets[2], packages: c.packages, shares: c.received(by: 2))
        #expect(try DKG.complaints(c.secrets[2], packages: c.packages, shares: c.received(by: 2)).isEmpty)
        let lie = try Complaint.make(against: honest, roster: c.roster, keys: c.keys(2), randomness: .system)
        let verdict = try lie.judge(roster: c.roster, round1: c.packages)
        #expect(verdict.outcome == .falseComplaint(accuser: c.keys(2).id))
        #expect(verdict.code == "false-complaint")
        #expect(verdict.culprits == [c.keys(2).id])
        #expect(!verdict.upheld)
        // The revealed D is skR * enc, so the judge really opened member 1's share.
        let expectedD = try honest.encapsulatedKey.publicKey.point.multiplied(by: c.keys(2).encryptionKey.scalar)
        #expect(lie.revealed?.point == expectedD)
        // Through the file, as anyone would judge it.
        #expect(try Complaint(encoded: lie.encoded).judge(roster: c.roster, round1: c.packages) == verdict)
        // Withholding D for a share whose ephemeral-key proof verifies is a false complaint too.
        let withheld = try resigned(lie, revealed: .some(nil), by: c.keys(2).signingKey)
        #expect(try withheld.judge(roster: c.roster, round1: c.packages).outcome == .falseComplaint(accuser: c.keys(2).id))
    }

    @Test("a truly bad share: the recipient's finish fails, its complaint names the sender for anyone")
    func trueComplaintNamesSender() throws {
        var c = try Ceremony()
        try c.corrupt(from: 0, to: 2)
        let sender = c.keys(0).id
        #expect(committeeError { _ = try DKG.finish(c.secrets[2], packages: c.packages, shares: c.received(by: 2)) }
            == .badShare(culprits: [sender]))
        let complaints = try DKG.complaints(c.secrets[2], packages: c.packages, shares: c.received(by: 2))
        #expect(complaints.count == 1)
        let complaint = try #require(complaints.first)
        #expect(complaint.accused == sender.value && complaint.accuser == c.keys(2).id && complaint.revealed != nil)
        let verdict = try Complaint(encoded: complaint.encoded).judge(roster: c.roster, round1: c.packages)
        #expect(verdict.outcome == .badShare(culprits: [sender]))
        #expect(verdict.upheld)
        // The other members are unaffected: member 2 finishes.
        _ = try DKG.finish(c.secrets[1], packages: c.packages, shares: c.received(by: 1))
    }

    @Test("a tampered complaint: a wrong proof or D names the accuser; an unsigned or foreign one names nobody")
    func tamperedProof() throws {
        var c = try Ceremony()
        try c.corrupt(from: 0, to: 2)
        let complaint = try #require(try DKG.complaints(c.secrets[2], packages: c.packages, shares: c.received(by: 2)).first)
        let accuser = c.keys(2)
        let revealed = try #require(complaint.revealed)
        let badProof = Complaint.Revealed(
            point: revealed.point, proof: DLEQProof(challenge: revealed.proof.challenge, response: revealed.proof.response + .one))
        #expect(try resigned(complaint, revealed: .some(badProof), by: accuser.signingKey).judge(roster: c.roster, round1: c.packages).outcome
            == .falseComplaint(accuser: accuser.id))
        // D for another scalar (what a liar would need to make a good share fail) has no valid proof.
        let otherD = Complaint.Revealed(point: try revealed.point.multiplied(by: P256Scalar(2)), proof: revealed.proof)
        #expect(try resigned(complaint, revealed: .some(otherD), by: accuser.signingKey).judge(roster: c.roster, round1: c.packages).outcome
            == .falseComplaint(accuser: accuser.id))
        // A share the accused never signed.
        var forgedBytes = complaint.sealedShare.encoded
        forgedBytes[forgedBytes.count - 1] ^= 1
        let forged = try SealedShare(encoded: forgedBytes)
        #expect(try resigned(complaint, share: forged, by: accuser.signingKey).judge(roster: c.roster, round1: c.packages).outcome
            == .falseComplaint(accuser: accuser.id))
        // Not signed by the accuser (someone else placing a file in its name): nobody is named.
        let impostor = try resigned(complaint, revealed: .some(badProof), by: Ed25519PrivateKey())
        #expect(committeeError { _ = try impostor.judge(roster: c.roster, round1: c.packages) }?.code == "invalid-complaint")
        // Judged against another attempt's roster: nobody's complaint there.
        let other = try Ceremony()
        #expect(committeeError { _ = try complaint.judge(roster: other.roster, round1: other.packages) }?.code == "invalid-complaint")
        // Garbage is a typed error, never a crash.
        for length in [0, 5, 388, 516, 517, 518] {
            let bytes = [0, 1, 0, 1, 0x0A] + SecureRandom.bytes(count: max(0, length - 5))
            #expect(committeeError { _ = try Complaint(encoded: Array(bytes.prefix(length))) } != nil)
        }
    }

    @Test("a sender copying another share's enc gets no DH value revealed, and is named by its failing ephemeral-key proof")
    func copiedEncRevealsNothing() throws {
        var c = try Ceremony()
        // Member 1 seals to member 3 using member 2's enc (to member 3), hoping member 3 reveals
        // skR * enc and so decrypts member 2's share in public. It cannot prove the ephemeral key.
        let victim = c.share(from: 1, to: 2), original = c.share(from: 0, to: 2)
        let body = SealedShare.body(
            rosterDigest: c.roster.digest, sender: original.sender, recipient: original.recipient, enc: victim.encapsulatedKey,
            ciphertext: original.ciphertext, proof: victim.ephemeralProof)
        let copied = try SealedShare(encoded: body + CommitteeFormat.sign(body, with: c.keys(0).signingKey).rawRepresentation)
        #expect(!copied.ephemeralProofVerifies)
        c.shares = c.shares.map { $0 == original ? copied : $0 }
        #expect(committeeError { _ = try DKG.finish(c.secrets[2], packages: c.packages, shares: c.received(by: 2)) }
            == .badShare(culprits: [c.keys(0).id]))
        let complaint = try #require(try DKG.complaints(c.secrets[2], packages: c.packages, shares: c.received(by: 2)).first)
        #expect(complaint.revealed == nil)
        #expect(complaint.encoded.count == 388)
        #expect(try complaint.judge(roster: c.roster, round1: c.packages).outcome == .badShare(culprits: [c.keys(0).id]))
    }

    @Test("the dealer's bad share is shown by a complaint; a complaint about a good one names the member")
    func dealerComplaints() throws {
        let committee = try Committee(t: 2, n: 3)
        let dealing = try TrustedDealer.deal(roster: committee.roster, dealerKey: committee.dealer)
        let good = dealing.shares[0]
        let member = committee.keys(for: good.recipient)
        #expect(try TrustedDealer.complaint(about: good, dealing: dealing.message, roster: committee.roster, keys: member) == nil)
        let bad = try SealedShare.seal(
            plaintext: P256Scalar.random().secureRepresentation, to: member.card, rosterDigest: committee.roster.digest, sender: 0,
            signer: committee.dealer, commitment: dealing.message.commitment, purpose: "dealer-share")
        #expect(committeeError { _ = try TrustedDealer.receive(bad, dealing: dealing.message, roster: committee.roster, keys: member) }
            == .badDealerShare)
        let complaint = try #require(try TrustedDealer.complaint(about: bad, dealing: dealing.message, roster: committee.roster, keys: member))
        #expect(try complaint.judge(roster: committee.roster, dealing: dealing.message).outcome == .badDealerShare)
        let lie = try Complaint.make(against: good, roster: committee.roster, keys: member, randomness: .system)
        #expect(try lie.judge(roster: committee.roster, dealing: dealing.message).outcome == .falseComplaint(accuser: member.id))
    }

    @Test("resharing: a new member's complaint names the old member whose share is bad, or the new member who lied")
    func resharingComplaints() throws {
        let old = try Committee(t: 2, n: 3, ids: [1, 2, 3])
        let (oldKey, shares) = try old.deal()
        let newKeys = [MemberKeys(id: 7), MemberKeys(id: 8)]
        let newRoster = try CommitteeRoster(committee: old.roster.committee, stage: old.roster.stage, threshold: 2, members: newKeys.map(\.card))
        let p1 = try Resharing.deal(share: shares[0], keys: old.keys[0], oldKey: oldKey, newRoster: newRoster)
        let p2 = try Resharing.deal(share: shares[1], keys: old.keys[1], oldKey: oldKey, newRoster: newRoster)
        // Old member 1 puts a bad share for new member 7 in its package, and signs everything.
        let bad = try SealedShare.seal(
            plaintext: P256Scalar.random().secureRepresentation, to: newKeys[0].card, rosterDigest: newRoster.digest, sender: 1,
            signer: old.keys[0].signingKey, commitment: p1.commitment, purpose: "reshare-share")
        let swapped = p1.shares.map { $0.recipient == newKeys[0].id ? bad : $0 }
        let body = Resharing.Package.body(old: oldKey.roster.digest, new: newRoster.digest, from: 1, commitment: p1.commitment, shares: swapped)
        let dishonest = Resharing.Package(
            oldRosterDigest: oldKey.roster.digest, newRosterDigest: newRoster.digest, from: 1, commitment: p1.commitment, shares: swapped,
            signature: CommitteeFormat.sign(body, with: old.keys[0].signingKey))
        let packages = [dishonest, p2]
        #expect(committeeError { _ = try Resharing.receive(packages: packages, oldKey: oldKey, newRoster: newRoster, keys: newKeys[0]) }
            == .badShare(culprits: [1]))
        let complaints = try Resharing.complaints(packages: packages, oldKey: oldKey, newRoster: newRoster, keys: newKeys[0])
        #expect(complaints.count == 1)
        #expect(try complaints[0].judge(oldKey: oldKey, newRoster: newRoster, packages: packages).outcome == .badShare(culprits: [1]))
        // New member 8 got good shares from both; a complaint from it against old member 2 is false.
        #expect(try Resharing.complaints(packages: packages, oldKey: oldKey, newRoster: newRoster, keys: newKeys[1]).isEmpty)
        let honest = p2.shares.first { $0.recipient == newKeys[1].id }!
        let lie = try Complaint.make(against: honest, roster: newRoster, keys: newKeys[1], randomness: .system)
        #expect(try lie.judge(oldKey: oldKey, newRoster: newRoster, packages: packages).outcome == .falseComplaint(accuser: newKeys[1].id))
        // Without the accused's package there is nothing to judge by.
        #expect(committeeError { _ = try complaints[0].judge(oldKey: oldKey, newRoster: newRoster, packages: [p2]) }?.code == "malformed")
    }
}
