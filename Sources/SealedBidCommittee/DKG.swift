import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// Dealerless key generation, PedPoP as in RFC 9591's DKG (FROST): every
/// member deals a random polynomial with a proof of possession of its
/// constant term; the stage key is the sum of the constants and nobody ever
/// holds it (`docs/spec/committee-v1.md`, "Dealerless DKG").
///
/// Round 1: ``round1(roster:keys:)`` broadcasts a signed ``Round1Package``.
/// Round 2: ``round2(_:packages:)`` checks everyone's package and seals a signed share to each other member.
/// Finish: ``finish(_:packages:shares:)`` checks the shares it received, blaming by identifier,
/// and returns the member's share and the ``StageKey``; every member signs the stage key
/// (``TranscriptSignature``) and ``Confirmation/confirm(stageKey:signatures:)`` checks all signed the same one.
///
/// Every message is signed by its sender's roster key; unsigned or mis-signed messages are
/// ignored, never blamed on anyone, so nobody who can drop a file into the exchange can frame
/// or block an honest member.
public enum DKG {
    /// What a member broadcasts in round 1.
    public struct Round1Package: SignedCommitteeMessage, Equatable {
        public let rosterDigest: [UInt8]
        public let member: MemberID
        public let commitment: VSSCommitment
        /// Schnorr proof of possession of the constant term: (R, z).
        public let proofR: P256Point
        public let proofZ: P256Scalar
        public let signature: Ed25519Signature

        package init(
            rosterDigest: [UInt8], member: MemberID, commitment: VSSCommitment, proofR: P256Point, proofZ: P256Scalar,
            signature: Ed25519Signature
        ) {
            self.rosterDigest = rosterDigest
            self.member = member
            self.commitment = commitment
            self.proofR = proofR
            self.proofZ = proofZ
            self.signature = signature
        }

        static func body(rosterDigest: [UInt8], member: MemberID, commitment: VSSCommitment, R: P256Point, z: P256Scalar) -> [UInt8] {
            CommitteeFormat.prefix(.round1) + rosterDigest + member.bytes + commitment.encoded + R.uncompressedRepresentation
                + z.rawRepresentation
        }

        /// `prefix(0x03) || roster digest || u16 member || commitment || R || z`.
        public var body: [UInt8] { Self.body(rosterDigest: rosterDigest, member: member, commitment: commitment, R: proofR, z: proofZ) }
    }

    /// A member's secret state between rounds (its polynomial), in secure memory.
    public struct Round1Secret: Sendable {
        let roster: CommitteeRoster
        let keys: MemberKeys
        let polynomial: SecretPolynomial
        let commitment: VSSCommitment
    }

    static func popChallenge(rosterDigest: [UInt8], member: MemberID, constant: P256Point, R: P256Point) throws(CommitteeError)
        -> P256Scalar
    {
        try lift { () throws(CryptoError) in
            try P256Scalar.hash(
                rosterDigest + member.bytes + constant.uncompressedRepresentation + R.uncompressedRepresentation,
                domain: CommitteeFormat.label("pop"))
        }
    }

    public static func round1(roster: CommitteeRoster, keys: MemberKeys) throws(CommitteeError) -> (Round1Secret, Round1Package) {
        try round1(roster: roster, keys: keys, randomness: .system)
    }

    /// For the test-vector generator only.
    package static func round1(roster: CommitteeRoster, keys: MemberKeys, randomness: ScalarSource) throws(CommitteeError)
        -> (Round1Secret, Round1Package)
    {
        guard try roster.card(keys.id) == keys.card else { throw .keyMismatch("these keys are not \(keys.id)'s roster card") }
        let polynomial = SecretPolynomial(threshold: roster.threshold, randomness: randomness)
        let commitment = try polynomial.commitment()
        let k = randomness.next()
        let R = try lift { () throws(CryptoError) in try P256Point.generatorMultiple(k) }
        let c = try popChallenge(rosterDigest: roster.digest, member: keys.id, constant: commitment.points[0], R: R)
        let z = k + polynomial.coefficients[0] * c
        let body = Round1Package.body(rosterDigest: roster.digest, member: keys.id, commitment: commitment, R: R, z: z)
        let package = Round1Package(
            rosterDigest: roster.digest, member: keys.id, commitment: commitment, proofR: R, proofZ: z,
            signature: CommitteeFormat.sign(body, with: keys.signingKey))
        return (Round1Secret(roster: roster, keys: keys, polynomial: polynomial, commitment: commitment), package)
    }

