import Foundation
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidPrimitives

/// `TestVectors/envelope/`: the project's own envelope-v1 vectors, one
/// scenario per JSON file (format in TestVectors/envelope/README.md).
/// ``generate()`` writes them deterministically; ``run(_:into:)`` checks one.
public enum EnvelopeVectors {
    public static let format = "sealbid-envelope-vectors-v1"

    struct Vector: Codable {
        struct Open: Codable {
            let envelope: String
            let stage: String?
            /// "committee", "escrow" or "envelope-key".
            let key_kind: String
            let key: String
            let tender: String
            let bidder: String
        }
        let format: String
        let description: String
        let expect: String
        let open: Open
        let plaintext_sha256: String?
        let bid_digest: String?
        let bid: String
    }

    // MARK: Checking

    /// Opens the vector's bid as it says and compares the outcome with `expect`.
    static func check(_ vector: Vector) -> (ok: Bool, outcome: String) {
        do {
            guard vector.format == format else { return (false, "unknown format \(vector.format)") }
            let bytes = try Hex.decode(vector.bid)
            let opener = try BidOpener(
                source: MemorySource(bytes), tender: TenderID(vector.open.tender), bidder: BidderID(vector.open.bidder),
                policy: .signatureOnly())
            let key = SecureBytes(copying: try Hex.decode(vector.open.key))
            let access: KeyAccess
            switch vector.open.key_kind {
            case "committee":
                access = .committeeKey(try HPKE.PrivateKey(rawRepresentation: key), stage: try StageName(vector.open.stage ?? ""))
            case "escrow": access = .escrowKey(try HPKE.PrivateKey(rawRepresentation: key))
            case "envelope-key": access = .envelopeKey(key)
            default: return (false, "unknown key_kind \(vector.open.key_kind)")
            }
            let plaintext = try opener.unlock(try EnvelopeName(vector.open.envelope), with: access).decryptToMemory()
            let digestOK = vector.bid_digest.map { $0 == opener.header.bidDigest.hexString } ?? true
            let plaintextOK = vector.plaintext_sha256 == SHA256.hash(plaintext).hexString
            return (vector.expect == "success" && digestOK && plaintextOK, "success")
        } catch let error as EnvelopeError {
            return (vector.expect == error.code, error.code)
        } catch {
            return (false, "unexpected error \(error)")
        }
    }

