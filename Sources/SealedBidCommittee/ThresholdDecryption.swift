import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// One member's decryption shares for a batch of envelopes: `D_j = s_i * E_j`
/// for every envelope's `enc` point `E_j`, with one batched DLEQ proof
/// (RFC 9497 construction) that the same `s_i` as in `Y_i = s_i * G` was used,
/// bound to one opening and signed by the member
/// (`docs/spec/committee-v1.md`, "Decryption shares").
public struct DecryptionShares: SignedCommitteeMessage, Hashable {
    public let rosterDigest: [UInt8]
    /// The opening these shares are for (32 bytes, chosen by the opening; report-v1 derives it).
    public let openingID: [UInt8]
    public let member: MemberID
    public let encapsulatedKeys: [P256Point]
    public let shares: [P256Point]
    public let proof: DLEQProof
    public let signature: Ed25519Signature

    package init(
        rosterDigest: [UInt8], openingID: [UInt8], member: MemberID, encapsulatedKeys: [P256Point], shares: [P256Point],
        proof: DLEQProof, signature: Ed25519Signature
    ) {
        self.rosterDigest = rosterDigest
        self.openingID = openingID
        self.member = member
        self.encapsulatedKeys = encapsulatedKeys
        self.shares = shares
        self.proof = proof
        self.signature = signature
    }

    /// The most envelopes one batch can hold: RFC 9497's ComputeComposites numbers the pairs
    /// with `I2OSP(i, 2)`.
    public static let maximumBatch = Int(UInt16.max)

    /// The DLEQ context: `"sealbid/committee-v1 dleq" || 0x00 || roster digest`.
    static func context(_ rosterDigest: [UInt8]) -> [UInt8] { CommitteeFormat.label("dleq") + rosterDigest }

    /// A member computes its shares for the envelopes of one opening.
    ///
    /// Package access only: a member must compute shares only for `enc` values it has checked
    /// itself (each envelope's key-wrap proof and the opening's checks against the closing
    /// checkpoint), which is what the facade's `StageOpening.decryptionShares` does. A raw list
    /// of `enc` values could hold `k·enc_V` for another bid's `enc_V`.
    package static func create(
        share: SecretShare, keys: MemberKeys, stageKey: StageKey, openingID: [UInt8], encapsulatedKeys: [HPKE.EncapsulatedKey],
        randomness: ScalarSource = .system
    ) throws(CommitteeError) -> DecryptionShares {
        try checkBatch(encapsulatedKeys)
        guard openingID.count == 32 else { throw .malformed("an opening id is 32 bytes") }
        guard share.id == keys.id, try stageKey.roster.card(keys.id) == keys.card else {
            throw .keyMismatch("these keys are not the share holder's roster card")
        }
        let E = encapsulatedKeys.map(\.publicKey.point)
        let Y = try stageKey.verificationShare(share.id)
        let image = try lift { () throws(CryptoError) in try P256Point.generatorMultiple(share.value) }
        guard image == Y else { throw .keyMismatch("this share does not belong to this stage key") }
        let D = try Parallel.map(E.count) { (j) throws(CommitteeError) in
            try lift { () throws(CryptoError) in try E[j].multiplied(by: share.value) }
        }
        let digest = stageKey.roster.digest
        let proof = try lift { () throws(CryptoError) in
            try DLEQ.prove(key: share.value, A: .generator, B: Y, C: E, D: D, context: context(digest), nonce: randomness.next())
        }
        let body = Self.body(rosterDigest: digest, openingID: openingID, member: share.id, E: E, D: D, proof: proof)
        return DecryptionShares(
            rosterDigest: digest, openingID: openingID, member: share.id, encapsulatedKeys: E, shares: D, proof: proof,
            signature: CommitteeFormat.sign(body, with: keys.signingKey))
    }

