import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// A Schnorr proof of knowledge `(c, z)`, two scalars: a sealed share's ephemeral-key proof
/// (`docs/spec/committee-v1.md`, "Ephemeral-key proof").
public struct SchnorrProof: Sendable, Hashable {
    public let challenge: P256Scalar
    public let response: P256Scalar

    public init(challenge: P256Scalar, response: P256Scalar) {
        self.challenge = challenge
        self.response = response
    }

    /// `c || z`, 64 bytes.
    public var rawRepresentation: [UInt8] { challenge.rawRepresentation + response.rawRepresentation }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawRepresentation) }
}

/// A member's verifiable complaint about a sealed share addressed to it (type 0x0A,
/// `docs/spec/committee-v1.md`, "Complaints"): the share as received, the Diffie-Hellman value
/// `D = skR * enc` under the accuser's HPKE key with a DLEQ proof of it, and the accuser's
/// signature. Anyone holding the roster and the ceremony's public messages judges it
/// (``judge(roster:round1:)``, ``judge(roster:dealing:)``, ``judge(oldKey:newRoster:packages:)``):
/// the verdict names the sender whose share is bad, or the accuser whose complaint is false.
public struct Complaint: SignedCommitteeMessage, Hashable {
    /// `D` and its proof.
    public struct Revealed: Sendable, Hashable {
        public let point: P256Point
        public let proof: DLEQProof

        public init(point: P256Point, proof: DLEQProof) {
            self.point = point
            self.proof = proof
        }
    }

    /// The roster the share is sealed under (a resharing's new roster).
    public let rosterDigest: [UInt8]
    public let accuser: MemberID
    /// The share's sender: 0 for the dealer.
    public let accused: UInt16
    public let sealedShare: SealedShare
    /// Nil when the share's ephemeral-key proof fails (nothing may be revealed then).
    public let revealed: Revealed?
    public let signature: Ed25519Signature

    package init(
        rosterDigest: [UInt8], accuser: MemberID, accused: UInt16, sealedShare: SealedShare, revealed: Revealed?,
        signature: Ed25519Signature
    ) {
        self.rosterDigest = rosterDigest
        self.accuser = accuser
        self.accused = accused
        self.sealedShare = sealedShare
        self.revealed = revealed
        self.signature = signature
    }

    /// The DLEQ context: `label("complaint") || roster digest`.
    static func context(_ rosterDigest: [UInt8]) -> [UInt8] { CommitteeFormat.label("complaint") + rosterDigest }

    package static func body(
        rosterDigest: [UInt8], accuser: MemberID, accused: UInt16, sealedShare: SealedShare, revealed: Revealed?
    ) -> [UInt8] {
        var out = CommitteeFormat.prefix(.complaint) + rosterDigest + accuser.bytes + [UInt8(accused >> 8), UInt8(accused & 0xFF)]
        out += sealedShare.encoded
        if let revealed {
            out += [1] + revealed.point.uncompressedRepresentation + revealed.proof.rawRepresentation
        } else {
            out += [0]
        }
        return out
    }

    /// `prefix(0x0A) || roster digest || u16 accuser || u16 accused || sealed share (282) || u8 reveal
    /// || [D (65) || proof (64)]`.
    public var body: [UInt8] {
        Self.body(rosterDigest: rosterDigest, accuser: accuser, accused: accused, sealedShare: sealedShare, revealed: revealed)
    }

    /// Member `keys.id` complains about `sealed`, a share its sender signed for it under `roster`.
    /// Reveals `D` only when the share's ephemeral-key proof verifies; `D` and the proof are
    /// computed with the HPKE private key in guarded memory, in constant time.
    /// - Throws: ``CommitteeError/unknownMember(_:)``, ``CommitteeError/keyMismatch(_:)`` unless
    ///   `keys` are the member's card; ``CommitteeError/wrongRecipient(_:)`` for another member's share.
    package static func make(against sealed: SealedShare, roster: CommitteeRoster, keys: MemberKeys, randomness: ScalarSource)
        throws(CommitteeError) -> Complaint
    {
        guard try roster.card(keys.id) == keys.card else { throw .keyMismatch("these keys are not \(keys.id)'s roster card") }
        guard sealed.recipient == keys.id else { throw .wrongRecipient(sealed.recipient) }
        var revealed: Revealed?
        if sealed.ephemeralProofVerifies {
            let enc = sealed.encapsulatedKey.publicKey.point
            let secret = keys.encryptionKey.scalar
            let D = try lift { () throws(CryptoError) in try enc.multiplied(by: secret) }
            let proof = try lift { () throws(CryptoError) in
                try DLEQ.prove(
                    key: secret, A: .generator, B: keys.encryptionKey.publicKey.point, C: [enc], D: [D], context: context(roster.digest),
                    nonce: randomness.nonce())
            }
            revealed = Revealed(point: D, proof: proof)
        }
        let body = Self.body(rosterDigest: roster.digest, accuser: keys.id, accused: sealed.sender, sealedShare: sealed, revealed: revealed)
        return Complaint(
            rosterDigest: roster.digest, accuser: keys.id, accused: sealed.sender, sealedShare: sealed, revealed: revealed,
            signature: CommitteeFormat.sign(body, with: keys.signingKey))
    }