    /// The round-1 checks, in the spec's order: messages not signed by their sender's roster key
    /// or for another roster are ignored; then every member must have exactly one package
    /// (none: `missing-participant`; two different signed ones: `inconsistent-transcript`), with
    /// exactly t commitments and a valid proof of possession. Each check names all its culprits.
    static func checkPackages(_ packages: [Round1Package], roster: CommitteeRoster) throws(CommitteeError)
        -> [MemberID: Round1Package]
    {
        var byMember: [MemberID: [Round1Package]] = [:]
        for package in packages
        where package.rosterDigest == roster.digest && roster.signingKey(of: package.member.value).map(package.isSigned) == true {
            if !(byMember[package.member] ?? []).contains(package) { byMember[package.member, default: []].append(package) }
        }
        let missing = roster.ids.filter { byMember[$0] == nil }
        guard missing.isEmpty else { throw .missingParticipants(missing) }
        let equivocating = roster.ids.filter { byMember[$0]!.count > 1 }
        guard equivocating.isEmpty else { throw .inconsistentTranscript(culprits: equivocating) }
        let chosen = byMember.mapValues { $0[0] }
        let wrongCount = roster.ids.filter { chosen[$0]!.commitment.points.count != roster.threshold }
        guard wrongCount.isEmpty else { throw .wrongCommitmentCount(culprits: wrongCount, expected: roster.threshold) }
        var badPoP: [MemberID] = []
        for id in roster.ids {
            let package = chosen[id]!
            // z*G == R + c*C_0
            let c = try popChallenge(rosterDigest: roster.digest, member: id, constant: package.commitment.points[0], R: package.proofR)
            let lhs = try? P256Point.generatorMultiple(package.proofZ)
            let rhs = try? P256Point.multiScalarMultiply([.one, c], [package.proofR, package.commitment.points[0]])
            if lhs == nil || lhs != rhs { badPoP.append(id) }
        }
        guard badPoP.isEmpty else { throw .badProofOfPossession(culprits: badPoP) }
        return chosen
    }

    /// Round 2: check round 1 and seal `f_i(j)` to every other member j.
    public static func round2(_ secret: Round1Secret, packages: [Round1Package]) throws(CommitteeError) -> [SealedShare] {
        try round2(secret, packages: packages, randomness: .system)
    }

    /// For the test-vector generator only.
    package static func round2(_ secret: Round1Secret, packages: [Round1Package], randomness: ScalarSource)
        throws(CommitteeError) -> [SealedShare]
    {
        let byMember = try checkPackages(packages, roster: secret.roster)
        guard byMember[secret.keys.id]?.commitment == secret.commitment else {
            throw .keyMismatch("the round-1 package under your identifier is not the one your state made")
        }
        var out: [SealedShare] = []
        for card in secret.roster.members where card.id != secret.keys.id {
            out.append(
                try SealedShare.seal(
                    secret.polynomial.evaluate(card.id), to: card, rosterDigest: secret.roster.digest,
                    sender: secret.keys.id.value, signer: secret.keys.signingKey, commitment: secret.commitment,
                    purpose: "dkg-share", randomness: randomness))
        }
        return out
    }

    /// `SHA-256("sealbid/committee-v1 dkg-transcript" || 0x00 || roster || packages in member order)`.
    static func transcriptHash(roster: CommitteeRoster, packages: [MemberID: Round1Package]) -> [UInt8] {
        SHA256.hash(
            CommitteeFormat.label("dkg-transcript") + roster.encoded
                + roster.ids.flatMap { packages[$0]!.encoded })
    }

