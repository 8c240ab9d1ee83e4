import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// Dealerless key generation, PedPoP as in RFC 9591's DKG (FROST): every
/// member deals a random polynomial with a proof of possession of its
/// constant term; the stage key is the sum of the constants and nobody ever
/// holds it (`docs/spec/committee-v1.md`, "Dealerless DKG").
///
/// Round 1: ``round1(roster:keys:)`` broadcasts a ``Round1Package``.
/// Round 2: ``round2(_:packages:)`` verifies everyone's package and seals a share to each other member.
/// Finish: ``finish(_:packages:shares:)`` verifies the shares it received, blaming by identifier,
/// and returns the member's share and the ``StageKey``; every member signs the transcript hash
/// (``TranscriptSignature``) and ``confirm(stageKey:signatures:)`` checks all signed the same one.
public enum DKG {
    /// What a member broadcasts in round 1.
    public struct Round1Package: Sendable, Equatable {
        public let rosterDigest: [UInt8]
        public let member: MemberID
        public let commitment: VSSCommitment
        /// Schnorr proof of possession of the constant term: (R, z).
        public let proofR: P256Point
        public let proofZ: P256Scalar

        /// `prefix(0x03) || roster digest || u16 member || commitment || R || z`.
        public var encoded: [UInt8] {
            CommitteeFormat.prefix(.round1) + rosterDigest + member.bytes + commitment.encoded + proofR.uncompressedRepresentation
                + proofZ.rawRepresentation
        }
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
        _ = try roster.card(keys.id)
        let polynomial = SecretPolynomial(threshold: roster.threshold, randomness: randomness)
        let commitment = try polynomial.commitment()
        let k = randomness.next()
        let R = try lift { () throws(CryptoError) in try P256Point.generatorMultiple(k) }
        let c = try popChallenge(rosterDigest: roster.digest, member: keys.id, constant: commitment.points[0], R: R)
        let z = k + polynomial.coefficients[0] * c
        let package = Round1Package(rosterDigest: roster.digest, member: keys.id, commitment: commitment, proofR: R, proofZ: z)
        return (Round1Secret(roster: roster, keys: keys, polynomial: polynomial, commitment: commitment), package)
    }

    /// Checks that there is exactly one package per member, of this roster,
    /// with exactly t commitments and a valid proof of possession.
    static func checkPackages(_ packages: [Round1Package], roster: CommitteeRoster) throws(CommitteeError)
        -> [MemberID: Round1Package]
    {
        var byMember: [MemberID: Round1Package] = [:]
        for package in packages {
            guard roster.ids.contains(package.member) else { throw .unknownMember(package.member) }
            if let earlier = byMember[package.member], earlier != package {
                // Two different packages from one member: equivocation.
                throw .inconsistentTranscript(culprits: [package.member])
            }
            byMember[package.member] = package
        }
        for id in roster.ids where byMember[id] == nil { throw .missingParticipant(id) }
        var badPoP: [MemberID] = []
        for id in roster.ids {
            let package = byMember[id]!
            guard package.rosterDigest == roster.digest else { throw .malformed("\(id)'s package is for another roster") }
            guard package.commitment.points.count == roster.threshold else {
                throw .wrongCommitmentCount(culprit: id, expected: roster.threshold, found: package.commitment.points.count)
            }
            // z*G == R + c*C_0
            let c = try popChallenge(rosterDigest: roster.digest, member: id, constant: package.commitment.points[0], R: package.proofR)
            let lhs = try? P256Point.generatorMultiple(package.proofZ)
            let rhs = try? P256Point.multiScalarMultiply([.one, c], [package.proofR, package.commitment.points[0]])
            if lhs == nil || lhs != rhs { badPoP.append(id) }
        }
        guard badPoP.isEmpty else { throw .badProofOfPossession(culprits: badPoP) }
        return byMember
    }

    /// Round 2: verify round 1 and seal `f_i(j)` to every other member j.
    public static func round2(_ secret: Round1Secret, packages: [Round1Package]) throws(CommitteeError) -> [SealedShare] {
        try round2(secret, packages: packages, randomness: .system)
    }