    // MARK: Judging

    /// The sender's fault: `bad-share` naming it, or `bad-dealer-share` for the dealer.
    private var senderAtFault: CommitteeError {
        accused == 0 ? .badDealerShare : .badShare(culprits: [(try? MemberID(accused)) ?? accuser])
    }

    /// "Complaints" step 3: the complaint is this roster's, by a member, signed by it.
    private func checkSigned(_ roster: CommitteeRoster) throws(CommitteeError) {
        guard rosterDigest == roster.digest else { throw .invalidComplaint("the complaint is for another roster") }
        guard let key = roster.members.first(where: { $0.id == accuser })?.signingKey else {
            throw .invalidComplaint("the accuser, \(accuser), is not in the roster")
        }
        guard isSigned(by: key) else { throw .invalidComplaint("the complaint is not signed by its accuser, \(accuser)") }
    }

    /// "Complaints" steps 5 to 9, once the complaint is the accuser's own (step 3) and the
    /// transcript gave the accused's commitment and key.
    private func verdict(
        roster: CommitteeRoster, purpose: String, senderKey: Ed25519PublicKey?, commitment: VSSCommitment?,
        expectedShare: SealedShare? = nil
    ) throws(CommitteeError) -> CommitteeError {
        let sealed = sealedShare
        // 5. The share must be one the accused signed for the accuser under this roster (in a DKG
        // nobody seals to itself; a resharing's old and new identifiers are of two rosters).
        guard purpose != "dkg-share" || accused != accuser.value, sealed.rosterDigest == roster.digest, sealed.sender == accused, sealed.recipient == accuser,
            let senderKey, let commitment, sealed.isSigned(by: senderKey), expectedShare.map({ $0 == sealed }) ?? true
        else { return .falseComplaint(accuser: accuser) }
        // 6. A failing ephemeral-key proof is public and the sender's.
        guard sealed.ephemeralProofVerifies else { return senderAtFault }
        // 7, 8. The accuser had to reveal D, with a proof under its own HPKE key.
        guard let revealed else { return .falseComplaint(accuser: accuser) }
        let pkR = try roster.card(accuser).encryptionKey
        let enc = sealed.encapsulatedKey.publicKey.point
        guard
            (try? DLEQ.verify(
                revealed.proof, A: .generator, B: pkR.point, C: [enc], D: [revealed.point], context: Self.context(roster.digest))) != nil
        else { return .falseComplaint(accuser: accuser) }
        // 9. Finish the decapsulation from x(D) and open, decode and verify as the recipient would.
        let dh = SecureBytes(copying: Array(revealed.point.uncompressedRepresentation[1..<33]))
        let info = SealedShare.info(rosterDigest: roster.digest, sender: accused, recipient: accuser, purpose: purpose)
        guard
            var raw = try? HPKE.open(
                sealed.ciphertext, encapsulatedKey: sealed.encapsulatedKey, recipientKey: pkR, sharedDH: dh, info: info,
                authenticating: SHA256.hash(commitment.encoded))
        else { return senderAtFault }
        defer { ConstantTime.wipe(&raw) }
        switch try SealedShare.verify(raw, recipient: accuser, commitment: commitment) {
        case .good: return .falseComplaint(accuser: accuser)
        case .badEphemeralProof, .doesNotVerify: return senderAtFault
        }
    }