    /// The envelopes of one batch: 1 to ``maximumBatch`` pairwise distinct `enc` values.
    /// - Throws: ``CommitteeError/malformed(_:)`` otherwise.
    @discardableResult
    static func checkBatch(_ encapsulatedKeys: [HPKE.EncapsulatedKey]) throws(CommitteeError) -> [P256Point] {
        guard !encapsulatedKeys.isEmpty else { throw .malformed("no envelopes in the batch") }
        guard encapsulatedKeys.count <= maximumBatch else {
            throw .malformed("\(encapsulatedKeys.count) envelopes in one batch, at most \(maximumBatch)")
        }
        let points = encapsulatedKeys.map(\.publicKey.point)
        guard Set(points).count == points.count else { throw .malformed("the same enc twice in one batch") }
        return points
    }

    /// Checks the proof against the member's verification share (the caller checks the signature).
    public func verify(stageKey: StageKey) throws(CommitteeError) -> Bool {
        guard rosterDigest == stageKey.roster.digest, shares.count == encapsulatedKeys.count, !shares.isEmpty else {
            return false
        }
        let Y = try stageKey.verificationShare(member)
        return (try? DLEQ.verify(proof, A: .generator, B: Y, C: encapsulatedKeys, D: shares, context: Self.context(rosterDigest)))
            != nil
    }

    static func body(rosterDigest: [UInt8], openingID: [UInt8], member: MemberID, E: [P256Point], D: [P256Point], proof: DLEQProof)
        -> [UInt8]
    {
        var out = CommitteeFormat.prefix(.decryptionShares) + rosterDigest + openingID + member.bytes
        out += withUnsafeBytes(of: UInt32(D.count).bigEndian) { Array($0) }
        for (e, d) in zip(E, D) { out += e.uncompressedRepresentation + d.uncompressedRepresentation }
        return out + proof.rawRepresentation
    }

    /// `prefix(0x05) || roster digest || opening id || u16 member || u32 m || m x (E_j || D_j) || proof`.
    public var body: [UInt8] {
        Self.body(rosterDigest: rosterDigest, openingID: openingID, member: member, E: encapsulatedKeys, D: shares, proof: proof)
    }
}

/// Combines decryption shares into the HPKE DH values, naming members whose
/// signed contributions are wrong and carrying on with the others.
public enum ThresholdCombiner {
    public struct Result: Sendable {
        /// The DH value `x(skR * E_j)` for each envelope, in the order asked.
        public let sharedSecrets: [SecureBytes]
        /// The t members whose shares were combined: the smallest identifiers among the valid.
        public let participants: [MemberID]
        /// Members who signed a contribution for this opening that is wrong: a failing proof, or
        /// shares for other envelopes than exactly those asked.
        public let culprits: [MemberID]
        /// Contributions ignored without blaming anyone: not signed by a roster member, or for
        /// another roster or another opening (anyone can place such a file).
        public let ignored: Int
    }

    /// Who a combination would use and whom it names, without computing anything secret.
    public struct Outcome: Sendable, Equatable {
        /// The t members whose shares are combined: the smallest identifiers among the valid.
        public let participants: [MemberID]
        /// Members who signed a contribution for this opening that is wrong.
        public let culprits: [MemberID]
        /// Contributions ignored without blaming anyone.
        public let ignored: Int

        public init(participants: [MemberID], culprits: [MemberID], ignored: Int) {
            self.participants = participants
            self.culprits = culprits
            self.ignored = ignored
        }
    }

    /// Each contribution's signature and opening are checked first (others are ignored, never
    /// blamed: the opening id binds the envelopes asked, so an honest member who saw other bids
    /// computed another id); then its proof, and that it covers exactly the envelopes asked — for
    /// the right opening, anything else is its member's doing. The t smallest identifiers among
    /// the members with valid contributions are combined, for every envelope.
    /// - Throws: ``CommitteeError/tooFewShares(have:need:culprits:)`` when fewer than t members'
    ///   contributions are valid (with the culprits named).
    public static func combine(
        stageKey: StageKey, openingID: [UInt8], encapsulatedKeys: [HPKE.EncapsulatedKey], contributions: [DecryptionShares]
    ) throws(CommitteeError) -> Result {
        let (outcome, asked, valid) = try judge(
            stageKey: stageKey, openingID: openingID, encapsulatedKeys: encapsulatedKeys, contributions: contributions)
        let chosen = outcome.participants
        let lambdas = try Lagrange.coefficients(for: chosen)
        let secrets = try Parallel.map(asked.count) { (j) throws(CommitteeError) -> SecureBytes in
            // x(sum(lambda_i * D_i)) goes straight into guarded memory: no P256Point holds it.
            try lift { () throws(CryptoError) in
                try P256Point.multiScalarMultiplySecretX(lambdas, chosen.map { valid[$0]![asked[j]]! })
            }
        }
        return Result(sharedSecrets: secrets, participants: chosen, culprits: outcome.culprits, ignored: outcome.ignored)
    }