    /// Checks every share sent to this member (blaming senders whose signed share is missing,
    /// does not open or does not match their commitments, or who signed two different ones)
    /// and returns the share `s_j = sum_i f_i(j)` and the stage key `sum_i C_i`.
    public static func finish(_ secret: Round1Secret, packages: [Round1Package], shares: [SealedShare])
        throws(CommitteeError) -> (share: SecretShare, stageKey: StageKey)
    {
        let roster = secret.roster
        let byMember = try checkPackages(packages, roster: roster)
        guard byMember[secret.keys.id]?.commitment == secret.commitment else {
            throw .keyMismatch("the round-1 package under your identifier is not the one your state made")
        }
        var total = secret.polynomial.evaluate(secret.keys.id)
        var missing: [MemberID] = []
        var blamed: [MemberID] = []
        for (sender, received) in try receivedShares(secret, byMember: byMember, shares: shares) {
            switch received {
            case .none: missing.append(sender)
            case .twoSigned, .checked(_, .badEphemeralProof), .checked(_, .doesNotVerify): blamed.append(sender)
            case .checked(_, .good(let share)): total = total + share.value
            }
        }
        guard missing.isEmpty else { throw .missingParticipants(missing) }
        guard blamed.isEmpty else { throw .badShare(culprits: blamed) }
        // The group commitment is the sum of everyone's commitments, coefficient by coefficient.
        var points: [P256Point] = []
        for k in 0..<roster.threshold {
            let column = roster.ids.map { byMember[$0]!.commitment.points[k] }
            let ones = [P256Scalar](repeating: .one, count: column.count)
            points.append(try lift { () throws(CryptoError) in try P256Point.multiScalarMultiply(ones, column) })
        }
        let stageKey = StageKey(
            roster: roster, commitment: VSSCommitment(points: points), transcriptHash: transcriptHash(roster: roster, packages: byMember))
        let share = SecretShare(id: secret.keys.id, value: total)
        guard try stageKey.commitment.verify(share) else { throw .keyMismatch("the combined share does not match the combined commitments") }
        return (share, stageKey)
    }

    /// What member j received from one other member (DKG finish step 3).
    enum Received {
        case none
        /// Two different shares, both signed by the sender: they are their own evidence.
        case twoSigned
        case checked(SealedShare, SealedShare.Check)
    }

    /// For every other member in identifier order, the shares it signed for this member in this
    /// ceremony, checked. The rest are ignored, so a forger can neither frame the sender nor hide
    /// its real share.
    static func receivedShares(_ secret: Round1Secret, byMember: [MemberID: Round1Package], shares: [SealedShare])
        throws(CommitteeError) -> [(MemberID, Received)]
    {
        let roster = secret.roster
        var out: [(MemberID, Received)] = []
        for card in roster.members where card.id != secret.keys.id {
            var candidates: [SealedShare] = []
            for sealed in shares
            where sealed.sender == card.id.value && sealed.recipient == secret.keys.id && sealed.rosterDigest == roster.digest
                && sealed.isSigned(by: card.signingKey) && !candidates.contains(sealed)
            {
                candidates.append(sealed)
            }
            switch candidates.count {
            case 0: out.append((card.id, .none))
            case 1:
                let check = try candidates[0].check(with: secret.keys, commitment: byMember[card.id]!.commitment, purpose: "dkg-share")
                out.append((card.id, .checked(candidates[0], check)))
            default: out.append((card.id, .twoSigned))
            }
        }
        return out
    }

    /// The complaints member j makes when its finish fails with `bad-share` (committee-v1,
    /// "Complaints"): one for every sender whose one signed share fails its ephemeral-key proof
    /// or does not open, decode or verify. Empty when there is nothing to complain about (a
    /// sender that signed two shares is shown by the two shares themselves).
    /// - Throws: as ``finish(_:packages:shares:)`` up to its step 3.
    public static func complaints(_ secret: Round1Secret, packages: [Round1Package], shares: [SealedShare])
        throws(CommitteeError) -> [Complaint]
    {
        try complaints(secret, packages: packages, shares: shares, randomness: .system)
    }