    /// Judges a complaint about a DKG share against the round-1 packages (committee-v1,
    /// "Complaints"). Returns the verdict: ``CommitteeError/badShare(culprits:)`` naming the
    /// sender, or ``CommitteeError/falseComplaint(accuser:)``.
    /// - Throws: the round-1 checks' errors (the transcript cannot be used);
    ///   ``CommitteeError/invalidComplaint(_:)`` for a complaint that is nobody's.
    public func judge(roster: CommitteeRoster, round1: [DKG.Round1Package]) throws(CommitteeError) -> ComplaintVerdict {
        let byMember = try DKG.checkPackages(round1, roster: roster)
        try checkSigned(roster)
        let sender = try? MemberID(accused)
        let card = sender.flatMap { id in roster.members.first { $0.id == id } }
        return ComplaintVerdict(
            try verdict(
                roster: roster, purpose: "dkg-share", senderKey: card?.signingKey, commitment: sender.flatMap { byMember[$0]?.commitment }))
    }

    /// Judges a complaint about a dealt share against the dealing. Returns
    /// ``CommitteeError/badDealerShare`` or ``CommitteeError/falseComplaint(accuser:)``.
    /// - Throws: as ``TrustedDealer/receive(_:dealing:roster:keys:)`` for the roster and the dealing
    ///   (``CommitteeError/invalidRoster(_:)``, ``CommitteeError/malformed(_:)``);
    ///   ``CommitteeError/invalidComplaint(_:)``.
    public func judge(roster: CommitteeRoster, dealing: DealingMessage) throws(CommitteeError) -> ComplaintVerdict {
        let dealer = try TrustedDealer.checkDealing(dealing, roster: roster)
        try checkSigned(roster)
        return ComplaintVerdict(
            try verdict(
                roster: roster, purpose: "dealer-share", senderKey: accused == 0 ? dealer : nil,
                commitment: accused == 0 ? dealing.commitment : nil))
    }

    /// Judges a complaint about a resharing share against the old stage key and the resharing
    /// packages. Returns ``CommitteeError/badShare(culprits:)`` naming the old member (also for a
    /// package at fault on its own) or ``CommitteeError/falseComplaint(accuser:)``.
    /// - Throws: ``CommitteeError/invalidRoster(_:)`` ("Resharing" 1); ``CommitteeError/malformed(_:)``
    ///   when no package of the accused old member is given; ``CommitteeError/invalidComplaint(_:)``.
    public func judge(oldKey: StageKey, newRoster: CommitteeRoster, packages: [Resharing.Package]) throws(CommitteeError)
        -> ComplaintVerdict
    {
        try Resharing.checkNewRoster(newRoster, oldKey: oldKey)
        let sender = try? MemberID(accused)
        let senderKey = sender.flatMap { id in oldKey.roster.members.first { $0.id == id }?.signingKey }
        var candidates: [Resharing.Package] = []
        if let sender, let senderKey {
            for package in packages
            where package.from == sender && package.oldRosterDigest == oldKey.roster.digest && package.newRosterDigest == newRoster.digest
                && package.isSigned(by: senderKey) && !candidates.contains(package)
            {
                candidates.append(package)
            }
            guard !candidates.isEmpty else { throw .malformed("no resharing package of the accused, \(sender), to judge by") }
        }
        try checkSigned(newRoster)
        var expected: SealedShare?
        if let sender, let senderKey {
            // 4. A package at fault on its own: anyone sees it.
            guard candidates.count == 1, let mine = try Resharing.shareFor(accuser, in: candidates[0], from: sender, senderKey: senderKey,
                oldKey: oldKey, newRoster: newRoster)
            else { return ComplaintVerdict(.badShare(culprits: [sender])) }
            expected = mine
        }
        return ComplaintVerdict(
            try verdict(
                roster: newRoster, purpose: "reshare-share", senderKey: senderKey, commitment: candidates.first?.commitment,
                expectedShare: expected))
    }
}

/// What a complaint's judge decides: the failure the ceremony acts on (committee-v1, "Complaints").
public struct ComplaintVerdict: Sendable, Equatable, CustomStringConvertible {
    /// ``CommitteeError/badShare(culprits:)`` naming the sender, ``CommitteeError/badDealerShare``,
    /// or ``CommitteeError/falseComplaint(accuser:)``.
    public let outcome: CommitteeError

    init(_ outcome: CommitteeError) { self.outcome = outcome }

    /// `bad-share`, `bad-dealer-share` or `false-complaint`.
    public var code: String { outcome.code }
    /// The member the verdict names (none for the dealer).
    public var culprits: [MemberID] { outcome.culprits }
    /// Whether the accused sender is at fault (the complaint is true).
    public var upheld: Bool { if case .falseComplaint = outcome { false } else { true } }
    public var description: String { outcome.description }
}