    /// The checks of ``combine(stageKey:openingID:encapsulatedKeys:contributions:)`` alone: the
    /// participants and culprits it would report, for a member or verifier checking a report's
    /// claims from the published share files (report-v1).
    /// - Throws: as ``combine(stageKey:openingID:encapsulatedKeys:contributions:)``.
    public static func outcome(
        stageKey: StageKey, openingID: [UInt8], encapsulatedKeys: [HPKE.EncapsulatedKey], contributions: [DecryptionShares]
    ) throws(CommitteeError) -> Outcome {
        try judge(stageKey: stageKey, openingID: openingID, encapsulatedKeys: encapsulatedKeys, contributions: contributions).0
    }

    private static func judge(
        stageKey: StageKey, openingID: [UInt8], encapsulatedKeys: [HPKE.EncapsulatedKey], contributions: [DecryptionShares]
    ) throws(CommitteeError) -> (Outcome, [P256Point], [MemberID: [P256Point: P256Point]]) {
        let asked = try DecryptionShares.checkBatch(encapsulatedKeys)
        let askedSet = Set(asked)
        let roster = stageKey.roster
        // Unsigned, mis-signed and foreign contributions are dropped before anything else, and
        // identical copies are judged once (a flood of one file costs one verification).
        var seen: Set<[UInt8]> = []
        var ignored = 0
        var signed: [DecryptionShares] = []
        for contribution in contributions {
            guard seen.insert(contribution.encoded).inserted else { continue }
            guard contribution.rosterDigest == roster.digest, contribution.openingID == openingID,
                let key = roster.signingKey(of: contribution.member.value), contribution.isSigned(by: key)
            else {
                ignored += 1
                continue
            }
            signed.append(contribution)
        }
        signed.sort { $0.member < $1.member }
        // Proofs are checked on all cores (each costs two multi-scalar multiplications the size of the batch).
        let proofValid = try Parallel.map(signed.count) { (i) throws(CommitteeError) in try signed[i].verify(stageKey: stageKey) }
        var culprits: Set<MemberID> = []
        var valid: [MemberID: [P256Point: P256Point]] = [:]
        for (position, contribution) in signed.enumerated() {
            // A member signed it for this opening: a failing proof, a repeated enc, an envelope nobody
            // asked for or one left out is theirs.
            guard proofValid[position], contribution.encapsulatedKeys.count == asked.count,
                Set(contribution.encapsulatedKeys) == askedSet
            else {
                culprits.insert(contribution.member)
                continue
            }
            for (e, d) in zip(contribution.encapsulatedKeys, contribution.shares) { valid[contribution.member, default: [:]][e] = d }
        }
        for culprit in culprits { valid[culprit] = nil }  // one wrong signed message excludes the member
        // Every valid contribution covers every envelope asked, so one set of t members (the
        // smallest identifiers) serves the whole batch.
        let need = roster.threshold
        let members = valid.keys.sorted()
        let sortedCulprits = culprits.sorted()
        guard members.count >= need else { throw .tooFewShares(have: members.count, need: need, culprits: sortedCulprits) }
        return (Outcome(participants: Array(members.prefix(need)), culprits: sortedCulprits, ignored: ignored), asked, valid)
    }
}

