import Foundation
import Testing

@testable import SealedBidCommittee
import SealedBidHPKE
import SealedBidPrimitives

/// A committee of n members for one stage, with a dealer's key in its roster.
struct Committee {
    let keys: [MemberKeys]
    let dealer = Ed25519PrivateKey()
    let roster: CommitteeRoster

    init(t: Int, n: Int, stage: String = "technical", ids: [UInt16]? = nil) throws {
        let identifiers = ids ?? (1...n).map { UInt16($0) * 3 + 1 }  // non-consecutive on purpose
        keys = try identifiers.map { MemberKeys(id: try MemberID($0)) }
        roster = try CommitteeRoster(
            committee: "LPSE-2026-0042", stage: stage, threshold: t, members: keys.map(\.card), dealerKey: dealer.publicKey)
    }

    func keys(for id: MemberID) -> MemberKeys { keys.first { $0.id == id }! }

    /// A dealing every member received; returns the stage key and the shares in roster order.
    func deal() throws -> (stageKey: StageKey, shares: [SecretShare]) {
        let dealing = try TrustedDealer.deal(roster: roster, dealerKey: dealer)
        let shares = try dealing.shares.map {
            try TrustedDealer.receive($0, dealing: dealing.message, roster: roster, keys: keys(for: $0.recipient)).share
        }
        return (dealing.stageKey, shares)
    }

    /// Signed decryption shares of every member, for one opening.
    func contributions(_ shares: [SecretShare], stageKey: StageKey, encs: [HPKE.EncapsulatedKey]) throws -> [DecryptionShares] {
        try shares.map { try DecryptionShares.create(share: $0, keys: keys(for: $0.id), stageKey: stageKey, openingID: openingID, encapsulatedKeys: encs) }
    }

    func released(_ shares: [SecretShare]) throws -> [ReleasedShare] {
        try shares.map { try ReleasedShare.release(share: $0, keys: keys(for: $0.id), roster: roster, openingID: openingID) }
    }
}

/// The opening every test here is part of.
let openingID = SHA256.hash(Array("committee tests opening".utf8))

/// Every k-element subset of `items`.
func subsets<T>(_ items: [T], size k: Int) -> [[T]] {
    guard k > 0 else { return [[]] }
    guard items.count >= k else { return [] }
    if k == items.count { return [items] }
    let head = items[0], tail = Array(items.dropFirst())
    return subsets(tail, size: k - 1).map { [head] + $0 } + subsets(tail, size: k)
}

/// Three envelopes' key wraps sealed to the stage key, as bids would carry them.
struct Wraps {
    let encs: [HPKE.EncapsulatedKey]
    let ciphertexts: [[UInt8]]
    let plaintexts: [[UInt8]]
    let info = Array("sealbid committee test".utf8)

    init(to key: HPKE.PublicKey, count: Int = 3) throws {
        var encs: [HPKE.EncapsulatedKey] = [], cts: [[UInt8]] = [], pts: [[UInt8]] = []
        for _ in 0..<count {
            let pt = SecureRandom.bytes(count: 32)
            let (enc, ct) = try HPKE.seal(pt, to: key, info: info)
            encs.append(enc)
            cts.append(ct)
            pts.append(pt)
        }
        self.encs = encs
        ciphertexts = cts
        plaintexts = pts
    }

    /// Opens every wrap with combined DH values.
    func open(with result: ThresholdCombiner.Result, key: HPKE.PublicKey) throws -> Bool {
        for i in encs.indices {
            let dh = result.sharedSecrets[i]
            var recipient = try HPKE.Recipient(encapsulatedKey: encs[i], recipientKey: key, sharedDH: dh, info: info)
            guard try recipient.open(ciphertexts[i]) == plaintexts[i] else { return false }
        }
        return true
    }
}

func committeeError(_ body: () throws -> Void) -> CommitteeError? {
    do {
        try body()
        return nil
    } catch let error as CommitteeError {
        return error
    } catch {
        return .malformed("unexpected \(error)")
    }
}

let matrix: [(t: Int, n: Int)] = [(1, 1), (2, 3), (3, 5), (5, 9)]

