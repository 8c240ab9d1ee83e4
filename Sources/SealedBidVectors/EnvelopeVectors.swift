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
            /// Absent with `key_kind` `none`.
            let envelope: String?
            let stage: String?
            /// "committee", "escrow", "envelope-key", or "none" (`verify`: no key, every
            /// wrap proof and then every payload digest).
            let key_kind: String
            let key: String?
            let tender: String
            let bidder: String
        }
        /// Who may sign (runner: ``signerPolicy(_:)``). Absent: any Ed25519 key, no X.509 anchors.
        struct Policy: Codable {
            /// `YYYY-MM-DDTHH:MM:SSZ`: when certificate chains are checked.
            let verification_time: String?
            let x509_roots: [String]?
            let ed25519_keys: [String]?
            let x509_subjects: [String]?
        }
        /// A bidder statement (envelope-v1, "Bidder statements") instead of a bid.
        struct Statement: Codable {
            /// "withdrawal" or "commitment": the kind the reader expects.
            let kind: String
            let encoded: String
            let tender: String
            let bidder: String
            let statement_digest: String?
        }
        let format: String
        let description: String
        let expect: String
        let open: Open?
        let policy: Policy?
        let statement: Statement?
        let plaintext_sha256: String?
        let bid_digest: String?
        let bid: String?
    }

    // MARK: Checking

    /// The signer policy a vector asks for; without one, any Ed25519 key and no X.509 anchors
    /// (so every `sig_alg 0x02` signer is `untrusted-signer` after its signature verifies).
    static func signerPolicy(_ policy: Vector.Policy?) throws -> SignerPolicy {
        guard let policy else { return SignerPolicy(verificationTime: Date(timeIntervalSince1970: 0)) }
        let roots = try (policy.x509_roots ?? []).map { try X509Certificate(derRepresentation: hex($0, "x509_roots")) }
        guard roots.isEmpty || policy.verification_time != nil else {
            throw VectorFormatError("x509_roots without verification_time")
        }
        var time = Date(timeIntervalSince1970: 0)
        if let text = policy.verification_time {
            guard let parsed = ISO8601DateFormatter().date(from: text), text.count == 20 else {
                throw VectorFormatError("verification_time \(text) is not YYYY-MM-DDTHH:MM:SSZ")
            }
            time = parsed
        }
        let keys = try policy.ed25519_keys.map { keys in
            Set(try keys.map { try Ed25519PublicKey(rawRepresentation: hex($0, "ed25519_keys")) })
        }
        return SignerPolicy(x509Roots: roots, verificationTime: time, ed25519Keys: keys, x509Subjects: policy.x509_subjects.map(Set.init))
    }

    /// Opens the vector's bid (or reads its statement) as it says and compares the outcome with `expect`.
    static func check(_ vector: Vector) -> (ok: Bool, outcome: String) {
        do {
            guard vector.format == format else { return (false, "unknown format \(vector.format)") }
            let policy = try signerPolicy(vector.policy)
            if let statement = vector.statement { return try check(statement, expect: vector.expect, policy: policy) }
            guard let bid = vector.bid, let open = vector.open else { return (false, "neither a bid to open nor a statement") }
            let opener = try BidOpener(
                source: MemorySource(try Hex.decode(bid)), tender: TenderID(open.tender), bidder: BidderID(open.bidder),
                policy: policy)
            let digestOK = vector.bid_digest.map { $0 == opener.header.bidDigest.hexString } ?? true
            if open.key_kind == "none" {
                try opener.checkWrapProofs()
                try opener.verifyPayloadDigests(workers: 1)
                return (vector.expect == "success" && digestOK, "success")
            }
            let key = SecureBytes(copying: try Hex.decode(open.key ?? ""))
            let access: KeyAccess
            switch open.key_kind {
            case "committee":
                access = .committeeKey(try HPKE.PrivateKey(rawRepresentation: key), stage: try StageName(open.stage ?? ""))
            case "escrow": access = .escrowKey(try HPKE.PrivateKey(rawRepresentation: key))
            case "envelope-key": access = .envelopeKey(key)
            default: return (false, "unknown key_kind \(open.key_kind)")
            }
            let plaintext = try opener.unlock(try EnvelopeName(open.envelope ?? ""), with: access).decryptToMemory()
            let plaintextOK = vector.plaintext_sha256 == SHA256.hash(plaintext).hexString
            return (vector.expect == "success" && digestOK && plaintextOK, "success")
        } catch let error as EnvelopeError {
            return (vector.expect == error.code, error.code)
        } catch {
            return (false, "unexpected error \(error)")
        }
    }

    /// Parses and verifies a bidder statement of the kind the vector names.
    static func check(_ statement: Vector.Statement, expect: String, policy: SignerPolicy) throws -> (ok: Bool, outcome: String) {
        let bytes = try Hex.decode(statement.encoded)
        let tender = try TenderID(statement.tender), bidder = try BidderID(statement.bidder)
        let digest: [UInt8]
        switch statement.kind {
        case "withdrawal":
            let withdrawal = try Withdrawal(encoded: bytes)
            try withdrawal.verify(tender: tender, bidder: bidder, policy: policy)
            digest = withdrawal.digest
        case "commitment":
            let commitment = try Commitment(encoded: bytes)
            try commitment.verify(tender: tender, bidder: bidder, policy: policy)
            digest = commitment.digest
        default:
            return (false, "unknown statement kind \(statement.kind)")
        }
        let digestOK = statement.statement_digest.map { $0 == digest.hexString } ?? true
        return (expect == "success" && digestOK, "success")
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

        init(seed: String, tender: String = "LPSE-2026-0042", bidder: String = "NPWP:01.234.567.8-901.000") throws {
            random = DeterministicRandom(seed: "sealbid envelope vectors v1|" + seed)
            self.tender = try TenderID(tender)
            self.bidder = try BidderID(bidder)
            technicalKey = try HPKE.PrivateKey.derive(fromIKM: random.bytes(32))
            priceKey = try HPKE.PrivateKey.derive(fromIKM: random.bytes(32))
            escrowKey = try HPKE.PrivateKey.derive(fromIKM: random.bytes(32))
            signer = try Ed25519PrivateKey(seed: SecureBytes(copying: random.bytes(32)))
        }

        /// The technical and price envelopes, under the given envelope and stage names.
        func recipes(escrow: Bool, names: [String] = ["technical", "price"], stages: [String] = ["technical", "price"]) throws
            -> [EnvelopeRecipe]
        {
            [
                EnvelopeRecipe(
                    name: try EnvelopeName(names[0]), stage: try StageName(stages[0]),
                    committeeKey: technicalKey.publicKey, escrowKey: escrow ? escrowKey.publicKey : nil),
                EnvelopeRecipe(
                    name: try EnvelopeName(names[1]), stage: try StageName(stages[1]), committeeKey: priceKey.publicKey,
                    escrowKey: escrow ? escrowKey.publicKey : nil),
            ]
        }

        /// Seals a two-envelope bid (signed with the parties' Ed25519 key unless `signer` is given).
        func seal(
            technical: [UInt8], price: [UInt8], escrow: Bool = true, tampering: SealTampering? = nil,
            signer bidSigner: BidSigner? = nil, names: [String] = ["technical", "price"],
            stages: [String] = ["technical", "price"]
        ) throws -> [UInt8] {
            let sink = MemorySink()
            var sealer = try BidSealer(
                tender: tender, bidder: bidder, signer: bidSigner ?? .ed25519(signer),
                envelopes: try recipes(escrow: escrow, names: names, stages: stages),
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

    /// Collects the scenarios of every group (here and in the `EnvelopeVectors+*.swift` files).
    final class ScenarioList {
        var scenarios: [Scenario] = []

        /// A bid opened as `keyKind` says (`none`: `verify`, no envelope or key). `bid_digest` is
        /// recorded when the header parses (steps 1 to 5 pass).
        func add(
            _ name: String, _ description: String, expect: String, bid: [UInt8], parties p: Parties,
            envelope: String = "technical", stage: String? = "technical", keyKind: String = "committee",
            key: [UInt8]? = nil, tender: String? = nil, bidder: String? = nil, plaintext: [UInt8]? = nil,
            policy: Vector.Policy? = nil
        ) {
            let verify = keyKind == "none"
            let openKey = key ?? (envelope == "price" ? p.priceKey : p.technicalKey).rawRepresentation
            let digest = (try? BidHeader.read(from: MemorySource(bid)))?.bidDigest.hexString
            scenarios.append(
                Scenario(
                    name: name,
                    vector: Vector(
                        format: format, description: description, expect: expect,
                        open: .init(
                            envelope: verify ? nil : envelope, stage: verify ? nil : stage, key_kind: keyKind,
                            key: verify ? nil : openKey.hexString, tender: tender ?? p.tender.value,
                            bidder: bidder ?? p.bidder.value),
                        policy: policy, statement: nil, plaintext_sha256: plaintext.map { SHA256.hash($0).hexString },
                        bid_digest: digest, bid: bid.hexString)))
        }

        /// A bidder statement read as `kind`; `statement_digest` is recorded for successes.
        func statement(
            _ name: String, _ description: String, expect: String, kind: String, encoded: [UInt8], digest: [UInt8]? = nil,
            tender: String, bidder: String, policy: Vector.Policy? = nil
        ) {
            scenarios.append(
                Scenario(
                    name: name,
                    vector: Vector(
                        format: format, description: description, expect: expect, open: nil, policy: policy,
                        statement: .init(
                            kind: kind, encoded: encoded.hexString, tender: tender, bidder: bidder,
                            statement_digest: digest?.hexString),
                        plaintext_sha256: nil, bid_digest: nil, bid: nil)))
        }
    }

    static func scenarios() throws -> [Scenario] {
        let list = ScenarioList()

        // Successes, at the chunk boundaries.
        for (name, size) in [("empty", 0), ("one-byte", 1), ("one-chunk-exactly", 16384), ("one-chunk-plus-one", 16385),
            ("two-digest-blocks", 1 << 20),
        ] {
            let p = try Parties(seed: name)
            let plaintext = p.payload(size)
            list.add(
                "success-\(name)", "technical envelope of \(size) bytes opened with the committee key", expect: "success",
                bid: try p.seal(technical: plaintext, price: p.payload(10)), parties: p, plaintext: plaintext)
        }
        do {
            let p = try Parties(seed: "price")
            let price = p.payload(64)
            list.add(
                "success-price-stage", "the price envelope opened with the price committee key", expect: "success",
                bid: try p.seal(technical: p.payload(100), price: price), parties: p, envelope: "price", stage: "price",
                plaintext: price)
        }
        do {
            let p = try Parties(seed: "escrow")
            let plaintext = p.payload(1000)
            list.add(
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

        list.add("not-a-bid", "the magic bytes are wrong", expect: "not-a-bid", bid: mutate { $0[0] = 0x54 }, parties: p)
        list.add("unsupported-version", "version 2", expect: "unsupported-version", bid: mutate { $0[9] = 2 }, parties: p)
        list.add("unsupported-suite", "suite 0x0002", expect: "unsupported-suite", bid: mutate { $0[11] = 2 }, parties: p)
        list.add(
            "header-length-absurd", "header_length 0xffffffff must be refused without allocating it",
            expect: "malformed-header", bid: mutate { $0.replaceSubrange(12..<16, with: [0xFF, 0xFF, 0xFF, 0xFF]) },
            parties: p)
        list.add(
            "header-length-short", "header_length smaller than the header's fields", expect: "malformed-header",
            bid: mutate { $0.replaceSubrange(12..<16, with: [0, 0, 0, 64]) }, parties: p)
        list.add(
            "header-cut", "the file ends inside the header", expect: "truncated", bid: Array(good.prefix(hl - 10)),
            parties: p)
        list.add(
            "tender-id-bad-character", "a space in the tender id", expect: "malformed-header",
            bid: mutate { $0[17] = 0x20 }, parties: p)
        list.add(
            "envelope-count-zero", "envelope_count 0", expect: "malformed-header",
            bid: mutate { $0[entry - 1] = 0 }, parties: p)
        list.add(
            "envelope-count-too-many", "envelope_count 17", expect: "malformed-header",
            bid: mutate { $0[entry - 1] = 17 }, parties: p)
        list.add(
            "envelope-name-uppercase", "envelope name with an upper-case letter", expect: "malformed-header",
            bid: mutate { $0[entry + 1] = UInt8(ascii: "T") }, parties: p)
        list.add(
            "duplicate-envelope-name", "both envelopes are called 'technical'",
            expect: "malformed-header",
            bid: try p.sealDuplicateNames(), parties: p)
        list.add(
            "recipient-key-off-curve", "recipient_key is not a P-256 point", expect: "malformed-header",
            bid: mutate { $0[recipientAt + 64] ^= 1 }, parties: p)
        list.add(
            "recipient-key-compressed-prefix", "recipient_key starts with 0x02", expect: "malformed-header",
            bid: mutate { $0[recipientAt] = 0x02 }, parties: p)
        list.add(
            "escrow-flag-invalid", "escrow flag 2", expect: "malformed-header", bid: mutate { $0[escrowFlagAt] = 2 },
            parties: p)
        list.add(
            "payload-length-invalid", "payload_length whose final chunk would be full (truncation)",
            expect: "malformed-header",
            bid: mutate { $0.replaceSubrange(payloadLengthAt..<(payloadLengthAt + 8), with: withUnsafeBytes(of: UInt64(56 + 16400).bigEndian) { Array($0) }) },
            parties: p)
        list.add(
            "payload-length-absurd", "payload_length 2^64-1", expect: "malformed-header",
            bid: mutate { $0.replaceSubrange(payloadLengthAt..<(payloadLengthAt + 8), with: [UInt8](repeating: 0xFF, count: 8)) },
            parties: p)
        list.add(
            "signature-algorithm-unknown", "sig_alg 0x03", expect: "unsupported-signature-algorithm",
            bid: mutate { $0[entry - 34] = 3 }, parties: p)

        // File length.
        list.add("truncated-payload", "the last byte is missing", expect: "truncated", bid: Array(good.dropLast()), parties: p)
        list.add(
            "truncated-final-chunk", "the whole final chunk of the price payload is missing", expect: "truncated",
            bid: Array(good.dropLast(16 + 50)), parties: p)
        list.add("trailing-data", "one byte after the last payload", expect: "trailing-data", bid: good + [0], parties: p)

        // Signature and bindings.
        list.add(
            "bad-signature", "one bit of the signature flipped", expect: "bad-signature", bid: mutate { $0[hl - 1] ^= 1 },
            parties: p)
        list.add(
            "header-changed-after-signing", "one bit of the payload digest flipped after signing", expect: "bad-signature",
            bid: mutate { $0[digestAt] ^= 1 }, parties: p)
        list.add("wrong-tender", "opened for another tender", expect: "wrong-tender", bid: good, parties: p, tender: "LPSE-2026-0043")
        list.add("wrong-bidder", "opened expecting another bidder", expect: "wrong-bidder", bid: good, parties: p, bidder: "ACME")
        list.add(
            "wrong-stage", "the price envelope opened in the technical stage", expect: "wrong-stage", bid: good,
            parties: p, envelope: "price", stage: "technical", key: p.technicalKey.rawRepresentation)
        list.add(
            "wrong-recipient", "the technical envelope opened with the price committee key", expect: "wrong-recipient",
            bid: good, parties: p, key: p.priceKey.rawRepresentation)
        list.add(
            "no-such-envelope", "an envelope the bid does not have", expect: "no-such-envelope", bid: good, parties: p,
            envelope: "annex", stage: "technical")

        // Keys and MACs (well-signed but broken bids).
        let q = try Parties(seed: "signed-but-broken")
        list.add(
            "key-unwrap-failed", "the wrapped key was changed before signing", expect: "key-unwrap-failed",
            bid: try q.seal(
                technical: q.payload(100), price: [],
                tampering: SealTampering(core: { core in var c = core; c[wrappedAt] ^= 1; return c })),
            parties: q)
        list.add(
            "bad-wrap-proof", "one bit of the technical key-wrap proof changed before signing", expect: "bad-wrap-proof",
            bid: try q.seal(
                technical: q.payload(100), price: [],
                tampering: SealTampering(core: { core in var c = core; c[wrapProofAt + 40] ^= 1; return c })),
            parties: q)
        list.add(
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
        list.add(
            "header-mac-invalid", "the technical MAC was changed before signing", expect: "header-mac-invalid",
            bid: try q.seal(
                technical: q.payload(100), price: [],
                tampering: SealTampering(macs: { macs in var m = macs; m[0][0] ^= 1; return m })),
            parties: q)
        list.add(
            "payload-digest-mismatch", "a signed header whose payload digest does not match the payload",
            expect: "payload-digest-mismatch",
            bid: try q.seal(
                technical: q.payload(100), price: [],
                tampering: SealTampering(core: { core in var c = core; c[digestAt] ^= 1; return c })),
            parties: q)
        list.add(
            "envelope-key-wrong", "a disclosed envelope key that is not this envelope's: the wraps do not recompute from it",
            expect: "wrap-mismatch", bid: good, parties: p, stage: nil, keyKind: "envelope-key", key: q.payload(32))
        list.add(
            "wrap-mismatch-random-ephemeral",
            "the envelope key wrapped to the committee with an ephemeral key not derived from it (step 9.3)",
            expect: "wrap-mismatch",
            bid: try q.seal(technical: q.payload(100), price: [], tampering: SealTampering(committeeWrap: .randomEphemeral)),
            parties: q)
        let option = try q.seal(technical: q.payload(100), price: [], tampering: SealTampering(committeeWrap: .otherKey))
        list.add(
            "escrow-free-option-committee",
            "another key wrapped to the committee (valid proof), the real one only in the escrow copy: the committee's MAC check fails",
            expect: "header-mac-invalid", bid: option, parties: q)
        list.add(
            "escrow-free-option-escrow",
            "the same bid opened with the escrow key: the committee wrap does not recompute from the escrowed key (void)",
            expect: "wrap-mismatch", bid: option, parties: q, stage: nil, keyKind: "escrow", key: q.escrowKey.rawRepresentation)

        // Payload.
        let payloadStart = hl
        let firstChunk = payloadStart + 56
        list.add(
            "salt-changed", "one bit of the salt flipped", expect: "payload-commitment-mismatch",
            bid: mutate { $0[payloadStart] ^= 1 }, parties: p)
        list.add(
            "commitment-changed", "one bit of the commitment flipped", expect: "payload-commitment-mismatch",
            bid: mutate { $0[payloadStart + 40] ^= 1 }, parties: p)
        list.add(
            "chunk-changed", "one bit of chunk 0 flipped", expect: "payload-authentication-failed",
            bid: mutate { $0[firstChunk + 100] ^= 1 }, parties: p)
        list.add(
            "final-chunk-changed", "one bit of the final chunk's tag flipped", expect: "payload-authentication-failed",
            bid: mutate { $0[payloadStart + Int(header.envelopes[0].payloadLength) - 1] ^= 1 }, parties: p)
        list.add(
            "chunks-swapped", "chunk 0 and the final chunk exchanged (same length: both cut to the final length)",
            expect: "payload-authentication-failed",
            bid: mutate { bytes in
                // 20000 bytes = chunk 0 (16400 sealed) + final chunk (3616 + 16); swap their first 3632 bytes.
                let finalStart = firstChunk + 16400, count = 20000 - 16384 + 16
                let a = Array(bytes[firstChunk..<(firstChunk + count)]), b = Array(bytes[finalStart..<(finalStart + count)])
                bytes.replaceSubrange(firstChunk..<(firstChunk + count), with: b)
                bytes.replaceSubrange(finalStart..<(finalStart + count), with: a)
            }, parties: p)
        list.add(
            "chunk-duplicated", "chunk 0's first bytes copied over the final chunk", expect: "payload-authentication-failed",
            bid: mutate { bytes in
                let finalStart = firstChunk + 16400, count = 20000 - 16384 + 16
                bytes.replaceSubrange(finalStart..<(finalStart + count), with: Array(bytes[firstChunk..<(firstChunk + count)]))
            }, parties: p)
        try boundaryScenarios(list)
        try keyScenarios(list)
        try signerScenarios(list)
        try statementScenarios(list)
        return list.scenarios
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
