import Foundation
import SealedBidCommittee
import SealedBidHPKE
import SealedBidPrimitives

/// The `complaint` scenarios of `TestVectors/committee/` (committee-v1, "Complaints"): a member
/// says a share sealed to it is bad, and anyone judges it from public files. Every scenario draws
/// from streams of its own, so the other committee vectors keep their bytes.
extension CommitteeVectors {
    static func complaintScenarios(_ list: inout [Scenario], _ old: Old, dealing: TrustedDealer.Dealing) throws {
        // A 2-of-3 DKG; member 3 (index 2) receives, member 1 sends.
        let g = try Setup(seed: "complaint", t: 2, n: 3)
        var secrets: [DKG.Round1Secret] = [], packages: [DKG.Round1Package] = []
        for keys in g.keys {
            let (s, p) = try DKG.round1(roster: g.roster, keys: keys, randomness: g.random)
            secrets.append(s)
            packages.append(p)
        }
        let round1 = packages.map(\.encoded)
        let accuser = g.keys[2], sender = g.keys[0]
        let honest = try DKG.round2(secrets[0], packages: packages, randomness: g.random).first { $0.recipient == accuser.id }!
        // Member 1 signs a share that opens to a scalar its commitment does not give (with a valid ephemeral-key proof).
        let bad = try SealedShare.seal(
            plaintext: g.random.next().secureRepresentation, to: accuser.card, rosterDigest: g.roster.digest, sender: 1,
            signer: sender.signingKey, commitment: packages[0].commitment, purpose: "dkg-share", randomness: g.random)
        // Member 1 signs its honest share with a wrong ephemeral-key proof.
        let badProof = try SealedShare(
            encoded: signed(
                SealedShare(
                    rosterDigest: honest.rosterDigest, sender: 1, recipient: accuser.id, encapsulatedKey: honest.encapsulatedKey,
                    ciphertext: honest.ciphertext,
                    ephemeralProof: SchnorrProof(challenge: honest.ephemeralProof.challenge, response: honest.ephemeralProof.response + .one),
                    signature: honest.signature
                ).body, by: sender.signingKey))
        let others = try DKG.round2(secrets[1], packages: packages, randomness: g.random).filter { $0.recipient == accuser.id }
        let complaints = try DKG.complaints(secrets[2], packages: packages, shares: [bad] + others, randomness: g.random)
        guard complaints.count == 1 else { throw VectorFormatError("expected one complaint, got \(complaints.count)") }
        let trueComplaint = complaints[0]
        let falseComplaint = try Complaint.make(against: honest, roster: g.roster, keys: accuser, randomness: g.random)
        let proofComplaint = try Complaint.make(against: badProof, roster: g.roster, keys: accuser, randomness: g.random)

        func add(_ name: String, _ description: String, expect: String, culprits: [UInt16] = [], _ complaint: [UInt8]) {
            var v = base("complaint", description, expect: expect, culprits: culprits, roster: g.roster.encoded)
            v.message = complaint.hexString
            v.round1 = round1.map(\.hexString)
            list.append(Scenario(name: name, vector: v))
        }
        /// The complaint `c` with its fields replaced and signed again by `by` (the accuser by default).
        func resigned(
            _ c: Complaint, rosterDigest: [UInt8]? = nil, accused: UInt16? = nil, share: SealedShare? = nil,
            revealed: Complaint.Revealed?? = nil, by key: Ed25519PrivateKey? = nil
        ) -> [UInt8] {
            signed(
                Complaint.body(
                    rosterDigest: rosterDigest ?? c.rosterDigest, accuser: c.accuser, accused: accused ?? c.accused,
                    sealedShare: share ?? c.sealedShare, revealed: revealed ?? c.revealed),
                by: key ?? accuser.signingKey)
        }
        let t = trueComplaint.encoded
        add("complaint-true-names-sender",
            "member 3 complains that member 1's signed share does not verify, revealing D with its proof; it opens to a wrong value: member 1 is named",
            expect: "bad-share", culprits: [1], t)
        add("complaint-false-names-accuser",
            "member 3 complains about member 1's honest share; opened from the revealed D it verifies: the accuser is named",
            expect: "false-complaint", culprits: [3], falseComplaint.encoded)
        let r = trueComplaint.revealed!
        add("complaint-bad-dleq-proof",
            "member 3 signs a complaint whose DLEQ proof does not verify (response + 1): the accuser is named, whatever the share",
            expect: "false-complaint", culprits: [3],
            resigned(trueComplaint, revealed: .some(Complaint.Revealed(point: r.point, proof: DLEQProof(challenge: r.proof.challenge, response: r.proof.response + .one)))))
        add("complaint-wrong-dh-value",
            "member 3 reveals D for another key (2·D) with a proof that cannot match: the accuser is named",
            expect: "false-complaint", culprits: [3],
            resigned(trueComplaint, revealed: .some(Complaint.Revealed(point: try r.point.adding(r.point), proof: r.proof))))
        add("complaint-share-not-signed-by-accused",
            "member 3 complains with a share claiming to be member 1's but not signed by it: the accuser is named",
            expect: "false-complaint", culprits: [3], resigned(trueComplaint, share: try SealedShare(encoded: unsigned(bad.encoded))))
        add("complaint-accused-not-sender",
            "member 3 names member 2 as the sender of member 1's share: the accuser is named", expect: "false-complaint", culprits: [3],
            resigned(trueComplaint, accused: 2))
        add("complaint-bad-ephemeral-proof",
            "member 1 signs a share whose ephemeral-key proof fails; member 3 complains revealing nothing: member 1 is named",
            expect: "bad-share", culprits: [1], proofComplaint.encoded)
        add("complaint-withheld-reveal",
            "member 3 complains about member 1's honest share without revealing D (reveal 0): the accuser is named",
            expect: "false-complaint", culprits: [3], resigned(falseComplaint, revealed: .some(nil)))
        let otherAttempt = try variant(of: g.roster, ceremony: 0x5A)
        add("complaint-wrong-roster",
            "member 3's complaint carries another attempt's roster digest: nobody's complaint here, nobody named",
            expect: "invalid-complaint", resigned(trueComplaint, rosterDigest: otherAttempt.digest))
        add("complaint-unsigned", "the true complaint with a signature that is not member 3's: nobody named", expect: "invalid-complaint",
            unsigned(t))
        var missing = base("complaint", "the true complaint, judged without member 2's round-1 package: the transcript fails first",
            expect: "missing-participant", culprits: [2], roster: g.roster.encoded)
        missing.message = t.hexString
        missing.round1 = [round1[0], round1[2]].map(\.hexString)
        list.append(Scenario(name: "complaint-transcript-incomplete", vector: missing))

        func decode(_ name: String, _ description: String, expect: String, _ bytes: [UInt8]) {
            list.append(decodeScenario(name, description, expect: expect, type: "complaint", bytes, roster: g.roster))
        }
        decode("decode-complaint-success", "member 3's complaint (type 0x0A) with D and its proof", expect: "success", t)
        decode("decode-complaint-no-reveal-success", "a complaint with reveal 0", expect: "success", proofComplaint.encoded)
        // accuser at 37, accused at 39, the sealed share at 41..<323, the reveal flag at 323.
        decode("decode-complaint-zero-accuser", "accuser 0", expect: "zero-identifier", patched(t, at: 37, [0, 0]))
        decode("decode-complaint-reveal-flag-invalid", "reveal flag 2", expect: "malformed", patched(t, at: 323, [2]))
        decode("decode-complaint-d-off-curve", "D with its last byte changed: not on the curve", expect: "malformed",
            patched(t, at: 388, [t[388] ^ 1]))
        decode("decode-complaint-cut", "one byte short", expect: "malformed", Array(t.dropLast()))

        // The dealer's share: member 1 of the dealt 2-of-3 roster.
        let d = old.setup
        let first = dealing.shares[0]
        let c = ScalarSource.deterministic(seed: "complaint-dealer")
        let badDealt = try SealedShare(
            encoded: signed(
                SealedShare(
                    rosterDigest: first.rosterDigest, sender: 0, recipient: first.recipient, encapsulatedKey: first.encapsulatedKey,
                    ciphertext: patched(first.ciphertext, at: 0, [first.ciphertext[0] ^ 1]), ephemeralProof: first.ephemeralProof,
                    signature: first.signature
                ).body, by: d.dealerKey))
        func addDealt(_ name: String, _ description: String, expect: String, culprits: [UInt16] = [], _ complaint: Complaint) {
            var v = base("complaint", description, expect: expect, culprits: culprits, roster: d.roster.encoded)
            v.message = complaint.encoded.hexString
            v.dealing = dealing.message.encoded.hexString
            list.append(Scenario(name: name, vector: v))
        }
        guard let dealtComplaint = try TrustedDealer.complaint(about: badDealt, dealing: dealing.message, roster: d.roster, keys: d.keys[0], randomness: c)
        else { throw VectorFormatError("no complaint about the dealer's bad share") }
        addDealt("complaint-dealer-true", "member 1 complains that the dealer's signed share does not open: the dealer is at fault",
            expect: "bad-dealer-share", dealtComplaint)
        addDealt("complaint-dealer-false", "member 1 complains about the dealer's good share: member 1 is named",
            expect: "false-complaint", culprits: [1], try Complaint.make(against: first, roster: d.roster, keys: d.keys[0], randomness: c))

        // Resharing: old member 1 deals to a new 2-of-3 roster; new member 2 complains.
        let new = try Setup(seed: "complaint-reshare", t: 2, n: 3)
        let receiver = new.keys[1]
        let p1 = try Resharing.deal(share: old.shares[0], keys: d.keys[0], oldKey: old.key, newRoster: new.roster, randomness: new.random)
        let p2 = try Resharing.deal(share: old.shares[1], keys: d.keys[1], oldKey: old.key, newRoster: new.roster, randomness: new.random)
        let wrong = try SealedShare.seal(
            plaintext: new.random.next().secureRepresentation, to: receiver.card, rosterDigest: new.roster.digest, sender: 1,
            signer: d.keys[0].signingKey, commitment: p1.commitment, purpose: "reshare-share", randomness: new.random)
        let dishonest = signed(
            Resharing.Package(
                oldRosterDigest: p1.oldRosterDigest, newRosterDigest: p1.newRosterDigest, from: p1.from, commitment: p1.commitment,
                shares: p1.shares.map { $0.recipient == receiver.id ? wrong : $0 }, signature: p1.signature
            ).body, by: d.keys[0].signingKey)
        let reshareFiles = [dishonest, p2.encoded]
        let decoded = try reshareFiles.map { try Resharing.Package(encoded: $0) }
        let reshareComplaints = try Resharing.complaints(
            packages: decoded, oldKey: old.key, newRoster: new.roster, keys: receiver, randomness: new.random)
        guard reshareComplaints.count == 1 else { throw VectorFormatError("expected one resharing complaint") }
        func addReshare(_ name: String, _ description: String, expect: String, culprits: [UInt16] = [], _ complaint: Complaint) {
            var v = base("complaint", description, expect: expect, culprits: culprits, roster: d.roster.encoded)
            v.message = complaint.encoded.hexString
            v.stage_key = old.key.encoded.hexString
            v.new_roster = new.roster.encoded.hexString
            v.packages = reshareFiles.map(\.hexString)
            list.append(Scenario(name: name, vector: v))
        }
        addReshare("complaint-reshare-true",
            "new member 2 complains that old member 1's signed share in its package does not verify: old member 1 is named",
            expect: "bad-share", culprits: [1], reshareComplaints[0])
        let honest2 = p2.shares.first { $0.recipient == receiver.id }!
        addReshare("complaint-reshare-false", "new member 2 complains about old member 2's good share: new member 2 is named",
            expect: "false-complaint", culprits: [2], try Complaint.make(against: honest2, roster: new.roster, keys: receiver, randomness: new.random))
    }
}
