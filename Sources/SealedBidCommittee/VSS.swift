import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// One member's share of a stage key: `f(id)`, in secure memory.
public struct SecretShare: Sendable, CustomStringConvertible {
    public let id: MemberID
    public let value: P256Scalar

    public init(id: MemberID, value: P256Scalar) {
        self.id = id
        self.value = value
    }

    public var description: String { "SecretShare(\(id), <redacted>)" }
}

/// A random polynomial of degree t-1 over the scalars; its coefficients are secret.
package struct SecretPolynomial: Sendable {
    let coefficients: [P256Scalar]

    package init(coefficients: [P256Scalar]) { self.coefficients = coefficients }

    init(threshold: Int, constant: P256Scalar? = nil, randomness: ScalarSource = .system) {
        coefficients = [constant ?? randomness.next()] + (1..<max(threshold, 1)).map { _ in randomness.next() }
    }

    /// f(x), by Horner's rule.
    func evaluate(_ id: MemberID) -> P256Scalar {
        let x = id.scalar
        var value = P256Scalar.zero
        for c in coefficients.reversed() { value = value * x + c }
        return value
    }

    func commitment() throws(CommitteeError) -> VSSCommitment {
        VSSCommitment(points: try coefficients.map { c throws(CommitteeError) in
            try lift { () throws(CryptoError) in try P256Point.generatorMultiple(c) }
        })
    }
}

/// Feldman commitments `C_k = a_k * G`, exactly t of them; `C_0` is the stage public key.
public struct VSSCommitment: Sendable, Hashable {
    public let points: [P256Point]

    public init(points: [P256Point]) { self.points = points }

    /// `sum_k C_k * id^k`: the public image of the share `f(id)`.
    public func evaluate(at id: MemberID) throws(CommitteeError) -> P256Point {
        var powers: [P256Scalar] = []
        var power = P256Scalar.one
        for _ in points {
            powers.append(power)
            power = power * id.scalar
        }
        return try lift { () throws(CryptoError) in try P256Point.multiScalarMultiply(powers, points) }
    }

    /// `f(id) * G == evaluate(id)`. A zero share, or commitments that evaluate to
    /// the identity, never verify (so the sender is blamed rather than the protocol aborting).
    public func verify(_ share: SecretShare) throws(CommitteeError) -> Bool {
        guard !share.value.isZero, let image = try? P256Point.generatorMultiple(share.value),
            let expected = try? evaluate(at: share.id)
        else { return false }
        return image == expected
    }

    /// `u8(t) || C_0 || ... || C_{t-1}` (uncompressed points).
    var encoded: [UInt8] { [UInt8(points.count)] + points.flatMap(\.uncompressedRepresentation) }
}

/// Lagrange coefficients at zero: `lambda_i = prod_{j != i} x_j / (x_j - x_i)`.
enum Lagrange {
    static func coefficients(for ids: [MemberID]) throws(CommitteeError) -> [P256Scalar] {
        var seen: Set<MemberID> = []
        for id in ids where !seen.insert(id).inserted { throw .duplicateIdentifier(id) }
        return try ids.map { i throws(CommitteeError) in
            var lambda = P256Scalar.one
            for j in ids where j != i {
                let inverse = try lift { () throws(CryptoError) in try (j.scalar - i.scalar).inverse() }
                lambda = lambda * j.scalar * inverse
            }
            return lambda
        }
    }
}

/// The public result of a dealing, a DKG or a resharing: everything anyone
/// needs to encrypt to the stage and to check members' contributions.
public struct StageKey: Sendable, Hashable {
    public let roster: CommitteeRoster
    public let commitment: VSSCommitment
    /// Hash of the protocol transcript that produced the key (dealer: of the dealing).
    public let transcriptHash: [UInt8]

    package init(roster: CommitteeRoster, commitment: VSSCommitment, transcriptHash: [UInt8]) {
        self.roster = roster
        self.commitment = commitment
        self.transcriptHash = transcriptHash
    }

    /// The committee public key bids for this stage are sealed to.
    public var publicKey: HPKE.PublicKey { HPKE.PublicKey(point: commitment.points[0]) }

    /// `Y_i = s_i * G`, the public image of member i's share.
    public func verificationShare(_ id: MemberID) throws(CommitteeError) -> P256Point {
        _ = try roster.card(id)
        return try commitment.evaluate(at: id)
    }

