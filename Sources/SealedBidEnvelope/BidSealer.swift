import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// What to seal in one envelope.
public struct EnvelopeRecipe: Sendable {
    public let name: EnvelopeName
    public let stage: StageName
    /// The committee key of `stage`.
    public let committeeKey: HPKE.PublicKey
    /// The bidder's own HPKE key for the escrow copy (recommended), or nil.
    public let escrowKey: HPKE.PublicKey?

    public init(name: EnvelopeName, stage: StageName, committeeKey: HPKE.PublicKey, escrowKey: HPKE.PublicKey? = nil) {
        self.name = name
        self.stage = stage
        self.committeeKey = committeeKey
        self.escrowKey = escrowKey
    }
}

/// The result of sealing: the header as written and the digest receipts bind.
public struct SealedBidSummary: Sendable {
    public let header: BidHeader
    public var bidDigest: [UInt8] { header.bidDigest }
    public var fileLength: UInt64 { header.expectedFileLength }
}

/// Seals one bid in constant memory (`docs/spec/envelope-v1.md`, "Sealing").
///
/// ```swift
/// var sealer = try BidSealer(tender: t, bidder: b, signer: .ed25519(key), envelopes: recipes, to: sink)
/// try sealer.append(technicalBytes)        // as many calls as needed, in recipe order
/// try sealer.nextEnvelope()
/// try sealer.append(priceBytes)
/// let summary = try sealer.finish()         // writes the signed header
/// ```
/// Envelope keys, salts and nonces come from the CSPRNG; the caller chooses
/// none of them. The sealer cannot be copied and ``finish()`` consumes it.
public struct BidSealer: ~Copyable {
    private let tender: TenderID
    private let bidder: BidderID
    private let signer: BidSigner
    private let recipes: [EnvelopeRecipe]
    private let keys: [SecureBytes]
    private let wraps: [(enc: HPKE.EncapsulatedKey, wrapped: [UInt8], proof: [UInt8], escrow: EscrowWrap?)]
    private let sink: any RandomAccessSink
    /// Writes payload bytes at the running offset after the reserved header.
    private let writer: PayloadWriter
    private let headerLength: Int
    private var current = 0
    private var encryptor: PayloadEncryptor
    private var results: [(length: UInt64, digest: [UInt8])] = []
    private let randomness: SealRandomness
    private let tampering: SealTampering?

    public init(
        tender: TenderID, bidder: BidderID, signer: BidSigner, envelopes recipes: [EnvelopeRecipe],
        to sink: any RandomAccessSink
    ) throws(EnvelopeError) {
        try self.init(
            tender: tender, bidder: bidder, signer: signer, envelopes: recipes, to: sink, randomness: .system,
            tampering: nil)
    }

    /// For the test-vector generator only: reproducible randomness and tampering hooks.
    package init(
        tender: TenderID, bidder: BidderID, signer: BidSigner, envelopes recipes: [EnvelopeRecipe],
        to sink: any RandomAccessSink, deterministic: DeterministicRandom, tampering: SealTampering?
    ) throws(EnvelopeError) {
        try self.init(
            tender: tender, bidder: bidder, signer: signer, envelopes: recipes, to: sink,
            randomness: .deterministic(deterministic), tampering: tampering)
    }

