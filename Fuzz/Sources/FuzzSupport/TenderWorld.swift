import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// A closed tender of the world, made once with the public API as a portal, its bidders and
/// its committee would, and kept in `Fuzz/.work/world/tender`: the descriptor (stage
/// `technical` opens with the dealt key of ``World/roster``, stage `price` with the DKG key),
/// the portal's log store, head and bid files (submissions, a replacement, a withdrawal, a
/// commitment uploaded in the grace window and one never uploaded, an X.509 bidder's bid and
/// withdrawal, and time-stamps from the world's test authority when `openssl` made the X.509 world), every
/// receipt, the members' decryption shares and released shares for the `technical` opening,
/// its reports in both modes and the members' signatures on them.
///
/// Read back through the library's own decoders, and remade when anything no longer decodes
/// (or the committee world was remade).
struct TenderWorld: Sendable {
    static let directory = World.directory.appendingPathComponent("tender")
    static let technical = try! StageName("technical"), price = try! StageName("price")
    static let technicalEnvelope = try! EnvelopeName("technical"), priceEnvelope = try! EnvelopeName("price")
    /// The registered bidders that sign with Ed25519.
    static let bidderKeys: [(BidderID, Ed25519PrivateKey)] =
        [(World.bidder, World.bidderKey)] + (2...5).map { (try! BidderID("BIDDER-\($0)"), World.ed25519Key("tender bidder \($0)")) }
    static let x509Bidder = try! BidderID("PT-X509")

    let tender: Tender
    let portal: String
    let bids: BidStore
    let records: [LogRecord]
    /// The store's head file (the closing checkpoint, as a signed note).
    let head: [UInt8]
    let closing: SignedCheckpoint
    /// The receipts the portal gave at each submission, then every entry's against the closing.
    let receipts: [Receipt]
    /// The checkpoints of those receipts (each verified with the descriptor) and the closing.
    let checkpoints: [SignedCheckpoint]
    /// The closed log's entries and tree.
    let entries: [LogEntry]
    let tree: MerkleTree
    /// The `technical` opening, as any member derives it.
    let opening: StageOpening
    let decryptionShares: [DecryptionShares]
    /// What they combine to: the DH value of every envelope opened.
    let sharedSecrets: [[UInt8]]
    let released: [ReleasedShare]
    /// Threshold decryption, then reconstruction.
    let reports: [OpeningReport]
    /// Members 1 and 2 on the first report, 2 and 3 on the second.
    let signatures: [ReportSignature]
    /// The bidders' signed statements, as bytes: parsed, an X.509 statement holds its chain in
    /// an enum payload whose pointer carries the case in its spare bits, which LeakSanitizer
    /// cannot follow from a global (a false leak at exit). For the same reason the X.509
    /// bidder's bid is withdrawn: the opening keeps no X.509 header.
    let withdrawals: [[UInt8]]
    let commitments: [[UInt8]]

    var stageKey: StageKey { opening.stageKey }
    var openingID: [UInt8] { opening.openingID }
    var encapsulatedKeys: [HPKE.EncapsulatedKey] { opening.encapsulatedKeys }
    /// The members' clock at the opening: a day after the grace window.
    var now: Date { Self.openingTime(tender) }
    static func openingTime(_ tender: Tender) -> Date { tender.deadline.addingTimeInterval(TimeInterval(tender.grace + 86400)) }

    static let shared: TenderWorld = {
        let committee = World.committee
        if let world = try? load(committee) { return world }
        do {
            try make(committee)
            return try load(committee)
        } catch {
            fatalError("cannot make the tender world: \(error)")
        }
    }()

