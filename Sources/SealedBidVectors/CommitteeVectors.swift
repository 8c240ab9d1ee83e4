import Foundation
import SealedBidCommittee
import SealedBidHPKE
import SealedBidPrimitives

/// `TestVectors/committee/`: dealing, DKG, decryption-share combination,
/// reconstruction and transcript confirmation, successes and failures, one
/// scenario per file (format in TestVectors/committee/README.md).
public enum CommitteeVectors {
    public static let format = "sealbid-committee-vectors-v1"

    struct Member: Codable {
        let id: UInt16
        let hpke_private_key: String
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
        var sealed_share: String? = nil
        var dkg_state: String? = nil
        var round1: [String]? = nil
        var shares: [String]? = nil
        var encapsulated_keys: [String]? = nil
        var decryption_shares: [String]? = nil
        var released_shares: [String]? = nil
        var signatures: [String]? = nil
        // Expected outputs.
        var share: String? = nil
        var expected_stage_key: String? = nil
        var shared_secrets: [String]? = nil
        var participants: [UInt16]? = nil
        var private_key: String? = nil
    }

    // MARK: Checking

    static func outcome(_ v: Vector) -> (code: String, culprits: [UInt16], outputsOK: Bool) {
        do {
            let roster = try CommitteeRoster(encoded: Hex.decode(v.roster))
            func stageKey() throws -> StageKey { try StageKey(encoded: Hex.decode(v.stage_key ?? ""), roster: roster) }
            func memberKeys() throws -> MemberKeys {
                guard let m = v.member else { throw VectorFormatError("member missing") }
                return MemberKeys(id: try MemberID(m.id), encryptionKey: try HPKE.PrivateKey(rawRepresentation: Hex.decode(m.hpke_private_key)))
            }
            switch v.kind {
            case "dealing":
                let share = try TrustedDealer.receive(
                    SealedShare(encoded: Hex.decode(v.sealed_share ?? "")), stageKey: stageKey(), keys: memberKeys())
                return ("success", [], share.value.rawRepresentation.hexString == v.share)
            case "dkg-finish":
                let keys = try memberKeys()
                let secret = try DKG.Round1Secret(
                    fileRepresentation: SecureBytes(copying: Hex.decode(v.dkg_state ?? "")), roster: roster, keys: keys)
                let (share, key) = try DKG.finish(
                    secret, packages: (v.round1 ?? []).map { try DKG.Round1Package(encoded: Hex.decode($0)) },
                    shares: (v.shares ?? []).map { try SealedShare(encoded: Hex.decode($0)) })
                return ("success", [], share.value.rawRepresentation.hexString == v.share && key.encoded.hexString == v.expected_stage_key)
            case "combine":
                let encs = try (v.encapsulated_keys ?? []).map { try HPKE.EncapsulatedKey(rawRepresentation: Hex.decode($0)) }
                let result = try ThresholdCombiner.combine(
                    stageKey: stageKey(), encapsulatedKeys: encs,
                    contributions: (v.decryption_shares ?? []).map { try DecryptionShares(encoded: Hex.decode($0)) })
                let ok = result.sharedSecrets.map { $0.unsafeCopy().hexString } == v.shared_secrets
                    && result.participants.map(\.value) == v.participants
                return ("success", result.culprits.map(\.value), ok)
            case "reconstruct":
                let key = try stageKey()
                let shares = try (v.released_shares ?? []).map {
                    try SecretShare(fileRepresentation: SecureBytes(copying: Hex.decode($0)), roster: roster)
                }
                let result = try Reconstruction.reconstruct(stageKey: key, shares: shares)
                return ("success", result.culprits.map(\.value), result.privateKey.rawRepresentation.hexString == v.private_key)
            case "confirm":
                try DKG.confirm(stageKey: stageKey(), signatures: (v.signatures ?? []).map { try TranscriptSignature(encoded: Hex.decode($0)) })
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
        let roster: CommitteeRoster

        init(seed: String, t: Int, n: Int) throws {
            random = ScalarSource.deterministic(seed: seed)
            let stream = DeterministicBytes(seed: seed)
            keys = try (1...n).map { i in
                MemberKeys(
                    id: try MemberID(UInt16(i)), encryptionKey: try HPKE.PrivateKey.derive(fromIKM: stream.next()),
                    signingKey: try Ed25519PrivateKey(seed: SecureBytes(copying: stream.next())))
            }
            roster = try CommitteeRoster(committee: "LPSE-2026-0042", stage: "technical", threshold: t, members: keys.map(\.card))
        }

        func member(_ index: Int) -> Member {
            Member(id: keys[index].id.value, hpke_private_key: keys[index].encryptionKey.rawRepresentation.hexString)
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

    static func base(_ kind: String, _ description: String, expect: String, culprits: [UInt16] = [], roster: CommitteeRoster) -> Vector {
        Vector(format: format, kind: kind, description: description, expect: expect, culprits: culprits.isEmpty ? nil : culprits, roster: roster.encoded.hexString)
    }

    static func scenarios() throws -> [Scenario] {
        var list: [Scenario] = []

        // Dealing.
        let d = try Setup(seed: "dealing", t: 2, n: 3)
        let dealing = try TrustedDealer.deal(roster: d.roster, randomness: d.random)
        let other = try TrustedDealer.deal(roster: d.roster, randomness: d.random)
        let share1 = try TrustedDealer.receive(dealing.shares[0], stageKey: dealing.stageKey, keys: d.keys[0])
        func dealingVector(_ name: String, _ description: String, expect: String, sealed: SealedShare, stageKey: StageKey, member: Int) {
            var v = base("dealing", description, expect: expect, roster: d.roster)
            v.stage_key = stageKey.encoded.hexString
            v.member = d.member(member)
            v.sealed_share = sealed.encoded.hexString
            if expect == "success" { v.share = share1.value.rawRepresentation.hexString }
            list.append(Scenario(name: name, vector: v))
        }
        dealingVector("dealing-success", "member 1 opens and verifies its dealt share", expect: "success", sealed: dealing.shares[0], stageKey: dealing.stageKey, member: 0)
        dealingVector("dealing-other-dealing", "a share from another dealing does not match these commitments", expect: "bad-dealer-share", sealed: other.shares[0], stageKey: dealing.stageKey, member: 0)
        dealingVector("dealing-wrong-recipient", "member 2 is given member 1's share", expect: "wrong-recipient", sealed: dealing.shares[0], stageKey: dealing.stageKey, member: 1)
        var tampered = dealing.shares[0].encoded
        tampered[tampered.count - 1] ^= 1
        dealingVector("dealing-tampered", "one bit of the sealed share flipped", expect: "bad-dealer-share", sealed: try SealedShare(encoded: tampered), stageKey: dealing.stageKey, member: 0)

        // DKG, seen by member 3 (index 2) of a 3-of-4 committee.
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
        func dkgVector(_ name: String, _ description: String, expect: String, culprits: [UInt16] = [], round1: [DKG.Round1Package], shares: [SealedShare]) {
            var v = base("dkg-finish", description, expect: expect, culprits: culprits, roster: g.roster)
            v.member = g.member(2)
            v.dkg_state = secrets[2].fileRepresentation.unsafeCopy().hexString
            v.round1 = round1.map { $0.encoded.hexString }
            v.shares = shares.map { $0.encoded.hexString }
            if expect == "success" {
                v.share = dkgShare.value.rawRepresentation.hexString
                v.expected_stage_key = dkgKey.encoded.hexString
            }
            list.append(Scenario(name: name, vector: v))
        }
        dkgVector("dkg-success", "member 3 finishes a 3-of-4 DKG", expect: "success", round1: packages, shares: toMember3)
        let p2 = packages[1]
        var badPoP = packages
        badPoP[1] = try DKG.Round1Package(encoded: Array(p2.encoded.dropLast(32)) + (p2.proofZ + .one).rawRepresentation)
        dkgVector("dkg-bad-proof-of-possession", "member 2's proof of possession is wrong", expect: "bad-proof-of-possession", culprits: [2], round1: badPoP, shares: toMember3)
        var wrongCount = packages
        wrongCount[3] = try forgedPackage(packages[3], keepingPoints: 2)
        dkgVector("dkg-wrong-commitment-count", "member 4 commits to 2 coefficients, the threshold is 3", expect: "wrong-commitment-count", culprits: [4], round1: wrongCount, shares: toMember3)
        dkgVector("dkg-missing-participant", "member 1's round-1 package is missing", expect: "missing-participant", round1: Array(packages.dropFirst()), shares: toMember3)
        // Member 1 seals to member 3 a share of another polynomial.
        let (rogue, roguePackage) = try DKG.round1(roster: g.roster, keys: g.keys[0], randomness: g.random)
        // The rogue polynomial's shares are sealed as round 2 would; only the one for member 3 is used.
        var roguePackages = packages
        roguePackages[0] = roguePackage
        let rogueShares = try DKG.round2(rogue, packages: roguePackages, randomness: g.random)
        guard let rogueShare = rogueShares.first(where: { $0.recipient == g.keys[2].id }) else { throw VectorFormatError("no rogue share") }
        let inconsistent: [SealedShare] = toMember3.map { share in share.sender == 1 ? rogueShare : share }
        dkgVector("dkg-inconsistent-share", "member 1 sends member 3 a share that does not match its commitments", expect: "bad-share", culprits: [1], round1: packages, shares: inconsistent)

        // Threshold decryption, 2-of-3 from the dealing.
        let shares = try dealing.shares.map { try TrustedDealer.receive($0, stageKey: dealing.stageKey, keys: d.keys[Int($0.recipient.value) - 1]) }
        let encs = try (0..<2).map { _ in HPKE.EncapsulatedKey(publicKey: try HPKE.PrivateKey(scalar: d.random.next()).publicKey) }
        let contributions = try shares.map { try DecryptionShares.create(share: $0, stageKey: dealing.stageKey, encapsulatedKeys: encs, randomness: d.random) }
        let whole = try Reconstruction.reconstruct(stageKey: dealing.stageKey, shares: shares).privateKey
        let expectedSecrets = try encs.map { try $0.publicKey.point.sharedSecret(privateScalar: whole.scalar).unsafeCopy().hexString }
        func combineVector(_ name: String, _ description: String, expect: String, culprits: [UInt16] = [], using: [DecryptionShares], participants: [UInt16]) {
            var v = base("combine", description, expect: expect, culprits: culprits, roster: d.roster)
            v.stage_key = dealing.stageKey.encoded.hexString
            v.encapsulated_keys = encs.map { $0.rawRepresentation.hexString }
            v.decryption_shares = using.map { $0.encoded.hexString }
            if expect == "success" {
                v.shared_secrets = expectedSecrets
                v.participants = participants
            }
            list.append(Scenario(name: name, vector: v))
        }
        combineVector("combine-success", "members 2 and 3 combine; the result is the whole-key DH value", expect: "success", using: [contributions[1], contributions[2]], participants: [2, 3])
        var badProof = contributions[0].encoded
        badProof[badProof.count - 1] ^= 1
        let bad = try DecryptionShares(encoded: badProof)
        combineVector("combine-bad-proof-named", "member 1's proof fails: member 1 is named and 2, 3 open", expect: "success", culprits: [1], using: [bad, contributions[1], contributions[2]], participants: [2, 3])
        combineVector("combine-too-few", "member 1's proof fails and only member 2 is left", expect: "too-few-shares", culprits: [1], using: [bad, contributions[1]], participants: [])
        var wrongShare = contributions[2].encoded
        wrongShare[5 + 32 + 2 + 4 + 65 + 64] ^= 1  // one bit of D_{3,1}'s Y coordinate: off the curve
        var malformed = base("combine", "a decryption share that is not a curve point", expect: "malformed", roster: d.roster)
        malformed.stage_key = dealing.stageKey.encoded.hexString
        malformed.encapsulated_keys = encs.map { $0.rawRepresentation.hexString }
        malformed.decryption_shares = [contributions[1].encoded.hexString, wrongShare.hexString]
        list.append(Scenario(name: "combine-malformed", vector: malformed))

        // Reconstruction.
        func reconstructVector(_ name: String, _ description: String, expect: String, culprits: [UInt16] = [], released: [SecretShare]) {
            var v = base("reconstruct", description, expect: expect, culprits: culprits, roster: d.roster)
            v.stage_key = dealing.stageKey.encoded.hexString
            v.released_shares = released.map { $0.fileRepresentation(roster: d.roster).unsafeCopy().hexString }
            if expect == "success" { v.private_key = whole.rawRepresentation.hexString }
            list.append(Scenario(name: name, vector: v))
        }
        let wrong1 = SecretShare(id: shares[0].id, value: shares[0].value + .one)
        reconstructVector("reconstruct-success", "members 1 and 3 release their shares", expect: "success", released: [shares[0], shares[2]])
        reconstructVector("reconstruct-bad-share-named", "member 1 releases a wrong share: named; 2 and 3 reconstruct", expect: "success", culprits: [1], released: [wrong1, shares[1], shares[2]])
        reconstructVector("reconstruct-too-few", "one good share of the two needed", expect: "too-few-shares", culprits: [1], released: [wrong1, shares[2]])

        // Transcript confirmation for the DKG above.
        let signatures = zip(g.keys, [dkgKey, dkgKey, dkgKey, dkgKey]).map { TranscriptSignature(stageKey: $1, keys: $0) }
        var confirm = base("confirm", "all four members signed the same transcript", expect: "success", roster: g.roster)
        confirm.stage_key = dkgKey.encoded.hexString
        confirm.signatures = signatures.map { $0.encoded.hexString }
        list.append(Scenario(name: "confirm-success", vector: confirm))
        let split = StageKey(roster: g.roster, commitment: dkgKey.commitment, transcriptHash: SHA256.hash(Array("another view".utf8)))
        var splitView = base("confirm", "member 4 signed a transcript from a different view of round 1", expect: "inconsistent-transcript", culprits: [4], roster: g.roster)
        splitView.stage_key = dkgKey.encoded.hexString
        let splitSignatures: [TranscriptSignature] = Array(signatures.prefix(3)) + [TranscriptSignature(stageKey: split, keys: g.keys[3])]
        splitView.signatures = splitSignatures.map { $0.encoded.hexString }
        list.append(Scenario(name: "confirm-split-view", vector: splitView))
        return list
    }

    /// A package with only the first `keepingPoints` commitments (its proof stays valid for C_0).
    static func forgedPackage(_ p: DKG.Round1Package, keepingPoints count: Int) throws -> DKG.Round1Package {
        let encoded = CommitteeFormatAccess.prefixRound1 + p.rosterDigest + [UInt8(p.member.value >> 8), UInt8(p.member.value & 0xFF)]
            + [UInt8(count)] + p.commitment.points.prefix(count).flatMap(\.uncompressedRepresentation)
            + p.proofR.uncompressedRepresentation + p.proofZ.rawRepresentation
        return try DKG.Round1Package(encoded: encoded)
    }
}

/// The round-1 prefix `u16(1) || u16(1) || 0x03` (committee-v1).
enum CommitteeFormatAccess {
    static let prefixRound1: [UInt8] = [0, 1, 0, 1, 0x03]
}