    private init(
        tender: TenderID, bidder: BidderID, signer: BidSigner, envelopes recipes: [EnvelopeRecipe],
        to sink: any RandomAccessSink, randomness: SealRandomness, tampering: SealTampering?
    ) throws(EnvelopeError) {
        guard (1...EnvelopeFormat.maximumEnvelopes).contains(recipes.count) else {
            throw .invalidInput("a bid has 1 to 16 envelopes")
        }
        guard Set(recipes.map(\.name)).count == recipes.count else { throw .invalidInput("envelope names must be distinct") }
        try signer.check()
        var keys: [SecureBytes] = []
        var wraps: [(HPKE.EncapsulatedKey, [UInt8], [UInt8], EscrowWrap?)] = []
        for (index, recipe) in recipes.enumerated() {
            let key = randomness.secret(count: 32)
            let binding = EnvelopeBinding(tender: tender, bidder: bidder, name: recipe.name, stage: recipe.stage)
            // Both wraps are derived from the envelope key (spec, "Derivations"): whoever holds it
            // recomputes them, so the escrow self-check covers the committee's path too.
            let (enc, wrapped, proof) = try lift { () throws(CryptoError) in
                var wrap = try binding.seal(.committee, envelopeKey: key, to: recipe.committeeKey)
                if index == 0, let tamper = tampering?.committeeWrap {
                    wrap = try tamper.apply(binding: binding, key: key, recipient: recipe.committeeKey, randomness: randomness)
                }
                let proof = try WrapProof.prove(
                    ephemeral: wrap.ephemeral, nonce: randomness.nonceScalar(), binding: binding,
                    recipient: recipe.committeeKey)
                return (wrap.enc, wrap.ciphertext, proof)
            }
            var escrow: EscrowWrap?
            if let escrowKey = recipe.escrowKey {
                let (escrowEnc, escrowWrapped) = try lift { () throws(CryptoError) in
                    var wrap = try binding.seal(.escrow, envelopeKey: key, to: escrowKey)
                    if index == 0, let tamper = tampering?.escrowWrap {
                        wrap = try tamper.apply(.escrow, binding: binding, key: key, recipient: escrowKey, randomness: randomness)
                    }
                    return (wrap.enc, wrap.ciphertext)
                }
                escrow = EscrowWrap(recipientKey: escrowKey, encapsulatedKey: escrowEnc, wrappedKey: escrowWrapped)
            }
            keys.append(key)
            wraps.append((enc, wrapped, proof, escrow))
        }
        let entrySizes = recipes.map {
            EnvelopeEntry.encodedSize(name: $0.name, stage: $0.stage, escrow: $0.escrowKey != nil)
        }
        let headerLength =
            BidHeader.coreLength(tender: tender, bidder: bidder, signer: signer.identity, entrySizes: entrySizes)
            + recipes.count * 32 + 64
        guard headerLength <= EnvelopeFormat.maximumHeaderLength else {
            throw .invalidInput("the header would exceed \(EnvelopeFormat.maximumHeaderLength) bytes")
        }
        let first = EnvelopeBinding(tender: tender, bidder: bidder, name: recipes[0].name, stage: recipes[0].stage)
        var encryptor = try PayloadEncryptor(
            envelopeKey: keys[0], context: first.payloadContext, salt: randomness.bytes(count: EnvelopeFormat.saltSize))
        let writer = PayloadWriter(sink: sink, offset: UInt64(headerLength))
        try encryptor.start(writer.emit)
        self.tender = tender
        self.bidder = bidder
        self.signer = signer
        self.recipes = recipes
        self.keys = keys
        self.wraps = wraps
        self.sink = sink
        self.headerLength = headerLength
        self.encryptor = encryptor
        self.writer = writer
        self.randomness = randomness
        self.tampering = tampering
    }

    /// The envelope currently being written.
    public var currentEnvelope: EnvelopeName { recipes[current].name }