    /// `prefix(0x04) || roster digest || commitment || transcript hash`.
    public var encoded: [UInt8] {
        CommitteeFormat.prefix(.stageKey) + roster.digest + commitment.encoded + transcriptHash
    }

    /// `SHA-256(label("stage-key") || stage key)`: what every member signs at the end of a ceremony.
    public var digest: [UInt8] { SHA256.hash(CommitteeFormat.label("stage-key") + encoded) }
}

/// A share sealed with HPKE to one member's encryption key and signed by its
/// sender (`docs/spec/committee-v1.md`, "Sealed shares").
public struct SealedShare: SignedCommitteeMessage, Hashable {
    public let rosterDigest: [UInt8]
    /// 0 for the dealer, otherwise the sending member.
    public let sender: UInt16
    public let recipient: MemberID
    public let encapsulatedKey: HPKE.EncapsulatedKey
    public let ciphertext: [UInt8]
    /// The sender's proof that it knows the ephemeral key behind `encapsulatedKey`.
    public let ephemeralProof: SchnorrProof
    public let signature: Ed25519Signature

    /// 282 bytes.
    public static let encodedSize = 5 + 32 + 2 + 2 + 65 + 48 + 64 + 64

    package init(
        rosterDigest: [UInt8], sender: UInt16, recipient: MemberID, encapsulatedKey: HPKE.EncapsulatedKey, ciphertext: [UInt8],
        ephemeralProof: SchnorrProof, signature: Ed25519Signature
    ) {
        self.rosterDigest = rosterDigest
        self.sender = sender
        self.recipient = recipient
        self.encapsulatedKey = encapsulatedKey
        self.ciphertext = ciphertext
        self.ephemeralProof = ephemeralProof
        self.signature = signature
    }

    /// `hash_to_scalar(roster digest || u16 sender || u16 recipient || enc || R, DST = label("ephemeral"))`.
    static func ephemeralChallenge(rosterDigest: [UInt8], sender: UInt16, recipient: MemberID, enc: HPKE.EncapsulatedKey, R: P256Point)
        throws(CommitteeError) -> P256Scalar
    {
        try lift { () throws(CryptoError) in
            try P256Scalar.hash(
                rosterDigest + [UInt8(sender >> 8), UInt8(sender & 0xFF)] + recipient.bytes + enc.rawRepresentation
                    + R.uncompressedRepresentation,
                domain: CommitteeFormat.label("ephemeral"))
        }
    }

    /// The sender's Schnorr proof of knowledge of the ephemeral key `e` (`enc = e * G`), bound
    /// to the share's roster, sender and recipient (committee-v1, "Ephemeral-key proof").
    package static func proveEphemeral(
        _ ephemeral: HPKE.PrivateKey, rosterDigest: [UInt8], sender: UInt16, recipient: MemberID, nonce r: P256Scalar
    ) throws(CommitteeError) -> SchnorrProof {
        let R = try lift { () throws(CryptoError) in try P256Point.generatorMultiple(r) }
        let c = try ephemeralChallenge(
            rosterDigest: rosterDigest, sender: sender, recipient: recipient, enc: HPKE.EncapsulatedKey(publicKey: ephemeral.publicKey), R: R)
        return SchnorrProof(challenge: c, response: r + c * ephemeral.scalar)
    }

    /// Whether the ephemeral-key proof verifies: `R' = z*G - c*enc` is not the identity and `c`
    /// is the challenge over `R'`. Public: anyone holding the share can check it.
    public var ephemeralProofVerifies: Bool {
        let c = ephemeralProof.challenge
        guard
            let R = try? P256Point.linearCombination(
                generatorScalar: ephemeralProof.response, point: encapsulatedKey.publicKey.point, scalar: -c),
            let expected = try? Self.ephemeralChallenge(
                rosterDigest: rosterDigest, sender: sender, recipient: recipient, enc: encapsulatedKey, R: R)
        else { return false }
        return expected == c
    }

    /// `label || roster digest || I2OSP(sender, 2) || I2OSP(recipient, 2)`.
    static func info(rosterDigest: [UInt8], sender: UInt16, recipient: MemberID, purpose: String) -> [UInt8] {
        CommitteeFormat.label(purpose) + rosterDigest + [UInt8(sender >> 8), UInt8(sender & 0xFF)] + recipient.bytes
    }