@Suite("Committee keys: dealer, threshold decryption, reconstruction")
struct DealerTests {
    @Test("t-of-n: every t-subset opens, every (t-1)-subset fails, a bad member is named", arguments: matrix)
    func thresholdMatrix(t: Int, n: Int) throws {
        let committee = try Committee(t: t, n: n)
        let (stageKey, shares) = try committee.deal()
        #expect(stageKey.commitment.points.count == t)
        let wraps = try Wraps(to: stageKey.publicKey)
        try checkMatrix(committee, stageKey: stageKey, shares: shares, wraps: wraps)
    }

    @Test("a dealt share that does not match the commitments is the dealer's fault; unsigned ones are refused unblamed")
    func badDealerShare() throws {
        let committee = try Committee(t: 2, n: 3)
        let dealing = try TrustedDealer.deal(roster: committee.roster, dealerKey: committee.dealer)
        let other = try TrustedDealer.deal(roster: committee.roster, dealerKey: committee.dealer)
        // A share from another dealing, presented with this dealing's commitments.
        #expect(committeeError {
            _ = try TrustedDealer.receive(other.shares[0], dealing: dealing.message, roster: committee.roster, keys: committee.keys[0])
        } == .badDealerShare)
        #expect(committeeError {
            _ = try TrustedDealer.receive(dealing.shares[0], dealing: dealing.message, roster: committee.roster, keys: committee.keys[1])
        } == .wrongRecipient(committee.keys[0].id))
        // A member with another HPKE key file than its card's: its own mistake, not the dealer's fault.
        let mixedUp = MemberKeys(id: committee.keys[0].id, encryptionKey: HPKE.PrivateKey(), signingKey: committee.keys[0].signingKey)
        #expect(committeeError {
            _ = try TrustedDealer.receive(dealing.shares[0], dealing: dealing.message, roster: committee.roster, keys: mixedUp)
        }?.code == "key-mismatch")
        // A dealing signed by someone other than the roster's dealer.
        #expect(committeeError {
            _ = try TrustedDealer.deal(roster: committee.roster, dealerKey: Ed25519PrivateKey())
        }?.code == "invalid-roster")
    }

    @Test("a dealer that gives one member another dealing is caught by confirm; a swapped stage key file too")
    func splitDealing() throws {
        let committee = try Committee(t: 2, n: 3)
        let dealing = try TrustedDealer.deal(roster: committee.roster, dealerKey: committee.dealer)
        let other = try TrustedDealer.deal(roster: committee.roster, dealerKey: committee.dealer)
        var signatures: [TranscriptSignature] = []
        for (i, keys) in committee.keys.enumerated() {
            // Members 1 and 2 get the real dealing, member 3 another one (each signed by the dealer).
            let used = i == 2 ? other : dealing
            let (_, derived) = try TrustedDealer.receive(used.shares[i], dealing: used.message, roster: committee.roster, keys: keys)
            signatures.append(TranscriptSignature(stageKey: derived, keys: keys))
        }
        #expect(committeeError { try Confirmation.confirm(stageKey: dealing.stageKey, signatures: signatures) }
            == .inconsistentTranscript(culprits: [committee.keys[2].id]))
        let agreed = try committee.keys.map { keys in
            TranscriptSignature(
                stageKey: try TrustedDealer.receive(
                    dealing.shares[committee.keys.firstIndex { $0.id == keys.id }!], dealing: dealing.message, roster: committee.roster,
                    keys: keys
                ).stageKey, keys: keys)
        }
        try Confirmation.confirm(stageKey: dealing.stageKey, signatures: agreed)
        // The same signatures do not confirm a stage key file with other commitments.
        #expect(committeeError { try Confirmation.confirm(stageKey: other.stageKey, signatures: agreed) }?.code == "inconsistent-transcript")
    }

    @Test("per opening: a member's shares cover exactly the envelopes asked; a part, or envelopes not asked, name the member")
    func envelopeSubsets() throws {
        let committee = try Committee(t: 2, n: 3)
        let (stageKey, shares) = try committee.deal()
        let wraps = try Wraps(to: stageKey.publicKey, count: 3)
        let asked = Array(wraps.encs[1...])
        let all = try committee.contributions(shares, stageKey: stageKey, encs: wraps.encs)
        // Member 3 covers only one of the two envelopes asked for.
        let firstOnly = try committee.contributions([shares[2]], stageKey: stageKey, encs: [wraps.encs[1]])[0]
        // Members 1 and 2 signed shares for an envelope not asked for: named, and not used.
        let overreach = committeeError {
            _ = try ThresholdCombiner.combine(stageKey: stageKey, openingID: openingID, encapsulatedKeys: asked, contributions: [all[0], all[1], firstOnly])
        }
        #expect(overreach == .tooFewShares(have: 0, need: 2, culprits: [shares[0].id, shares[1].id, shares[2].id]))
        let exact = try committee.contributions(Array(shares.prefix(2)), stageKey: stageKey, encs: asked)
        // Member 1 complete and member 3 partial: a member who withholds part of an opening is
        // named, so that nobody can choose which of the bids open.
        #expect(committeeError {
            _ = try ThresholdCombiner.combine(stageKey: stageKey, openingID: openingID, encapsulatedKeys: asked, contributions: [exact[0], firstOnly])
        } == .tooFewShares(have: 1, need: 2, culprits: [shares[2].id]))
        let result = try ThresholdCombiner.combine(stageKey: stageKey, openingID: openingID, encapsulatedKeys: asked, contributions: exact + [firstOnly])
        #expect(result.culprits == [shares[2].id])
        for (offset, secret) in result.sharedSecrets.enumerated() {
            var recipient = try HPKE.Recipient(
                encapsulatedKey: wraps.encs[offset + 1], recipientKey: stageKey.publicKey, sharedDH: secret, info: wraps.info)
            #expect(try recipient.open(wraps.ciphertexts[offset + 1]) == wraps.plaintexts[offset + 1])
        }
    }

    @Test("unsigned, mis-signed and foreign contributions are ignored: nobody is framed; a signed bad share names its member")
    func forgeriesAndZeros() throws {
        let committee = try Committee(t: 2, n: 3)
        let (stageKey, shares) = try committee.deal()
        let wraps = try Wraps(to: stageKey.publicKey)
        let real = try committee.contributions(shares, stageKey: stageKey, encs: wraps.encs)
        // Someone else's wrong shares labelled as member 2's: not signed by member 2, so ignored.
        let forged = try real[1].dishonest(keys: MemberKeys(id: real[1].member))
        let result = try ThresholdCombiner.combine(stageKey: stageKey, openingID: openingID, encapsulatedKeys: wraps.encs, contributions: [forged, real[1], real[2]])
        #expect(result.culprits.isEmpty && result.ignored == 1)
        #expect(result.participants == [real[1].member, real[2].member])
        // Member 1's genuine shares of another opening: ignored too (a replay cannot frame it).
        let replayed = try DecryptionShares.create(
            share: shares[0], keys: committee.keys[0], stageKey: stageKey, openingID: SHA256.hash([9]), encapsulatedKeys: wraps.encs)
        let again = try ThresholdCombiner.combine(stageKey: stageKey, openingID: openingID, encapsulatedKeys: wraps.encs, contributions: [replayed, real[1], real[2]])
        #expect(again.culprits.isEmpty && again.ignored == 1)
        // Member 1 signs wrong shares itself: named.
        let bad = try real[0].dishonest(keys: committee.keys[0])
        let named = try ThresholdCombiner.combine(stageKey: stageKey, openingID: openingID, encapsulatedKeys: wraps.encs, contributions: [bad, real[1], real[2]])
        #expect(named.culprits == [real[0].member])
        // A released zero share, signed by its member, is blamed; the opening goes on with the others.
        let zero = try ReleasedShare.release(share: SecretShare(id: shares[0].id, value: .zero), keys: committee.keys[0], roster: committee.roster, openingID: openingID)
        let rebuilt = try Reconstruction.reconstruct(stageKey: stageKey, openingID: openingID, released: [zero] + committee.released([shares[1], shares[2]]))
        #expect(rebuilt.culprits == [shares[0].id])
        // A released share of another stage (another roster) is ignored, not fatal.
        let priceCommittee = try Committee(t: 2, n: 3, stage: "price")
        let (_, priceShares) = try priceCommittee.deal()
        let foreign = try priceCommittee.released([priceShares[0]])
        let mixed = try Reconstruction.reconstruct(stageKey: stageKey, openingID: openingID, released: foreign + committee.released([shares[1], shares[2]]))
        #expect(mixed.culprits.isEmpty && mixed.ignored == 1)
    }

    @Test("rosters: zero and duplicate identifiers, shared keys, thresholds out of range")
    func rosterRules() throws {
        #expect(committeeError { _ = try MemberID(UInt16(0)) } == .zeroIdentifier)
        let a = MemberKeys(id: 1), b = MemberKeys(id: 2)
        #expect(committeeError { _ = try CommitteeRoster(committee: "c", stage: "s", threshold: 1, members: [a.card, a.card]) } == .duplicateIdentifier(1))
        #expect(committeeError { _ = try CommitteeRoster(committee: "c", stage: "s", threshold: 2, members: [a.card]) }?.code == "invalid-roster")
        #expect(committeeError { _ = try CommitteeRoster(committee: "c", stage: "s", threshold: 0, members: [a.card]) }?.code == "invalid-roster")
        #expect(committeeError { _ = try CommitteeRoster(committee: "c", stage: "Bad Stage", threshold: 1, members: [a.card]) }?.code == "invalid-roster")
        // One key pair, one seat.
        let twin = MemberCard(id: 2, encryptionKey: a.encryptionKey.publicKey, signingKey: b.signingKey.publicKey)
        #expect(committeeError { _ = try CommitteeRoster(committee: "c", stage: "s", threshold: 1, members: [a.card, twin]) }?.code == "invalid-roster")
        #expect(committeeError {
            _ = try CommitteeRoster(committee: "c", stage: "s", threshold: 1, members: [a.card], dealerKey: a.signingKey.publicKey)
        }?.code == "invalid-roster")
        // Every roster has a fresh ceremony nonce: two rosters of the same members differ.
        let r1 = try CommitteeRoster(committee: "c", stage: "s", threshold: 1, members: [a.card, b.card])
        let r2 = try CommitteeRoster(committee: "c", stage: "s", threshold: 1, members: [a.card, b.card])
        #expect(r1.digest != r2.digest && r1.ceremony.count == 16)
        #expect(try CommitteeRoster(encoded: r1.encoded) == r1)
        // Ed25519 card and dealer keys are canonical points of the prime-order subgroup: a small-order
        // key could never sign, so its member could never take part.
        let identity = try Ed25519PublicKey(rawRepresentation: [1] + [UInt8](repeating: 0, count: 31))
        let mute = MemberCard(id: 2, encryptionKey: b.encryptionKey.publicKey, signingKey: identity)
        #expect(committeeError { _ = try CommitteeRoster(committee: "c", stage: "s", threshold: 1, members: [a.card, mute]) }?.code == "invalid-roster")
        #expect(committeeError {
            _ = try CommitteeRoster(committee: "c", stage: "s", threshold: 1, members: [a.card], dealerKey: identity)
        }?.code == "invalid-roster")
        var encoded = r1.encoded
        let secondKey = encoded.count - 1 - 32
        encoded.replaceSubrange(secondKey..<(secondKey + 32), with: identity.rawRepresentation)
        #expect(committeeError { _ = try CommitteeRoster(encoded: encoded) }?.code == "malformed")
    }

    @Test("a batch holds 1 to 65535 envelopes (RFC 9497 numbers the pairs with two bytes): more is malformed, never a member's fault")
    func batchLimit() throws {
        let committee = try Committee(t: 1, n: 1)
        let (stageKey, shares) = try committee.deal()
        let wraps = try Wraps(to: stageKey.publicKey, count: 1)
        func errors(_ count: Int) -> [CommitteeError?] {
            let batch = [HPKE.EncapsulatedKey](repeating: wraps.encs[0], count: count)
            return [
                committeeError {
                    _ = try DecryptionShares.create(
                        share: shares[0], keys: committee.keys[0], stageKey: stageKey, openingID: openingID, encapsulatedKeys: batch)
                },
                committeeError { _ = try ThresholdCombiner.combine(stageKey: stageKey, openingID: openingID, encapsulatedKeys: batch, contributions: []) },
            ]
        }
        #expect(errors(65_536) == [.malformed("65536 envelopes in one batch, at most 65535"), .malformed("65536 envelopes in one batch, at most 65535")])
        // 65535 passes the count and fails on the repeated enc.
        #expect(errors(65_535) == [.malformed("the same enc twice in one batch"), .malformed("the same enc twice in one batch")])
        #expect(errors(0) == [.malformed("no envelopes in the batch"), .malformed("no envelopes in the batch")])
    }

    @Test("one key per stage: shares of one stage are ignored by another's combiner")
    func stageIsolation() throws {
        let technical = try Committee(t: 2, n: 3, stage: "technical")
        let price = try Committee(t: 2, n: 3, stage: "price")
        let (technicalKey, technicalShares) = try technical.deal()
        let (priceKey, _) = try price.deal()
        #expect(technicalKey.publicKey != priceKey.publicKey)
        let wraps = try Wraps(to: priceKey.publicKey)
        let wrongStage = try technical.contributions(technicalShares, stageKey: technicalKey, encs: wraps.encs)
        let error = committeeError {
            _ = try ThresholdCombiner.combine(stageKey: priceKey, openingID: openingID, encapsulatedKeys: wraps.encs, contributions: wrongStage)
        }
        #expect(error == .tooFewShares(have: 0, need: 2, culprits: []))
        #expect(committeeError {
            _ = try DecryptionShares.create(
                share: technicalShares[0], keys: technical.keys[0], stageKey: priceKey, openingID: openingID, encapsulatedKeys: wraps.encs)
        }?.code == "key-mismatch")
    }
}