    /// Appends plaintext to the current envelope.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) throws(EnvelopeError) {
        try encryptor.update(bytes, writer.emit)
    }

    /// Appends plaintext to the current envelope.
    public mutating func append(_ bytes: some ContiguousBytes) throws(EnvelopeError) {
        // Straight from the caller's buffer: no plaintext copy to wipe.
        var failure: EnvelopeError?
        bytes.withUnsafeBytes { b in
            do throws(EnvelopeError) { try append(b) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Appends a whole file to the current envelope, 1 MiB at a time, through a
    /// reused buffer that is wiped afterwards.
    public mutating func append(contentsOfFile path: String) throws(EnvelopeError) {
        let source = try FileSource(path: path)
        let pair = BatchBuffers.shared.take()
        let step = UInt64(pair.opened.count)
        // Only the part that ever held plaintext is wiped: a 64 KiB document does not cost a
        // megabyte of zeroing.
        let used = Int(min(step, source.length))
        defer {
            ConstantTime.wipe(UnsafeMutableRawBufferPointer(rebasing: pair.opened[..<used]))
            BatchBuffers.shared.give(pair)
        }
        var position: UInt64 = 0
        while position < source.length {
            let slice = UnsafeMutableRawBufferPointer(rebasing: pair.opened[..<Int(min(step, source.length - position))])
            try source.read(at: position, into: slice)
            try append(UnsafeRawBufferPointer(slice))
            position += UInt64(slice.count)
        }
    }

    /// Appends everything an asynchronous byte sequence yields (for example an upload stream).
    public mutating func append<S: AsyncSequence>(contentsOf sequence: S) async throws where S.Element == UInt8 {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(EnvelopeFormat.chunkSize)  // never grows: no stray copy
        // Each full chunk is wiped before removeAll (which does not zero), and whatever the
        // buffer holds when this ends, a thrown error included, is wiped here.
        defer { ConstantTime.wipe(&buffer) }
        for try await byte in sequence {
            buffer.append(byte)
            if buffer.count == EnvelopeFormat.chunkSize {
                try append(buffer)
                ConstantTime.wipe(&buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try append(buffer)
    }

    /// Closes the current envelope and starts the next one.
    /// - Throws: ``EnvelopeError/invalidInput(_:)`` when there is no next envelope.
    public mutating func nextEnvelope() throws(EnvelopeError) {
        guard current + 1 < recipes.count else { throw .invalidInput("no envelope after '\(recipes[current].name)'") }
        try closeCurrent()
        current += 1
        let recipe = recipes[current]
        let binding = EnvelopeBinding(tender: tender, bidder: bidder, name: recipe.name, stage: recipe.stage)
        var next = try PayloadEncryptor(
            envelopeKey: keys[current], context: binding.payloadContext,
            salt: randomness.bytes(count: EnvelopeFormat.saltSize))
        try next.start(writer.emit)
        encryptor = next
    }

    private mutating func closeCurrent() throws(EnvelopeError) {
        results.append(try encryptor.finish(writer.emit))
    }

    /// Closes the last envelope, computes the MACs, signs, and writes the
    /// header at the start of the sink.
    /// - Throws: ``EnvelopeError/invalidInput(_:)`` when envelopes were skipped.
    public consuming func finish() throws(EnvelopeError) -> SealedBidSummary {
        guard current == recipes.count - 1 else {
            throw .invalidInput("envelope '\(recipes[current + 1].name)' was never written")
        }
        try closeCurrent()
        var entries: [EnvelopeEntry] = []
        for (i, recipe) in recipes.enumerated() {
            entries.append(
                EnvelopeEntry(
                    name: recipe.name, stage: recipe.stage, recipientKey: recipe.committeeKey,
                    encapsulatedKey: wraps[i].enc, wrappedKey: wraps[i].wrapped, wrapProof: wraps[i].proof,
                    escrow: wraps[i].escrow,
                    payloadLength: results[i].length, payloadDigest: results[i].digest))
        }
        var core = BidHeader.encodeCore(tender: tender, bidder: bidder, signer: signer.identity, entries: entries)
        if let tamper = tampering?.core { core = tamper(core) }
        var macs: [[UInt8]] = []
        for (i, recipe) in recipes.enumerated() {
            let binding = EnvelopeBinding(tender: tender, bidder: bidder, name: recipe.name, stage: recipe.stage)
            let macKey = try binding.macKey(envelopeKey: keys[i])
            macs.append(HMACSHA256.authenticationCode(key: macKey, message: core))
        }
        if let tamper = tampering?.macs { macs = tamper(macs) }
        let signature = try signer.sign(EnvelopeFormat.signatureLabel + core + macs.flatMap { $0 })
        let header = core + macs.flatMap { $0 } + signature
        guard header.count == headerLength else { throw .invalidInput("internal: header length differs from the reserved space") }
        let sink = self.sink
        try withBytes(header) { (h) throws(EnvelopeError) in try sink.write(h, at: 0) }
        return SealedBidSummary(header: try BidHeader.parse(header))
    }
}

/// Appends payload bytes to a sink at a running offset.
final class PayloadWriter {
    private let sink: any RandomAccessSink
    private var offset: UInt64

    init(sink: any RandomAccessSink, offset: UInt64) {
        self.sink = sink
        self.offset = offset
    }

    func emit(_ bytes: UnsafeRawBufferPointer) throws(EnvelopeError) {
        try sink.write(bytes, at: offset)
        offset += UInt64(bytes.count)
    }
}