    /// Seals `share` to `card`, binding the sender's commitment as AAD, and signs it.
    static func seal(
        _ share: P256Scalar, to card: MemberCard, rosterDigest: [UInt8], sender: UInt16, signer: Ed25519PrivateKey,
        commitment: VSSCommitment, purpose: String, randomness: ScalarSource = .system
    ) throws(CommitteeError) -> SealedShare {
        try seal(
            plaintext: share.secureRepresentation, to: card, rosterDigest: rosterDigest, sender: sender, signer: signer,
            commitment: commitment, purpose: purpose, randomness: randomness)
    }

    /// Seals any plaintext as a share, with a valid ephemeral-key proof and signature: the
    /// honest path above, and the dishonest senders of tests and vectors (a share that opens to
    /// something other than a scalar of the commitment).
    package static func seal(
        plaintext: some ContiguousBytes, to card: MemberCard, rosterDigest: [UInt8], sender: UInt16, signer: Ed25519PrivateKey,
        commitment: VSSCommitment, purpose: String, randomness: ScalarSource = .system
    ) throws(CommitteeError) -> SealedShare {
        let share = plaintext
        let info = info(rosterDigest: rosterDigest, sender: sender, recipient: card.id, purpose: purpose)
        let ephemeral = randomness.ephemeralKey()
        let (enc, ciphertext) = try lift { () throws(CryptoError) in
            var sender = try HPKE.Sender(recipientKey: card.encryptionKey, info: info, ephemeralKey: ephemeral)
            let ciphertext = try sender.seal(share, authenticating: SHA256.hash(commitment.encoded))
            return (sender.encapsulatedKey, ciphertext)
        }
        let proof = try proveEphemeral(ephemeral, rosterDigest: rosterDigest, sender: sender, recipient: card.id, nonce: randomness.nonce())
        let body = Self.body(
            rosterDigest: rosterDigest, sender: sender, recipient: card.id, enc: enc, ciphertext: ciphertext, proof: proof)
        return SealedShare(
            rosterDigest: rosterDigest, sender: sender, recipient: card.id, encapsulatedKey: enc, ciphertext: ciphertext,
            ephemeralProof: proof, signature: CommitteeFormat.sign(body, with: signer))
    }

    /// What the recipient finds when it checks a share (committee-v1, "Opening"), in the order checked.
    enum Check {
        case good(SecretShare)
        /// The ephemeral-key proof fails: public; the recipient reveals nothing in its complaint.
        case badEphemeralProof
        /// It does not open, decode as a scalar or verify: only the recipient can tell.
        case doesNotVerify
    }

    /// Checks the ephemeral-key proof, opens the share with the recipient's key, and checks it
    /// against `commitment`. The caller has checked the sender's signature.
    /// - Throws: ``CommitteeError/wrongRecipient(_:)``.
    func check(with keys: MemberKeys, commitment: VSSCommitment, purpose: String) throws(CommitteeError) -> Check {
        guard keys.id == recipient else { throw .wrongRecipient(recipient) }
        guard ephemeralProofVerifies else { return .badEphemeralProof }
        let info = Self.info(rosterDigest: rosterDigest, sender: sender, recipient: recipient, purpose: purpose)
        guard
            var raw = try? HPKE.open(
                ciphertext, encapsulatedKey: encapsulatedKey, with: keys.encryptionKey, info: info,
                authenticating: SHA256.hash(commitment.encoded))
        else { return .doesNotVerify }
        defer { ConstantTime.wipe(&raw) }
        return try Self.verify(raw, recipient: recipient, commitment: commitment)
    }

    /// The plaintext decoded as a scalar and checked against `commitment` at `recipient`.
    static func verify(_ raw: [UInt8], recipient: MemberID, commitment: VSSCommitment) throws(CommitteeError) -> Check {
        guard let value = try? P256Scalar(bytes: raw) else { return .doesNotVerify }
        let share = SecretShare(id: recipient, value: value)
        return try commitment.verify(share) ? .good(share) : .doesNotVerify
    }

    /// Opens the share with the recipient's key and checks it against `commitment`.
    /// The caller has checked the sender's signature.
    /// - Throws: ``CommitteeError/wrongRecipient(_:)``; a share that does not open or does
    ///   not match is reported by the caller with the sender as culprit (nil here).
    func open(with keys: MemberKeys, commitment: VSSCommitment, purpose: String) throws(CommitteeError) -> SecretShare? {
        if case .good(let share) = try check(with: keys, commitment: commitment, purpose: purpose) { return share }
        return nil
    }

