import Foundation
import Testing

@testable import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// A small tender run through the facade: a 2-of-3 committee per stage (an
/// in-process DKG), registered bidders, a portal on a manual clock, the closing.
final class TenderRun: @unchecked Sendable {
    let dir: String
    let technical = try! StageName("technical"), price = try! StageName("price")
    let technicalEnvelope = try! EnvelopeName("technical"), priceEnvelope = try! EnvelopeName("price")
    let members = (1...3).map { MemberKeys(id: MemberID(integerLiteral: UInt16($0))) }
    let shares: [String: [MemberID: SecretShare]]
    let stageKeys: [String: StageKey]
    let logKey = Ed25519PrivateKey()
    let tender: Tender
    let clock: ManualClock
    let portal: PortalService
    /// Each registered bidder's signing key.
    let keys: [String: Ed25519PrivateKey]
    var documents: [String: [UInt8]] = [:]

    var store: BidStore { portal.bids }
    var logPath: String { "\(dir)/portal/log.bin" }
    var signer: NoteSigner { try! NoteSigner(name: tender.origin, key: logKey) }

    init(
        bidders: Int = 5, submit: Bool = true, grace: Int = 0, maxBidBytes: UInt64 = 1 << 30, timestamps: Tender.TimestampPolicy = .none,
        tsaRoots: [X509Certificate] = [],
        start: Date = Date(timeIntervalSince1970: 1_900_000_000), timestamper: ((ManualClock) -> @Sendable ([UInt8]) throws -> [UInt8])? = nil
    ) async throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-tender-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var shares: [String: [MemberID: SecretShare]] = [:], stageKeys: [String: StageKey] = [:]
        for stage in ["technical", "price"] {
            let (key, stageShares) = try InProcessCeremony.dkg(members: members, committee: "T-42", stage: stage, threshold: 2)
            shares[stage] = stageShares
            stageKeys[stage] = key
        }
        self.shares = shares
        self.stageKeys = stageKeys
        var keys: [String: Ed25519PrivateKey] = [:]
        for i in 1...max(bidders, 1) { keys["BIDDER-\(i)"] = Ed25519PrivateKey() }
        self.keys = keys
        let registry = try BidderRegistry(
            keys.keys.sorted().map { BidderRegistry.Identity(bidder: try BidderID($0), kind: .ed25519(keys[$0]!.publicKey)) })
        clock = ManualClock(start)
        tender = try Tender(
            id: TenderID("T-42"), deadline: start.addingTimeInterval(3600), grace: grace, maxBidBytes: maxBidBytes,
            log: NoteVerifier(name: "portal.example/lpse/T-42", publicKey: logKey.publicKey), timestamps: timestamps, tsaRoots: tsaRoots,
            stages: [stageKeys["technical"]!, stageKeys["price"]!],
            envelopes: [(technicalEnvelope, technical), (priceEnvelope, price)], bidders: registry)
        let clock = self.clock
        portal = try await PortalService.create(
            tender: tender, directory: "\(dir)/portal", signer: try NoteSigner(name: tender.origin, key: logKey), clock: { clock.now },
            timestamper: timestamper?(clock))
        if submit { for i in 1...bidders { _ = try await self.submit("BIDDER-\(i)") } }
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// Seals a bid for `bidder` (by default with its registered key) and returns its path.
    func seal(_ bidder: String, signer: Ed25519PrivateKey? = nil, tag: String = "") throws -> String {
        let technicalPath = "\(dir)/\(bidder)\(tag).t", pricePath = "\(dir)/\(bidder)\(tag).p"
        let document = SecureRandom.bytes(count: 20000)
        documents[bidder] = document
        try Data(document).write(to: URL(fileURLWithPath: technicalPath))
        try Data("price of \(bidder)\(tag)".utf8).write(to: URL(fileURLWithPath: pricePath))
        let bidPath = "\(dir)/\(bidder)\(tag)-\(UUID().uuidString.prefix(6)).sbid"
        _ = try tender.seal(
            bidder: BidderID(bidder), signer: .ed25519(signer ?? keys[bidder] ?? Ed25519PrivateKey()),
            files: [technicalEnvelope: technicalPath, priceEnvelope: pricePath], to: bidPath)
        return bidPath
    }

    @discardableResult
    func submit(_ bidder: String, tag: String = "") async throws -> Receipt {
        let path = try seal(bidder, tag: tag)
        clock.advance(10)
        return try await portal.accept(bidAt: path, from: BidderID(bidder))
    }