/// The shared checks of the t-of-n matrix, for any way the key was made.
func checkMatrix(_ committee: Committee, stageKey: StageKey, shares: [SecretShare], wraps: Wraps) throws {
    let contributions = try committee.contributions(shares, stageKey: stageKey, encs: wraps.encs)
    let released = try committee.released(shares)
    let t = stageKey.roster.threshold
    func combine(_ c: [DecryptionShares]) throws -> ThresholdCombiner.Result {
        try ThresholdCombiner.combine(stageKey: stageKey, openingID: openingID, encapsulatedKeys: wraps.encs, contributions: c)
    }
    for subset in subsets(Array(contributions.indices), size: t) {
        let result = try combine(subset.map { contributions[$0] })
        #expect(try wraps.open(with: result, key: stageKey.publicKey))
        #expect(result.culprits.isEmpty)
        let reconstructed = try Reconstruction.reconstruct(stageKey: stageKey, openingID: openingID, released: subset.map { released[$0] })
        #expect(reconstructed.privateKey.publicKey == stageKey.publicKey)
    }
    if t > 1 {
        for subset in subsets(Array(contributions.indices), size: t - 1) {
            #expect(committeeError { _ = try combine(subset.map { contributions[$0] }) } == .tooFewShares(have: t - 1, need: t, culprits: []))
            #expect(committeeError {
                _ = try Reconstruction.reconstruct(stageKey: stageKey, openingID: openingID, released: subset.map { released[$0] })
            } == .tooFewShares(have: t - 1, need: t, culprits: []))
        }
    }
    // A wrong decryption share, or a wrong released share, signed by each member in turn.
    let n = contributions.count
    for bad in contributions.indices {
        var tampered = contributions
        tampered[bad] = try contributions[bad].dishonest(keys: committee.keys(for: contributions[bad].member))
        var badReleased = released
        badReleased[bad] = try ReleasedShare.release(
            share: SecretShare(id: shares[bad].id, value: shares[bad].value + .one), keys: committee.keys(for: shares[bad].id),
            roster: stageKey.roster, openingID: openingID)
        let member = contributions[bad].member
        if n > t {
            let result = try combine(tampered)
            #expect(result.culprits == [member])
            #expect(try wraps.open(with: result, key: stageKey.publicKey))
            let reconstructed = try Reconstruction.reconstruct(stageKey: stageKey, openingID: openingID, released: badReleased)
            #expect(reconstructed.culprits == [member])
        } else {
            #expect(committeeError { _ = try combine(tampered) } == .tooFewShares(have: n - 1, need: t, culprits: [member]))
            #expect(committeeError { _ = try Reconstruction.reconstruct(stageKey: stageKey, openingID: openingID, released: badReleased) }
                == .tooFewShares(have: n - 1, need: t, culprits: [member]))
        }
    }
}