/// A member's share released for reconstruction at one opening (type 0x08),
/// signed by the member. It holds the share itself: hand it over only on a
/// confidential channel (in person, or sealed to the coordinator), and only
/// for an opening the member has checked.
public struct ReleasedShare: Sendable {
    public let rosterDigest: [UInt8]
    public let openingID: [UInt8]
    public let share: SecretShare
    public let signature: Ed25519Signature

    public static let encodedSize = 5 + 32 + 32 + 2 + 32 + 64

    /// Releases `share` for the opening `openingID`.
    public static func release(share: SecretShare, keys: MemberKeys, roster: CommitteeRoster, openingID: [UInt8])
        throws(CommitteeError) -> ReleasedShare
    {
        guard openingID.count == 32 else { throw .malformed("an opening id is 32 bytes") }
        guard share.id == keys.id, try roster.card(keys.id) == keys.card else {
            throw .keyMismatch("these keys are not the share holder's roster card")
        }
        let signature = keys.signingKey.signature(
            for: Self.signedMessage(rosterDigest: roster.digest, openingID: openingID, share: share))
        return ReleasedShare(rosterDigest: roster.digest, openingID: openingID, share: share, signature: signature)
    }

    /// What the member signs: `label("message") || prefix(0x08) || roster digest || opening id || u16 id || s`.
    /// Built in guarded memory; the share never sits in a plain array.
    static func signedMessage(rosterDigest: [UInt8], openingID: [UInt8], share: SecretShare) -> SecureBytes {
        SecretShare.assemble(
            CommitteeFormat.signedMessage(CommitteeFormat.prefix(.releasedShare) + rosterDigest + openingID + share.id.bytes),
            secrets: [share.value])
    }

    public func isSigned(by key: Ed25519PublicKey) -> Bool {
        key.isValidSignature(signature, for: Self.signedMessage(rosterDigest: rosterDigest, openingID: openingID, share: share))
    }

    /// `prefix(0x08) || roster digest || opening id || u16 id || s (32) || signature`, in guarded memory.
    public var encoded: SecureBytes {
        let head = CommitteeFormat.prefix(.releasedShare) + rosterDigest + openingID + share.id.bytes
        let assembled = SecretShare.assemble(head, secrets: [share.value])
        return SecureBytes(count: Self.encodedSize) { (out: UnsafeMutableRawBufferPointer) in
            assembled.withUnsafeBytes { out.copyMemory(from: $0) }
            UnsafeMutableRawBufferPointer(rebasing: out[assembled.count...]).copyBytes(from: signature.rawRepresentation)
        }
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
        /// Released shares ignored without blame: not signed by their member, or for another
        /// roster or opening.
        public let ignored: Int
    }

    public static func reconstruct(stageKey: StageKey, openingID: [UInt8], released: [ReleasedShare]) throws(CommitteeError)
        -> Result
    {
        let (outcome, good) = try judge(stageKey: stageKey, openingID: openingID, released: released)
        let chosen = outcome.participants
        let lambdas = try Lagrange.coefficients(for: chosen)
        var secret = P256Scalar.zero
        for (id, lambda) in zip(chosen, lambdas) { secret = secret + lambda * good[id]!.value }
        let key = try lift { () throws(CryptoError) in try HPKE.PrivateKey(scalar: secret) }
        guard key.publicKey == stageKey.publicKey else { throw .keyMismatch("the interpolated key is not the stage key") }
        return Result(privateKey: key, participants: chosen, culprits: outcome.culprits, ignored: outcome.ignored)
    }

    /// The checks of ``reconstruct(stageKey:openingID:released:)`` alone: the participants and
    /// culprits it would report, without interpolating the key.
    public static func outcome(stageKey: StageKey, openingID: [UInt8], released: [ReleasedShare]) throws(CommitteeError)
        -> ThresholdCombiner.Outcome
    {
        try judge(stageKey: stageKey, openingID: openingID, released: released).0
    }

