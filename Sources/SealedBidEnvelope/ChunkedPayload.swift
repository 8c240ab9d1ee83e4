import Foundation
import SealedBidMerkle
import SealedBidPrimitives

/// C2SP chunked-encryption v1 with HKDF-SHA-256 and AES-256-GCM, as used for
/// every envelope payload (`docs/spec/envelope-v1.md`, "Derivations").
struct PayloadKeys: Sendable {
    let key: SecureBytes
    let baseNonce: SecureBytes
    let commitment: [UInt8]

    /// `key || base_nonce || commitment = HKDF-Expand(K, "c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM" || 0x00 || salt || context, 76)`.
    init(envelopeKey: SecureBytes, salt: [UInt8], context: [UInt8]) throws(EnvelopeError) {
        precondition(salt.count == EnvelopeFormat.saltSize)
        let okm = try lift { () throws(CryptoError) in
            try HKDFSHA256.expand(prk: envelopeKey, info: EnvelopeFormat.c2spInfoPrefix + salt + context, length: 76)
        }
        (key, baseNonce, commitment) = okm.withUnsafeBytes { all in
            (
                SecureBytes(copying: UnsafeRawBufferPointer(rebasing: all[0..<32])),
                SecureBytes(copying: UnsafeRawBufferPointer(rebasing: all[32..<44])),
                Array(all[44..<76])
            )
        }
    }

    func cipher() throws(EnvelopeError) -> AESGCM {
        try lift { () throws(CryptoError) in try AESGCM(key: key) }
    }

    /// `base_nonce XOR I2OSP(chunk, 12)`, written into `nonce` (12 bytes).
    func nonce(chunk: UInt64, into nonce: UnsafeMutableRawBufferPointer) {
        baseNonce.withUnsafeBytes { base in nonce.copyMemory(from: base) }
        for i in 0..<8 { nonce[11 - i] ^= UInt8(truncatingIfNeeded: chunk >> (8 * UInt64(i))) }
    }
}

/// Streams the payload Merkle digest: leaves are 1 MiB blocks of ciphertext,
/// each hashed as it passes (no block is buffered).
struct PayloadDigestBuilder: ~Copyable {
    private var leaf = SHA256Hasher()
    private var inBlock = 0
    private var leaves: [[UInt8]] = []
    private var root = MerkleTreeHash.RootBuilder()
    /// Collect leaf hashes instead of folding them (for parallel workers).
    private let collectLeaves: Bool

    init(collectLeaves: Bool = false) {
        self.collectLeaves = collectLeaves
        leaf.update([0x00] as [UInt8])
    }

    /// Absorbs `bytes`, which must continue the payload where the last call stopped
    /// and start at a multiple of the block size on the first call.
    mutating func absorb(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        while !rest.isEmpty {
            let take = min(rest.count, EnvelopeFormat.digestBlockSize - inBlock)
            leaf.update(UnsafeRawBufferPointer(rebasing: rest[..<take]))
            inBlock += take
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if inBlock == EnvelopeFormat.digestBlockSize { closeBlock() }
        }
    }

    private mutating func closeBlock() {
        let hash = leaf.finalizeAndReset()
        leaf.update([0x00] as [UInt8])
        inBlock = 0
        if collectLeaves { leaves.append(hash) } else { root.append(leafHash: hash) }
    }

    /// Leaf hashes of the blocks absorbed, closing a partial last block.
    consuming func finishLeaves() -> [[UInt8]] {
        if inBlock > 0 { closeBlock() }
        return leaves
    }

    /// The Merkle tree hash of everything absorbed.
    consuming func finishRoot() -> [UInt8] {
        if inBlock > 0 { closeBlock() }
        return root.root() ?? []
    }
}

/// Encrypts one payload as a stream: `salt || commitment` first, then each
/// full 16 KiB chunk as soon as it fills (a full chunk is never final), then
/// the short final chunk. Memory is two chunk buffers allocated once,
/// whatever the payload size; nothing is allocated per chunk.
struct PayloadEncryptor: ~Copyable {
    private let keys: PayloadKeys
    private let cipher: AESGCM
    private let plaintext: UnsafeMutableRawBufferPointer
    private let ciphertext: UnsafeMutableRawBufferPointer
    private let nonce: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var chunk: UInt64 = 0
    private var digest = PayloadDigestBuilder()
    private(set) var length: UInt64 = 0
    private let salt: [UInt8]

