import Foundation
import SealedBidMerkle
import SealedBidPrimitives

/// Reads one payload from a random-access source: checks the commitment,
/// authenticates the final chunk first, and decrypts chunks in parallel
/// while recomputing the Merkle digest in the same pass.
struct PayloadReader: Sendable {
    let source: any RandomAccessSource
    /// Offset of the payload in `source`.
    let offset: UInt64
    let length: UInt64
    let chunkCount: UInt64
    let envelope: String
    /// nil when only the digest is recomputed (verification without keys).
    let keys: PayloadKeys?

    /// A reader that only recomputes the digest.
    init(source: any RandomAccessSource, offset: UInt64, length: UInt64, envelope: String) throws(EnvelopeError) {
        guard let chunks = EnvelopeFormat.chunkCount(payloadLength: length) else {
            throw .malformedHeader("payload_length of '\(envelope)'")
        }
        self.source = source
        self.offset = offset
        self.length = length
        self.chunkCount = chunks
        self.envelope = envelope
        self.keys = nil
    }

    /// A decrypting reader: derives the payload keys from the salt and checks
    /// the commitment (spec, Opening step 10) before anything else.
    init(
        source: any RandomAccessSource, offset: UInt64, length: UInt64, envelope: String,
        envelopeKey: SecureBytes, context: [UInt8]
    ) throws(EnvelopeError) {
        let plain = try PayloadReader(source: source, offset: offset, length: length, envelope: envelope)
        let prefix = try source.read(at: offset, count: EnvelopeFormat.payloadPrefixSize)
        let keys = try PayloadKeys(
            envelopeKey: envelopeKey, salt: Array(prefix[..<EnvelopeFormat.saltSize]), context: context)
        guard ConstantTime.equals(keys.commitment, Array(prefix[EnvelopeFormat.saltSize...])) else {
            throw .payloadCommitmentMismatch(envelope: envelope)
        }
        self.source = plain.source
        self.offset = offset
        self.length = length
        self.chunkCount = plain.chunkCount
        self.envelope = envelope
        self.keys = keys
    }

    var plaintextLength: UInt64 { length - UInt64(EnvelopeFormat.payloadPrefixSize) - chunkCount * UInt64(EnvelopeFormat.tagSize) }

    /// `[start, end)` of chunk `k` within the payload.
    func chunkBounds(_ k: UInt64) -> (start: UInt64, end: UInt64) {
        let start = UInt64(EnvelopeFormat.payloadPrefixSize) + k * UInt64(EnvelopeFormat.encryptedChunkSize)
        return (start, min(start + UInt64(EnvelopeFormat.encryptedChunkSize), length))
    }

    /// Chunks read, decrypted and delivered together: one read and one delivery
    /// per MiB instead of per 16 KiB chunk (system calls dominate otherwise).
    static let batchChunks = 64

    /// Scratch buffers for one worker. Batch-sized buffers are reused across
    /// envelopes (``BatchBuffers``): fresh megabyte allocations are page faults.
    final class Scratch {
        let cipher: AESGCM?
        let sealed: UnsafeMutableRawBufferPointer
        let opened: UnsafeMutableRawBufferPointer
        let nonce = UnsafeMutableRawBufferPointer.allocate(byteCount: 12, alignment: 16)
        /// `opened[..<plaintextEnd]` may hold plaintext; only that much is wiped.
        var plaintextEnd = 0
        private let pooled: BatchBuffers.Pair?

        init(keys: PayloadKeys?, chunks: Int = 1) throws(EnvelopeError) {
            cipher = try keys?.cipher()
            if chunks == PayloadReader.batchChunks {
                let pair = BatchBuffers.shared.take()
                pooled = pair
                sealed = pair.sealed
                opened = pair.opened
            } else {
                pooled = nil
                sealed = .allocate(byteCount: chunks * EnvelopeFormat.encryptedChunkSize, alignment: 64)
                opened = .allocate(byteCount: chunks * EnvelopeFormat.chunkSize, alignment: 64)
            }
        }

        deinit {
            ConstantTime.wipe(UnsafeMutableRawBufferPointer(rebasing: opened[..<plaintextEnd]))
            ConstantTime.wipe(nonce)  // derived from the payload key's base nonce
            nonce.deallocate()
            if let pooled {
                BatchBuffers.shared.give(pooled)
            } else {
                sealed.deallocate()
                opened.deallocate()
            }
        }
    }

    /// Decrypts chunk `k`, whose ciphertext is already in `scratch.sealed[..<count]`.
    func open(chunk k: UInt64, sealedCount count: Int, scratch: Scratch) throws(EnvelopeError) -> UnsafeRawBufferPointer {
        try open(chunk: k, sealed: UnsafeRawBufferPointer(rebasing: scratch.sealed[..<count]), into: scratch.opened, scratch: scratch)
    }

