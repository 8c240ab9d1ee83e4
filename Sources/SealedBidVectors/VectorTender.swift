import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// The tender the receipts, tender and report vectors share, made from fixed seeds: tender
/// `LPSE-2026-0042`, its log (the receipts vectors' key, named after its origin), deadline
/// 2027-01-15T09:00:00Z with 600 s of grace, two stages (`technical`, `price`) each held by a
/// 2-of-3 committee dealt deterministically, and three bidders with Ed25519 keys and one X.509
/// subject. Nothing here is secret: every key is derived from a published seed.
struct VectorTender {
    static let tenderID = "LPSE-2026-0042"
    static let origin = "lpse.example.go.id/portal/\(tenderID)"
    /// The receipts vectors' clock: 2027-01-15T08:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let deadline = start.addingTimeInterval(3600)
    static let grace = 600
    static var deadlineMS: UInt64 { UInt64(deadline.timeIntervalSince1970) * 1000 }
    static var endMS: UInt64 { deadlineMS + UInt64(grace) * 1000 }

    let logKey: Ed25519PrivateKey
    let signer: NoteSigner
    /// Member i + 1's keys and the seed of its Ed25519 key.
    let members: [MemberKeys]
    let memberSeeds: [[UInt8]]
    let stages: [StageKey]
    let bidderKeys: [(id: String, key: Ed25519PrivateKey)]
    let x509Bidder = ("BIDDER-3", "CN=PT Contoh Tiga,O=Contoh,C=ID")
    /// The descriptor with `timestamps none`.
    let tender: Tender

    init() throws {
        let seed = SHA256.hash(Array("sealbid receipts vectors v1".utf8))
        logKey = try Ed25519PrivateKey(seed: SecureBytes(copying: seed))
        signer = try NoteSigner(name: Self.origin, key: logKey)
        var counter: UInt8 = 0
        func next() -> [UInt8] {
            counter += 1
            return SHA256.hash(Array("sealbid tender vectors v1".utf8) + [counter])
        }
        var seeds: [[UInt8]] = []
        members = try (1...3).map { i in
            let hpke = try HPKE.PrivateKey.derive(fromIKM: next())
            let signing = next()
            seeds.append(signing)
            return MemberKeys(id: try MemberID(UInt16(i)), encryptionKey: hpke, signingKey: try Ed25519PrivateKey(seed: SecureBytes(copying: signing)))
        }
        memberSeeds = seeds
        let dealer = try Ed25519PrivateKey(seed: SecureBytes(copying: next()))
        var stageKeys: [StageKey] = []
        for stage in ["technical", "price"] {
            let roster = try CommitteeRoster(
                committee: Self.tenderID, stage: stage, threshold: 2, members: members.map(\.card), dealerKey: dealer.publicKey,
                ceremony: Array(next().prefix(16)))
            stageKeys.append(
                try TrustedDealer.deal(roster: roster, dealerKey: dealer, randomness: .deterministic(seed: "tender vectors \(stage)")).stageKey)
        }
        stages = stageKeys
        bidderKeys = try ["BIDDER-1", "BIDDER-2"].map { ($0, try Ed25519PrivateKey(seed: SecureBytes(copying: next()))) }
        tender = try Self.descriptor(signer: signer, stages: stages, bidderKeys: bidderKeys, x509: x509Bidder)
    }

    static func descriptor(
        signer: NoteSigner, stages: [StageKey], bidderKeys: [(id: String, key: Ed25519PrivateKey)], x509: (String, String),
        timestamps: Tender.TimestampPolicy = .none, tsaRoots: [X509Certificate] = [], witnesses: WitnessPolicy = .none
    ) throws -> Tender {
        var identities = try bidderKeys.map { BidderRegistry.Identity(bidder: try BidderID($0.id), kind: .ed25519($0.key.publicKey)) }
        identities.append(BidderRegistry.Identity(bidder: try BidderID(x509.0), kind: .x509Subject(x509.1)))
        return try Tender(
            id: TenderID(tenderID), deadline: deadline, grace: grace, maxBidBytes: 1 << 30, log: signer.verifier, witnesses: witnesses,
            timestamps: timestamps,
            tsaRoots: tsaRoots, stages: stages,
            envelopes: [(try EnvelopeName("technical"), try StageName("technical")), (try EnvelopeName("price"), try StageName("price"))],
            bidders: BidderRegistry(identities))
    }

