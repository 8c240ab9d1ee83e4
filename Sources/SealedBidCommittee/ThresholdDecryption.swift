import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// One member's decryption shares for a batch of envelopes: `D_j = s_i * E_j`
/// for every envelope's `enc` point `E_j`, with one batched DLEQ proof
/// (RFC 9497 construction) that the same `s_i` as in `Y_i = s_i * G` was used
/// (`docs/spec/committee-v1.md`, "Decryption shares").
public struct DecryptionShares: Sendable, Hashable {
    public let rosterDigest: [UInt8]
    public let member: MemberID
    public let encapsulatedKeys: [P256Point]
    public let shares: [P256Point]
    public let proof: DLEQProof

    /// The DLEQ context: `"sealbid/committee-v1 dleq" || 0x00 || roster digest`.
    static func context(_ rosterDigest: [UInt8]) -> [UInt8] { CommitteeFormat.label("dleq") + rosterDigest }

    /// A member computes its shares for the envelopes it was asked to open.
    /// Members only ever help open what they are shown: pass exactly the
    /// `enc` values of the authorised stage's envelopes.
    public static func create(share: SecretShare, stageKey: StageKey, encapsulatedKeys: [HPKE.EncapsulatedKey])
        throws(CommitteeError) -> DecryptionShares
    {
        try create(share: share, stageKey: stageKey, encapsulatedKeys: encapsulatedKeys, randomness: .system)
    }

    /// For the test-vector generator only.
    package static func create(
        share: SecretShare, stageKey: StageKey, encapsulatedKeys: [HPKE.EncapsulatedKey], randomness: ScalarSource
    ) throws(CommitteeError) -> DecryptionShares {
        guard !encapsulatedKeys.isEmpty else { throw .malformed("no envelopes to decrypt") }
        let Y = try stageKey.verificationShare(share.id)
        let image = try lift { () throws(CryptoError) in try P256Point.generatorMultiple(share.value) }
        guard image == Y else { throw .keyMismatch("this share does not belong to this stage key") }
        let E = encapsulatedKeys.map(\.publicKey.point)
        let D = try E.map { e throws(CommitteeError) in try lift { () throws(CryptoError) in try e.multiplied(by: share.value) } }
        let digest = stageKey.roster.digest
        let proof = try lift { () throws(CryptoError) in
            try DLEQ.prove(key: share.value, A: .generator, B: Y, C: E, D: D, context: context(digest), nonce: randomness.next())
        }
        return DecryptionShares(rosterDigest: digest, member: share.id, encapsulatedKeys: E, shares: D, proof: proof)
    }

    /// Checks the proof against the member's verification share.
    public func verify(stageKey: StageKey) throws(CommitteeError) -> Bool {
        guard rosterDigest == stageKey.roster.digest, shares.count == encapsulatedKeys.count, !shares.isEmpty else {
            return false
        }
        let Y = try stageKey.verificationShare(member)
        return (try? DLEQ.verify(proof, A: .generator, B: Y, C: encapsulatedKeys, D: shares, context: Self.context(rosterDigest)))
            != nil
    }

    /// `prefix(0x05) || roster digest || u16 member || u32 m || m x (E_j || D_j) || proof`.
    public var encoded: [UInt8] {
        var out = CommitteeFormat.prefix(.decryptionShares) + rosterDigest + member.bytes
        out += withUnsafeBytes(of: UInt32(shares.count).bigEndian) { Array($0) }
        for (e, d) in zip(encapsulatedKeys, shares) { out += e.uncompressedRepresentation + d.uncompressedRepresentation }
        return out + proof.rawRepresentation
    }
}

/// Combines decryption shares into the HPKE DH values, naming members whose
/// proofs fail and carrying on with the others.
public enum ThresholdCombiner {
    public struct Result: Sendable {
        /// The DH value `x(skR * E_j)` for each envelope, in the order asked.
        public let sharedSecrets: [SecureBytes]
        /// The members whose shares were used.
        public let participants: [MemberID]
        /// Members whose shares were rejected (unknown member, or a proof that fails).
        public let culprits: [MemberID]
        /// Members with valid proofs that did not cover every envelope asked (not a fault).
        public let incomplete: [MemberID]
    }