    /// For the test-vector generator only.
    package static func round2(_ secret: Round1Secret, packages: [Round1Package], randomness: ScalarSource)
        throws(CommitteeError) -> [SealedShare]
    {
        let byMember = try checkPackages(packages, roster: secret.roster)
        guard byMember[secret.keys.id]?.commitment == secret.commitment else {
            throw .inconsistentTranscript(culprits: [secret.keys.id])
        }
        var out: [SealedShare] = []
        for card in secret.roster.members where card.id != secret.keys.id {
            out.append(
                try SealedShare.seal(
                    secret.polynomial.evaluate(card.id), to: card, rosterDigest: secret.roster.digest,
                    sender: secret.keys.id.value, commitment: secret.commitment, purpose: "dkg-share", randomness: randomness))
        }
        return out
    }

    /// `SHA-256("sealbid/committee-v1 dkg-transcript" || 0x00 || roster || packages in member order)`.
    static func transcriptHash(roster: CommitteeRoster, packages: [MemberID: Round1Package]) -> [UInt8] {
        SHA256.hash(
            CommitteeFormat.label("dkg-transcript") + roster.encoded
                + roster.ids.flatMap { packages[$0]!.encoded })
    }

    /// Verifies every share sent to this member (blaming senders whose shares
    /// do not open or do not match their commitments) and returns the share
    /// `s_j = sum_i f_i(j)` and the stage key `sum_i C_i`.
    public static func finish(_ secret: Round1Secret, packages: [Round1Package], shares: [SealedShare])
        throws(CommitteeError) -> (share: SecretShare, stageKey: StageKey)
    {
        let roster = secret.roster
        let byMember = try checkPackages(packages, roster: roster)
        var total = secret.polynomial.evaluate(secret.keys.id)
        var blamed: [MemberID] = []
        for sender in roster.ids where sender != secret.keys.id {
            let fromSender = shares.filter { $0.sender == sender.value && $0.recipient == secret.keys.id }
            guard !fromSender.isEmpty else { throw .missingParticipant(sender) }
            // Sealed shares are not signed: try every candidate, so a forged one cannot
            // hide the sender's real share; blame only when none verifies.
            var accepted: SecretShare?
            for sealed in fromSender where sealed.rosterDigest == roster.digest {
                if let share = try sealed.open(with: secret.keys, commitment: byMember[sender]!.commitment, purpose: "dkg-share") {
                    accepted = share
                    break
                }
            }
            guard let share = accepted else {
                blamed.append(sender)
                continue
            }
            total = total + share.value
        }
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

    /// Every member signs the transcript hash it computed; ``confirm(stageKey:signatures:)``
    /// proves that all saw the same round 1 (no split view).
    public static func confirm(stageKey: StageKey, signatures: [TranscriptSignature]) throws(CommitteeError) {
        var inconsistent: [MemberID] = []
        for card in stageKey.roster.members {
            let candidates = signatures.filter { $0.member == card.id }
            guard !candidates.isEmpty else { throw .missingParticipant(card.id) }
            // Every candidate counts, so a forged signature cannot mask the member's real one; the
            // member's genuine signatures must all be over this transcript (two transcripts signed
            // by one member is exactly the split view this check exists to catch).
            let genuine = candidates.filter {
                $0.rosterDigest == stageKey.roster.digest && card.signingKey.isValidSignature($0.signature, for: $0.signedMessage)
            }
            if genuine.isEmpty || genuine.contains(where: { $0.transcriptHash != stageKey.transcriptHash }) {
                inconsistent.append(card.id)
            }
        }
        guard inconsistent.isEmpty else { throw .inconsistentTranscript(culprits: inconsistent) }
    }
}

/// A member's Ed25519 signature over a protocol transcript hash.
public struct TranscriptSignature: Sendable, Hashable {
    public let rosterDigest: [UInt8]
    public let member: MemberID
    public let transcriptHash: [UInt8]
    public let signature: Ed25519Signature

    /// `"sealbid/committee-v1 transcript-signature" || 0x00 || roster digest || u16 member || transcript hash`.
    var signedMessage: [UInt8] { CommitteeFormat.label("transcript-signature") + rosterDigest + member.bytes + transcriptHash }

    public init(stageKey: StageKey, keys: MemberKeys) {
        rosterDigest = stageKey.roster.digest
        member = keys.id
        transcriptHash = stageKey.transcriptHash
        let message = CommitteeFormat.label("transcript-signature") + rosterDigest + member.bytes + transcriptHash
        signature = keys.signingKey.signature(for: message)
    }

    /// `prefix(0x06) || roster digest || u16 member || transcript hash || signature`.
    public var encoded: [UInt8] {
        CommitteeFormat.prefix(.transcriptSignature) + rosterDigest + member.bytes + transcriptHash + signature.rawRepresentation
    }
}