    package static func body(
        rosterDigest: [UInt8], sender: UInt16, recipient: MemberID, enc: HPKE.EncapsulatedKey, ciphertext: [UInt8], proof: SchnorrProof
    ) -> [UInt8] {
        CommitteeFormat.prefix(.sealedShare) + rosterDigest + [UInt8(sender >> 8), UInt8(sender & 0xFF)] + recipient.bytes
            + enc.rawRepresentation + ciphertext + proof.rawRepresentation
    }

    /// `prefix(0x02) || roster digest || u16 sender || u16 recipient || enc || ciphertext (48) || ephemeral proof (64)`.
    public var body: [UInt8] {
        Self.body(
            rosterDigest: rosterDigest, sender: sender, recipient: recipient, enc: encapsulatedKey, ciphertext: ciphertext,
            proof: ephemeralProof)
    }
}

/// The dealer's public statement of a dealing (type 0x09): the commitments,
/// signed with the roster's dealer key (`docs/spec/committee-v1.md`, "Trusted dealer").
public struct DealingMessage: SignedCommitteeMessage, Hashable {
    public let rosterDigest: [UInt8]
    public let commitment: VSSCommitment
    public let signature: Ed25519Signature

    package init(rosterDigest: [UInt8], commitment: VSSCommitment, signature: Ed25519Signature) {
        self.rosterDigest = rosterDigest
        self.commitment = commitment
        self.signature = signature
    }

    /// `prefix(0x09) || roster digest || commitment`.
    public var body: [UInt8] { Self.body(rosterDigest: rosterDigest, commitment: commitment) }

    static func body(rosterDigest: [UInt8], commitment: VSSCommitment) -> [UInt8] {
        CommitteeFormat.prefix(.dealing) + rosterDigest + commitment.encoded
    }

    /// `SHA-256(label("dealing-transcript") || roster || dealing)`: what every member confirms.
    func transcriptHash(roster: CommitteeRoster) -> [UInt8] {
        SHA256.hash(CommitteeFormat.label("dealing-transcript") + roster.encoded + encoded)
    }
}

/// A trusted dealer (`docs/spec/committee-v1.md`, "Trusted dealer"): draws
/// the stage key as the constant of a random polynomial, publishes exactly t
/// Feldman commitments in a signed dealing, seals and signs each member's
/// share, and keeps nothing: the polynomial lives only inside ``deal(roster:dealerKey:)``,
/// in secure memory released on return. Every member then signs the stage key
/// it derived (``TranscriptSignature``), and ``Confirmation/confirm(stageKey:signatures:)``
/// shows that all received the same dealing.
public enum TrustedDealer {
    public struct Dealing: Sendable {
        public let message: DealingMessage
        public let stageKey: StageKey
        public let shares: [SealedShare]
    }

    /// - Throws: ``CommitteeError/invalidRoster(_:)`` unless `dealerKey` is the roster's dealer key.
    public static func deal(roster: CommitteeRoster, dealerKey: Ed25519PrivateKey) throws(CommitteeError) -> Dealing {
        try deal(roster: roster, dealerKey: dealerKey, randomness: .system)
    }

    /// For the test-vector generator only.
    package static func deal(roster: CommitteeRoster, dealerKey: Ed25519PrivateKey, randomness: ScalarSource)
        throws(CommitteeError) -> Dealing
    {
        guard roster.dealerKey == dealerKey.publicKey else {
            throw .invalidRoster("this roster names another dealer key, or none (a DKG roster)")
        }
        let polynomial = SecretPolynomial(threshold: roster.threshold, randomness: randomness)
        let commitment = try polynomial.commitment()
        let digest = roster.digest
        var shares: [SealedShare] = []
        for card in roster.members {
            shares.append(
                try SealedShare.seal(
                    polynomial.evaluate(card.id), to: card, rosterDigest: digest, sender: 0, signer: dealerKey,
                    commitment: commitment, purpose: "dealer-share", randomness: randomness))
        }
        let message = DealingMessage(
            rosterDigest: digest, commitment: commitment,
            signature: CommitteeFormat.sign(DealingMessage.body(rosterDigest: digest, commitment: commitment), with: dealerKey))
        let stageKey = StageKey(roster: roster, commitment: commitment, transcriptHash: message.transcriptHash(roster: roster))
        return Dealing(message: message, stageKey: stageKey, shares: shares)
    }

