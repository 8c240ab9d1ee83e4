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
    /// One old member's dealing to the new roster, signed with its old roster key (type 0x07).
    public struct Package: SignedCommitteeMessage, Equatable {
        public let oldRosterDigest: [UInt8]
        public let newRosterDigest: [UInt8]
        public let from: MemberID
        public let commitment: VSSCommitment
        /// One sealed share per new member, each signed by `from` too.
        public let shares: [SealedShare]
        public let signature: Ed25519Signature

        package init(
            oldRosterDigest: [UInt8], newRosterDigest: [UInt8], from: MemberID, commitment: VSSCommitment, shares: [SealedShare],
            signature: Ed25519Signature
        ) {
            self.oldRosterDigest = oldRosterDigest
            self.newRosterDigest = newRosterDigest
            self.from = from
            self.commitment = commitment
            self.shares = shares
            self.signature = signature
        }

        static func body(old: [UInt8], new: [UInt8], from: MemberID, commitment: VSSCommitment, shares: [SealedShare]) -> [UInt8] {
            var out = CommitteeFormat.prefix(.reshare) + old + new + from.bytes + commitment.encoded + [UInt8(shares.count)]
            for share in shares {
                let e = share.encoded
                out += [UInt8(e.count >> 8), UInt8(e.count & 0xFF)] + e
            }
            return out
        }

        /// `prefix(0x07) || old roster digest || new roster digest || u16 from || commitment
        /// || u8(n') || n' × (u16(length) || sealed share)`.
        public var body: [UInt8] {
            Self.body(old: oldRosterDigest, new: newRosterDigest, from: from, commitment: commitment, shares: shares)
        }
    }

    /// An old member deals its share to `newRoster`, which must carry a ceremony of its own.
    public static func deal(share: SecretShare, keys: MemberKeys, oldKey: StageKey, newRoster: CommitteeRoster) throws(CommitteeError)
        -> Package
    {
        try deal(share: share, keys: keys, oldKey: oldKey, newRoster: newRoster, randomness: .system)
    }

    /// For the test-vector generator only.
    package static func deal(share: SecretShare, keys: MemberKeys, oldKey: StageKey, newRoster: CommitteeRoster, randomness: ScalarSource)
        throws(CommitteeError) -> Package
    {
        guard share.id == keys.id, try oldKey.roster.card(keys.id) == keys.card else {
            throw .keyMismatch("these keys are not the share holder's card in the old roster")
        }
        guard try oldKey.commitment.verify(share) else { throw .keyMismatch("this share does not belong to the old stage key") }
        try checkNewRoster(newRoster, oldKey: oldKey)
        let polynomial = SecretPolynomial(threshold: newRoster.threshold, constant: share.value, randomness: randomness)
        let commitment = try polynomial.commitment()
        var shares: [SealedShare] = []
        for card in newRoster.members {
            shares.append(
                try SealedShare.seal(
                    polynomial.evaluate(card.id), to: card, rosterDigest: newRoster.digest, sender: share.id.value,
                    signer: keys.signingKey, commitment: commitment, purpose: "reshare-share", randomness: randomness))
        }
        let body = Package.body(old: oldKey.roster.digest, new: newRoster.digest, from: share.id, commitment: commitment, shares: shares)
        return Package(
            oldRosterDigest: oldKey.roster.digest, newRosterDigest: newRoster.digest, from: share.id, commitment: commitment,
            shares: shares, signature: CommitteeFormat.sign(body, with: keys.signingKey))
    }

    /// The new roster keeps the committee id and the stage and has a ceremony nonce of its own
    /// (committee-v1, "Resharing").
    static func checkNewRoster(_ newRoster: CommitteeRoster, oldKey: StageKey) throws(CommitteeError) {
        guard newRoster.committee == oldKey.roster.committee, newRoster.stage == oldKey.roster.stage else {
            throw .invalidRoster("resharing keeps the committee id and the stage")
        }
        guard newRoster.ceremony != oldKey.roster.ceremony else { throw .invalidRoster("the new roster needs a new ceremony nonce") }
    }

    /// "Resharing" step 4 on one package, except opening: its commitment has `t'` points starting
    /// at the sender's old verification share, and it holds exactly one share for `recipient`,
    /// from the sender, of the new roster and signed by the sender. Nil when the package is at
    /// fault on its own (anyone holding it can see it).
    static func shareFor(
        _ recipient: MemberID, in package: Package, from sender: MemberID, senderKey: Ed25519PublicKey, oldKey: StageKey,
        newRoster: CommitteeRoster
    ) throws(CommitteeError) -> SealedShare? {
        guard package.commitment.points.count == newRoster.threshold,
            package.commitment.points[0] == (try oldKey.verificationShare(sender))
        else { return nil }
        let mine = package.shares.filter {
            $0.recipient == recipient && $0.sender == sender.value && $0.rosterDigest == newRoster.digest && $0.isSigned(by: senderKey)
        }
        return mine.count == 1 ? mine[0] : nil
    }

    /// The complaints new member `keys.id` makes when ``receive(packages:oldKey:newRoster:keys:)``
    /// fails with `bad-share` (committee-v1, "Complaints"): one for every old member whose one
    /// package holds one signed share for it that fails its ephemeral-key proof or does not open,
    /// decode or verify. Other faults of a package are public and need no complaint.
    /// - Throws: as ``receive(packages:oldKey:newRoster:keys:)`` steps 1 and 2.
    public static func complaints(packages: [Package], oldKey: StageKey, newRoster: CommitteeRoster, keys: MemberKeys)
        throws(CommitteeError) -> [Complaint]
    {
        try complaints(packages: packages, oldKey: oldKey, newRoster: newRoster, keys: keys, randomness: .system)
    }

    /// For the test-vector generator only.
    package static func complaints(
        packages: [Package], oldKey: StageKey, newRoster: CommitteeRoster, keys: MemberKeys, randomness: ScalarSource
    ) throws(CommitteeError) -> [Complaint] {
        try checkNewRoster(newRoster, oldKey: oldKey)
        guard try newRoster.card(keys.id) == keys.card else { throw .keyMismatch("these keys are not your card in the new roster") }
        var out: [Complaint] = []
        for card in oldKey.roster.members {
            var candidates: [Package] = []
            for package in packages
            where package.from == card.id && package.oldRosterDigest == oldKey.roster.digest
                && package.newRosterDigest == newRoster.digest && package.isSigned(by: card.signingKey) && !candidates.contains(package)
            {
                candidates.append(package)
            }
            guard candidates.count == 1,
                let mine = try shareFor(
                    keys.id, in: candidates[0], from: card.id, senderKey: card.signingKey, oldKey: oldKey, newRoster: newRoster)
            else { continue }
            if case .good = try mine.check(with: keys, commitment: candidates[0].commitment, purpose: "reshare-share") { continue }
            out.append(try Complaint.make(against: mine, roster: newRoster, keys: keys, randomness: randomness))
        }
        return out
    }

    /// A new member combines the packages of a set of at least t old members.
    /// Packages not signed by their sender's old roster key, or for other rosters, are ignored
    /// (nobody is blamed for them). A sender who signed two different packages, or whose one
    /// package does not start at its old verification share, has the wrong number of
    /// commitments, or holds no share for this member that opens and matches, is blamed
    /// (`bad-share`); the coordinator drops it for everyone and calls again with the rest.
    public static func receive(packages: [Package], oldKey: StageKey, newRoster: CommitteeRoster, keys: MemberKeys)
        throws(CommitteeError) -> (share: SecretShare, stageKey: StageKey)
    {
        try checkNewRoster(newRoster, oldKey: oldKey)
        guard try newRoster.card(keys.id) == keys.card else { throw .keyMismatch("these keys are not your card in the new roster") }
        var bySender: [MemberID: [Package]] = [:]
        for package in packages
        where package.oldRosterDigest == oldKey.roster.digest && package.newRosterDigest == newRoster.digest
            && oldKey.roster.signingKey(of: package.from.value).map(package.isSigned) == true
        {
            if !(bySender[package.from] ?? []).contains(package) { bySender[package.from, default: []].append(package) }
        }
        var culprits: [MemberID] = []
        var sorted: [Package] = []
        var subShares: [P256Scalar] = []
        for sender in bySender.keys.sorted() {
            let candidates = bySender[sender]!
            guard candidates.count == 1, let senderKey = oldKey.roster.signingKey(of: sender.value) else {
                culprits.append(sender)  // two different packages, both signed by the sender
                continue
            }
            let package = candidates[0]
            guard let mine = try shareFor(keys.id, in: package, from: sender, senderKey: senderKey, oldKey: oldKey, newRoster: newRoster),
                let opened = try mine.open(with: keys, commitment: package.commitment, purpose: "reshare-share")
            else {
                culprits.append(sender)
                continue
            }
            sorted.append(package)
            subShares.append(opened.value)
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
