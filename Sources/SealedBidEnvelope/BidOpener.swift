import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// How an envelope key is obtained.
public enum KeyAccess: Sendable {
    /// The committee's private key for `stage` (reconstructed, or a 1-of-1 committee).
    case committeeKey(HPKE.PrivateKey, stage: StageName)
    /// A DH value `skR * enc` computed elsewhere (threshold decryption), for the
    /// committee key `committeeKey` of `stage`.
    case sharedDH(SecureBytes, committeeKey: HPKE.PublicKey, stage: StageName)
    /// The bidder's own escrow key.
    case escrowKey(HPKE.PrivateKey)
    /// The 32-byte envelope key itself (for example disclosed in a dispute).
    case envelopeKey(SecureBytes)
}

/// A bid whose header has been checked (`docs/spec/envelope-v1.md`, Opening
/// steps 1 to 8): structure, limits, file length, signature and signer,
/// tender and bidder. Only ``BidOpener/init(source:tender:bidder:policy:)`` makes one.
public struct BidOpener: Sendable {
    public let header: BidHeader
    let source: any RandomAccessSource

    /// Reads and checks the header; touches no payload byte.
    public init(
        source: some RandomAccessSource, tender: TenderID? = nil, bidder: BidderID? = nil, policy: SignerPolicy
    ) throws(EnvelopeError) {
        let header = try BidHeader.read(from: source)
        let expected = header.expectedFileLength
        guard source.length >= expected else { throw .truncated("the file has \(source.length) bytes, the header declares \(expected)") }
        guard source.length == expected else { throw .trailingData(source.length - expected) }
        try header.verify(tender: tender, bidder: bidder, policy: policy)
        self.header = header
        self.source = source
    }

    /// Opens a bid file.
    public init(path: String, tender: TenderID? = nil, bidder: BidderID? = nil, policy: SignerPolicy) throws(EnvelopeError) {
        try self.init(source: try FileSource(path: path), tender: tender, bidder: bidder, policy: policy)
    }