    /// Commits to the bid at `path` with the bidder's signed commitment statement.
    @discardableResult
    func commit(_ path: String, _ bidder: String, signer: Ed25519PrivateKey? = nil) async throws -> Receipt {
        let digest = try BidHeader.read(from: FileSource(path: path)).bidDigest
        let statement = try Commitment(
            tender: tender.id, bidder: BidderID(bidder), committing: digest, signer: .ed25519(signer ?? keys[bidder]!))
        return try await portal.commit(bidAt: path, statement: statement.encoded, from: BidderID(bidder))
    }

    func close() async throws -> SignedCheckpoint {
        clock.set(tender.deadline.addingTimeInterval(TimeInterval(tender.grace)))
        return try await portal.close()
    }

    var records: [LogRecord] { get throws { try FileLogStore.records(atPath: logPath) } }

    /// The opening, on the members' clock: the day after the deadline.
    var openingTime: Date { tender.deadline.addingTimeInterval(TimeInterval(tender.grace) + 86400) }

    func opening(_ stage: StageName, closing: SignedCheckpoint, records: [LogRecord]? = nil, qualified: Set<BidderID>? = nil) throws
        -> StageOpening
    {
        try StageOpening(
            tender: tender, stage: stage, closing: closing, records: records ?? self.records, bids: store, qualified: qualified,
            previous: try previousReport(before: stage, closing: closing, records: records), now: openingTime)
    }

    /// For the price stage: the technical stage's report, opened on the same closing and signed by
    /// every member (what members of a later stage take as published).
    func previousReport(before stage: StageName, closing: SignedCheckpoint, records: [LogRecord]? = nil) throws -> OpeningReport.Verified? {
        guard stage == price else { return nil }
        let report = try open(technical, closing: closing, records: records)
        let roster = stageKeys["technical"]!.roster
        let signatures = try members.map { try ReportSignature(report: report, roster: roster, keys: $0) }
        return try report.verify(tender: tender, signatures: signatures, now: openingTime)
    }

    /// Members 1 and 2 each build their own opening and compute their shares.
    func memberShares(_ stage: StageName, closing: SignedCheckpoint, records: [LogRecord]? = nil, qualified: Set<BidderID>? = nil)
        throws -> [DecryptionShares]
    {
        try members.prefix(2).compactMap { member in
            try opening(stage, closing: closing, records: records, qualified: qualified)
                .decryptionShares(share: shares[stage.value]![member.id]!, keys: member)
        }
    }

    func open(_ stage: StageName, closing: SignedCheckpoint, records: [LogRecord]? = nil, qualified: Set<BidderID>? = nil) throws
        -> OpeningReport
    {
        let coordinator = try opening(stage, closing: closing, records: records, qualified: qualified)
        return try coordinator.open(
            with: try memberShares(stage, closing: closing, records: records, qualified: qualified),
            to: .directory("\(dir)/opened-\(stage)-\(UUID().uuidString.prefix(4))"))
    }

    /// What a dishonest portal can do with its own key: sign any checkpoint over any records.
    func forgedClosing(_ records: [LogRecord], at time: Date? = nil) throws -> SignedCheckpoint {
        var tree = MerkleTree()
        var size: UInt64 = 0
        for record in records {
            guard case .entry(let bytes, _) = record else { continue }
            tree.append(leafHash: try LogEntry(encoded: bytes).leafHash)
            size += 1
        }
        let ms = UInt64((time ?? tender.deadline).timeIntervalSince1970 * 1000)
        let body = try Checkpoint(origin: tender.origin, size: size, rootHash: try tree.root(), extensions: ["closed T-42 \(ms)"])
        return try SignedCheckpoint(note: SignedNote(text: body.text, signers: [signer]))
    }

    /// An entry the portal appends by itself, bypassing every check of the service.
    func forgedEntry(
        _ kind: LogEntry.Kind, bidder: String, digest: [UInt8], length: UInt64, at time: Date? = nil, token: [UInt8] = []
    ) throws -> LogRecord {
        let ms = UInt64((time ?? clock.now).timeIntervalSince1970 * 1000)
        let entry = try LogEntry(kind: kind, tender: "T-42", bidder: bidder, receivedAt: ms, bidDigest: digest, bidLength: length)
        return .entry(entry.encoded, token: token)
    }
}

extension OpeningReport {
    func result(_ bidder: String) -> String {
        guard let line = line(for: bidder) else { return "no line" }
        return line.result.rawValue + (line.reason.map { ": \($0)" } ?? "")
    }
}
