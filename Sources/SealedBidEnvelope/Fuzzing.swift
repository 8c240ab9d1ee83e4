import SealedBidPrimitives

/// The payload reader without a header, for the libFuzzer harnesses in `Fuzz/`
/// (a fuzzer cannot forge the signed header that names a payload's length and
/// digest, so through ``BidOpener`` it would reach the reader only with the
/// exact lengths of its seeds). Not API: `@_spi(Fuzzing)` only.
@_spi(Fuzzing)
public enum PayloadFuzzing {
    /// `salt || commitment || chunks` of `plaintext` (spec, "Derivations"); `salt` is 24 bytes.
    public static func seal(
        _ plaintext: [UInt8], envelopeKey: SecureBytes, context: [UInt8], salt: [UInt8]
    ) throws(EnvelopeError) -> [UInt8] {
        guard salt.count == EnvelopeFormat.saltSize else { throw .invalidInput("a salt is 24 bytes") }
        var encryptor = try PayloadEncryptor(envelopeKey: envelopeKey, context: context, salt: salt)
        let sink = MemorySink()
        var offset: UInt64 = 0
        let emit: PayloadEncryptor.Emit = { (bytes) throws(EnvelopeError) in
            try sink.write(bytes, at: offset)
            offset += UInt64(bytes.count)
        }
        try encryptor.start(emit)
        try withBytes(plaintext) { (p) throws(EnvelopeError) in try encryptor.update(p, emit) }
        _ = try encryptor.finish(emit)
        return sink.bytes
    }

    /// Opens `payload` as ``BidOpener`` does once the header checked: commitment,
    /// final chunk first, every chunk, the Merkle digest; then reads `range`
    /// of the plaintext by random access (clamped to the plaintext).
    public static func open(
        _ payload: [UInt8], envelopeKey: SecureBytes, context: [UInt8], range: Range<UInt64>
    ) throws(EnvelopeError) -> (plaintext: [UInt8], digest: [UInt8], range: [UInt8]) {
        let reader = try PayloadReader(
            source: MemorySource(payload), offset: 0, length: UInt64(payload.count), envelope: "fuzz", envelopeKey: envelopeKey,
            context: context)
        let sink = LockedMemorySink()
        let digest = try reader.process(workers: 1) { (offset, bytes) throws(EnvelopeError) in try sink.write(bytes, at: offset) }
        let end = min(range.upperBound, reader.plaintextLength)
        let part = try reader.read(min(range.lowerBound, end)..<end)
        return (sink.bytes, digest, part)
    }

    /// The payload digest without a key (spec, "verify").
    public static func digest(_ payload: [UInt8]) throws(EnvelopeError) -> [UInt8] {
        try PayloadReader(source: MemorySource(payload), offset: 0, length: UInt64(payload.count), envelope: "fuzz")
            .process(workers: 1, deliver: nil)
    }
}