    // MARK: Hand-made log objects (independent of the library's encoders, so the vectors check them)

    /// `— <name> base64(key ID || Ed25519 signature of text)` LF.
    static func signatureLine(_ text: String, name: String, key: Ed25519PrivateKey) -> String {
        let keyID = Array(SHA256.hash(Array(name.utf8) + [0x0A, 0x01] + key.publicKey.rawRepresentation).prefix(4))
        return "— \(name) \(Data(keyID + key.signature(for: Array(text.utf8)).rawRepresentation).base64EncodedString())\n"
    }

    /// A checkpoint body: origin, size, base64 root, extension lines.
    static func checkpointText(origin: String = origin, size: UInt64, root: [UInt8], extensions: [String] = []) -> String {
        ([origin, String(size), Data(root).base64EncodedString()] + extensions).map { $0 + "\n" }.joined()
    }

    /// The note `text`, a blank line, and a signature line by the log.
    func note(_ text: String) -> String { text + "\n" + Self.signatureLine(text, name: Self.origin, key: logKey) }

    /// `"sealbid-receipt-v1\n" || u32(len(entry)) || entry || u64(index) || u8(n) || hashes || u32(len(note)) || note || u32(len(token)) || token`.
    static func receiptBytes(entry: [UInt8], index: UInt64, proof: [[UInt8]], note: [UInt8], token: [UInt8] = []) -> [UInt8] {
        Array("sealbid-receipt-v1\n".utf8) + u32(entry.count) + entry + u64(index) + [UInt8(truncatingIfNeeded: proof.count)]
            + proof.flatMap { $0 } + u32(note.count) + note + u32(token.count) + token
    }

    /// `u16(1) || u8(kind) || lp8(tender) || lp8(bidder) || u64(received_at) || digest || u64(length)`, unchecked.
    static func entryBytes(
        version: UInt16 = 1, kind: UInt8, tender: String = tenderID, bidder: String, receivedAt: UInt64, digest: [UInt8], length: UInt64
    ) -> [UInt8] {
        [UInt8(version >> 8), UInt8(version & 0xFF), kind] + [UInt8(truncatingIfNeeded: tender.utf8.count)] + Array(tender.utf8)
            + [UInt8(truncatingIfNeeded: bidder.utf8.count)] + Array(bidder.utf8) + u64(receivedAt) + digest + u64(length)
    }

    /// `text` (base64 ending in '=' or '==') with the last data character's unused bits set: the
    /// same bytes to a lenient decoder, another spelling to a strict one.
    static func nonCanonicalBase64(_ text: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var chars = Array(text)
        let i = chars.lastIndex { $0 != "=" }!
        chars[i] = alphabet[alphabet.firstIndex(of: chars[i])! | 1]
        return String(chars)
    }

    static func u32(_ n: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(truncatingIfNeeded: n).bigEndian) { Array($0) } }
    static func u64(_ n: UInt64) -> [UInt8] { withUnsafeBytes(of: n.bigEndian) { Array($0) } }

    /// A tree of `entries`, and for `index` the receipt against a checkpoint of the whole tree
    /// carrying `extensions`, signed by the log.
    func receipt(_ entries: [[UInt8]], index: Int, extensions: [String] = [], token: [UInt8] = []) throws -> [UInt8] {
        var tree = MerkleTree()
        for entry in entries { tree.append(leafHash: MerkleTreeHash.leafHash(entry)) }
        let size = UInt64(entries.count)
        let text = Self.checkpointText(size: size, root: try tree.root(), extensions: extensions)
        return Self.receiptBytes(
            entry: entries[index], index: UInt64(index), proof: try tree.inclusionProof(index: UInt64(index), size: size),
            note: Array(note(text).utf8), token: token)
    }
}