    /// Recomputes every payload digest without any key (spec, "verify").
    public func verifyPayloadDigests(workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws(EnvelopeError) {
        for (index, entry) in header.envelopes.enumerated() {
            let reader = try PayloadReader(
                source: source, offset: header.payloadOffset(of: index), length: entry.payloadLength,
                envelope: entry.name.value)
            guard try reader.process(workers: workers, deliver: nil) == entry.payloadDigest else {
                throw .payloadDigestMismatch(envelope: entry.name.value)
            }
        }
    }

    /// Checks the key-wrap proof of envelope `name` (spec, "Key-wrap proof"):
    /// that whoever made `enc` knows its ephemeral secret. Members MUST do
    /// this before computing decryption shares over `enc`; a portal does it
    /// at acceptance. Costs about one two-point scalar multiplication.
    /// - Throws: ``EnvelopeError/badWrapProof(envelope:)``, ``EnvelopeError/noSuchEnvelope(_:)``.
    public func checkWrapProof(_ name: EnvelopeName) throws(EnvelopeError) { try header.checkWrapProof(name) }

    /// Checks the key-wrap proof of every envelope.
    public func checkWrapProofs() throws(EnvelopeError) { try header.checkWrapProofs() }

    /// Unwraps the key of envelope `name` and checks its header MAC (spec,
    /// Opening steps 8 to 10). With committee access the key-wrap proof is
    /// checked first. No payload byte is decrypted yet.
    public func unlock(_ name: EnvelopeName, with access: KeyAccess) throws(EnvelopeError) -> UnlockedEnvelope {
        try unlock(name, with: access, wrapProofChecked: false)
    }

    /// As ``unlock(_:with:)``; `wrapProofChecked` skips a proof the caller has already checked.
    package func unlock(_ name: EnvelopeName, with access: KeyAccess, wrapProofChecked: Bool) throws(EnvelopeError)
        -> UnlockedEnvelope
    {
        let index = try header.index(of: name)
        let entry = header.envelopes[index]
        let binding = EnvelopeBinding(tender: header.tender, bidder: header.bidder, name: entry.name, stage: entry.stage)
        let key: SecureBytes
        switch access {
        case .committeeKey(let privateKey, let stage):
            try checkStage(entry, stage)
            guard privateKey.publicKey == entry.recipientKey else { throw .wrongRecipient(envelope: name.value) }
            if !wrapProofChecked { try checkWrapProof(name) }  // step 9.1, after the stage and recipient of step 8
            key = try unwrap(entry, name) { () throws(CryptoError) in
                try HPKE.open(entry.wrappedKey, encapsulatedKey: entry.encapsulatedKey, with: privateKey, info: binding.wrapInfo)
            }
            try checkDerivedEphemeral(entry, binding: binding, key: key)
        case .sharedDH(let dh, let committeeKey, let stage):
            try checkStage(entry, stage)
            guard committeeKey == entry.recipientKey else { throw .wrongRecipient(envelope: name.value) }
            if !wrapProofChecked { try checkWrapProof(name) }
            key = try unwrap(entry, name) { () throws(CryptoError) in
                var recipient = try HPKE.Recipient(
                    encapsulatedKey: entry.encapsulatedKey, recipientKey: committeeKey, sharedDH: dh, info: binding.wrapInfo)
                return try recipient.open(entry.wrappedKey)
            }
            try checkDerivedEphemeral(entry, binding: binding, key: key)
        case .escrowKey(let privateKey):
            guard let escrow = entry.escrow, escrow.recipientKey == privateKey.publicKey else {
                throw .wrongRecipient(envelope: name.value)
            }
            key = try unwrap(entry, name) { () throws(CryptoError) in
                try HPKE.open(escrow.wrappedKey, encapsulatedKey: escrow.encapsulatedKey, with: privateKey, info: binding.escrowInfo)
            }
            try checkWrapsRecompute(entry, binding: binding, key: key)
        case .envelopeKey(let given):
            guard given.count == 32 else { throw .invalidInput("an envelope key is 32 bytes") }
            key = given
            try checkWrapsRecompute(entry, binding: binding, key: key)
        }
        let macKey = try binding.macKey(envelopeKey: key)
        // HMACSHA256.verify compares in constant time and wipes the expected tag.
        guard (try? HMACSHA256.verify(tag: header.macs[index], key: macKey, message: header.core)) != nil else {
            throw .headerMACInvalid(envelope: name.value)
        }
        let reader = try PayloadReader(
            source: source, offset: header.payloadOffset(of: index), length: entry.payloadLength, envelope: name.value,
            envelopeKey: key, context: binding.payloadContext)
        return UnlockedEnvelope(entry: entry, key: key, reader: reader)
    }

    /// Step 9.3: `enc` is the ephemeral key `K` derives. Together with a successful unwrap
    /// this fixes `wrapped_key` as well (same DH value, so same AEAD key and nonce).
    private func checkDerivedEphemeral(_ entry: EnvelopeEntry, binding: EnvelopeBinding, key: SecureBytes) throws(EnvelopeError) {
        let derived = try? binding.ephemeralKey(.committee, envelopeKey: key, recipient: entry.recipientKey)
        guard let derived, derived.publicKey == entry.encapsulatedKey.publicKey else {
            throw .wrapMismatch(envelope: entry.name.value)
        }
    }

    /// The escrow and disclosure path: every wrap in the header recomputes from `K` byte for
    /// byte, so an envelope whose committee wrap does not carry `K` never opens this way either
    /// (spec, "Void envelopes").
    private func checkWrapsRecompute(_ entry: EnvelopeEntry, binding: EnvelopeBinding, key: SecureBytes) throws(EnvelopeError) {
        guard let committee = try? binding.seal(.committee, envelopeKey: key, to: entry.recipientKey),
            committee.enc == entry.encapsulatedKey, committee.ciphertext == entry.wrappedKey
        else { throw .wrapMismatch(envelope: entry.name.value) }
        if let escrow = entry.escrow {
            guard let copy = try? binding.seal(.escrow, envelopeKey: key, to: escrow.recipientKey),
                copy.enc == escrow.encapsulatedKey, copy.ciphertext == escrow.wrappedKey
            else { throw .wrapMismatch(envelope: entry.name.value) }
        }
    }

    private func checkStage(_ entry: EnvelopeEntry, _ stage: StageName) throws(EnvelopeError) {
        guard entry.stage == stage else {
            throw .wrongStage(envelope: entry.name.value, expected: stage.value, found: entry.stage.value)
        }
    }

    private func unwrap(
        _ entry: EnvelopeEntry, _ name: EnvelopeName, _ body: () throws(CryptoError) -> [UInt8]
    ) throws(EnvelopeError) -> SecureBytes {
        do {
            var raw = try body()
            defer { ConstantTime.wipe(&raw) }
            guard raw.count == 32 else { throw EnvelopeError.keyUnwrapFailed(envelope: name.value) }
            return SecureBytes(copying: raw)
        } catch {
            throw .keyUnwrapFailed(envelope: name.value)
        }
    }
}

/// An envelope whose key unwrapped and whose header MAC and payload
/// commitment verified. Decryption authenticates the final chunk first,
/// then releases each chunk only after its tag verifies, and checks the
/// payload digest at the end.
public struct UnlockedEnvelope: Sendable {
    public let entry: EnvelopeEntry
    /// The envelope key (for an escrow disclosure); never printed.
    public let key: SecureBytes
    let reader: PayloadReader

    public var plaintextLength: UInt64 { reader.plaintextLength }

    /// Decrypts into `sink` with up to `workers` threads. The sink must
    /// accept concurrent writes to disjoint ranges when `workers > 1`.
    public func decrypt(into sink: some RandomAccessSink & Sendable, workers: Int) throws(EnvelopeError) {
        let digest = try reader.process(workers: workers) { (offset, bytes) throws(EnvelopeError) in
            try sink.write(bytes, at: offset)
        }
        guard ConstantTime.equals(digest, entry.payloadDigest) else {
            throw .payloadDigestMismatch(envelope: entry.name.value)
        }
    }