    private static func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    private static func load(_ committee: World.Committee) throws -> TenderWorld {
        let tender = try Tender(encoded: [UInt8](try Data(contentsOf: file("descriptor"))))
        guard try tender.stageKey(technical) == committee.dealtKey, try tender.stageKey(price) == committee.dkgKey else {
            throw World.Malformed()
        }
        let portal = file("portal").path
        let records = try FileLogStore.records(atPath: portal + "/log.bin")
        let head = [UInt8](try Data(contentsOf: URL(fileURLWithPath: portal + "/log.bin.head")))
        let closing = try SignedCheckpoint(serialized: String(decoding: head, as: UTF8.self))
        let blobs = try Blobs.decode([UInt8](try Data(contentsOf: file("messages.bin"))))
        guard blobs.count == 7 else { throw World.Malformed() }
        func each<T>(_ index: Int, _ decode: ([UInt8]) throws -> T) throws -> [T] { try Blobs.decode(blobs[index]).map(decode) }
        let bids = BidStore(directory: portal + "/bids")
        let receipts = try each(0) { try Receipt(encoded: $0) }
        var checkpoints: [SignedCheckpoint] = []
        for receipt in receipts {
            let checkpoint = try tender.verify(receipt: receipt).checkpoint
            if !checkpoints.contains(checkpoint) { checkpoints.append(checkpoint) }
        }
        var entries: [LogEntry] = []
        for case .entry(let entry, _) in records { entries.append(try LogEntry(encoded: entry)) }
        var tree = MerkleTree()
        for entry in entries { tree.append(leafHash: entry.leafHash) }
        let opening = try StageOpening(
            tender: tender, stage: technical, closing: closing, records: records, bids: bids, now: openingTime(tender))
        let decryptionShares = try each(1) { try DecryptionShares(encoded: $0) }
        let combined = try ThresholdCombiner.combine(
            stageKey: opening.stageKey, openingID: opening.openingID, encapsulatedKeys: opening.encapsulatedKeys,
            contributions: decryptionShares)
        let world = TenderWorld(
            tender: tender, portal: portal, bids: bids, records: records, head: head, closing: closing,
            receipts: receipts, checkpoints: checkpoints + (checkpoints.contains(closing) ? [] : [closing]), entries: entries,
            tree: tree, opening: opening,
            decryptionShares: decryptionShares, sharedSecrets: combined.sharedSecrets.map(\.plain),
            released: try each(2) { try ReleasedShare(encoded: SecureBytes(copying: $0)) },
            reports: try each(3) { try OpeningReport(encoded: $0) }, signatures: ReportSignature.parse(blobs[4]).signatures,
            withdrawals: try each(5) { try Withdrawal(encoded: $0).encoded }, commitments: try each(6) { try Commitment(encoded: $0).encoded })
        guard world.decryptionShares.allSatisfy({ $0.openingID == opening.openingID }), world.reports.count == 2,
            (try? world.reports[0].verify(tender: tender, signatures: world.signatures, now: world.now)) != nil
        else { throw World.Malformed() }
        return world
    }

    /// The tender, its portal run on a manual clock, the closing and the opening.
    private static func make(_ committee: World.Committee) throws {
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pki = World.pki
        // The log's key, named by its origin (tender-v1), new for every world: the receipts of an
        // earlier world (in the corpus) would otherwise verify with this tender's key without
        // being of its log: a fork, which the harnesses rightly see as one.
        let logSigner = try NoteSigner(name: "fuzz.example/portal/\(World.tender.value)", key: Ed25519PrivateKey())
        // With the X.509 world, the tender runs when its certificates are valid.
        let start = Date(timeIntervalSince1970: (pki?.time.timeIntervalSince1970 ?? 1_790_000_000).rounded(.down))
        var identities = bidderKeys.map { BidderRegistry.Identity(bidder: $0.0, kind: .ed25519($0.1.publicKey)) }
        if let pki, let subject = pki.leaf.subject { identities.append(.init(bidder: x509Bidder, kind: .x509Subject(subject))) }
        let roots = pki.map { [$0.root] } ?? []
        let tender = try Tender(
            id: World.tender, deadline: start.addingTimeInterval(3600), grace: 600, maxBidBytes: 1 << 20, log: logSigner.verifier,
            timestamps: pki == nil ? .none : .testAuthority, tsaRoots: roots, x509Roots: roots,
            stages: [committee.dealtKey, committee.dkgKey],
            envelopes: [(technicalEnvelope, technical), (priceEnvelope, price)], bidders: BidderRegistry(identities))
        try Data(tender.encoded).write(to: file("descriptor"))

        let clock = ManualClock(start)
        let stamps = pki.map { Stamps(authority: $0.tsa, at: { $0 }) }
        let portalPath = file("portal").path
        let portal = try blocking {
            try await PortalService.create(
                tender: tender, directory: portalPath, signer: logSigner, clock: { clock.now }, timestamper: stamps?.timestamper)
        }
        var signers: [BidderID: BidSigner] = Dictionary(uniqueKeysWithValues: bidderKeys.map { ($0.0, .ed25519($0.1)) })
        if let pki { signers[x509Bidder] = .ecdsaP256(pki.leafKey, chain: [pki.leaf, pki.intermediate]) }
        // The bidders' files, gone once the portal holds its copies.
        let uploads = directory.appendingPathComponent("uploads")
        try FileManager.default.createDirectory(at: uploads, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: uploads) }
        var count = 0
        func seal(_ bidder: BidderID) throws -> (path: String, digest: [UInt8], length: UInt64) {
            count += 1
            let base = uploads.appendingPathComponent("\(count)").path
            try Data(World.bytes("technical \(count)") + SecureRandom.bytes(count: 700 * count)).write(to: URL(fileURLWithPath: base + ".t"))
            try Data("price \(count) of \(bidder)".utf8).write(to: URL(fileURLWithPath: base + ".p"))
            _ = try tender.seal(
                bidder: bidder, signer: signers[bidder]!, files: [technicalEnvelope: base + ".t", priceEnvelope: base + ".p"],
                to: base + ".sbid")
            let header = try BidHeader.read(from: FileSource(path: base + ".sbid"))
            return (base + ".sbid", header.bidDigest, header.expectedFileLength)
        }
        /// Moves the clock on and makes the tokens of the entries the portal may log next.
        func stamp(_ kinds: [LogEntry.Kind], _ bidder: BidderID, _ digest: [UInt8], _ length: UInt64, advance: TimeInterval = 10) throws {
            clock.advance(advance)
            for kind in kinds {
                try stamps?.stamp(kind, tender: tender.id.value, bidder: bidder.value, at: clock.now, digest: digest, length: length)
            }
        }
        var receipts: [Receipt] = []
        func submit(_ bidder: BidderID) throws -> [UInt8] {
            let bid = try seal(bidder)
            try stamp([.submit, .replace], bidder, bid.digest, bid.length)
            receipts.append(try blocking { try await portal.accept(bidAt: bid.path, from: bidder) })
            return bid.digest
        }
        var withdrawals: [Withdrawal] = [], commitments: [Commitment] = []
        func commit(_ bidder: BidderID) throws -> (path: String, digest: [UInt8], length: UInt64) {
            let bid = try seal(bidder)
            let statement = try Commitment(tender: tender.id, bidder: bidder, committing: bid.digest, signer: signers[bidder]!)
            commitments.append(statement)
            try stamp([.commit], bidder, bid.digest, bid.length)
            receipts.append(try blocking { try await portal.commit(bidAt: bid.path, statement: statement.encoded, from: bidder) })
            return bid
        }
        func withdraw(_ bidder: BidderID, _ digest: [UInt8]) throws {
            let withdrawal = try Withdrawal(tender: tender.id, bidder: bidder, withdrawing: digest, signer: signers[bidder]!)
            withdrawals.append(withdrawal)
            try stamp([.withdraw], bidder, withdrawal.digest, UInt64(withdrawal.encoded.count))
            receipts.append(try blocking { try await portal.withdraw(statement: withdrawal.encoded, from: bidder) })
        }
        let (first, second, third, fourth, fifth) = (bidderKeys[0].0, bidderKeys[1].0, bidderKeys[2].0, bidderKeys[3].0, bidderKeys[4].0)
        _ = try submit(first)
        _ = try submit(second)
        _ = try submit(second)  // a replacement
        try withdraw(third, try submit(third))
        let committed = try commit(fourth)
        _ = try commit(fifth)  // never uploaded
        if pki != nil { try withdraw(x509Bidder, try submit(x509Bidder)) }
        // The upload, in the grace window.
        try stamp([.upload], fourth, committed.digest, committed.length, advance: tender.deadline.timeIntervalSince(clock.now) + 60)
        receipts.append(try blocking { try await portal.upload(bidAt: committed.path, from: fourth) })
        clock.set(tender.deadline.addingTimeInterval(TimeInterval(tender.grace)))
        let closing = try blocking { try await portal.close() }
        let size = try blocking { await portal.size }
        for index in 0..<size { receipts.append(try blocking { try await portal.receipt(index: index) }) }

