import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// Moves a stage key to a new roster and threshold without reconstructing
/// it (`docs/spec/committee-v1.md`, "Resharing"). Each contributing old
/// member deals its own share `s_i` with a fresh polynomial `g_i`
/// (`g_i(0) = s_i`, degree t'-1) to the new members; a new member's share is
/// `s'_j = sum_i lambda_i g_i(j)` over the contributing set. The public key
/// does not change; the new shares lie on a fresh polynomial, so old shares
/// are useless together with new ones.
public enum Resharing {
    public struct Package: Sendable, Equatable {
        public let oldRosterDigest: [UInt8]
        public let newRosterDigest: [UInt8]
        public let from: MemberID
        public let commitment: VSSCommitment
        public let shares: [SealedShare]

        /// `prefix(0x07) || old roster digest || new roster digest || u16 from || commitment`
        /// (the sealed shares travel with it; they are bound to the commitment as HPKE AAD).
        public var encoded: [UInt8] {
            CommitteeFormat.prefix(.reshare) + oldRosterDigest + newRosterDigest + from.bytes + commitment.encoded
        }
    }

    /// An old member deals its share to `newRoster`.
    public static func deal(share: SecretShare, oldKey: StageKey, newRoster: CommitteeRoster) throws(CommitteeError) -> Package {
        guard try oldKey.commitment.verify(share) else { throw .keyMismatch("this share does not belong to the old stage key") }
        guard newRoster.committee == oldKey.roster.committee, newRoster.stage == oldKey.roster.stage else {
            throw .invalidRoster("resharing keeps the committee id and the stage")
        }
        let polynomial = SecretPolynomial(threshold: newRoster.threshold, constant: share.value)
        let commitment = try polynomial.commitment()
        var shares: [SealedShare] = []
        for card in newRoster.members {
            shares.append(
                try SealedShare.seal(
                    polynomial.evaluate(card.id), to: card, rosterDigest: newRoster.digest, sender: share.id.value,
                    commitment: commitment, purpose: "reshare-share"))
        }
        return Package(
            oldRosterDigest: oldKey.roster.digest, newRosterDigest: newRoster.digest, from: share.id, commitment: commitment,
            shares: shares)
    }

    /// A new member combines the packages of a set of at least t old members.
    /// Every package must be valid for this member; a package whose
    /// commitment does not start at the sender's old verification share, or
    /// whose share does not match its commitment, is blamed on its sender
    /// (the coordinator drops it and calls again with the rest).
    public static func receive(packages: [Package], oldKey: StageKey, newRoster: CommitteeRoster, keys: MemberKeys)
        throws(CommitteeError) -> (share: SecretShare, stageKey: StageKey)
    {
        _ = try newRoster.card(keys.id)
        guard newRoster.committee == oldKey.roster.committee, newRoster.stage == oldKey.roster.stage else {
            throw .invalidRoster("resharing keeps the committee id and the stage")
        }
        // Packages are not signed: group them by sender and look at every candidate, so a forged
        // package cannot displace or abort a sender's real one. A sender counts once, with the one
        // package that opens a share for this member; none, or two different ones, is blamed
        // (committee-v1, "Limits of blame"). The transcript covers only the packages used, and
        // `confirm` then catches members who used different ones.
        var bySender: [MemberID: [Package]] = [:]
        for package in packages { bySender[package.from, default: []].append(package) }
        var culprits: [MemberID] = []
        var sorted: [Package] = []
        var subShares: [P256Scalar] = []
        // A package from outside the old roster cannot be real: it is ignored, not fatal.
        for sender in bySender.keys.sorted() where oldKey.roster.ids.contains(sender) {
            var accepted: [(package: Package, share: P256Scalar)] = []
            for package in bySender[sender]! {
                guard package.oldRosterDigest == oldKey.roster.digest, package.newRosterDigest == newRoster.digest,
                    package.commitment.points.count == newRoster.threshold,
                    package.commitment.points[0] == (try oldKey.verificationShare(sender))
                else { continue }
                for sealed in package.shares
                where sealed.recipient == keys.id && sealed.sender == sender.value && sealed.rosterDigest == newRoster.digest {
                    if let opened = try sealed.open(with: keys, commitment: package.commitment, purpose: "reshare-share") {
                        if !accepted.contains(where: { $0.package.encoded == package.encoded }) {
                            accepted.append((package, opened.value))
                        }
                        break
                    }
                }
            }
            guard accepted.count == 1 else {
                culprits.append(sender)
                continue
            }
            sorted.append(accepted[0].package)
            subShares.append(accepted[0].share)
        }
        guard culprits.isEmpty else { throw .badShare(culprits: culprits) }
        guard sorted.count >= oldKey.roster.threshold else {
            throw .tooFewShares(have: sorted.count, need: oldKey.roster.threshold, culprits: [])
        }
        let lambdas = try Lagrange.coefficients(for: sorted.map(\.from))
        var value = P256Scalar.zero
        for (lambda, sub) in zip(lambdas, subShares) { value = value + lambda * sub }
        var points: [P256Point] = []
        for k in 0..<newRoster.threshold {
            let column = sorted.map { $0.commitment.points[k] }
            points.append(try lift { () throws(CryptoError) in try P256Point.multiScalarMultiply(lambdas, column) })
        }
        guard points[0] == oldKey.commitment.points[0] else { throw .keyMismatch("resharing changed the public key") }
        let transcript = SHA256.hash(
            CommitteeFormat.label("reshare-transcript") + oldKey.encoded + newRoster.encoded + sorted.flatMap(\.encoded))
        let stageKey = StageKey(roster: newRoster, commitment: VSSCommitment(points: points), transcriptHash: transcript)
        let share = SecretShare(id: keys.id, value: value)
        guard try stageKey.commitment.verify(share) else { throw .keyMismatch("the new share does not match the new commitments") }
        return (share, stageKey)
    }
}