    /// A member checks the dealing and opens and verifies its share; returns the share and the
    /// stage key it derives (whose digest it then signs).
    /// The checks are committee-v1's, in its order ("Trusted dealer").
    /// - Throws: ``CommitteeError/invalidRoster(_:)`` for a roster without a dealer key;
    ///   ``CommitteeError/unknownMember(_:)`` or ``CommitteeError/keyMismatch(_:)`` unless `keys` are the member's
    ///   roster card (a member with the wrong key file must not blame the dealer);
    ///   ``CommitteeError/malformed(_:)`` for a dealing or share not signed by the roster's dealer or not of
    ///   this roster (nobody is blamed), or a dealing without exactly t commitments;
    ///   ``CommitteeError/wrongRecipient(_:)`` for another member's share;
    ///   ``CommitteeError/badDealerShare`` when a signed share does not open or match.
    public static func receive(_ sealed: SealedShare, dealing: DealingMessage, roster: CommitteeRoster, keys: MemberKeys)
        throws(CommitteeError) -> (share: SecretShare, stageKey: StageKey)
    {
        guard roster.dealerKey != nil else { throw .invalidRoster("this roster has no dealer") }
        guard try roster.card(keys.id) == keys.card else { throw .keyMismatch("these keys are not \(keys.id)'s roster card") }
        let dealer = try checkDealing(dealing, roster: roster)
        guard sealed.rosterDigest == roster.digest, sealed.sender == 0, sealed.isSigned(by: dealer) else {
            throw .malformed("this share is not signed by this roster's dealer")
        }
        guard let share = try sealed.open(with: keys, commitment: dealing.commitment, purpose: "dealer-share") else {
            throw .badDealerShare
        }
        let stageKey = StageKey(roster: roster, commitment: dealing.commitment, transcriptHash: dealing.transcriptHash(roster: roster))
        return (share, stageKey)
    }

    /// "Trusted dealer" steps 1, 3 and 4: returns the roster's dealer key.
    static func checkDealing(_ dealing: DealingMessage, roster: CommitteeRoster) throws(CommitteeError) -> Ed25519PublicKey {
        guard let dealer = roster.dealerKey else { throw .invalidRoster("this roster has no dealer") }
        guard dealing.rosterDigest == roster.digest, dealing.isSigned(by: dealer) else {
            throw .malformed("the dealing is not signed by this roster's dealer")
        }
        guard dealing.commitment.points.count == roster.threshold else {
            throw .malformed("the dealing has \(dealing.commitment.points.count) commitments, the threshold needs \(roster.threshold)")
        }
        return dealer
    }

    /// The complaint member `keys.id` makes when ``receive(_:dealing:roster:keys:)`` fails with
    /// `bad-dealer-share` (committee-v1, "Complaints"); nil when the share is good.
    /// - Throws: as ``receive(_:dealing:roster:keys:)`` steps 1 to 6.
    public static func complaint(about sealed: SealedShare, dealing: DealingMessage, roster: CommitteeRoster, keys: MemberKeys)
        throws(CommitteeError) -> Complaint?
    {
        try complaint(about: sealed, dealing: dealing, roster: roster, keys: keys, randomness: .system)
    }

    /// For the test-vector generator only.
    package static func complaint(
        about sealed: SealedShare, dealing: DealingMessage, roster: CommitteeRoster, keys: MemberKeys, randomness: ScalarSource
    ) throws(CommitteeError) -> Complaint? {
        guard roster.dealerKey != nil else { throw .invalidRoster("this roster has no dealer") }
        guard try roster.card(keys.id) == keys.card else { throw .keyMismatch("these keys are not \(keys.id)'s roster card") }
        let dealer = try checkDealing(dealing, roster: roster)
        guard sealed.rosterDigest == roster.digest, sealed.sender == 0, sealed.isSigned(by: dealer) else {
            throw .malformed("this share is not signed by this roster's dealer")
        }
        if case .good = try sealed.check(with: keys, commitment: dealing.commitment, purpose: "dealer-share") { return nil }
        return try Complaint.make(against: sealed, roster: roster, keys: keys, randomness: randomness)
    }
}
