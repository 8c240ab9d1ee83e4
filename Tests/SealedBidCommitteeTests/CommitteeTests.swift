import Foundation
import Testing

@testable import SealedBidCommittee
import SealedBidHPKE
import SealedBidPrimitives

/// A committee of n members for one stage.
struct Committee {
    let keys: [MemberKeys]
    let roster: CommitteeRoster

    init(t: Int, n: Int, stage: String = "technical", ids: [UInt16]? = nil) throws {
        let identifiers = ids ?? (1...n).map { UInt16($0) * 3 + 1 }  // non-consecutive on purpose
        keys = try identifiers.map { MemberKeys(id: try MemberID($0)) }
        roster = try CommitteeRoster(committee: "LPSE-2026-0042", stage: stage, threshold: t, members: keys.map(\.card))
    }

    func keys(for id: MemberID) -> MemberKeys { keys.first { $0.id == id }! }
}

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
            var recipient = try HPKE.Recipient(encapsulatedKey: encs[i], recipientKey: key, sharedDH: result.sharedSecrets[i], info: info)
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
        let dealing = try TrustedDealer.deal(roster: committee.roster)
        #expect(dealing.stageKey.commitment.points.count == t)
        let shares = try dealing.shares.map { try TrustedDealer.receive($0, stageKey: dealing.stageKey, keys: committee.keys(for: $0.recipient)) }
        let wraps = try Wraps(to: dealing.stageKey.publicKey)
        let contributions = try shares.map {
            try DecryptionShares.create(share: $0, stageKey: dealing.stageKey, encapsulatedKeys: wraps.encs)
        }
        try checkMatrix(stageKey: dealing.stageKey, shares: shares, contributions: contributions, wraps: wraps)
    }

    @Test("a dealt share that does not match the commitments is refused")
    func badDealerShare() throws {
        let committee = try Committee(t: 2, n: 3)
        let dealing = try TrustedDealer.deal(roster: committee.roster)
        let other = try TrustedDealer.deal(roster: committee.roster)
        // A share from another dealing, presented with this dealing's commitments.
        #expect(committeeError {
            _ = try TrustedDealer.receive(other.shares[0], stageKey: dealing.stageKey, keys: committee.keys[0])
        } == .badDealerShare)
        #expect(committeeError {
            _ = try TrustedDealer.receive(dealing.shares[0], stageKey: dealing.stageKey, keys: committee.keys[1])
        } == .wrongRecipient(committee.keys[0].id))
    }

    @Test("shares for envelopes not asked for are rejected and named; shares for fewer are unused, not blamed")
    func envelopeSubsets() throws {
        let committee = try Committee(t: 2, n: 3)
        let dealing = try TrustedDealer.deal(roster: committee.roster)
        let shares = try dealing.shares.map { try TrustedDealer.receive($0, stageKey: dealing.stageKey, keys: committee.keys(for: $0.recipient)) }
        let wraps = try Wraps(to: dealing.stageKey.publicKey, count: 3)
        let all = try shares.map { try DecryptionShares.create(share: $0, stageKey: dealing.stageKey, encapsulatedKeys: wraps.encs) }
        // Member 3 covers only one of the two envelopes that will be asked for.
        let firstOnly = try DecryptionShares.create(share: shares[2], stageKey: dealing.stageKey, encapsulatedKeys: [wraps.encs[1]])
        // Members 1 and 2 computed shares for all three envelopes: asked for only the last
        // two, those batches reveal more than asked and are rejected.
        let overreach = committeeError {
            _ = try ThresholdCombiner.combine(
                stageKey: dealing.stageKey, encapsulatedKeys: Array(wraps.encs[1...]), contributions: [all[0], all[1], firstOnly])
        }
        #expect(overreach == .tooFewShares(have: 0, need: 2, culprits: [shares[0].id, shares[1].id]))  // member 3: unused
        let exact = try shares.prefix(2).map {
            try DecryptionShares.create(share: $0, stageKey: dealing.stageKey, encapsulatedKeys: Array(wraps.encs[1...]))
        }
        let result = try ThresholdCombiner.combine(
            stageKey: dealing.stageKey, encapsulatedKeys: Array(wraps.encs[1...]), contributions: exact + [firstOnly])
        #expect(result.incomplete == [shares[2].id])
        #expect(result.culprits.isEmpty)
        for (offset, secret) in result.sharedSecrets.enumerated() {
            var recipient = try HPKE.Recipient(
                encapsulatedKey: wraps.encs[offset + 1], recipientKey: dealing.stageKey.publicKey, sharedDH: secret, info: wraps.info)
            #expect(try recipient.open(wraps.ciphertexts[offset + 1]) == wraps.plaintexts[offset + 1])
        }
        #expect(committeeError {
            _ = try ThresholdCombiner.combine(stageKey: dealing.stageKey, encapsulatedKeys: Array(wraps.encs[1...]), contributions: [exact[0], firstOnly])
        } == .tooFewShares(have: 1, need: 2, culprits: []))
    }

    @Test("a forged contribution cannot hide a member's valid one; a zero share is blamed, not fatal")
    func forgeriesAndZeros() throws {
        let committee = try Committee(t: 2, n: 3)
        let dealing = try TrustedDealer.deal(roster: committee.roster)
        let shares = try dealing.shares.map { try TrustedDealer.receive($0, stageKey: dealing.stageKey, keys: committee.keys(for: $0.recipient)) }
        let wraps = try Wraps(to: dealing.stageKey.publicKey)
        let real = try shares.map { try DecryptionShares.create(share: $0, stageKey: dealing.stageKey, encapsulatedKeys: wraps.encs) }
        // Someone else's shares relabelled as member 2's (bad proof), placed before member 2's real ones.
        let forged = try DecryptionShares(encoded: { () -> [UInt8] in
            var bytes = real[0].encoded
            bytes[5 + 32 + 1] = UInt8(truncatingIfNeeded: real[1].member.value)
            return bytes
        }())
        let result = try ThresholdCombiner.combine(stageKey: dealing.stageKey, encapsulatedKeys: wraps.encs, contributions: [forged, real[1], real[2]])
        #expect(result.culprits.isEmpty)
        #expect(result.participants == [real[1].member, real[2].member])
        // A forged contribution next to a member's genuine but incomplete one: the member is
        // reported incomplete, never a culprit.
        let partial = try DecryptionShares.create(share: shares[1], stageKey: dealing.stageKey, encapsulatedKeys: [wraps.encs[0]])
        let twoEnvelopes = try Wraps(to: dealing.stageKey.publicKey, count: 2)
        let asked = [wraps.encs[0], twoEnvelopes.encs[0]]
        let complete = try [shares[0], shares[2]].map {
            try DecryptionShares.create(share: $0, stageKey: dealing.stageKey, encapsulatedKeys: asked)
        }
        let mixed = try ThresholdCombiner.combine(stageKey: dealing.stageKey, encapsulatedKeys: asked, contributions: [forged, partial] + complete)
        #expect(mixed.culprits.isEmpty)
        #expect(mixed.incomplete == [real[1].member])
        // A released zero share is blamed on its member; the opening goes on with the others.
        let zero = SecretShare(id: shares[0].id, value: .zero)
        let rebuilt = try Reconstruction.reconstruct(stageKey: dealing.stageKey, shares: [zero, shares[1], shares[2]])
        #expect(rebuilt.culprits == [shares[0].id])
        #expect(try !dealing.stageKey.commitment.verify(zero))
    }

    @Test("rosters: zero and duplicate identifiers, thresholds out of range")
    func rosterRules() throws {
        #expect(committeeError { _ = try MemberID(UInt16(0)) } == .zeroIdentifier)
        let a = MemberKeys(id: 1)
        #expect(committeeError { _ = try CommitteeRoster(committee: "c", stage: "s", threshold: 1, members: [a.card, a.card]) } == .duplicateIdentifier(1))
        #expect(committeeError { _ = try CommitteeRoster(committee: "c", stage: "s", threshold: 2, members: [a.card]) }?.code == "invalid-roster")
        #expect(committeeError { _ = try CommitteeRoster(committee: "c", stage: "s", threshold: 0, members: [a.card]) }?.code == "invalid-roster")
        #expect(committeeError { _ = try CommitteeRoster(committee: "c", stage: "Bad Stage", threshold: 1, members: [a.card]) }?.code == "invalid-roster")
    }

    @Test("one key per stage: shares and proofs of one stage are useless for another")
    func stageIsolation() throws {
        let technical = try Committee(t: 2, n: 3, stage: "technical")
        let price = try CommitteeRoster(committee: "LPSE-2026-0042", stage: "price", threshold: 2, members: technical.keys.map(\.card))
        let technicalDealing = try TrustedDealer.deal(roster: technical.roster)
        let priceDealing = try TrustedDealer.deal(roster: price)
        #expect(technicalDealing.stageKey.publicKey != priceDealing.stageKey.publicKey)
        #expect(technical.roster.digest != price.digest)
        let wraps = try Wraps(to: priceDealing.stageKey.publicKey)
        // Technical-stage shares, asked to decrypt price envelopes, produce shares the price combiner rejects.
        let shares = try technicalDealing.shares.map {
            try TrustedDealer.receive($0, stageKey: technicalDealing.stageKey, keys: technical.keys(for: $0.recipient))
        }
        let wrongStage = try shares.map { try DecryptionShares.create(share: $0, stageKey: technicalDealing.stageKey, encapsulatedKeys: wraps.encs) }
        let error = committeeError { _ = try ThresholdCombiner.combine(stageKey: priceDealing.stageKey, encapsulatedKeys: wraps.encs, contributions: wrongStage) }
        #expect(error?.code == "too-few-shares")
        #expect(Set(error?.culprits ?? []) == Set(technical.roster.ids))
        #expect(committeeError { _ = try DecryptionShares.create(share: shares[0], stageKey: priceDealing.stageKey, encapsulatedKeys: wraps.encs) }?.code == "key-mismatch")
    }
}