    private static func judge(stageKey: StageKey, openingID: [UInt8], released: [ReleasedShare]) throws(CommitteeError)
        -> (ThresholdCombiner.Outcome, [MemberID: SecretShare])
    {
        let roster = stageKey.roster
        var good: [MemberID: SecretShare] = [:]
        var culprits: Set<MemberID> = []
        var ignored = 0
        for item in released.sorted(by: { $0.share.id < $1.share.id }) {
            guard item.rosterDigest == roster.digest, item.openingID == openingID,
                let key = roster.signingKey(of: item.share.id.value), item.isSigned(by: key)
            else {
                ignored += 1
                continue
            }
            // Signed by the member: a share that does not match its verification share is theirs.
            if try stageKey.commitment.verify(item.share) {
                if good[item.share.id] == nil { good[item.share.id] = item.share }
            } else {
                culprits.insert(item.share.id)
            }
        }
        for culprit in culprits { good[culprit] = nil }
        let need = roster.threshold
        guard good.count >= need else { throw .tooFewShares(have: good.count, need: need, culprits: culprits.sorted()) }
        let outcome = ThresholdCombiner.Outcome(
            participants: Array(good.keys.sorted().prefix(need)), culprits: culprits.sorted(), ignored: ignored)
        return (outcome, good)
    }
}

extension DecryptionShares {
    /// For the demo and tests only: a dishonest member's contribution — these shares with the
    /// first `D` moved by `G`, so the proof fails, validly signed with the member's own key. A
    /// combiner names the member (the signature shows it sent them).
    package func dishonest(keys: MemberKeys) throws(CommitteeError) -> DecryptionShares {
        var moved = shares
        moved[0] = try lift { () throws(CryptoError) in try moved[0].adding(.generator) }
        let body = Self.body(rosterDigest: rosterDigest, openingID: openingID, member: member, E: encapsulatedKeys, D: moved, proof: proof)
        return DecryptionShares(
            rosterDigest: rosterDigest, openingID: openingID, member: member, encapsulatedKeys: encapsulatedKeys, shares: moved,
            proof: proof, signature: CommitteeFormat.sign(body, with: keys.signingKey))
    }
}

extension DecryptionShares {
    /// Share files as they arrived, sorted as a combination treats them (committee-v1, "Decryption
    /// shares"): the contributions that decode, less every contribution of a member who signed a file
    /// for this roster and opening that does not decode; those members, sorted; and how many files
    /// do not decode and name nobody (skipped).
    public static func sort(files: [[UInt8]], roster: CommitteeRoster, openingID: [UInt8])
        -> (usable: [DecryptionShares], signedUndecodable: [MemberID], unattributed: Int)
    {
        var decoded: [DecryptionShares] = []
        var signers: Set<MemberID> = []
        var unattributed = 0
        for bytes in files {
            if let shares = try? DecryptionShares(encoded: bytes) {
                decoded.append(shares)
            } else if let member = signer(ofUndecodable: bytes, roster: roster, openingID: openingID) {
                signers.insert(member)
            } else {
                unattributed += 1
            }
        }
        return (decoded.filter { !signers.contains($0.member) }, signers.sorted(), unattributed)
    }

    /// The member who signed `bytes`, a contribution for this roster and opening that does not
    /// decode (an off-curve point, a count of zero): a signed malformed message is its sender's
    /// fault like any other wrong message; an unsigned one is nobody's.
    public static func signer(ofUndecodable bytes: [UInt8], roster: CommitteeRoster, openingID: [UInt8]) -> MemberID? {
        let headerLength = 5 + 32 + 32 + 2
        guard bytes.count >= headerLength + 64, Array(bytes[0..<5]) == CommitteeFormat.prefix(.decryptionShares),
            Array(bytes[5..<37]) == roster.digest, Array(bytes[37..<69]) == openingID,
            let member = try? MemberID(UInt16(bytes[69]) << 8 | UInt16(bytes[70])),
            let key = roster.signingKey(of: member.value),
            let signature = try? Ed25519Signature(rawRepresentation: bytes.suffix(64))
        else { return nil }
        return key.isValidSignature(signature, for: CommitteeFormat.signedMessage(Array(bytes.dropLast(64)))) ? member : nil
    }
}
