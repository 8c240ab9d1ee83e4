import Foundation
@_spi(Fuzzing) import SealedBidEnvelope
import SealedBidHPKE
import SealedBidPrimitives

/// Bid files: the header parser, the opener (signature, key unwrap, header
/// MAC) and the payload reader (commitment, chunks, digest).
enum EnvelopeHarness {
    static var policy: SignerPolicy {
        guard let pki = World.pki else { return .signatureOnly() }
        return .signatureOnly(x509Roots: [pki.root], at: pki.time)
    }

    static func bidHeader(_ bytes: [UInt8]) {
        if let header = try? BidHeader.parse(bytes) {
            Fuzz.require(header.bytes == bytes && header.headerLength == bytes.count, "a parsed header is the input")
            _ = (header.bidDigest, header.expectedFileLength)
            for index in header.envelopes.indices { _ = header.payloadOffset(of: index) }
        }
        let source = MemorySource(bytes)
        _ = try? BidHeader.read(from: source)
        guard let opener = try? BidOpener(source: source, policy: policy) else { return }
        Fuzz.require(opener.header.expectedFileLength == UInt64(bytes.count), "an opened bid has the declared length")
        _ = try? opener.verifyPayloadDigests(workers: 1)
        for entry in opener.header.envelopes {
            _ = try? opener.checkWrapProof(entry.name)
            var accesses: [KeyAccess] = [.committeeKey(World.committeeKey, stage: entry.stage), .escrowKey(World.escrowKey)]
            if let dh = try? entry.encapsulatedKey.publicKey.point.sharedSecret(privateScalar: World.committeeKey.scalar) {
                accesses.append(.sharedDH(dh, committeeKey: World.committeeKey.publicKey, stage: entry.stage))
            }
            for access in accesses {
                guard let unlocked = try? opener.unlock(entry.name, with: access) else { continue }
                open(unlocked)
                if let again = try? opener.unlock(entry.name, with: .envelopeKey(unlocked.key)) {
                    Fuzz.require(again.plaintextLength == unlocked.plaintextLength, "one envelope, one length")
                }
            }
        }
    }

    private static func open(_ unlocked: UnlockedEnvelope) {
        guard let plaintext = try? unlocked.decryptToMemory() else {
            _ = try? unlocked.read(0..<min(unlocked.plaintextLength, 1))
            return
        }
        Fuzz.require(UInt64(plaintext.count) == unlocked.plaintextLength, "the plaintext has the declared length")
        let from = plaintext.count / 3
        guard let part = try? unlocked.read(UInt64(from)..<UInt64(plaintext.count)) else {
            Fuzz.require(false, "a range of an envelope that decrypted does not decrypt")
            return
        }
        Fuzz.require(part == Array(plaintext[from...]), "random access reads what decryption wrote")
    }

    // MARK: Payload reader

    static let context = Array("sealbid fuzz payload context".utf8)
    static let salt = World.bytes("salt").prefix(24).map { $0 }

    /// Input: one control byte, then the payload. Bit 0 set: the harness writes
    /// the right commitment for the payload's salt (a fuzzer cannot find it),
    /// so mutations reach the chunks. The other bits pick the range read back.
    static func payload(_ bytes: [UInt8]) {
        guard let control = bytes.first else { return }
        var payload = Array(bytes.dropFirst())
        let prefix = EnvelopeFormat.payloadPrefixSize
        if control & 1 == 1, payload.count >= prefix,
            let sealed = try? PayloadFuzzing.seal(
                [], envelopeKey: World.envelopeKey, context: context, salt: Array(payload[..<EnvelopeFormat.saltSize]))
        {
            payload.replaceSubrange(0..<prefix, with: sealed[..<prefix])
        }
        let start = UInt64(control >> 1) * 997
        let keyless = try? PayloadFuzzing.digest(payload)
        guard
            let opened = try? PayloadFuzzing.open(
                payload, envelopeKey: World.envelopeKey, context: context, range: start..<(start + 40000))
        else { return }
        Fuzz.require(keyless == opened.digest, "the digest does not depend on the key")
        let lower = min(Int(start), opened.plaintext.count)
        Fuzz.require(opened.range == Array(opened.plaintext[lower..<min(Int(start) + 40000, opened.plaintext.count)]), "random access")
        // Encryption is deterministic given key, salt and context: a payload that opens is the canonical one.
        let again = try? PayloadFuzzing.seal(
            opened.plaintext, envelopeKey: World.envelopeKey, context: context, salt: Array(payload[..<EnvelopeFormat.saltSize]))
        Fuzz.require(again == payload, "a payload that opens re-encrypts to itself")
    }

    // MARK: Seeds

    static let sizes = [0, 1, 100, 16383, 16384, 16385, 40000]

    static func payloadSeeds() throws -> [[UInt8]] {
        try sizes.flatMap { size in
            let sealed = try PayloadFuzzing.seal(
                SecureRandom.bytes(count: size), envelopeKey: World.envelopeKey, context: context, salt: salt)
            return [[0] + sealed, [1] + sealed, [0x55] + sealed]
        }
    }

    static func bidHeaderSeeds() throws -> [[UInt8]] {
        var seeds: [[UInt8]] = []
        var signers: [BidSigner] = [.ed25519(World.bidderKey)]
        if let pki = World.pki { signers.append(.ecdsaP256(pki.leafKey, chain: [pki.leaf, pki.intermediate])) }
        let technical = try EnvelopeName("technical"), price = try EnvelopeName("price")
        let stage = try StageName("technical"), priceStage = try StageName("price")
        for signer in signers {
            for (i, size) in [0, 1, 16384, 20000].enumerated() {
                var recipes = [
                    EnvelopeRecipe(
                        name: technical, stage: stage, committeeKey: World.committeeKey.publicKey,
                        escrowKey: i % 2 == 0 ? World.escrowKey.publicKey : nil)
                ]
                if i >= 2 {
                    recipes.append(EnvelopeRecipe(name: price, stage: priceStage, committeeKey: World.committeeKey.publicKey))
                }
                let sink = MemorySink()
                var sealer = try BidSealer(tender: World.tender, bidder: World.bidder, signer: signer, envelopes: recipes, to: sink)
                try sealer.append(SecureRandom.bytes(count: size))
                if recipes.count > 1 {
                    try sealer.nextEnvelope()
                    try sealer.append(SecureRandom.bytes(count: 7))
                }
                _ = try sealer.finish()
                seeds.append(sink.bytes)
            }
        }
        // The project's envelope vectors (other keys: they reach the header checks).
        for vector in Vectors.json(in: "TestVectors/envelope") {
            if let hex = vector["bid"] as? String, let bid = try? Hex.decode(hex) { seeds.append(bid) }
        }
        return seeds
    }
}
