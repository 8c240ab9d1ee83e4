import Foundation
import SealedBidCommittee
import SealedBidHPKE
import SealedBidPrimitives

/// `TestVectors/committee/`: rosters, message decoding, dealing, DKG, decryption-share
/// combination, reconstruction, resharing and stage-key confirmation, successes and failures,
/// one scenario per file (format in TestVectors/committee/README.md); every code of
/// committee-v1's "Errors" has a scenario. The resharing scenarios are in
/// CommitteeVectorsResharing.swift.
public enum CommitteeVectors {
    public static let format = "sealbid-committee-vectors-v1"

    struct Member: Codable {
        let id: UInt16
        let hpke_private_key: String
        let ed25519_seed: String
    }

    struct Vector: Codable {
        let format: String
        let kind: String
        let description: String
        let expect: String
        var culprits: [UInt16]? = nil
        let roster: String
        var stage_key: String? = nil
        var member: Member? = nil
        var message_type: String? = nil
        var message: String? = nil
        var dealing: String? = nil
        var sealed_share: String? = nil
        var dkg_state: String? = nil
        var round1: [String]? = nil
        var shares: [String]? = nil
        var opening_id: String? = nil
        var encapsulated_keys: [String]? = nil
        var decryption_shares: [String]? = nil
        var released_shares: [String]? = nil
        var new_roster: String? = nil
        var packages: [String]? = nil
        var signatures: [String]? = nil
        // Expected outputs.
        var share: String? = nil
        var expected_stage_key: String? = nil
        var shared_secrets: [String]? = nil
        var participants: [UInt16]? = nil
        var ignored: Int? = nil
        var private_key: String? = nil
    }

    // MARK: Checking

    static func outcome(_ v: Vector) -> (code: String, culprits: [UInt16], outputsOK: Bool) {
        do {
            let roster = try CommitteeRoster(encoded: Hex.decode(v.roster))
            func stageKey() throws -> StageKey { try StageKey(encoded: Hex.decode(v.stage_key ?? ""), roster: roster) }
            func memberKeys() throws -> MemberKeys {
                guard let m = v.member else { throw VectorFormatError("member missing") }
                return MemberKeys(
                    id: try MemberID(m.id), encryptionKey: try HPKE.PrivateKey(rawRepresentation: Hex.decode(m.hpke_private_key)),
                    signingKey: try Ed25519PrivateKey(seed: SecureBytes(copying: Hex.decode(m.ed25519_seed))))
            }
            func openingID() throws -> [UInt8] { try Hex.decode(v.opening_id ?? "") }
            /// The outputs of a dealing, a DKG or a resharing: the member's share and its stage key.
            func derived(_ result: (share: SecretShare, stageKey: StageKey)) -> Bool {
                result.share.value.rawRepresentation.hexString == v.share && result.stageKey.encoded.hexString == v.expected_stage_key
            }
            switch v.kind {
            case "roster":
                return ("success", [], roster.encoded.hexString == v.roster)
            case "decode":
                let bytes = try Hex.decode(v.message ?? "")
                return ("success", [], try reencode(v.message_type ?? "", bytes, roster: roster) == bytes)
            case "dealing":
                let result = try TrustedDealer.receive(
                    SealedShare(encoded: Hex.decode(v.sealed_share ?? "")), dealing: DealingMessage(encoded: Hex.decode(v.dealing ?? "")),
                    roster: roster, keys: memberKeys())
                return ("success", [], derived(result))
            case "dkg-finish":
                let keys = try memberKeys()
                let secret = try DKG.Round1Secret(
                    fileRepresentation: SecureBytes(copying: Hex.decode(v.dkg_state ?? "")), roster: roster, keys: keys)
                // Messages that do not decode are nobody's: skipped, as a receiver does.
                let result = try DKG.finish(
                    secret, packages: (v.round1 ?? []).compactMap { try? DKG.Round1Package(encoded: Hex.decode($0)) },
                    shares: (v.shares ?? []).compactMap { try? SealedShare(encoded: Hex.decode($0)) })
                return ("success", [], derived(result))
            case "combine":
                let encs = try (v.encapsulated_keys ?? []).map { try HPKE.EncapsulatedKey(rawRepresentation: Hex.decode($0)) }
                let (key, opening) = (try stageKey(), try openingID())
                // As the opening treats share files: undecodable ones are skipped, or name the member who signed them.
                let files = DecryptionShares.sort(files: try (v.decryption_shares ?? []).map { try Hex.decode($0) }, roster: roster, openingID: opening)
                let result: ThresholdCombiner.Result
                do {
                    result = try ThresholdCombiner.combine(stageKey: key, openingID: opening, encapsulatedKeys: encs, contributions: files.usable)
                } catch {
                    guard case .tooFewShares(let have, let need, let culprits) = error else { throw error }
                    throw CommitteeError.tooFewShares(have: have, need: need, culprits: Set(culprits + files.signedUndecodable).sorted())
                }
                let ok = result.sharedSecrets.map { $0.unsafeCopy().hexString } == v.shared_secrets
                    && result.participants.map(\.value) == v.participants && result.ignored + files.unattributed == (v.ignored ?? 0)
                return ("success", Set(result.culprits + files.signedUndecodable).sorted().map(\.value), ok)
            case "reconstruct":
                let released = (v.released_shares ?? []).compactMap { try? ReleasedShare(encoded: SecureBytes(copying: Hex.decode($0))) }
                let undecodable = (v.released_shares ?? []).count - released.count
                let result = try Reconstruction.reconstruct(stageKey: stageKey(), openingID: openingID(), released: released)
                let ok = result.privateKey.rawRepresentation.hexString == v.private_key && result.participants.map(\.value) == v.participants
                    && result.ignored + undecodable == (v.ignored ?? 0)
                return ("success", result.culprits.map(\.value), ok)
            case "reshare":
                // Packages that do not decode are skipped, as the CLI's reshare-receive does.
                let result = try Resharing.receive(
                    packages: (v.packages ?? []).compactMap { try? Resharing.Package(encoded: Hex.decode($0)) }, oldKey: stageKey(),
                    newRoster: CommitteeRoster(encoded: Hex.decode(v.new_roster ?? "")), keys: memberKeys())
                return ("success", [], derived(result))
            case "complaint":
                // Judged against the ceremony's public messages: a dealing, a resharing's packages, or round 1.
                let complaint = try Complaint(encoded: Hex.decode(v.message ?? ""))
                let verdict: ComplaintVerdict
                if let dealing = v.dealing {
                    verdict = try complaint.judge(roster: roster, dealing: DealingMessage(encoded: Hex.decode(dealing)))
                } else if let newRoster = v.new_roster {
                    verdict = try complaint.judge(
                        oldKey: stageKey(), newRoster: CommitteeRoster(encoded: Hex.decode(newRoster)),
                        packages: (v.packages ?? []).compactMap { try? Resharing.Package(encoded: Hex.decode($0)) })
                } else {
                    verdict = try complaint.judge(
                        roster: roster, round1: (v.round1 ?? []).compactMap { try? DKG.Round1Package(encoded: Hex.decode($0)) })
                }
                return (verdict.code, verdict.culprits.map(\.value), true)
            case "confirm":
                try Confirmation.confirm(
                    stageKey: stageKey(), signatures: (v.signatures ?? []).compactMap { try? TranscriptSignature(encoded: Hex.decode($0)) })
                return ("success", [], true)
            default:
                return ("unknown kind \(v.kind)", [], false)
            }
        } catch let error as CommitteeError {
            return (error.code, error.culprits.map(\.value), true)
        } catch {
            return ("unexpected error \(error)", [], false)
        }
    }

