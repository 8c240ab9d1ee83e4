import Foundation
import SealedBidCommittee
import SealedBidHPKE
import SealedBidPrimitives

/// `TestVectors/committee/`: rosters, dealing, DKG, decryption-share combination,
/// reconstruction and stage-key confirmation, successes and failures, one
/// scenario per file (format in TestVectors/committee/README.md).
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
        var dealing: String? = nil
        var sealed_share: String? = nil
        var dkg_state: String? = nil
        var round1: [String]? = nil
        var shares: [String]? = nil
        var opening_id: String? = nil
        var encapsulated_keys: [String]? = nil
        var decryption_shares: [String]? = nil
        var released_shares: [String]? = nil
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
            switch v.kind {
            case "roster":
                return ("success", [], roster.encoded.hexString == v.roster)
            case "dealing":
                let (share, key) = try TrustedDealer.receive(
                    SealedShare(encoded: Hex.decode(v.sealed_share ?? "")), dealing: DealingMessage(encoded: Hex.decode(v.dealing ?? "")),
                    roster: roster, keys: memberKeys())
                return ("success", [], share.value.rawRepresentation.hexString == v.share && key.encoded.hexString == v.expected_stage_key)
            case "dkg-finish":
                let keys = try memberKeys()
                let secret = try DKG.Round1Secret(
                    fileRepresentation: SecureBytes(copying: Hex.decode(v.dkg_state ?? "")), roster: roster, keys: keys)
                // Messages that do not decode are nobody's: skipped, as a receiver does.
                let (share, key) = try DKG.finish(
                    secret, packages: (v.round1 ?? []).compactMap { try? DKG.Round1Package(encoded: Hex.decode($0)) },
                    shares: (v.shares ?? []).compactMap { try? SealedShare(encoded: Hex.decode($0)) })
                return ("success", [], share.value.rawRepresentation.hexString == v.share && key.encoded.hexString == v.expected_stage_key)
            case "combine":
                let encs = try (v.encapsulated_keys ?? []).map { try HPKE.EncapsulatedKey(rawRepresentation: Hex.decode($0)) }
                let contributions = (v.decryption_shares ?? []).compactMap { try? DecryptionShares(encoded: Hex.decode($0)) }
                let undecodable = (v.decryption_shares ?? []).count - contributions.count
                let result = try ThresholdCombiner.combine(
                    stageKey: stageKey(), openingID: openingID(), encapsulatedKeys: encs, contributions: contributions)
                let ok = result.sharedSecrets.map { $0.unsafeCopy().hexString } == v.shared_secrets
                    && result.participants.map(\.value) == v.participants && result.ignored + undecodable == (v.ignored ?? 0)
                return ("success", result.culprits.map(\.value), ok)
            case "reconstruct":
                let released = (v.released_shares ?? []).compactMap { try? ReleasedShare(encoded: SecureBytes(copying: Hex.decode($0))) }
                let undecodable = (v.released_shares ?? []).count - released.count
                let result = try Reconstruction.reconstruct(stageKey: stageKey(), openingID: openingID(), released: released)
                return (
                    "success", result.culprits.map(\.value),
                    result.privateKey.rawRepresentation.hexString == v.private_key && result.ignored + undecodable == (v.ignored ?? 0)
                )
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

    static func scenarios() throws -> [Scenario] {
        var list: [Scenario] = []
        try rosterScenarios(&list)
        let d = try Setup(seed: "dealing", t: 2, n: 3, dealer: true)
        let dealing = try TrustedDealer.deal(roster: d.roster, dealerKey: d.dealerKey, randomness: d.random)
        try dealingScenarios(&list, d, dealing)
        let (g, dkgKey) = try dkgScenarios(&list)
        try openingScenarios(&list, d, dealing)
        try confirmScenarios(&list, g, dkgKey)
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
    }

    static func dealingScenarios(_ list: inout [Scenario], _ d: Setup, _ dealing: TrustedDealer.Dealing) throws {
        let other = try TrustedDealer.deal(roster: d.roster, dealerKey: d.dealerKey, randomness: d.random)
        let (share1, key1) = try TrustedDealer.receive(dealing.shares[0], dealing: dealing.message, roster: d.roster, keys: d.keys[0])
        func add(_ name: String, _ description: String, expect: String, dealingBytes: [UInt8], sealed: [UInt8], member: Int) {
            var v = base("dealing", description, expect: expect, roster: d.roster.encoded)
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
        func add(_ name: String, _ description: String, expect: String, culprits: [UInt16] = [], round1: [[UInt8]], shares: [[UInt8]]) {
            var v = base("dkg-finish", description, expect: expect, culprits: culprits, roster: g.roster.encoded)
            v.member = g.member(2)
            v.dkg_state = secrets[2].fileRepresentation.unsafeCopy().hexString
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
        badPoP[1] = try resigned(badZ, with: g.keys[1])
        add("dkg-bad-proof-of-possession", "member 2 signs a package whose proof of possession is wrong",
            expect: "bad-proof-of-possession", culprits: [2], round1: badPoP, shares: shares)
        var wrongCount = round1
        let p4 = packages[3]
        wrongCount[3] = try resigned(
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
        return (g, dkgKey)
    }

    /// The package with its signature made again by `keys` (a member signing a bad package).
    static func resigned(_ p: DKG.Round1Package, with keys: MemberKeys) throws -> [UInt8] {
        let body = p.body
        return body + keys.signingKey.signature(for: Array("sealbid/committee-v1 message".utf8) + [0] + body).rawRepresentation
    }

    static func openingScenarios(_ list: inout [Scenario], _ d: Setup, _ dealing: TrustedDealer.Dealing) throws {
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
            participants: [UInt16] = [], ignored: Int = 0
        ) {
            var v = base("combine", description, expect: expect, culprits: culprits, roster: d.roster.encoded)
            v.stage_key = dealing.stageKey.encoded.hexString
            v.opening_id = openingID.hexString
            v.encapsulated_keys = encs.map { $0.rawRepresentation.hexString }
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
        func addReconstruct(_ name: String, _ description: String, expect: String, culprits: [UInt16] = [], released: [[UInt8]], ignored: Int = 0) {
            var v = base("reconstruct", description, expect: expect, culprits: culprits, roster: d.roster.encoded)
            v.stage_key = dealing.stageKey.encoded.hexString
            v.opening_id = openingID.hexString
            v.released_shares = released.map(\.hexString)
            if expect == "success" {
                v.private_key = whole.rawRepresentation.hexString
                v.ignored = ignored
            }
            list.append(Scenario(name: name, vector: v))
        }
        let r = released.map { $0.encoded.unsafeCopy() }
        let wrong1 = try ReleasedShare.release(
            share: SecretShare(id: shares[0].id, value: shares[0].value + .one), keys: d.keys[0], roster: d.roster, openingID: openingID
        ).encoded.unsafeCopy()
        addReconstruct("reconstruct-success", "members 1 and 3 release their shares", expect: "success", released: [r[0], r[2]])
        addReconstruct("reconstruct-bad-share-named", "member 1 signs a wrong share: named; 2 and 3 reconstruct", expect: "success",
            culprits: [1], released: [wrong1, r[1], r[2]])
        addReconstruct("reconstruct-unsigned-ignored", "a released share not signed by its member: ignored", expect: "success",
            released: [unsigned(wrong1), r[1], r[2]], ignored: 1)
        addReconstruct("reconstruct-other-opening-ignored", "member 1's share released for another opening: ignored", expect: "success",
            released: [try ReleasedShare.release(share: shares[0], keys: d.keys[0], roster: d.roster, openingID: otherOpening).encoded.unsafeCopy(), r[1], r[2]],
            ignored: 1)
        addReconstruct("reconstruct-too-few", "one good share of the two needed", expect: "too-few-shares", culprits: [1], released: [wrong1, r[2]])
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
    }
}
