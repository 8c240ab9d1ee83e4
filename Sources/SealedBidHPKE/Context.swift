import Foundation
import SealedBidPrimitives

/// The AEAD state shared by both sides: key, base nonce, sequence number and
/// exporter secret (RFC 9180 §5.2, §5.3).
struct AEADState: ~Copyable {
    private let cipher: AESGCM
    private let baseNonce: SecureBytes
    let exporterSecret: SecureBytes
    /// RFC 9180 allows 2^96 - 1 messages; a 64-bit counter is stricter and
    /// can never wrap (docs/spec/hpke-profile-v1.md, "Sequence numbers").
    private(set) var sequenceNumber: UInt64 = 0

    init(_ schedule: KeySchedule) throws(CryptoError) {
        self.cipher = try AESGCM(key: schedule.key)
        self.baseNonce = schedule.baseNonce
        self.exporterSecret = schedule.exporterSecret
    }

    /// ComputeNonce(seq) = base_nonce XOR I2OSP(seq, Nn).
    private func nonce() -> [UInt8] {
        var nonce = baseNonce.unsafeCopy()
        for i in 0..<8 { nonce[HPKE.nN - 1 - i] ^= UInt8(truncatingIfNeeded: sequenceNumber >> (8 * UInt64(i))) }
        return nonce
    }

    private func checkLimit() throws(CryptoError) {
        guard sequenceNumber < UInt64.max else { throw .messageLimitReached }
    }

    mutating func seal(_ plaintext: some ContiguousBytes, aad: some ContiguousBytes) throws(CryptoError) -> [UInt8] {
        try checkLimit()
        var nonce = nonce()
        defer { ConstantTime.wipe(&nonce) }
        let ciphertext = try cipher.seal(nonce: nonce, plaintext: plaintext, authenticating: aad)
        sequenceNumber += 1
        return ciphertext
    }

    mutating func open(_ ciphertext: some ContiguousBytes, aad: some ContiguousBytes) throws(CryptoError) -> [UInt8] {
        try checkLimit()
        var nonce = nonce()
        defer { ConstantTime.wipe(&nonce) }
        let plaintext = try cipher.open(nonce: nonce, ciphertextAndTag: ciphertext, authenticating: aad)
        // The sequence number advances only on success (RFC 9180 §5.2).
        sequenceNumber += 1
        return plaintext
    }

    /// Export(exporter_context, L) = LabeledExpand(exporter_secret, "sec", exporter_context, L).
    func export(context: some ContiguousBytes, length: Int) throws(CryptoError) -> SecureBytes {
        try Labeled.expand(prk: exporterSecret, label: "sec", info: context, length: length, suiteID: HPKE.hpkeSuiteID)
    }
}

extension HPKE {
    /// The sender's context (SetupBaseS). It cannot be copied, so a
    /// sequence number can never be reused, and the caller never chooses a nonce.
    public struct Sender: ~Copyable {
        /// `enc`, to be sent to the recipient with the ciphertexts.
        public let encapsulatedKey: EncapsulatedKey
        private var state: AEADState

        /// SetupBaseS(pkR, info) with a fresh ephemeral key from the CSPRNG.
        public init(recipientKey: PublicKey, info: some ContiguousBytes) throws(CryptoError) {
            try self.init(recipientKey: recipientKey, info: info, ephemeralKey: PrivateKey())
        }

        /// SetupBaseS with a given ephemeral key (package-only; hpke-profile-v1, "Ephemeral keys"):
        /// for the RFC 9180 vector runner, and for envelope-v1's wraps, whose ephemeral key the
        /// envelope layer derives from a fresh envelope key it drew itself (and its test hooks).
        package init(recipientKey: PublicKey, info: some ContiguousBytes, ephemeralKey: PrivateKey) throws(CryptoError) {
            let (sharedSecret, enc) = try DHKEM.encapsulate(to: recipientKey, ephemeral: ephemeralKey)
            let state = try AEADState(KeySchedule(sharedSecret: sharedSecret, info: info))
            self.encapsulatedKey = enc
            self.state = state
        }

        /// Seal(aad, pt): returns `ciphertext || tag` and advances the sequence number.
        /// - Throws: ``CryptoError/messageLimitReached`` when the sequence numbers are used up.
        public mutating func seal(
            _ plaintext: some ContiguousBytes, authenticating aad: some ContiguousBytes = [UInt8]()
        ) throws(CryptoError) -> [UInt8] {
            try state.seal(plaintext, aad: aad)
        }

        /// Export(exporter_context, L), at most 8160 bytes.
        public func exportSecret(context: some ContiguousBytes, length: Int) throws(CryptoError) -> SecureBytes {
            try state.export(context: context, length: length)
        }

        /// The sequence number of the next message.
        public var sequenceNumber: UInt64 { state.sequenceNumber }
    }

    /// The recipient's context (SetupBaseR).
    public struct Recipient: ~Copyable {
        private var state: AEADState

        /// SetupBaseR(enc, skR, info).
        public init(encapsulatedKey: EncapsulatedKey, privateKey: PrivateKey, info: some ContiguousBytes)
            throws(CryptoError)
        {
            let sharedSecret = try DHKEM.decapsulate(encapsulatedKey, with: privateKey)
            self.state = try AEADState(KeySchedule(sharedSecret: sharedSecret, info: info))
        }

        /// SetupBaseR from a Diffie-Hellman value computed elsewhere:
        /// `sharedDH` must be the 32-byte X coordinate of `skR * pkE`, for
        /// example combined from threshold decryption shares. The result is
        /// identical to ``init(encapsulatedKey:privateKey:info:)`` with `skR`.
        /// A wrong `sharedDH` is detected at the first ``open(_:authenticating:)``.
        public init(
            encapsulatedKey: EncapsulatedKey, recipientKey: PublicKey, sharedDH: SecureBytes,
            info: some ContiguousBytes
        ) throws(CryptoError) {
            let sharedSecret = try DHKEM.extractAndExpand(dh: sharedDH, enc: encapsulatedKey, recipient: recipientKey)
            self.state = try AEADState(KeySchedule(sharedSecret: sharedSecret, info: info))
        }

        /// Open(aad, ct).
        /// - Throws: ``CryptoError/authenticationFailed`` (the sequence number does not advance),
        ///   ``CryptoError/messageLimitReached``.
        public mutating func open(
            _ ciphertext: some ContiguousBytes, authenticating aad: some ContiguousBytes = [UInt8]()
        ) throws(CryptoError) -> [UInt8] {
            try state.open(ciphertext, aad: aad)
        }

        /// Export(exporter_context, L), at most 8160 bytes.
        public func exportSecret(context: some ContiguousBytes, length: Int) throws(CryptoError) -> SecureBytes {
            try state.export(context: context, length: length)
        }

        /// The sequence number of the next message.
        public var sequenceNumber: UInt64 { state.sequenceNumber }
    }
}

extension HPKE.Sender {
    /// For tests of the sequence-number limit only.
    package mutating func forceSequenceNumber(_ value: UInt64) { state.forceSequenceNumber(value) }
}

extension HPKE.Recipient {
    /// For tests of the sequence-number limit only.
    package mutating func forceSequenceNumber(_ value: UInt64) { state.forceSequenceNumber(value) }
}

extension AEADState {
    mutating func forceSequenceNumber(_ value: UInt64) { sequenceNumber = value }
}