    /// Each contribution's proof is checked over the envelopes it covers. A
    /// contribution covering an envelope that was not asked for is rejected and
    /// its member named (committee-v1: shares for other envelopes than asked);
    /// one covering only some of them is unused but not blamed.
    /// - Throws: ``CommitteeError/tooFewShares(have:need:culprits:)`` when fewer than t members
    ///   sent valid shares covering every envelope; the culprits are named.
    public static func combine(
        stageKey: StageKey, encapsulatedKeys: [HPKE.EncapsulatedKey], contributions: [DecryptionShares]
    ) throws(CommitteeError) -> Result {
        guard !encapsulatedKeys.isEmpty else { throw .malformed("no envelopes to combine") }
        let asked = encapsulatedKeys.map(\.publicKey.point)
        var valid: [MemberID: [P256Point]] = [:]
        var culprits: [MemberID] = []
        var incomplete: [MemberID] = []
        var genuine: Set<MemberID> = []
        // Contributions are not signed: look at every one, so a forged contribution
        // cannot hide a member's valid one; a member is a culprit only if none of its
        // contributions is valid.
        // Proofs are checked on all cores first (each costs two multi-scalar
        // multiplications the size of the batch), then judged in member order.
        // Identical copies are judged once (a flood of one forgery costs one verification).
        var seen: Set<[UInt8]> = []
        let sorted = contributions.filter { seen.insert($0.encoded).inserted }.sorted(by: { $0.member < $1.member })
        let proofValid = try Parallel.map(sorted.count) { (i) throws(CommitteeError) in
            stageKey.roster.ids.contains(sorted[i].member) ? try sorted[i].verify(stageKey: stageKey) : false
        }
        for (position, contribution) in sorted.enumerated() {
            guard valid[contribution.member] == nil else { continue }
            guard proofValid[position] else {
                culprits.append(contribution.member)
                continue
            }
            let askedSet = Set(asked)
            guard contribution.encapsulatedKeys.allSatisfy({ askedSet.contains($0) }) else {
                culprits.append(contribution.member)  // a valid proof: the member really did compute these
                continue
            }
            // From here on the member's own valid proof covers only asked envelopes: whatever
            // forged contributions carry its identifier, it is not a culprit.
            genuine.insert(contribution.member)
            var index: [P256Point: Int] = [:]
            for (i, e) in contribution.encapsulatedKeys.enumerated() where index[e] == nil { index[e] = i }
            let positions = asked.compactMap { index[$0] }
            guard positions.count == asked.count else {
                incomplete.append(contribution.member)
                continue
            }
            valid[contribution.member] = positions.map { contribution.shares[$0] }
        }
        culprits.removeAll { genuine.contains($0) }
        incomplete.removeAll { valid[$0] != nil }
        var seenIncomplete: Set<MemberID> = []
        incomplete = incomplete.filter { seenIncomplete.insert($0).inserted }
        var seenCulprits: Set<MemberID> = []
        culprits = culprits.filter { seenCulprits.insert($0).inserted }
        let need = stageKey.roster.threshold
        guard valid.count >= need else { throw .tooFewShares(have: valid.count, need: need, culprits: culprits) }
        let chosen = Array(valid.keys.sorted().prefix(need))
        let lambdas = try Lagrange.coefficients(for: chosen)
        let columns = chosen.map { valid[$0]! }
        let secrets = try Parallel.map(asked.count) { (j) throws(CommitteeError) in
            // x(sum(lambda_i * D_i)) goes straight into guarded memory: no P256Point holds it.
            try lift { () throws(CryptoError) in
                try P256Point.multiScalarMultiplySecretX(lambdas, columns.map { $0[j] })
            }
        }
        return Result(sharedSecrets: secrets, participants: chosen, culprits: culprits, incomplete: incomplete)
    }
}

/// Reconstruct mode: members release their shares; each is checked against
/// its verification share, bad ones are named, and t good ones are
/// interpolated at zero into secure memory.
public enum Reconstruction {
    public struct Result: Sendable {
        public let privateKey: HPKE.PrivateKey
        public let participants: [MemberID]
        public let culprits: [MemberID]
    }

    public static func reconstruct(stageKey: StageKey, shares: [SecretShare]) throws(CommitteeError) -> Result {
        var good: [MemberID: SecretShare] = [:]
        var culprits: [MemberID] = []
        for share in shares.sorted(by: { $0.id < $1.id }) where good[share.id] == nil {
            if stageKey.roster.ids.contains(share.id), try stageKey.commitment.verify(share) {
                good[share.id] = share
            } else if !culprits.contains(share.id) {
                culprits.append(share.id)
            }
        }
        culprits.removeAll { good[$0] != nil }  // a valid share clears a member blamed for a forged one
        let need = stageKey.roster.threshold
        guard good.count >= need else { throw .tooFewShares(have: good.count, need: need, culprits: culprits) }
        let chosen = Array(good.keys.sorted().prefix(need))
        let lambdas = try Lagrange.coefficients(for: chosen)
        var secret = P256Scalar.zero
        for (id, lambda) in zip(chosen, lambdas) { secret = secret + lambda * good[id]!.value }
        let key = try lift { () throws(CryptoError) in try HPKE.PrivateKey(scalar: secret) }
        guard key.publicKey == stageKey.publicKey else { throw .keyMismatch("the interpolated key is not the stage key") }
        return Result(privateKey: key, participants: chosen, culprits: culprits)
    }
}