        // The opening of stage `technical`, as the members and the coordinator run it.
        let records = try FileLogStore.records(atPath: portalPath + "/log.bin")
        let opening = try StageOpening(
            tender: tender, stage: technical, closing: closing, records: records, bids: portal.bids, now: openingTime(tender))
        let pairs = Array(zip(committee.shares, World.members))
        let contributions = try pairs.map { try opening.decryptionShares(share: $0.0, keys: $0.1)! }
        let released = try pairs.map { try opening.releaseShare(share: $0.0, keys: $0.1) }
        let reports = [
            try opening.open(withEncodedShares: contributions.map(\.encoded), to: .discard, plaintextDigests: true),
            try opening.open(with: released, to: .discard),
        ]
        let signatures = try [(0, 0), (0, 1), (1, 1), (1, 2)].map { report, member in
            try ReportSignature(report: reports[report], roster: World.roster, keys: World.members[member])
        }
        let blobs = [
            Blobs.encode(receipts.map(\.encoded)), Blobs.encode(contributions.map(\.encoded)), Blobs.encode(released.map(\.encoded.plain)),
            Blobs.encode(reports.map(\.encoded)), Array(signatures.map { $0.line + "\n" }.joined().utf8),
            Blobs.encode(withdrawals.map(\.encoded)), Blobs.encode(commitments.map(\.encoded)),
        ]
        try Data(Blobs.encode(blobs)).write(to: file("messages.bin"))
    }

    // MARK: Views for the harnesses

    /// The signature lines of `report` (its two members').
    func signatureLines(of report: OpeningReport) -> [String] {
        signatures.filter { $0.reportDigest == report.digest }.map(\.line)
    }

    /// The member keys a report signature, a decryption share or a released share names.
    static func signingKey(_ member: UInt16) -> Ed25519PublicKey? {
        World.members.first { $0.id.value == member }?.signingKey.publicKey
    }
}