    /// For the test-vector generator only.
    package static func complaints(_ secret: Round1Secret, packages: [Round1Package], shares: [SealedShare], randomness: ScalarSource)
        throws(CommitteeError) -> [Complaint]
    {
        let byMember = try checkPackages(packages, roster: secret.roster)
        guard byMember[secret.keys.id]?.commitment == secret.commitment else {
            throw .keyMismatch("the round-1 package under your identifier is not the one your state made")
        }
        var out: [Complaint] = []
        for (_, received) in try receivedShares(secret, byMember: byMember, shares: shares) {
            guard case .checked(let sealed, let check) = received else { continue }
            switch check {
            case .good: continue
            case .badEphemeralProof, .doesNotVerify:
                out.append(try Complaint.make(against: sealed, roster: secret.roster, keys: secret.keys, randomness: randomness))
            }
        }
        return out
    }

    /// ``Confirmation/confirm(stageKey:signatures:)``.
    public static func confirm(stageKey: StageKey, signatures: [TranscriptSignature]) throws(CommitteeError) {
        try Confirmation.confirm(stageKey: stageKey, signatures: signatures)
    }
}

/// The end of every key ceremony (dealing, DKG, resharing): each member signs
/// the digest of the stage key it derived, and the key is complete only when
/// every member of the roster signed that same stage key.
public enum Confirmation {
    /// Checks that every roster member signed exactly this stage key: its commitments (so its
    /// public key) and its transcript hash. A member whose signatures are all forged or missing,
    /// or who signed another stage key in this ceremony (a split view, or a stage key file
    /// swapped after the ceremony), is named.
    public static func confirm(stageKey: StageKey, signatures: [TranscriptSignature]) throws(CommitteeError) {
        var missing: [MemberID] = []
        var inconsistent: [MemberID] = []
        let digest = stageKey.digest
        for card in stageKey.roster.members {
            // Every candidate counts, so a forged signature cannot mask the member's real one; the
            // member's genuine signatures must all be over this stage key (two stage keys signed by
            // one member in one ceremony is exactly the split view this check exists to catch).
            let genuine = signatures.filter {
                $0.member == card.id && $0.rosterDigest == stageKey.roster.digest
                    && card.signingKey.isValidSignature($0.signature, for: $0.signedMessage)
            }
            if genuine.isEmpty {
                missing.append(card.id)
            } else if genuine.contains(where: { $0.stageKeyDigest != digest }) {
                inconsistent.append(card.id)
            }
        }
        guard inconsistent.isEmpty else { throw .inconsistentTranscript(culprits: inconsistent) }
        guard missing.isEmpty else { throw .missingParticipants(missing) }
    }
}

/// A member's Ed25519 signature over the stage key it derived (type 0x06).
public struct TranscriptSignature: Sendable, Hashable {
    public let rosterDigest: [UInt8]
    public let member: MemberID
    /// `SHA-256(label("stage-key") || stage key)`: covers the commitments and the transcript hash.
    public let stageKeyDigest: [UInt8]
    public let signature: Ed25519Signature

    /// `"sealbid/committee-v1 transcript-signature" || 0x00 || roster digest || u16 member || stage key digest`.
    var signedMessage: [UInt8] { Self.signedMessage(rosterDigest: rosterDigest, member: member, digest: stageKeyDigest) }

    static func signedMessage(rosterDigest: [UInt8], member: MemberID, digest: [UInt8]) -> [UInt8] {
        CommitteeFormat.label("transcript-signature") + rosterDigest + member.bytes + digest
    }

    package init(rosterDigest: [UInt8], member: MemberID, stageKeyDigest: [UInt8], signature: Ed25519Signature) {
        self.rosterDigest = rosterDigest
        self.member = member
        self.stageKeyDigest = stageKeyDigest
        self.signature = signature
    }

    public init(stageKey: StageKey, keys: MemberKeys) {
        rosterDigest = stageKey.roster.digest
        member = keys.id
        stageKeyDigest = stageKey.digest
        signature = keys.signingKey.signature(
            for: Self.signedMessage(rosterDigest: rosterDigest, member: member, digest: stageKeyDigest))
    }

    /// `prefix(0x06) || roster digest || u16 member || stage key digest || signature`.
    public var encoded: [UInt8] {
        CommitteeFormat.prefix(.transcriptSignature) + rosterDigest + member.bytes + stageKeyDigest + signature.rawRepresentation
    }
}