    /// Decodes a message of `type` and encodes it again (`decode` vectors).
    static func reencode(_ type: String, _ bytes: [UInt8], roster: CommitteeRoster) throws -> [UInt8] {
        switch type {
        case "sealed-share": try SealedShare(encoded: bytes).encoded
        case "round1": try DKG.Round1Package(encoded: bytes).encoded
        case "stage-key": try StageKey(encoded: bytes, roster: roster).encoded
        case "decryption-shares": try DecryptionShares(encoded: bytes).encoded
        case "transcript-signature": try TranscriptSignature(encoded: bytes).encoded
        case "reshare": try Resharing.Package(encoded: bytes).encoded
        case "released-share": try ReleasedShare(encoded: SecureBytes(copying: bytes)).encoded.unsafeCopy()
        case "dealing": try DealingMessage(encoded: bytes).encoded
        case "complaint": try Complaint(encoded: bytes).encoded
        default: throw VectorFormatError("unknown message_type \(type)")
        }
    }

    static func run(_ directory: URL, into report: inout SuiteReport) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else { throw VectorFormatError("no vector files in \(directory.path)") }
        for file in files {
            let vector = try JSONDecoder().decode(Vector.self, from: Data(contentsOf: directory.appendingPathComponent(file)))
            let (code, culprits, outputsOK) = outcome(vector)
            report.decide(vector.kind)
            report.record(
                vector.format == format && code == vector.expect && culprits == (vector.culprits ?? []) && outputsOK,
                "\(file): expected \(vector.expect) \(vector.culprits ?? []), got \(code) \(culprits)\(outputsOK ? "" : " with wrong outputs")")
        }
    }

    // MARK: Generation

    public static func generate() throws -> [(name: String, json: Data)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try scenarios().map { ("\($0.name).json", try encoder.encode($0.vector) + Data("\n".utf8)) }
    }

    struct Setup {
        let random: ScalarSource
        let keys: [MemberKeys]
        let seeds: [[UInt8]]
        let dealerKey: Ed25519PrivateKey
        let roster: CommitteeRoster

        init(seed: String, t: Int, n: Int, dealer: Bool = false) throws {
            random = ScalarSource.deterministic(seed: seed)
            let stream = DeterministicBytes(seed: seed)
            var seeds: [[UInt8]] = []
            keys = try (1...n).map { i in
                let hpke = try HPKE.PrivateKey.derive(fromIKM: stream.next())
                let seed = stream.next()
                seeds.append(seed)
                return MemberKeys(id: try MemberID(UInt16(i)), encryptionKey: hpke, signingKey: try Ed25519PrivateKey(seed: SecureBytes(copying: seed)))
            }
            self.seeds = seeds
            dealerKey = try Ed25519PrivateKey(seed: SecureBytes(copying: stream.next()))
            roster = try CommitteeRoster(
                committee: "LPSE-2026-0042", stage: "technical", threshold: t, members: keys.map(\.card),
                dealerKey: dealer ? dealerKey.publicKey : nil, ceremony: Array(stream.next().prefix(16)))
        }

        func member(_ index: Int) -> Member {
            Member(
                id: keys[index].id.value, hpke_private_key: keys[index].encryptionKey.rawRepresentation.hexString,
                ed25519_seed: seeds[index].hexString)
        }
    }

    /// 32-byte blocks SHA-256(seed || counter), for deterministic member keys.
    final class DeterministicBytes {
        private let seed: [UInt8]
        private var counter: UInt8 = 0
        init(seed: String) { self.seed = Array("sealbid committee member keys|\(seed)".utf8) }
        func next() -> [UInt8] {
            counter += 1
            return SHA256.hash(seed + [counter])
        }
    }

    struct Scenario {
        let name: String
        let vector: Vector
    }

    static func base(_ kind: String, _ description: String, expect: String, culprits: [UInt16] = [], roster: [UInt8]) -> Vector {
        Vector(
            format: format, kind: kind, description: description, expect: expect, culprits: culprits.isEmpty ? nil : culprits,
            roster: roster.hexString)
    }

    /// `bytes` with the last signature byte flipped: a message its sender did not sign.
    static func unsigned(_ bytes: [UInt8]) -> [UInt8] {
        var copy = bytes
        copy[copy.count - 1] ^= 1
        return copy
    }

    /// `body || Ed25519(key, label("message") || body)`: a message signed by `key` (committee-v1,
    /// "Signed messages"), for the generator's dishonest members and dealers.
    static func signed(_ body: [UInt8], by key: Ed25519PrivateKey) -> [UInt8] {
        body + key.signature(for: Array("sealbid/committee-v1 message".utf8) + [0] + body).rawRepresentation
    }

    /// `bytes` with `replacement` written at `offset`.
    static func patched(_ bytes: [UInt8], at offset: Int, _ replacement: [UInt8]) -> [UInt8] {
        var copy = bytes
        copy.replaceSubrange(offset..<(offset + replacement.count), with: replacement)
        return copy
    }

    /// `roster` with another ceremony nonce (`ceremony` 16 times; another attempt), and optionally another stage.
    static func variant(of roster: CommitteeRoster, stage: String? = nil, ceremony: UInt8) throws -> CommitteeRoster {
        try CommitteeRoster(
            committee: roster.committee, stage: stage ?? roster.stage, threshold: roster.threshold, members: roster.members,
            dealerKey: roster.dealerKey, ceremony: [UInt8](repeating: ceremony, count: CommitteeFormat.ceremonySize))
    }

    /// The P-256 group order n: a 32-byte value that is not a scalar.
    static let groupOrder: [UInt8] = try! Hex.decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")

    /// A `decode` vector: `bytes` decoded as a message of `type`.
    static func decodeScenario(_ name: String, _ description: String, expect: String, type: String, _ bytes: [UInt8], roster: CommitteeRoster)
        -> Scenario
    {
        var v = base("decode", description, expect: expect, roster: roster.encoded)
        v.message_type = type
        v.message = bytes.hexString
        return Scenario(name: name, vector: v)
    }

    static func scenarios() throws -> [Scenario] {
        var list: [Scenario] = []
        try rosterScenarios(&list)
        let d = try Setup(seed: "dealing", t: 2, n: 3, dealer: true)
        let dealing = try TrustedDealer.deal(roster: d.roster, dealerKey: d.dealerKey, randomness: d.random)
        let other = try dealingScenarios(&list, d, dealing)
        let (g, dkgKey) = try dkgScenarios(&list)
        let shares = try openingScenarios(&list, d, dealing)
        try confirmScenarios(&list, g, dkgKey)
        try reshareScenarios(&list, Old(setup: d, key: dealing.stageKey, shares: shares), other: other)
        try complaintScenarios(&list, Old(setup: d, key: dealing.stageKey, shares: shares), dealing: dealing)
        return list
    }

    static func rosterScenarios(_ list: inout [Scenario]) throws {
        let r = try Setup(seed: "roster", t: 2, n: 3)
        let good = r.roster.encoded
        func add(_ name: String, _ description: String, expect: String, _ bytes: [UInt8]) {
            list.append(Scenario(name: name, vector: base("roster", description, expect: expect, roster: bytes)))
        }
        add("roster-success", "a 2-of-3 roster without a dealer", expect: "success", good)
        // Cards start after prefix, lp8("LPSE-2026-0042"), lp8("technical"), ceremony, t, n.
        let cardsAt = 5 + 1 + 14 + 1 + 9 + 16 + 2, cardSize = 2 + 65 + 32
        var swapped = good
        swapped.replaceSubrange(cardsAt..<(cardsAt + 2 * cardSize), with: Array(good[(cardsAt + cardSize)..<(cardsAt + 2 * cardSize)]) + Array(good[cardsAt..<(cardsAt + cardSize)]))
        add("roster-cards-unsorted", "cards 1 and 2 in the wrong order", expect: "malformed", swapped)
        var sameKey = good
        sameKey.replaceSubrange((cardsAt + cardSize + 2)..<(cardsAt + cardSize + 67), with: Array(good[(cardsAt + 2)..<(cardsAt + 67)]))
        add("roster-shared-hpke-key", "members 1 and 2 have the same HPKE key (one key pair, two seats)", expect: "invalid-roster", sameKey)
        var sameSigner = good
        sameSigner.replaceSubrange((cardsAt + cardSize + 67)..<(cardsAt + 2 * cardSize), with: Array(good[(cardsAt + 67)..<(cardsAt + cardSize)]))
        add("roster-shared-signing-key", "members 1 and 2 have the same Ed25519 key", expect: "invalid-roster", sameSigner)
        var zeroT = good
        zeroT[cardsAt - 2] = 0
        add("roster-threshold-zero", "t = 0", expect: "invalid-roster", zeroT)
        var bigT = good
        bigT[cardsAt - 2] = 4
        add("roster-threshold-above-n", "t = 4 with 3 members", expect: "invalid-roster", bigT)
        var zeroID = good
        zeroID[cardsAt] = 0
        zeroID[cardsAt + 1] = 0
        add("roster-zero-identifier", "member identifier 0 (reserved for the dealer)", expect: "zero-identifier", zeroID)
        var flag = good
        flag[flag.count - 1] = 2
        add("roster-dealer-flag-invalid", "dealer flag 2", expect: "malformed", flag)
        add("roster-trailing-byte", "one byte after the dealer flag", expect: "malformed", good + [0])
        add("roster-ceremony-cut", "the roster ends inside the cards", expect: "malformed", Array(good.prefix(cardsAt + 10)))
        // The committee id "LPSE-2026-0042" is at 6..<20, the stage "technical" at 21..<30.
        add("roster-committee-bad-character", "a space in the committee id", expect: "invalid-roster", patched(good, at: 10, [0x20]))
        add("roster-stage-uppercase", "stage name \"Technical\"", expect: "invalid-roster", patched(good, at: 21, [0x54]))
        add("roster-name-not-utf8", "a committee id that is not UTF-8 (a byte 0xff)", expect: "malformed", patched(good, at: 6, [0xFF]))
        add("roster-unsupported-version", "version 2", expect: "malformed", patched(good, at: 0, [0, 2]))
        add("roster-wrong-type", "type 0x04 (a stage key) where a roster is expected", expect: "malformed", patched(good, at: 4, [4]))
        add("roster-no-members", "n = 0 (t = 1)", expect: "invalid-roster", Array(good.prefix(cardsAt - 2)) + [1, 0, 0])
        add("roster-duplicate-identifier", "card 2 carries identifier 1: members 1, 1, 3", expect: "duplicate-identifier",
            patched(good, at: cardsAt + cardSize, [0, 1]))
        add("roster-hpke-key-off-curve", "card 1's HPKE key with its last byte changed: not on the curve", expect: "malformed",
            patched(good, at: cardsAt + 66, [good[cardsAt + 66] ^ 1]))
        add("roster-hpke-key-compressed", "card 1's HPKE key with prefix 0x02: keys are uncompressed", expect: "malformed",
            patched(good, at: cardsAt + 2, [2]))
        add("roster-ed25519-key-small-order", "card 1's Ed25519 key is the identity (small order: it could never sign)",
            expect: "malformed", patched(good, at: cardsAt + 67, [1] + [UInt8](repeating: 0, count: 31)))
        let dealt = try Setup(seed: "roster", t: 2, n: 3, dealer: true).roster.encoded
        add("roster-dealer-success", "the same roster for a trusted dealing: dealer flag 1 and the dealer's key", expect: "success", dealt)
        add("roster-dealer-key-is-member", "the dealer's key is member 1's Ed25519 key (one key pair, one seat)", expect: "invalid-roster",
            patched(dealt, at: dealt.count - 32, r.keys[0].signingKey.publicKey.rawRepresentation))
        add("roster-dealer-key-small-order", "the dealer's key is the identity", expect: "malformed",
            patched(dealt, at: dealt.count - 32, [1] + [UInt8](repeating: 0, count: 31)))
    }

    /// Returns another dealing of the same roster (a dealer that deals twice).
    static func dealingScenarios(_ list: inout [Scenario], _ d: Setup, _ dealing: TrustedDealer.Dealing) throws -> TrustedDealer.Dealing {
        let other = try TrustedDealer.deal(roster: d.roster, dealerKey: d.dealerKey, randomness: d.random)
        let (share1, key1) = try TrustedDealer.receive(dealing.shares[0], dealing: dealing.message, roster: d.roster, keys: d.keys[0])
        func add(
            _ name: String, _ description: String, expect: String, dealingBytes: [UInt8], sealed: [UInt8], member: Int,
            roster: CommitteeRoster? = nil
        ) {
            var v = base("dealing", description, expect: expect, roster: (roster ?? d.roster).encoded)
            v.dealing = dealingBytes.hexString
            v.member = d.member(member)
            v.sealed_share = sealed.hexString
            if expect == "success" {
                v.share = share1.value.rawRepresentation.hexString
                v.expected_stage_key = key1.encoded.hexString
            }
            list.append(Scenario(name: name, vector: v))
        }
        let message = dealing.message.encoded, share = dealing.shares[0].encoded
        add("dealing-success", "member 1 checks the signed dealing and opens its signed share", expect: "success",
            dealingBytes: message, sealed: share, member: 0)
        add("dealing-other-dealing", "a signed share of another dealing does not match these commitments: the dealer is blamed",
            expect: "bad-dealer-share", dealingBytes: message, sealed: other.shares[0].encoded, member: 0)
        add("dealing-wrong-recipient", "member 2 is given member 1's share", expect: "wrong-recipient", dealingBytes: message,
            sealed: share, member: 1)
        add("dealing-share-unsigned", "the share's signature is not the dealer's: ignored, nobody blamed", expect: "malformed",
            dealingBytes: message, sealed: unsigned(share), member: 0)
        add("dealing-unsigned", "the dealing's signature is not the dealer's", expect: "malformed", dealingBytes: unsigned(message),
            sealed: share, member: 0)

        // The dealer signs what is wrong (its own random stream, so the vectors above keep their bytes).
        let first = dealing.shares[0]
        func dealerShare(enc: HPKE.EncapsulatedKey, ciphertext: [UInt8]) -> [UInt8] {
            signed(
                SealedShare(
                    rosterDigest: first.rosterDigest, sender: 0, recipient: first.recipient, encapsulatedKey: enc, ciphertext: ciphertext,
                    ephemeralProof: first.ephemeralProof, signature: first.signature
                ).body, by: d.dealerKey)
        }
        add("dealing-share-does-not-open", "the dealer signs a share whose ciphertext does not open: the dealer is blamed",
            expect: "bad-dealer-share", dealingBytes: message,
            sealed: dealerShare(enc: first.encapsulatedKey, ciphertext: patched(first.ciphertext, at: 0, [first.ciphertext[0] ^ 1])), member: 0)
        let commitment = dealing.message.commitment
        let notAScalar = try SealedShare.seal(
            plaintext: groupOrder, to: d.keys[0].card, rosterDigest: d.roster.digest, sender: 0, signer: d.dealerKey,
            commitment: commitment, purpose: "dealer-share", randomness: ScalarSource.deterministic(seed: "dealing-rules")
        ).encoded
        add("dealing-share-not-a-scalar", "the dealer signs a share that opens to n, which is not a scalar: the dealer is blamed",
            expect: "bad-dealer-share", dealingBytes: message, sealed: notAScalar, member: 0)
        let short = DealingMessage(rosterDigest: d.roster.digest, commitment: VSSCommitment(points: [commitment.points[0]]), signature: first.signature)
        add("dealing-wrong-commitment-count", "the dealer signs a dealing with 1 commitment for threshold 2", expect: "malformed",
            dealingBytes: signed(short.body, by: d.dealerKey), sealed: share, member: 0)
        add("dealing-roster-without-dealer", "the roster names no dealer (a DKG roster): there is no dealing to accept", expect: "invalid-roster",
            dealingBytes: message, sealed: share, member: 0, roster: try Setup(seed: "dealing", t: 2, n: 3).roster)

        func decode(_ name: String, _ description: String, expect: String, type: String, _ bytes: [UInt8]) {
            list.append(decodeScenario(name, description, expect: expect, type: type, bytes, roster: d.roster))
        }
        decode("decode-sealed-share-success", "member 1's sealed share from the dealer (type 0x02)", expect: "success", type: "sealed-share", share)
        decode("decode-sealed-share-zero-recipient", "recipient 0 (only a sender can be 0: the dealer)", expect: "zero-identifier",
            type: "sealed-share", patched(share, at: 39, [0, 0]))
        decode("decode-sealed-share-cut", "one byte short", expect: "malformed", type: "sealed-share", Array(share.dropLast()))
        decode("decode-dealing-success", "the dealing (type 0x09)", expect: "success", type: "dealing", message)
        decode("decode-dealing-unsupported-version", "version 2", expect: "malformed", type: "dealing", patched(message, at: 0, [0, 2]))
        decode("decode-dealing-unsupported-suite", "suite 2", expect: "malformed", type: "dealing", patched(message, at: 2, [0, 2]))
        decode("decode-dealing-compressed-point", "C_0 with prefix 0x02: points are uncompressed", expect: "malformed", type: "dealing",
            patched(message, at: 38, [2]))
        decode("decode-dealing-trailing-byte", "one byte after the signature", expect: "malformed", type: "dealing", message + [0])
        return other
    }

    static func dkgScenarios(_ list: inout [Scenario]) throws -> (Setup, StageKey) {
        // Seen by member 3 (index 2) of a 3-of-4 committee.
        let g = try Setup(seed: "dkg", t: 3, n: 4)
        var secrets: [DKG.Round1Secret] = [], packages: [DKG.Round1Package] = []
        for keys in g.keys {
            let (s, p) = try DKG.round1(roster: g.roster, keys: keys, randomness: g.random)
            secrets.append(s)
            packages.append(p)
        }
        var sealed: [SealedShare] = []
        for s in secrets { sealed += try DKG.round2(s, packages: packages, randomness: g.random) }
        let toMember3 = sealed.filter { $0.recipient == g.keys[2].id }
        let (dkgShare, dkgKey) = try DKG.finish(secrets[2], packages: packages, shares: toMember3)
        func add(
            _ name: String, _ description: String, expect: String, culprits: [UInt16] = [], round1: [[UInt8]], shares: [[UInt8]],
            state: DKG.Round1Secret? = nil
        ) {
            var v = base("dkg-finish", description, expect: expect, culprits: culprits, roster: g.roster.encoded)
            v.member = g.member(2)
            v.dkg_state = (state ?? secrets[2]).fileRepresentation.unsafeCopy().hexString
            v.round1 = round1.map(\.hexString)
            v.shares = shares.map(\.hexString)
            if expect == "success" {
                v.share = dkgShare.value.rawRepresentation.hexString
                v.expected_stage_key = dkgKey.encoded.hexString
            }
            list.append(Scenario(name: name, vector: v))
        }
        let round1 = packages.map(\.encoded), shares = toMember3.map(\.encoded)
        add("dkg-success", "member 3 finishes a 3-of-4 DKG", expect: "success", round1: round1, shares: shares)
        // Member 2 signs a package whose proof of possession is wrong.
        let p2 = packages[1]
        let badZ = DKG.Round1Package(
            rosterDigest: p2.rosterDigest, member: p2.member, commitment: p2.commitment, proofR: p2.proofR, proofZ: p2.proofZ + .one,
            signature: p2.signature)
        var badPoP = round1
        badPoP[1] = resigned(badZ, with: g.keys[1])
        add("dkg-bad-proof-of-possession", "member 2 signs a package whose proof of possession is wrong",
            expect: "bad-proof-of-possession", culprits: [2], round1: badPoP, shares: shares)
        var wrongCount = round1
        let p4 = packages[3]
        wrongCount[3] = resigned(
            DKG.Round1Package(
                rosterDigest: p4.rosterDigest, member: p4.member, commitment: VSSCommitment(points: Array(p4.commitment.points.prefix(2))),
                proofR: p4.proofR, proofZ: p4.proofZ, signature: p4.signature), with: g.keys[3])
        add("dkg-wrong-commitment-count", "member 4 signs a package with 2 coefficients, the threshold is 3",
            expect: "wrong-commitment-count", culprits: [4], round1: wrongCount, shares: shares)
        add("dkg-missing-participant", "member 1's round-1 package is missing", expect: "missing-participant", culprits: [1],
            round1: Array(round1.dropFirst()), shares: shares)
        add("dkg-forged-package-ignored",
            "besides member 2's real package, one claiming to be member 2's but not signed by it: ignored, the DKG finishes",
            expect: "success", round1: round1 + [unsigned(badPoP[1])], shares: shares)
        add("dkg-unsigned-package-only", "member 2's only package is not signed by member 2: it is missing, not blamed on a forger",
            expect: "missing-participant", culprits: [2], round1: [round1[0], unsigned(round1[1]), round1[2], round1[3]], shares: shares)
        add("dkg-equivocation", "member 2 signed two different packages", expect: "inconsistent-transcript", culprits: [2],
            round1: round1 + [badPoP[1]], shares: shares)
        add("dkg-undecodable-package-skipped", "a file that does not decode beside the four real packages",
            expect: "success", round1: round1 + [[0, 1, 0, 1, 3, 7]], shares: shares)
        // Member 1 seals to member 3 a share of another polynomial, and signs it.
        let (rogue, roguePackage) = try DKG.round1(roster: g.roster, keys: g.keys[0], randomness: g.random)
        var roguePackages = packages
        roguePackages[0] = roguePackage
        let rogueShares = try DKG.round2(rogue, packages: roguePackages, randomness: g.random)
        guard let rogueShare = rogueShares.first(where: { $0.recipient == g.keys[2].id }) else { throw VectorFormatError("no rogue share") }
        let inconsistent = toMember3.map { $0.sender == 1 ? rogueShare.encoded : $0.encoded }
        add("dkg-inconsistent-share", "member 1 signs a share for member 3 that does not match its commitments", expect: "bad-share",
            culprits: [1], round1: round1, shares: inconsistent)
        let real1 = toMember3.first { $0.sender == 1 }!.encoded
        add("dkg-forged-share-ignored", "besides member 1's real share, a forged one not signed by member 1: ignored",
            expect: "success", round1: round1, shares: shares + [unsigned(rogueShare.encoded)])
        add("dkg-missing-share", "no share from member 1 reached member 3", expect: "missing-participant", culprits: [1],
            round1: round1, shares: shares.filter { $0 != real1 })
        add("dkg-two-shares-signed", "member 1 signed two different shares for member 3", expect: "bad-share", culprits: [1],
            round1: round1, shares: shares + [rogueShare.encoded])

        // Member 3's own package and state.
        let (_, second3) = try DKG.round1(roster: g.roster, keys: g.keys[2], randomness: g.random)
        add("dkg-own-package-not-mine", "the package under member 3's identifier is signed by member 3 but is not the one its state made",
            expect: "key-mismatch", round1: [round1[0], round1[1], second3.encoded, round1[3]], shares: shares)
        add("dkg-own-package-missing", "member 3's own package is missing: member 3 names itself", expect: "missing-participant",
            culprits: [3], round1: [round1[0], round1[1], round1[3]], shares: shares)
        add("dkg-state-of-another-member", "member 3 is given member 2's DKG state file", expect: "wrong-recipient", round1: round1,
            shares: shares, state: secrets[1])
        // Check order, and messages that are not this member's business.
        add("dkg-round1-first-failing-check",
            "member 1's package is missing and member 2's proof of possession fails: only the first failing check is reported",
            expect: "missing-participant", culprits: [1], round1: Array(badPoP.dropFirst()), shares: shares)
        let otherAttempt = try variant(of: g.roster, ceremony: 0x5A)
        let (_, foreign2) = try DKG.round1(roster: otherAttempt, keys: g.keys[1], randomness: g.random)
        add("dkg-other-ceremony-package-ignored",
            "beside the four packages, member 2's genuine package of another attempt (another ceremony nonce): ignored",
            expect: "success", round1: round1 + [foreign2.encoded], shares: shares)
        let oneToTwo = sealed.first { $0.sender == 1 && $0.recipient == g.keys[1].id }!.encoded
        add("dkg-share-for-another-member-ignored", "beside member 3's shares, member 1's share for member 2: not for member 3, ignored",
            expect: "success", round1: round1, shares: shares + [oneToTwo])
        let (rogue2, roguePackage2) = try DKG.round1(roster: g.roster, keys: g.keys[1], randomness: g.random)
        var rogue2Packages = packages
        rogue2Packages[1] = roguePackage2
        let bad2 = try DKG.round2(rogue2, packages: rogue2Packages, randomness: g.random).first { $0.recipient == g.keys[2].id }!.encoded
        let real2 = toMember3.first { $0.sender == 2 }!.encoded
        add("dkg-missing-before-bad-share",
            "no share from member 1, and member 2 signs a share that does not match its commitments: missing-participant comes first",
            expect: "missing-participant", culprits: [1], round1: round1, shares: shares.filter { $0 != real1 && $0 != real2 } + [bad2])

        func decode(_ name: String, _ description: String, expect: String, _ bytes: [UInt8]) {
            list.append(decodeScenario(name, description, expect: expect, type: "round1", bytes, roster: g.roster))
        }
        let p1 = round1[0]
        decode("decode-round1-success", "member 1's round-1 package (type 0x03)", expect: "success", p1)
        decode("decode-round1-zero-member", "member 0", expect: "zero-identifier", patched(p1, at: 37, [0, 0]))
        decode("decode-round1-empty-commitment", "a commitment count of 0", expect: "malformed", patched(p1, at: 39, [0]))
        decode("decode-round1-z-not-below-n", "z = n", expect: "malformed", patched(p1, at: p1.count - 96, groupOrder))
        return (g, dkgKey)
    }

    /// The package with its signature made again by `keys` (a member signing a bad package).
    static func resigned(_ p: DKG.Round1Package, with keys: MemberKeys) -> [UInt8] { signed(p.body, by: keys.signingKey) }

    /// Returns the members' shares of the dealing.
    static func openingScenarios(_ list: inout [Scenario], _ d: Setup, _ dealing: TrustedDealer.Dealing) throws -> [SecretShare] {
        // Threshold decryption, 2-of-3 from the dealing.
        let shares = try dealing.shares.map {
            try TrustedDealer.receive($0, dealing: dealing.message, roster: d.roster, keys: d.keys[Int($0.recipient.value) - 1]).share
        }
        let openingID = SHA256.hash(Array("sealbid committee vectors opening".utf8))
        let otherOpening = SHA256.hash(Array("another opening".utf8))
        let encs = try (0..<2).map { _ in HPKE.EncapsulatedKey(publicKey: try HPKE.PrivateKey(scalar: d.random.next()).publicKey) }
        func contribution(_ i: Int, _ e: [HPKE.EncapsulatedKey], opening: [UInt8] = openingID) throws -> DecryptionShares {
            try DecryptionShares.create(
                share: shares[i], keys: d.keys[i], stageKey: dealing.stageKey, openingID: opening, encapsulatedKeys: e, randomness: d.random)
        }
        let contributions = try (0..<3).map { try contribution($0, encs) }
        let released = try (0..<3).map { try ReleasedShare.release(share: shares[$0], keys: d.keys[$0], roster: d.roster, openingID: openingID) }
        let whole = try Reconstruction.reconstruct(stageKey: dealing.stageKey, openingID: openingID, released: released).privateKey
        let expected = try encs.map { try $0.publicKey.point.sharedSecret(privateScalar: whole.scalar).unsafeCopy().hexString }
        func add(
            _ name: String, _ description: String, expect: String, culprits: [UInt16] = [], using: [[UInt8]], secrets: [String]? = nil,
            participants: [UInt16] = [], ignored: Int = 0, asked: [HPKE.EncapsulatedKey]? = nil
        ) {
            var v = base("combine", description, expect: expect, culprits: culprits, roster: d.roster.encoded)
            v.stage_key = dealing.stageKey.encoded.hexString
            v.opening_id = openingID.hexString
            v.encapsulated_keys = (asked ?? encs).map { $0.rawRepresentation.hexString }
            v.decryption_shares = using.map(\.hexString)
            if expect == "success" {
                v.shared_secrets = secrets ?? expected
                v.participants = participants
                v.ignored = ignored
            }
            list.append(Scenario(name: name, vector: v))
        }
        let c = contributions.map(\.encoded)
        add("combine-success", "members 2 and 3 combine; the result is the whole-key DH value", expect: "success", using: [c[1], c[2]],
            participants: [2, 3])
        let bad = try contributions[0].dishonest(keys: d.keys[0]).encoded
        add("combine-bad-proof-named", "member 1 signs shares whose proof fails: member 1 is named and 2, 3 open", expect: "success",
            culprits: [1], using: [bad, c[1], c[2]], participants: [2, 3])
        add("combine-unsigned-ignored", "a contribution claiming to be member 1's, not signed by member 1: ignored, nobody named",
            expect: "success", using: [unsigned(bad), c[1], c[2]], participants: [2, 3], ignored: 1)
        add("combine-too-few", "member 1's signed proof fails and only member 2 is left", expect: "too-few-shares", culprits: [1],
            using: [bad, c[1]])
        add("combine-other-opening-ignored", "member 1's genuine shares for another opening: ignored, not blamed", expect: "success",
            using: [try contribution(0, encs, opening: otherOpening).encoded, c[1], c[2]], participants: [2, 3], ignored: 1)
        var offCurve = c[2]
        offCurve[5 + 32 + 32 + 2 + 4 + 65 + 64] ^= 1  // one bit of D_{3,1}'s Y coordinate: off the curve
        add("combine-undecodable-skipped", "a contribution that does not decode (a point off the curve) is skipped", expect: "success",
            using: [c[0], offCurve, c[1]], participants: [1, 2], ignored: 1)
        add("combine-partial-coverage-named",
            "member 3 signs shares for this opening that leave out the second envelope (a silent veto): named; 1 and 2 open both",
            expect: "success", culprits: [3], using: [c[0], c[1], try contribution(2, [encs[0]]).encoded], participants: [1, 2])
        add("combine-unasked-envelope-named", "member 2 signs shares that cover an envelope nobody asked for: named", expect: "success",
            culprits: [2], using: [c[0], try contribution(1, encs + [HPKE.EncapsulatedKey(publicKey: try HPKE.PrivateKey(scalar: d.random.next()).publicKey)]).encoded, c[2]],
            participants: [1, 3])

        // Reconstruction.
        func addReconstruct(
            _ name: String, _ description: String, expect: String, culprits: [UInt16] = [], released: [[UInt8]], participants: [UInt16] = [],
            ignored: Int = 0
        ) {
            var v = base("reconstruct", description, expect: expect, culprits: culprits, roster: d.roster.encoded)
            v.stage_key = dealing.stageKey.encoded.hexString
            v.opening_id = openingID.hexString
            v.released_shares = released.map(\.hexString)
            if expect == "success" {
                v.private_key = whole.rawRepresentation.hexString
                v.participants = participants
                v.ignored = ignored
            }
            list.append(Scenario(name: name, vector: v))
        }
        let r = released.map { $0.encoded.unsafeCopy() }
        let wrong1 = try ReleasedShare.release(
            share: SecretShare(id: shares[0].id, value: shares[0].value + .one), keys: d.keys[0], roster: d.roster, openingID: openingID
        ).encoded.unsafeCopy()
        addReconstruct("reconstruct-success", "members 1 and 3 release their shares", expect: "success", released: [r[0], r[2]],
            participants: [1, 3])
        addReconstruct("reconstruct-bad-share-named", "member 1 signs a wrong share: named; 2 and 3 reconstruct", expect: "success",
            culprits: [1], released: [wrong1, r[1], r[2]], participants: [2, 3])
        addReconstruct("reconstruct-unsigned-ignored", "a released share not signed by its member: ignored", expect: "success",
            released: [unsigned(wrong1), r[1], r[2]], participants: [2, 3], ignored: 1)
        addReconstruct("reconstruct-other-opening-ignored", "member 1's share released for another opening: ignored", expect: "success",
            released: [try ReleasedShare.release(share: shares[0], keys: d.keys[0], roster: d.roster, openingID: otherOpening).encoded.unsafeCopy(), r[1], r[2]],
            participants: [2, 3], ignored: 1)
        addReconstruct("reconstruct-too-few", "one good share of the two needed", expect: "too-few-shares", culprits: [1], released: [wrong1, r[2]])

        // Combining: the batch asked, the order of a contribution's envelopes, copies, and what is ignored or named.
        add("combine-empty-batch", "an opening that asks for no envelope", expect: "malformed", using: [c[0], c[1]], asked: [])
        add("combine-duplicate-enc-asked", "the same enc asked twice", expect: "malformed", using: [c[0], c[1]], asked: [encs[0], encs[0]])
        add("combine-t-smallest", "all three members' shares are valid: the t = 2 smallest identifiers, 1 and 2, are combined",
            expect: "success", using: [c[2], c[0], c[1]], participants: [1, 2])
        add("combine-identical-copies", "member 2's contribution twice (the same bytes) and member 3's: the copy is considered once",
            expect: "success", using: [c[1], c[1], c[2]], participants: [2, 3])
        add("combine-envelope-order-free", "member 2 lists the envelopes in the other order: accepted; the DH values come in the order asked",
            expect: "success", using: [c[0], try contribution(1, encs.reversed()).encoded], participants: [1, 2])
        let (from1, from3) = (contributions[0], contributions[2])
        let repeatedE = from3.encapsulatedKeys + [from3.encapsulatedKeys[0]], repeatedD = from3.shares + [from3.shares[0]]
        let repeatedProof = try DLEQ.prove(
            key: shares[2].value, A: .generator, B: dealing.stageKey.verificationShare(shares[2].id), C: repeatedE, D: repeatedD,
            context: Array("sealbid/committee-v1 dleq".utf8) + [0] + d.roster.digest, nonce: d.random.next())
        add("combine-repeated-enc-named", "member 3 signs shares with a valid proof over E_1, E_2, E_1 (E_1 twice): named; 1 and 2 open",
            expect: "success", culprits: [3],
            using: [c[0], c[1], resigned(from3, encapsulatedKeys: repeatedE, shares: repeatedD, proof: repeatedProof, by: d.keys[2])],
            participants: [1, 2])
        let garbage = signed(Array(c[2].prefix(71)) + [0, 0, 0, 0] + from3.proof.rawRepresentation, by: d.keys[2].signingKey)
        add("combine-undecodable-signed-named",
            "member 3 signs a file for this roster and opening that does not decode (a count of 0): named, and its valid shares are not used",
            expect: "success", culprits: [3], using: [c[0], c[1], c[2], garbage], participants: [1, 2])
        add("combine-too-few-names-undecodable-signer", "member 1's valid shares and member 3's signed undecodable file: too few; member 3 named",
            expect: "too-few-shares", culprits: [3], using: [c[0], garbage])
        let otherAttempt = try variant(of: d.roster, ceremony: 0xA5)
        add("combine-other-roster-ignored", "member 1 signs its shares for another roster (another ceremony of this stage): ignored, not blamed",
            expect: "success", using: [resigned(from1, rosterDigest: otherAttempt.digest, by: d.keys[0]), c[1], c[2]], participants: [2, 3],
            ignored: 1)
        add("combine-non-member-ignored", "a contribution naming member 9, who is not in the roster: ignored", expect: "success",
            using: [resigned(from1, member: 9, by: d.keys[0]), c[1], c[2]], participants: [2, 3], ignored: 1)

        // Reconstruction: the t smallest, another roster, a zero share, a signed share that does not decode.
        addReconstruct("reconstruct-t-smallest", "all three members release: the t = 2 smallest identifiers, 1 and 2, are used",
            expect: "success", released: [r[2], r[0], r[1]], participants: [1, 2])
        let foreign = try ReleasedShare.release(share: shares[0], keys: d.keys[0], roster: otherAttempt, openingID: openingID).encoded.unsafeCopy()
        addReconstruct("reconstruct-other-roster-ignored", "member 1's share released under another roster (another ceremony): ignored",
            expect: "success", released: [foreign, r[1], r[2]], participants: [2, 3], ignored: 1)
        let zero = try ReleasedShare.release(share: SecretShare(id: shares[0].id, value: .zero), keys: d.keys[0], roster: d.roster, openingID: openingID)
        addReconstruct("reconstruct-zero-share-named", "member 1 signs the share 0, which verifies against no Y_i: named", expect: "success",
            culprits: [1], released: [zero.encoded.unsafeCopy(), r[1], r[2]], participants: [2, 3])
        let notAScalar = signed(Array(r[0].prefix(71)) + groupOrder, by: d.keys[0].signingKey)
        addReconstruct("reconstruct-undecodable-signed-ignored",
            "member 1 signs a released share whose value is n (not a scalar): it does not decode, and is ignored, not named",
            expect: "success", released: [notAScalar, r[1], r[2]], participants: [2, 3], ignored: 1)

        func decode(_ name: String, _ description: String, expect: String, type: String, _ bytes: [UInt8]) {
            list.append(decodeScenario(name, description, expect: expect, type: type, bytes, roster: d.roster))
        }
        decode("decode-decryption-shares-success", "member 1's decryption shares (type 0x05)", expect: "success", type: "decryption-shares", c[0])
        decode("decode-decryption-shares-count-zero", "m = 0", expect: "malformed", type: "decryption-shares", patched(c[0], at: 71, [0, 0, 0, 0]))
        decode("decode-decryption-shares-count-above-limit", "m = 65536, above the limit of 65535 (and the file holds 2 pairs)",
            expect: "malformed", type: "decryption-shares", patched(c[0], at: 71, [0, 1, 0, 0]))
        decode("decode-decryption-shares-off-curve", "D_{3,1} off the curve", expect: "malformed", type: "decryption-shares", offCurve)
        decode("decode-decryption-shares-proof-not-scalar", "the proof's challenge is n", expect: "malformed", type: "decryption-shares",
            patched(c[0], at: c[0].count - 128, groupOrder))
        decode("decode-released-share-success", "member 1's released share (type 0x08)", expect: "success", type: "released-share", r[0])
        decode("decode-released-share-wrong-length", "166 bytes", expect: "malformed", type: "released-share", Array(r[0].dropLast()))
        decode("decode-released-share-wrong-type", "type 0x05 in a released share's place", expect: "malformed", type: "released-share",
            patched(r[0], at: 4, [5]))
        decode("decode-released-share-zero-identifier", "member 0", expect: "zero-identifier", type: "released-share", patched(r[0], at: 69, [0, 0]))
        decode("decode-released-share-not-a-scalar", "s = n", expect: "malformed", type: "released-share", patched(r[0], at: 71, groupOrder))
        return shares
    }

    /// `c` with some fields changed, signed again by `keys` (a member signing what it should not).
    static func resigned(
        _ c: DecryptionShares, rosterDigest: [UInt8]? = nil, member: MemberID? = nil, encapsulatedKeys: [P256Point]? = nil,
        shares: [P256Point]? = nil, proof: DLEQProof? = nil, by keys: MemberKeys
    ) -> [UInt8] {
        signed(
            DecryptionShares(
                rosterDigest: rosterDigest ?? c.rosterDigest, openingID: c.openingID, member: member ?? c.member,
                encapsulatedKeys: encapsulatedKeys ?? c.encapsulatedKeys, shares: shares ?? c.shares, proof: proof ?? c.proof,
                signature: c.signature
            ).body, by: keys.signingKey)
    }

    static func confirmScenarios(_ list: inout [Scenario], _ g: Setup, _ dkgKey: StageKey) throws {
        let signatures = g.keys.map { TranscriptSignature(stageKey: dkgKey, keys: $0).encoded }
        func add(_ name: String, _ description: String, expect: String, culprits: [UInt16] = [], stageKey: StageKey, _ s: [[UInt8]]) {
            var v = base("confirm", description, expect: expect, culprits: culprits, roster: g.roster.encoded)
            v.stage_key = stageKey.encoded.hexString
            v.signatures = s.map(\.hexString)
            list.append(Scenario(name: name, vector: v))
        }
        add("confirm-success", "all four members signed the same stage key", expect: "success", stageKey: dkgKey, signatures)
        let split = StageKey(roster: g.roster, commitment: dkgKey.commitment, transcriptHash: SHA256.hash(Array("another view".utf8)))
        add("confirm-split-view", "member 4 signed a stage key from a different view of round 1", expect: "inconsistent-transcript",
            culprits: [4], stageKey: dkgKey, Array(signatures.prefix(3)) + [TranscriptSignature(stageKey: split, keys: g.keys[3]).encoded])
        // The members signed the real stage key; the file shown to bidders carries other commitments.
        var points = dkgKey.commitment.points
        points[0] = points[1]
        let swapped = StageKey(roster: g.roster, commitment: VSSCommitment(points: points), transcriptHash: dkgKey.transcriptHash)
        add("confirm-swapped-stage-key", "a stage key file with other commitments but the real transcript hash: nobody signed it",
            expect: "inconsistent-transcript", culprits: [1, 2, 3, 4], stageKey: swapped, signatures)
        add("confirm-missing-signature", "member 2 did not sign; a forged signature in its name does not count",
            expect: "missing-participant", culprits: [2], stageKey: dkgKey,
            [signatures[0], unsigned(signatures[1]), signatures[2], signatures[3]])
        add("confirm-split-and-missing", "member 4 signed another stage key and member 2 did not sign: inconsistent-transcript comes first",
            expect: "inconsistent-transcript", culprits: [4], stageKey: dkgKey,
            [signatures[0], signatures[2], TranscriptSignature(stageKey: split, keys: g.keys[3]).encoded])

        func decode(_ name: String, _ description: String, expect: String, type: String, _ bytes: [UInt8], roster: CommitteeRoster? = nil) {
            list.append(decodeScenario(name, description, expect: expect, type: type, bytes, roster: roster ?? g.roster))
        }
        let key = dkgKey.encoded
        decode("decode-stage-key-success", "the DKG's stage key (type 0x04)", expect: "success", type: "stage-key", key)
        decode("decode-stage-key-other-roster", "the stage key decoded for another roster (another ceremony nonce)", expect: "malformed",
            type: "stage-key", key,
            roster: try variant(of: g.roster, ceremony: 0x5A))
        decode("decode-stage-key-wrong-count", "2 commitments for threshold 3", expect: "malformed", type: "stage-key",
            patched(Array(key.prefix(38 + 2 * 65)) + Array(key.suffix(32)), at: 37, [2]))
        decode("decode-transcript-signature-success", "member 1's transcript signature (type 0x06)", expect: "success",
            type: "transcript-signature", signatures[0])
        decode("decode-transcript-signature-zero-member", "member 0", expect: "zero-identifier", type: "transcript-signature",
            patched(signatures[0], at: 37, [0, 0]))
        decode("decode-transcript-signature-trailing-byte", "one byte after the signature", expect: "malformed", type: "transcript-signature",
            signatures[0] + [0])
    }
}