    /// Decrypts to a file, which appears under `path` only if everything authenticates.
    public func decrypt(toFile path: String, workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws(EnvelopeError) {
        let sink = try FileSink(path: path)
        do {
            try sink.reserve(plaintextLength)
            try decrypt(into: sink, workers: workers)
            try sink.commit()
        } catch {
            sink.discard()
            throw error
        }
    }

    /// Decrypts to a file on one thread and returns SHA-256 of the plaintext,
    /// computed in the same pass (for opening reports; bulk openings run
    /// envelopes in parallel instead of chunks).
    public func decryptWithDigest(toFile path: String) throws(EnvelopeError) -> [UInt8] {
        let sink = try FileSink(path: path)
        let hashing = HashingSink(inner: sink)
        do {
            try sink.reserve(plaintextLength)
            try decrypt(into: hashing, workers: 1)
            try sink.commit()
            return hashing.digest()
        } catch {
            sink.discard()
            throw error
        }
    }

    /// Decrypts and authenticates everything, releasing nothing: checks that
    /// the envelope opens completely (tags, commitment, payload digest).
    public func authenticate(workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws(EnvelopeError) {
        try decrypt(into: DiscardSink(), workers: workers)
    }

    /// As ``authenticate(workers:)``, on one thread, returning SHA-256 of the plaintext.
    public func authenticateWithDigest() throws(EnvelopeError) -> [UInt8] {
        let hashing = HashingSink(inner: DiscardSink())
        try decrypt(into: hashing, workers: 1)
        return hashing.digest()
    }

    /// Decrypts into memory (for small envelopes); single-threaded.
    public func decryptToMemory() throws(EnvelopeError) -> [UInt8] {
        let sink = LockedMemorySink()
        try decrypt(into: sink, workers: 1)
        return sink.bytes
    }

    /// Plaintext bytes `range`, decrypting only the chunks it touches.
    public func read(_ range: Range<UInt64>) throws(EnvelopeError) -> [UInt8] {
        try reader.read(range)
    }
}

/// A memory sink safe to share with worker threads.
final class LockedMemorySink: RandomAccessSink, @unchecked Sendable {
    private let lock = NSLock()
    private let inner = MemorySink()

    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(EnvelopeError) {
        lock.lock()
        defer { lock.unlock() }
        try inner.write(bytes, at: offset)
    }

    var bytes: [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return inner.bytes
    }
}

/// Forwards writes to a sink and hashes them; writes must arrive in order
/// (one worker), which ``HashingSink/write(_:at:)`` checks.
final class HashingSink: RandomAccessSink, @unchecked Sendable {
    // Used by one worker at a time (workers: 1).
    private let inner: any RandomAccessSink
    private var hasher = SHA256Hasher()
    private var next: UInt64 = 0

    init(inner: any RandomAccessSink) { self.inner = inner }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(EnvelopeError) {
        guard offset == next else { throw .invalidInput("internal: out-of-order plaintext while hashing") }
        try inner.write(bytes, at: offset)
        hasher.update(bytes)
        next += UInt64(bytes.count)
    }

    func digest() -> [UInt8] { hasher.finalizeAndReset() }
}

/// A bidder's signature (envelope-v1, Opening step 7), for bids and withdrawal statements alike:
/// the signature over `message`, then the chain to the policy's roots at its time and the leaf's
/// key usage, then the registered identities.
enum SignatureCheck {
    static func verify(signer: SignerIdentity, signature: [UInt8], message: [UInt8], policy: SignerPolicy) throws(EnvelopeError) {
        switch signer {
        case .ed25519(let key):
            if let allowed = policy.ed25519Keys, !allowed.contains(key) {
                throw .untrustedSigner("the Ed25519 key is not registered for this bidder")
            }
            let parsed = try lift { () throws(CryptoError) in try Ed25519Signature(rawRepresentation: signature) }
            guard key.isValidSignature(parsed, for: message) else { throw .badSignature }
        case .x509(let chain):
            // A leaf whose key is not P-256 cannot have made this signature (spec, Opening step 7).
            guard let leaf = chain.first,
                let key = try? ECDSAP256PublicKey(subjectPublicKeyInfo: leaf.subjectPublicKeyInfo),
                let parsed = try? ECDSAP256Signature(rawRepresentation: signature),
                (try? key.verify(parsed, for: message)) != nil
            else { throw .badSignature }
            do {
                _ = try X509ChainVerifier.verify(
                    leaf: leaf, intermediates: Array(chain.dropFirst()), roots: policy.x509Roots, at: policy.verificationTime)
            } catch {
                throw .untrustedSigner("\(error)")
            }
            guard leaf.keyUsageAllowsSignatures else {
                throw .untrustedSigner("the leaf certificate's key usage allows neither digitalSignature nor nonRepudiation")
            }
            if let subjects = policy.x509Subjects, !(leaf.subject.map(subjects.contains) ?? false) {
                throw .untrustedSigner("the certificate subject is not registered for this bidder")
            }
        }
    }
}