    /// Decrypts chunk `k` from `sealed` into the start of `output`; returns the plaintext.
    private func open(
        chunk k: UInt64, sealed: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, scratch: Scratch
    ) throws(EnvelopeError) -> UnsafeRawBufferPointer {
        guard let keys, let cipher = scratch.cipher else { throw .invalidInput("no key for '\(envelope)'") }
        keys.nonce(chunk: k, into: scratch.nonce)
        let plainCount = sealed.count - EnvelopeFormat.tagSize
        // Recorded before decrypting, so a failure part-way still leaves the bytes to wipe known.
        let end = (output.baseAddress! - scratch.opened.baseAddress!) + plainCount
        scratch.plaintextEnd = max(scratch.plaintextEnd, end)
        do {
            try cipher.open(
                nonce: UnsafeRawBufferPointer(scratch.nonce), ciphertextAndTag: sealed,
                authenticating: UnsafeRawBufferPointer(start: nil, count: 0),
                into: UnsafeMutableRawBufferPointer(rebasing: output[..<plainCount]))
        } catch {
            throw .payloadAuthenticationFailed(envelope: envelope, chunk: k)
        }
        return UnsafeRawBufferPointer(rebasing: output[..<plainCount])
    }

    func readChunk(_ k: UInt64, into scratch: Scratch) throws(EnvelopeError) -> Int {
        let (start, end) = chunkBounds(k)
        let count = Int(end - start)
        try source.read(at: offset + start, into: UnsafeMutableRawBufferPointer(rebasing: scratch.sealed[..<count]))
        return count
    }

    /// Authenticates the final chunk, which fixes the payload length (C2SP
    /// "Implementation notes"); done before any plaintext is released.
    func authenticateFinalChunk() throws(EnvelopeError) {
        let scratch = try Scratch(keys: keys)
        let count = try readChunk(chunkCount - 1, into: scratch)
        _ = try open(chunk: chunkCount - 1, sealedCount: count, scratch: scratch)
    }

    /// Plaintext bytes `range` (random access): only the chunks it touches
    /// are read and authenticated, after the final chunk.
    func read(_ range: Range<UInt64>) throws(EnvelopeError) -> [UInt8] {
        guard range.upperBound <= plaintextLength else {
            throw .invalidInput("range ends at \(range.upperBound), the plaintext has \(plaintextLength) bytes")
        }
        try authenticateFinalChunk()
        guard !range.isEmpty else { return [] }
        let scratch = try Scratch(keys: keys)
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        let size = UInt64(EnvelopeFormat.chunkSize)
        for k in (range.lowerBound / size)...((range.upperBound - 1) / size) {
            let plain = try open(chunk: k, sealedCount: try readChunk(k, into: scratch), scratch: scratch)
            let chunkStart = k * size
            let from = Int(max(range.lowerBound, chunkStart) - chunkStart)
            let to = Int(min(range.upperBound, chunkStart + UInt64(plain.count)) - chunkStart)
            out += plain[from..<to]
        }
        return out
    }

    typealias Deliver = @Sendable (_ plaintextOffset: UInt64, _ bytes: UnsafeRawBufferPointer) throws(EnvelopeError) -> Void

    /// Decrypts every chunk (when keys are present) and returns the payload
    /// Merkle digest, using up to `workers` threads over contiguous ranges of
    /// digest blocks. `deliver` may be called concurrently from several
    /// threads, each time with authenticated plaintext only.
    func process(workers: Int, deliver: Deliver?) throws(EnvelopeError) -> [UInt8] {
        let blockSize = UInt64(EnvelopeFormat.digestBlockSize)
        let blocks = (length + blockSize - 1) / blockSize
        let workerCount = Int(min(UInt64(max(workers, 1)), blocks))
        let perWorker = (blocks + UInt64(workerCount) - 1) / UInt64(workerCount)
        let ranges = (0..<UInt64(workerCount)).map { w in
            (w * perWorker)..<min((w + 1) * perWorker, blocks)
        }.filter { !$0.isEmpty }

        if keys != nil { try authenticateFinalChunk() }
        if ranges.count == 1 {
            return MerkleTreeHash.root(leafHashes: try leaves(blocks: ranges[0], deliver: deliver, stop: nil)) ?? []
        }
        let results = ResultSlots(count: ranges.count)
        DispatchQueue.concurrentPerform(iterations: ranges.count) { index in
            do throws(EnvelopeError) {
                results.set(index, .success(try leaves(blocks: ranges[index], deliver: deliver, stop: results)))
            } catch {
                results.set(index, .failure(error))
            }
        }
        var all: [[UInt8]] = []
        let values = results.values
        // Report the first real failure, not a worker that stopped because of it.
        for case .failure(let error)? in values where error != ResultSlots.stopped { throw error }
        for result in values {
            guard case .success(let leaves)? = result else { throw .invalidInput("a worker did not finish") }
            all += leaves
        }
        return MerkleTreeHash.root(leafHashes: all) ?? []
    }