    /// Runs every `*.json` file in `directory`.
    static func run(_ directory: URL, into report: inout SuiteReport) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else { throw VectorFormatError("no vector files in \(directory.path)") }
        for file in files {
            let vector = try JSONDecoder().decode(Vector.self, from: Data(contentsOf: directory.appendingPathComponent(file)))
            let (ok, outcome) = check(vector)
            report.decide(vector.expect == "success" ? "success" : "failure")
            report.record(ok, "\(file): expected \(vector.expect), got \(outcome)")
        }
    }

    // MARK: Generation

    /// Every scenario, as (file name, JSON bytes). Deterministic: the same
    /// bytes on every run and machine.
    public static func generate() throws -> [(name: String, json: Data)] {
        var out: [(String, Data)] = []
        for scenario in try scenarios() {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            out.append(("\(scenario.name).json", try encoder.encode(scenario.vector) + Data("\n".utf8)))
        }
        return out
    }

    /// The parties of every scenario, derived from a fixed seed.
    struct Parties {
        let random: DeterministicRandom
        let tender: TenderID
        let bidder: BidderID
        let technicalKey: HPKE.PrivateKey
        let priceKey: HPKE.PrivateKey
        let escrowKey: HPKE.PrivateKey
        let signer: Ed25519PrivateKey

        init(seed: String) throws {
            random = DeterministicRandom(seed: "sealbid envelope vectors v1|" + seed)
            tender = try TenderID("LPSE-2026-0042")
            bidder = try BidderID("NPWP:01.234.567.8-901.000")
            technicalKey = try HPKE.PrivateKey.derive(fromIKM: random.bytes(32))
            priceKey = try HPKE.PrivateKey.derive(fromIKM: random.bytes(32))
            escrowKey = try HPKE.PrivateKey.derive(fromIKM: random.bytes(32))
            signer = try Ed25519PrivateKey(seed: SecureBytes(copying: random.bytes(32)))
        }

        func recipes(escrow: Bool) throws -> [EnvelopeRecipe] {
            [
                EnvelopeRecipe(
                    name: try EnvelopeName("technical"), stage: try StageName("technical"),
                    committeeKey: technicalKey.publicKey, escrowKey: escrow ? escrowKey.publicKey : nil),
                EnvelopeRecipe(
                    name: try EnvelopeName("price"), stage: try StageName("price"), committeeKey: priceKey.publicKey,
                    escrowKey: escrow ? escrowKey.publicKey : nil),
            ]
        }

        /// Seals a two-envelope bid; returns the bytes and the technical envelope key.
        func seal(technical: [UInt8], price: [UInt8], escrow: Bool = true, tampering: SealTampering? = nil) throws
            -> [UInt8]
        {
            let sink = MemorySink()
            var sealer = try BidSealer(
                tender: tender, bidder: bidder, signer: .ed25519(signer), envelopes: try recipes(escrow: escrow),
                to: sink, deterministic: random, tampering: tampering)
            try sealer.append(technical)
            try sealer.nextEnvelope()
            try sealer.append(price)
            _ = try sealer.finish()
            return sink.bytes
        }

        func payload(_ count: Int) -> [UInt8] { random.bytes(count) }
    }

    struct Scenario {
        let name: String
        let vector: Vector
    }

    /// Offsets in `core` of the first entry's fields, for the two-envelope bids above.
    static func firstEntryOffset(_ p: Parties) -> Int {
        16 + 1 + p.tender.value.utf8.count + 1 + p.bidder.value.utf8.count + 33 + 1
    }

    static func scenarios() throws -> [Scenario] {
        var list: [Scenario] = []
        func add(
            _ name: String, _ description: String, expect: String, bid: [UInt8], parties p: Parties,
            envelope: String = "technical", stage: String? = "technical", keyKind: String = "committee",
            key: [UInt8]? = nil, tender: String? = nil, bidder: String? = nil, plaintext: [UInt8]? = nil
        ) {
            let openKey = key ?? (envelope == "price" ? p.priceKey : p.technicalKey).rawRepresentation
            let digest = (try? BidHeader.read(from: MemorySource(bid)))?.bidDigest.hexString
            list.append(
                Scenario(
                    name: name,
                    vector: Vector(
                        format: format, description: description, expect: expect,
                        open: .init(
                            envelope: envelope, stage: stage, key_kind: keyKind, key: openKey.hexString,
                            tender: tender ?? p.tender.value, bidder: bidder ?? p.bidder.value),
                        plaintext_sha256: plaintext.map { SHA256.hash($0).hexString }, bid_digest: digest,
                        bid: bid.hexString)))
        }

        // Successes, at the chunk boundaries.
        for (name, size) in [("empty", 0), ("one-byte", 1), ("one-chunk-exactly", 16384), ("one-chunk-plus-one", 16385),
            ("two-digest-blocks", 1 << 20),
        ] {
            let p = try Parties(seed: name)
            let plaintext = p.payload(size)
            add(
                "success-\(name)", "technical envelope of \(size) bytes opened with the committee key", expect: "success",
                bid: try p.seal(technical: plaintext, price: p.payload(10)), parties: p, plaintext: plaintext)
        }
        do {
            let p = try Parties(seed: "price")
            let price = p.payload(64)
            add(
                "success-price-stage", "the price envelope opened with the price committee key", expect: "success",
                bid: try p.seal(technical: p.payload(100), price: price), parties: p, envelope: "price", stage: "price",
                plaintext: price)
        }
        do {
            let p = try Parties(seed: "escrow")
            let plaintext = p.payload(1000)
            add(
                "success-escrow", "the bidder opens their own bid with the escrow key", expect: "success",
                bid: try p.seal(technical: plaintext, price: []), parties: p, stage: nil, keyKind: "escrow",
                key: p.escrowKey.rawRepresentation, plaintext: plaintext)
        }

        // Header structure.
        let p = try Parties(seed: "failures")
        let plaintext = p.payload(20000)
        let good = try p.seal(technical: plaintext, price: p.payload(50))
        let header = try BidHeader.read(from: MemorySource(good))
        let hl = header.headerLength
        func mutate(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var copy = good
            change(&copy)
            return copy
        }
        let entry = firstEntryOffset(p)
        let nameLen = 1 + "technical".utf8.count, stageLen = 1 + "technical".utf8.count
        let recipientAt = entry + nameLen + stageLen
        let wrappedAt = recipientAt + 65 + 65
        let wrapProofAt = wrappedAt + 48
        let escrowFlagAt = wrapProofAt + 64
        let payloadLengthAt = escrowFlagAt + 1 + 178
        let digestAt = payloadLengthAt + 8

        add("not-a-bid", "the magic bytes are wrong", expect: "not-a-bid", bid: mutate { $0[0] = 0x54 }, parties: p)
        add("unsupported-version", "version 2", expect: "unsupported-version", bid: mutate { $0[9] = 2 }, parties: p)
        add("unsupported-suite", "suite 0x0002", expect: "unsupported-suite", bid: mutate { $0[11] = 2 }, parties: p)
        add(
            "header-length-absurd", "header_length 0xffffffff must be refused without allocating it",
            expect: "malformed-header", bid: mutate { $0.replaceSubrange(12..<16, with: [0xFF, 0xFF, 0xFF, 0xFF]) },
            parties: p)
        add(
            "header-length-short", "header_length smaller than the header's fields", expect: "malformed-header",
            bid: mutate { $0.replaceSubrange(12..<16, with: [0, 0, 0, 64]) }, parties: p)
        add(
            "header-cut", "the file ends inside the header", expect: "truncated", bid: Array(good.prefix(hl - 10)),
            parties: p)
        add(
            "tender-id-bad-character", "a space in the tender id", expect: "malformed-header",
            bid: mutate { $0[17] = 0x20 }, parties: p)
        add(
            "envelope-count-zero", "envelope_count 0", expect: "malformed-header",
            bid: mutate { $0[entry - 1] = 0 }, parties: p)
        add(
            "envelope-count-too-many", "envelope_count 17", expect: "malformed-header",
            bid: mutate { $0[entry - 1] = 17 }, parties: p)
        add(
            "envelope-name-uppercase", "envelope name with an upper-case letter", expect: "malformed-header",
            bid: mutate { $0[entry + 1] = UInt8(ascii: "T") }, parties: p)
        add(
            "duplicate-envelope-name", "both envelopes are called 'technical'",
            expect: "malformed-header",
            bid: try p.sealDuplicateNames(), parties: p)
        add(
            "recipient-key-off-curve", "recipient_key is not a P-256 point", expect: "malformed-header",
            bid: mutate { $0[recipientAt + 64] ^= 1 }, parties: p)
        add(
            "recipient-key-compressed-prefix", "recipient_key starts with 0x02", expect: "malformed-header",
            bid: mutate { $0[recipientAt] = 0x02 }, parties: p)
        add(
            "escrow-flag-invalid", "escrow flag 2", expect: "malformed-header", bid: mutate { $0[escrowFlagAt] = 2 },
            parties: p)
        add(
            "payload-length-invalid", "payload_length whose final chunk would be full (truncation)",
            expect: "malformed-header",
            bid: mutate { $0.replaceSubrange(payloadLengthAt..<(payloadLengthAt + 8), with: withUnsafeBytes(of: UInt64(56 + 16400).bigEndian) { Array($0) }) },
            parties: p)
        add(
            "payload-length-absurd", "payload_length 2^64-1", expect: "malformed-header",
            bid: mutate { $0.replaceSubrange(payloadLengthAt..<(payloadLengthAt + 8), with: [UInt8](repeating: 0xFF, count: 8)) },
            parties: p)
        add(
            "signature-algorithm-unknown", "sig_alg 0x03", expect: "unsupported-signature-algorithm",
            bid: mutate { $0[entry - 34] = 3 }, parties: p)

        // File length.
        add("truncated-payload", "the last byte is missing", expect: "truncated", bid: Array(good.dropLast()), parties: p)
        add(
            "truncated-final-chunk", "the whole final chunk of the price payload is missing", expect: "truncated",
            bid: Array(good.dropLast(16 + 50)), parties: p)
        add("trailing-data", "one byte after the last payload", expect: "trailing-data", bid: good + [0], parties: p)

        // Signature and bindings.
        add(
            "bad-signature", "one bit of the signature flipped", expect: "bad-signature", bid: mutate { $0[hl - 1] ^= 1 },
            parties: p)
        add(
            "header-changed-after-signing", "one bit of the payload digest flipped after signing", expect: "bad-signature",
            bid: mutate { $0[digestAt] ^= 1 }, parties: p)
        add("wrong-tender", "opened for another tender", expect: "wrong-tender", bid: good, parties: p, tender: "LPSE-2026-0043")
        add("wrong-bidder", "opened expecting another bidder", expect: "wrong-bidder", bid: good, parties: p, bidder: "ACME")
        add(
            "wrong-stage", "the price envelope opened in the technical stage", expect: "wrong-stage", bid: good,
            parties: p, envelope: "price", stage: "technical", key: p.technicalKey.rawRepresentation)
        add(
            "wrong-recipient", "the technical envelope opened with the price committee key", expect: "wrong-recipient",
            bid: good, parties: p, key: p.priceKey.rawRepresentation)
        add(
            "no-such-envelope", "an envelope the bid does not have", expect: "no-such-envelope", bid: good, parties: p,
            envelope: "annex", stage: "technical")

        // Keys and MACs (well-signed but broken bids).
        let q = try Parties(seed: "signed-but-broken")
        add(
            "key-unwrap-failed", "the wrapped key was changed before signing", expect: "key-unwrap-failed",
            bid: try q.seal(
                technical: q.payload(100), price: [],
                tampering: SealTampering(core: { core in var c = core; c[wrappedAt] ^= 1; return c })),
            parties: q)
        add(
            "bad-wrap-proof", "one bit of the technical key-wrap proof changed before signing", expect: "bad-wrap-proof",
            bid: try q.seal(
                technical: q.payload(100), price: [],
                tampering: SealTampering(core: { core in var c = core; c[wrapProofAt + 40] ^= 1; return c })),
            parties: q)
        add(
            "bad-wrap-proof-negated-enc",
            "enc replaced by -enc (same x-coordinate, so the same HPKE DH value) before signing: the proof refuses it",
            expect: "bad-wrap-proof",
            bid: try q.seal(
                technical: q.payload(100), price: [],
                tampering: SealTampering(core: { core in
                    var c = core
                    let encAt = recipientAt + 65
                    guard let enc = try? P256Point(sec1: Array(c[encAt..<encAt + 65])) else { return c }
                    c.replaceSubrange(encAt..<encAt + 65, with: enc.negated().uncompressedRepresentation)
                    return c
                })),
            parties: q)
        add(
            "header-mac-invalid", "the technical MAC was changed before signing", expect: "header-mac-invalid",
            bid: try q.seal(
                technical: q.payload(100), price: [],
                tampering: SealTampering(macs: { macs in var m = macs; m[0][0] ^= 1; return m })),
            parties: q)
        add(
            "payload-digest-mismatch", "a signed header whose payload digest does not match the payload",
            expect: "payload-digest-mismatch",
            bid: try q.seal(
                technical: q.payload(100), price: [],
                tampering: SealTampering(core: { core in var c = core; c[digestAt] ^= 1; return c })),
            parties: q)
        add(
            "envelope-key-wrong", "a disclosed envelope key that is not this envelope's: the wraps do not recompute from it",
            expect: "wrap-mismatch", bid: good, parties: p, stage: nil, keyKind: "envelope-key", key: q.payload(32))
        add(
            "wrap-mismatch-random-ephemeral",
            "the envelope key wrapped to the committee with an ephemeral key not derived from it (step 9.3)",
            expect: "wrap-mismatch",
            bid: try q.seal(technical: q.payload(100), price: [], tampering: SealTampering(committeeWrap: .randomEphemeral)),
            parties: q)
        let option = try q.seal(technical: q.payload(100), price: [], tampering: SealTampering(committeeWrap: .otherKey))
        add(
            "escrow-free-option-committee",
            "another key wrapped to the committee (valid proof), the real one only in the escrow copy: the committee's MAC check fails",
            expect: "header-mac-invalid", bid: option, parties: q)
        add(
            "escrow-free-option-escrow",
            "the same bid opened with the escrow key: the committee wrap does not recompute from the escrowed key (void)",
            expect: "wrap-mismatch", bid: option, parties: q, stage: nil, keyKind: "escrow", key: q.escrowKey.rawRepresentation)

        // Payload.
        let payloadStart = hl
        let firstChunk = payloadStart + 56
        add(
            "salt-changed", "one bit of the salt flipped", expect: "payload-commitment-mismatch",
            bid: mutate { $0[payloadStart] ^= 1 }, parties: p)
        add(
            "commitment-changed", "one bit of the commitment flipped", expect: "payload-commitment-mismatch",
            bid: mutate { $0[payloadStart + 40] ^= 1 }, parties: p)
        add(
            "chunk-changed", "one bit of chunk 0 flipped", expect: "payload-authentication-failed",
            bid: mutate { $0[firstChunk + 100] ^= 1 }, parties: p)
        add(
            "final-chunk-changed", "one bit of the final chunk's tag flipped", expect: "payload-authentication-failed",
            bid: mutate { $0[payloadStart + Int(header.envelopes[0].payloadLength) - 1] ^= 1 }, parties: p)
        add(
            "chunks-swapped", "chunk 0 and the final chunk exchanged (same length: both cut to the final length)",
            expect: "payload-authentication-failed",
            bid: mutate { bytes in
                // 20000 bytes = chunk 0 (16400 sealed) + final chunk (3616 + 16); swap their first 3632 bytes.
                let finalStart = firstChunk + 16400, count = 20000 - 16384 + 16
                let a = Array(bytes[firstChunk..<(firstChunk + count)]), b = Array(bytes[finalStart..<(finalStart + count)])
                bytes.replaceSubrange(firstChunk..<(firstChunk + count), with: b)
                bytes.replaceSubrange(finalStart..<(finalStart + count), with: a)
            }, parties: p)
        add(
            "chunk-duplicated", "chunk 0's first bytes copied over the final chunk", expect: "payload-authentication-failed",
            bid: mutate { bytes in
                let finalStart = firstChunk + 16400, count = 20000 - 16384 + 16
                bytes.replaceSubrange(finalStart..<(finalStart + count), with: Array(bytes[firstChunk..<(firstChunk + count)]))
            }, parties: p)
        return list
    }
}