/// The shared checks of the t-of-n matrix, for any way the key was made.
func checkMatrix(stageKey: StageKey, shares: [SecretShare], contributions: [DecryptionShares], wraps: Wraps) throws {
    let t = stageKey.roster.threshold
    for subset in subsets(Array(contributions.indices), size: t) {
        let result = try ThresholdCombiner.combine(
            stageKey: stageKey, encapsulatedKeys: wraps.encs, contributions: subset.map { contributions[$0] })
        #expect(try wraps.open(with: result, key: stageKey.publicKey))
        #expect(result.culprits.isEmpty)
        let reconstructed = try Reconstruction.reconstruct(stageKey: stageKey, shares: subset.map { shares[$0] })
        #expect(reconstructed.privateKey.publicKey == stageKey.publicKey)
    }
    if t > 1 {
        for subset in subsets(Array(contributions.indices), size: t - 1) {
            #expect(committeeError {
                _ = try ThresholdCombiner.combine(stageKey: stageKey, encapsulatedKeys: wraps.encs, contributions: subset.map { contributions[$0] })
            } == .tooFewShares(have: t - 1, need: t, culprits: []))
            #expect(committeeError { _ = try Reconstruction.reconstruct(stageKey: stageKey, shares: subset.map { shares[$0] }) }
                == .tooFewShares(have: t - 1, need: t, culprits: []))
        }
    }
    // A corrupted decryption share, or a corrupted released share, from each member in turn.
    let n = contributions.count
    for bad in contributions.indices {
        var tampered = contributions
        let original = tampered[bad]
        var points = original.shares
        points[0] = try points[0].adding(.generator)
        tampered[bad] = DecryptionShares(
            rosterDigest: original.rosterDigest, member: original.member, encapsulatedKeys: original.encapsulatedKeys,
            shares: points, proof: original.proof)
        var badShares = shares
        badShares[bad] = SecretShare(id: shares[bad].id, value: shares[bad].value + .one)
        if n > t {
            let result = try ThresholdCombiner.combine(stageKey: stageKey, encapsulatedKeys: wraps.encs, contributions: tampered)
            #expect(result.culprits == [original.member])
            #expect(try wraps.open(with: result, key: stageKey.publicKey))
            let reconstructed = try Reconstruction.reconstruct(stageKey: stageKey, shares: badShares)
            #expect(reconstructed.culprits == [original.member])
        } else {
            #expect(committeeError {
                _ = try ThresholdCombiner.combine(stageKey: stageKey, encapsulatedKeys: wraps.encs, contributions: tampered)
            } == .tooFewShares(have: n - 1, need: t, culprits: [original.member]))
            #expect(committeeError { _ = try Reconstruction.reconstruct(stageKey: stageKey, shares: badShares) }
                == .tooFewShares(have: n - 1, need: t, culprits: [original.member]))
        }
    }
}