    /// One worker: hashes the bytes of its blocks and decrypts the chunks
    /// that start inside them (a chunk's tail past the range is hashed by the
    /// next worker, which reads it again: at most 16 KiB per boundary).
    /// Chunks go in batches of ``batchChunks``: one read, the digest of the
    /// batch's bytes, each chunk authenticated and decrypted, one delivery.
    private func leaves(blocks: Range<UInt64>, deliver: Deliver?, stop: ResultSlots?) throws(EnvelopeError) -> [[UInt8]] {
        let blockSize = UInt64(EnvelopeFormat.digestBlockSize)
        let a = blocks.lowerBound * blockSize
        let b = min(blocks.upperBound * blockSize, length)
        let scratch = try Scratch(keys: keys, chunks: chunkCount >= UInt64(Self.batchChunks) ? Self.batchChunks : Int(chunkCount))
        var digest = PayloadDigestBuilder(collectLeaves: true)
        let prefix = UInt64(EnvelopeFormat.payloadPrefixSize)
        let chunk = UInt64(EnvelopeFormat.encryptedChunkSize)
        var k: UInt64 = a <= prefix ? 0 : (a - prefix + chunk - 1) / chunk
        // Bytes before the first chunk that starts in range: the payload prefix, or
        // the tail of a chunk the previous worker decrypts.
        let firstStart = k < chunkCount ? chunkBounds(k).start : length
        if a < min(firstStart, b) {
            let gap = UnsafeMutableRawBufferPointer(rebasing: scratch.sealed[..<Int(min(firstStart, b) - a)])
            try source.read(at: offset + a, into: gap)
            digest.absorb(UnsafeRawBufferPointer(gap))
        }
        while k < chunkCount, chunkBounds(k).start < b {
            if stop?.failed == true { throw ResultSlots.stopped }
            var last = k + 1  // chunks k..<last: at most a batch, each starting before b
            while last < min(k + UInt64(Self.batchChunks), chunkCount), chunkBounds(last).start < b { last += 1 }
            let regionStart = chunkBounds(k).start
            let regionEnd = chunkBounds(last - 1).end
            let region = UnsafeMutableRawBufferPointer(rebasing: scratch.sealed[..<Int(regionEnd - regionStart)])
            try source.read(at: offset + regionStart, into: region)
            digest.absorb(UnsafeRawBufferPointer(rebasing: region[..<Int(min(regionEnd, b) - regionStart)]))
            guard keys != nil else {
                k = last
                continue
            }
            var plainCount = 0
            for j in k..<last {
                let (start, end) = chunkBounds(j)
                let sealed = UnsafeRawBufferPointer(rebasing: region[Int(start - regionStart)..<Int(end - regionStart)])
                let output = UnsafeMutableRawBufferPointer(rebasing: scratch.opened[plainCount...])
                plainCount += try open(chunk: j, sealed: sealed, into: output, scratch: scratch).count
            }
            try deliver?(k * UInt64(EnvelopeFormat.chunkSize), UnsafeRawBufferPointer(rebasing: scratch.opened[..<plainCount]))
            k = last
        }
        return digest.finishLeaves()
    }
}

/// Results of parallel workers, and a shared "someone failed" flag so the
/// others stop early.
final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<[[UInt8]], EnvelopeError>?]
    private var anyFailed = false
    static let stopped = EnvelopeError.invalidInput("stopped: another worker failed")

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<[[UInt8]], EnvelopeError>) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = result
        if case .failure = result { anyFailed = true }
    }

    var failed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return anyFailed
    }

    var values: [Result<[[UInt8]], EnvelopeError>?] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

/// Reused batch buffers (one pair per worker in flight), so that opening
/// thousands of envelopes does not map and fault in fresh megabytes each time.
/// A pair is handed back with every plaintext byte written to it wiped.
final class BatchBuffers: @unchecked Sendable {
    struct Pair {
        let sealed: UnsafeMutableRawBufferPointer
        let opened: UnsafeMutableRawBufferPointer
    }
    static let shared = BatchBuffers()
    private let lock = NSLock()
    private var idle: [Pair] = []  // guarded by lock
    private static let keep = 8

    func take() -> Pair {
        lock.lock()
        if let pair = idle.popLast() {
            lock.unlock()
            return pair
        }
        lock.unlock()
        return Pair(
            sealed: .allocate(byteCount: PayloadReader.batchChunks * EnvelopeFormat.encryptedChunkSize, alignment: 64),
            opened: .allocate(byteCount: PayloadReader.batchChunks * EnvelopeFormat.chunkSize, alignment: 64))
    }

    func give(_ pair: Pair) {
        lock.lock()
        if idle.count < Self.keep {
            idle.append(pair)
            lock.unlock()
            return
        }
        lock.unlock()
        pair.sealed.deallocate()
        pair.opened.deallocate()
    }
}