    init(envelopeKey: SecureBytes, context: [UInt8], salt: [UInt8]) throws(EnvelopeError) {
        let keys = try PayloadKeys(envelopeKey: envelopeKey, salt: salt, context: context)
        let cipher = try keys.cipher()
        self.salt = salt
        self.keys = keys
        self.cipher = cipher
        plaintext = .allocate(byteCount: EnvelopeFormat.chunkSize, alignment: 16)
        // A reused batch buffer: a fresh megabyte per envelope is page faults.
        batch = BatchBuffers.shared.take()
        ciphertext = batch.sealed
        nonce = .allocate(byteCount: 12, alignment: 16)
    }

    /// Sealed chunks are emitted in batches of up to ``PayloadReader/batchChunks`` (one write per MiB).
    private let batch: BatchBuffers.Pair
    /// Bytes of `ciphertext` waiting to be emitted.
    private var pending = 0

    deinit {
        ConstantTime.wipe(plaintext)
        ConstantTime.wipe(nonce)
        plaintext.deallocate()
        nonce.deallocate()
        BatchBuffers.shared.give(batch)  // its plaintext half was never used
    }

    typealias Emit = (UnsafeRawBufferPointer) throws(EnvelopeError) -> Void

    /// Emits `salt || commitment`.
    mutating func start(_ emit: Emit) throws(EnvelopeError) {
        let prefix = salt + keys.commitment
        length += UInt64(prefix.count)
        try withBytes(prefix) { (p) throws(EnvelopeError) in
            digest.absorb(p)
            try emit(p)
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer, _ emit: Emit) throws(EnvelopeError) {
        var rest = bytes
        while !rest.isEmpty {
            if filled == EnvelopeFormat.chunkSize { try sealChunk(emit) }
            // A whole chunk with more input after it is not the final chunk: seal it
            // straight from the caller's buffer, without copying it.
            if filled == 0, rest.count > EnvelopeFormat.chunkSize {
                try seal(UnsafeRawBufferPointer(rebasing: rest[..<EnvelopeFormat.chunkSize]), emit)
                rest = UnsafeRawBufferPointer(rebasing: rest[EnvelopeFormat.chunkSize...])
                continue
            }
            let take = min(rest.count, EnvelopeFormat.chunkSize - filled)
            UnsafeMutableRawBufferPointer(rebasing: plaintext[filled..<(filled + take)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: rest[..<take]))
            filled += take
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
        }
    }

    /// Seals the final chunk (shorter than 16 KiB, possibly empty) and
    /// returns the payload length and digest.
    mutating func finish(_ emit: Emit) throws(EnvelopeError) -> (length: UInt64, digest: [UInt8]) {
        if filled == EnvelopeFormat.chunkSize { try sealChunk(emit) }
        try sealChunk(emit)
        try flush(emit)
        var finished = PayloadDigestBuilder()
        swap(&finished, &digest)
        return (length, finished.finishRoot())
    }

    private mutating func sealChunk(_ emit: Emit) throws(EnvelopeError) {
        try seal(UnsafeRawBufferPointer(rebasing: plaintext[..<filled]), emit)
        filled = 0
    }

    /// Seals one chunk into the pending batch, and emits the batch when it is full.
    private mutating func seal(_ chunkPlaintext: UnsafeRawBufferPointer, _ emit: Emit) throws(EnvelopeError) {
        guard chunk < EnvelopeFormat.maximumChunks else { throw .invalidInput("payload exceeds 2^32 chunks") }
        keys.nonce(chunk: chunk, into: nonce)
        let sealedCount = chunkPlaintext.count + EnvelopeFormat.tagSize
        let sealed = UnsafeMutableRawBufferPointer(rebasing: ciphertext[pending..<(pending + sealedCount)])
        do {
            try cipher.seal(
                nonce: UnsafeRawBufferPointer(nonce), plaintext: chunkPlaintext,
                authenticating: UnsafeRawBufferPointer(start: nil, count: 0), into: sealed)
        } catch {
            throw .crypto(error)
        }
        digest.absorb(UnsafeRawBufferPointer(sealed))
        length += UInt64(sealedCount)
        pending += sealedCount
        chunk += 1
        if pending + EnvelopeFormat.encryptedChunkSize > ciphertext.count { try flush(emit) }
    }

    private mutating func flush(_ emit: Emit) throws(EnvelopeError) {
        guard pending > 0 else { return }
        try emit(UnsafeRawBufferPointer(rebasing: ciphertext[..<pending]))
        pending = 0
    }
}