extension EnvelopeVectors.Parties {
    /// A bid whose two envelopes are both called "technical": sealed as
    /// "technical" and "tech00000" (same length), then renamed in `core`
    /// before the MACs and the signature are computed.
    func sealDuplicateNames() throws -> [UInt8] {
        let sink = MemorySink()
        let recipes = [
            EnvelopeRecipe(name: try EnvelopeName("technical"), stage: try StageName("technical"), committeeKey: technicalKey.publicKey),
            EnvelopeRecipe(name: try EnvelopeName("tech00000"), stage: try StageName("price"), committeeKey: priceKey.publicKey),
        ]
        var sealer = try BidSealer(
            tender: tender, bidder: bidder, signer: .ed25519(signer), envelopes: recipes, to: sink, deterministic: random,
            tampering: SealTampering(core: { core in
                var c = core
                let needle = Array("tech00000".utf8)
                if let at = (0...(c.count - needle.count)).first(where: { Array(c[$0..<($0 + needle.count)]) == needle }) {
                    c.replaceSubrange(at..<(at + needle.count), with: Array("technical".utf8))
                }
                return c
            }))
        try sealer.append([1, 2, 3])
        try sealer.nextEnvelope()
        try sealer.append([4])
        do {
            _ = try sealer.finish()
        } catch EnvelopeError.malformedHeader {
            // finish() re-parses the header it wrote, which is exactly what this vector breaks.
        }
        return sink.bytes
    }
}
