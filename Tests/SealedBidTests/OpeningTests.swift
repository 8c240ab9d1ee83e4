import Foundation
import Testing

import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// A small tender run through the facade: a 2-of-3 committee per stage
/// (trusted dealer, for speed), five bidders, a portal, the closing.
final class TenderRun: @unchecked Sendable {
    let dir: String
    let tender: Tender
    let technical = try! StageName("technical"), price = try! StageName("price")
    let technicalEnvelope = try! EnvelopeName("technical"), priceEnvelope = try! EnvelopeName("price")
    let members = (1...3).map { MemberKeys(id: MemberID(integerLiteral: UInt16($0))) }
    var stageKeys: [String: StageKey] = [:]
    var shares: [String: [SecretShare]] = [:]
    let portalKey = try! NoteSigner(name: "portal.example/lpse", key: Ed25519PrivateKey())
    let origin = "portal.example/lpse/T-42"
    let clock = ManualClock(Date(timeIntervalSince1970: 1_900_000_000))
    var portal: PortalService!
    var documents: [String: [UInt8]] = [:]
    /// Each bidder's signing key, registered with the portal.
    var registered: [String: Ed25519PrivateKey] = [:]

    init(bidders: Int = 5) async throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-tender-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var keys: [StageKey] = []
        var stageKeys: [String: StageKey] = [:]
        var shares: [String: [SecretShare]] = [:]
        let members = self.members
        for stage in ["technical", "price"] {
            let roster = try CommitteeRoster(committee: "T-42", stage: stage, threshold: 2, members: members.map(\.card))
            let dealing = try TrustedDealer.deal(roster: roster)
            stageKeys[stage] = dealing.stageKey
            shares[stage] = try dealing.shares.map { try TrustedDealer.receive($0, stageKey: dealing.stageKey, keys: members[Int($0.recipient.value) - 1]) }
            keys.append(dealing.stageKey)
        }
        self.stageKeys = stageKeys
        self.shares = shares
        tender = try Tender(
            id: TenderID("T-42"), deadline: clock.now.addingTimeInterval(3600), stages: keys,
            envelopes: [(technicalEnvelope, technical), (priceEnvelope, price)])
        let clock = self.clock
        portal = try PortalService(
            tender: tender.id, directory: "\(dir)/portal", origin: origin, deadline: tender.deadline, signer: portalKey, clock: { clock.now })
        for i in 1...bidders { _ = try await submit("BIDDER-\(i)") }
    }

    func submit(_ bidder: String) async throws -> Receipt {
        let technicalPath = "\(dir)/\(bidder).t", pricePath = "\(dir)/\(bidder).p"
        let document = SecureRandom.bytes(count: 20000)
        documents[bidder] = document
        try Data(document).write(to: URL(fileURLWithPath: technicalPath))
        try Data("price of \(bidder)".utf8).write(to: URL(fileURLWithPath: pricePath))
        let bidPath = "\(dir)/\(bidder).sbid"
        try? FileManager.default.removeItem(atPath: bidPath)
        let key = registered[bidder] ?? Ed25519PrivateKey()
        registered[bidder] = key
        _ = try tender.seal(
            bidder: BidderID(bidder), signer: .ed25519(key),
            files: [technicalEnvelope: technicalPath, priceEnvelope: pricePath], to: bidPath)
        return try await portal.accept(bidAt: bidPath, from: BidderID(bidder), policy: SignerPolicy(ed25519Keys: [key.publicKey]))
    }

    func close() async throws -> (SignedCheckpoint, [LogEntry]) {
        clock.set(tender.deadline)
        let closing = try await portal.close()
        return (closing, try await portal.closedEntries())
    }

    func opening(_ stage: StageName, closing: SignedCheckpoint, entries: [LogEntry], qualified: Set<String>? = nil) async throws -> StageOpening {
        let portal = self.portal!
        return try StageOpening(
            tender: tender, stage: stage, closing: closing, logKey: await portal.verifier, origin: origin, entries: entries,
            bidPath: { portal.storedPath(bidDigest: $0) }, qualified: qualified)
    }

    func decryptionShares(_ stage: String, for opening: StageOpening, members ids: [Int]) throws -> [DecryptionShares] {
        try ids.map { try DecryptionShares.create(share: shares[stage]![$0 - 1], stageKey: stageKeys[stage]!, encapsulatedKeys: opening.encapsulatedKeys) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }
}

@Suite("Opening a tender through the facade")
struct OpeningTests {
    @Test("threshold and reconstruct openings agree; the report is signed and checked")
    func openBothWays() async throws {
        let run = try await TenderRun()
        defer { run.remove() }
        let (closing, entries) = try await run.close()
        let opening = try await run.opening(run.technical, closing: closing, entries: entries)
        #expect(opening.bids.count == 5)
        var report = try opening.open(
            with: run.decryptionShares("technical", for: opening, members: [1, 3]), into: "\(run.dir)/out-t", plaintextDigests: true)
        #expect(report.lines.allSatisfy { $0.result == "opened" })
        for bidder in run.documents.keys {
            let index = try #require(report.line(for: bidder)?.logIndex)
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(run.dir)/out-t/entry-\(index).technical")) == Data(run.documents[bidder]!))
            #expect(report.line(for: bidder)?.plaintextSHA256 == SHA256.hash(run.documents[bidder]!).hexString)
        }
        for member in run.members { try report.sign(with: member) }
        try report.verify(roster: run.stageKeys["technical"]!.roster)
        // Blaming an innocent member afterwards breaks every signature.
        var object = try #require(try JSONSerialization.jsonObject(with: report.json) as? [String: Any])
        object["culprits"] = [2]
        let forged = try JSONDecoder().decode(OpeningReport.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(throws: ReportError.self) { try forged.verify(roster: run.stageKeys["technical"]!.roster) }
        #expect(try JSONDecoder().decode(OpeningReport.self, from: report.json) == report)

        let reconstruction = try Reconstruction.reconstruct(stageKey: run.stageKeys["technical"]!, shares: Array(run.shares["technical"]!.prefix(2)))
        let again = try opening.open(with: reconstruction, into: "\(run.dir)/out-r", plaintextDigests: true)
        #expect(again.lines.map(\.plaintextSHA256) == report.lines.map(\.plaintextSHA256))
        // Without plaintext digests (the default), and with the plaintext discarded: the same
        // envelopes open and authenticate, nothing is written, and no digest is claimed.
        let checked = try opening.open(with: reconstruction, to: .discard)
        #expect(checked.lines.map(\.result) == report.lines.map(\.result))
        #expect(checked.lines.allSatisfy { $0.plaintextSHA256 == nil && $0.plaintextLength != nil })
        let discardedWithDigests = try opening.open(with: reconstruction, to: .discard, plaintextDigests: true)
        #expect(discardedWithDigests.lines.map(\.plaintextSHA256) == report.lines.map(\.plaintextSHA256))
    }

    @Test("bad bids are reported with their reason and never stop the others")
    func badBids() async throws {
        let run = try await TenderRun()
        defer { run.remove() }
        let (closing, entries) = try await run.close()
        let portal = run.portal!
        // BIDDER-1: payload damaged after acceptance. BIDDER-2: signature damaged. BIDDER-3: file missing.
        func stored(_ index: Int) -> String { portal.storedPath(bidDigest: entries[index].bidDigest) }
        var damaged = try Data(contentsOf: URL(fileURLWithPath: stored(0)))
        let header = try BidHeader.read(from: FileSource(path: stored(0)))
        damaged[header.headerLength + 200] ^= 1
        try damaged.write(to: URL(fileURLWithPath: stored(0)))
        var badSignature = try Data(contentsOf: URL(fileURLWithPath: stored(1)))
        let header2 = try BidHeader.read(from: FileSource(path: stored(1)))
        badSignature[header2.headerLength - 1] ^= 1
        try badSignature.write(to: URL(fileURLWithPath: stored(1)))
        try FileManager.default.removeItem(atPath: stored(2))

        let opening = try await run.opening(run.technical, closing: closing, entries: entries)
        let report = try opening.open(with: run.decryptionShares("technical", for: opening, members: [2, 3]), into: "\(run.dir)/out")
        #expect(report.line(for: "BIDDER-1")?.result == "failed: payload-authentication-failed")
        #expect(report.line(for: "BIDDER-2")?.signature == "bad-signature")
        #expect(report.line(for: "BIDDER-3")?.result == "not opened: bid file missing")
        #expect(report.line(for: "BIDDER-4")?.result == "opened")
        #expect(report.line(for: "BIDDER-5")?.result == "opened")
        #expect(!FileManager.default.fileExists(atPath: "\(run.dir)/out/entry-0.technical"))
    }

    @Test("the committee refuses entries that are not the closing checkpoint's")
    func exactLiveSet() async throws {
        let run = try await TenderRun()
        defer { run.remove() }
        let (closing, entries) = try await run.close()
        await #expect(throws: LogError.self) { _ = try await run.opening(run.technical, closing: closing, entries: Array(entries.dropLast())) }
        var reordered = entries
        reordered.swapAt(0, 1)
        await #expect(throws: LogError.self) { _ = try await run.opening(run.technical, closing: closing, entries: reordered) }
    }

    @Test("stage isolation: price opens only for qualified bidders, and never with technical shares")
    func stageIsolation() async throws {
        let run = try await TenderRun()
        defer { run.remove() }
        let (closing, entries) = try await run.close()
        let price = try await run.opening(run.price, closing: closing, entries: entries, qualified: ["BIDDER-1", "BIDDER-4"])
        #expect(price.bids.map(\.entry.bidder) == ["BIDDER-1", "BIDDER-4"])
        #expect(price.encapsulatedKeys.count == 2)
        // Technical-stage shares cannot open the price stage.
        let technicalShares = try run.shares["technical"]!.prefix(2).map {
            try DecryptionShares.create(share: $0, stageKey: run.stageKeys["technical"]!, encapsulatedKeys: price.encapsulatedKeys)
        }
        #expect(throws: CommitteeError.self) { _ = try price.open(with: Array(technicalShares), into: "\(run.dir)/nope") }
        let report = try price.open(with: run.decryptionShares("price", for: price, members: [1, 2]), into: "\(run.dir)/price")
        #expect(report.lines.filter { $0.result == "opened" }.map(\.bidder) == ["BIDDER-1", "BIDDER-4"])
        #expect(report.lines.filter { $0.result == "not opened: not qualified" }.count == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(run.dir)/price").sorted() == ["entry-0.price", "entry-3.price"])
    }

    @Test("replacements and withdrawals: the latest entry per bidder counts")
    func replacements() async throws {
        let run = try await TenderRun(bidders: 3)
        defer { run.remove() }
        _ = try await run.submit("BIDDER-2")  // a second bid from BIDDER-2 replaces the first
        _ = try await run.portal.withdraw(bidder: BidderID("BIDDER-3"))
        let (closing, entries) = try await run.close()
        let opening = try await run.opening(run.technical, closing: closing, entries: entries)
        #expect(opening.bids.map(\.entry.bidder) == ["BIDDER-1", "BIDDER-2"])
        #expect(opening.bids[1].index == 3)
        let report = try opening.open(with: run.decryptionShares("technical", for: opening, members: [1, 2]), into: "\(run.dir)/out")
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(run.dir)/out/entry-3.technical")) == Data(run.documents["BIDDER-2"]!))
        #expect(report.lines.count == 2)
    }
}

@Suite("Opening: a key wrap copied or multiplied from another bid never reaches the members")
struct CopiedWrapTests {
    /// A bidder who puts `k·enc_V` (another bidder's price wrap times a `k` they choose) in their own
    /// bid could, with a coordinator, have the members unwrap V's envelope: members answer `s·k·enc_V`
    /// and the coordinator divides `k` out. The key-wrap proof stops every `k`, including `k = 1`
    /// (a plain copy) and `k = -1` (same x-coordinate, so the same HPKE DH value).
    @Test("an envelope whose enc is a multiple of another bid's is refused", arguments: [1, -1, 2])
    func multipliedEnc(k: Int) async throws {
        let run = try await TenderRun(bidders: 2)
        defer { run.remove() }
        let portal = run.portal!
        let victimDigest = try BidHeader.read(from: FileSource(path: "\(run.dir)/BIDDER-1.sbid")).bidDigest
        let victim = try BidHeader.read(from: FileSource(path: portal.storedPath(bidDigest: victimDigest)))
        let victimPoint = victim.envelopes[1].encapsulatedKey.publicKey.point
        let scalar = k < 0 ? -P256Scalar(UInt64(-k)) : P256Scalar(UInt64(k))
        let forgedEnc = try victimPoint.multiplied(by: scalar).uncompressedRepresentation
        let copierPath = "\(run.dir)/COPIER.sbid"
        let sink = try FileSink(path: copierPath)
        let recipes = try run.tender.envelopes.map {
            EnvelopeRecipe(name: $0.name, stage: $0.stage, committeeKey: try run.tender.stageKey($0.stage).publicKey)
        }
        var sealer = try BidSealer(
            tender: run.tender.id, bidder: BidderID("COPIER"), signer: .ed25519(Ed25519PrivateKey()), envelopes: recipes, to: sink,
            deterministic: DeterministicRandom(seed: "copier"),
            tampering: SealTampering(core: { core in
                var c = core
                // Replace the price envelope's enc (after the last "price", the stage name, and the recipient key).
                let marker = Array("price".utf8)
                if let at = (0...(c.count - marker.count)).last(where: { Array(c[$0..<($0 + marker.count)]) == marker }) {
                    let encAt = at + marker.count + 65
                    c.replaceSubrange(encAt..<(encAt + 65), with: forgedEnc)
                }
                return c
            }))
        try sealer.append([1, 2, 3])
        try sealer.nextEnvelope()
        try sealer.append([4, 5, 6])
        _ = try sealer.finish()
        try sink.commit()
        // The bid is well signed and its enc is the forged one...
        let opener = try BidOpener(path: copierPath, policy: .signatureOnly())
        #expect(opener.header.envelopes[1].encapsulatedKey.rawRepresentation == forgedEnc)
        // ...but its key-wrap proof cannot verify, so members never see it and the portal refuses it.
        #expect(throws: EnvelopeError.badWrapProof(envelope: "price")) { try opener.checkWrapProof(EnvelopeName("price")) }
        #expect(throws: Never.self) { try opener.checkWrapProof(EnvelopeName("technical")) }
        await #expect(throws: EnvelopeError.badWrapProof(envelope: "price")) {
            _ = try await portal.accept(bidAt: copierPath, from: BidderID("COPIER"), policy: .signatureOnly())
        }
    }

    @Test("an old bid logged again is refused by the portal and, if a portal logs it anyway, never opened")
    func replayedBid() async throws {
        let run = try await TenderRun(bidders: 2)
        defer { run.remove() }
        let first = try BidHeader.read(from: FileSource(path: "\(run.dir)/BIDDER-1.sbid"))
        // BIDDER-1 replaces its bid; the portal refuses the old file logged again.
        try FileManager.default.copyItem(atPath: "\(run.dir)/BIDDER-1.sbid", toPath: "\(run.dir)/old.sbid")
        _ = try await run.submit("BIDDER-1")
        let key = try #require(run.registered["BIDDER-1"])
        await #expect(throws: LogError.duplicateBid("this bid file is already in the log; seal the bid again to submit it anew")) {
            _ = try await run.portal.accept(
                bidAt: "\(run.dir)/old.sbid", from: BidderID("BIDDER-1"), policy: .registered(ed25519Keys: [key.publicKey]),
                kind: .replace)
        }
        // A dishonest portal logs the replay anyway and signs a closing over it: members do not open it.
        let (_, honest) = try await run.close()
        let replay = try LogEntry(
            kind: .replace, tender: run.tender.id.value, bidder: "BIDDER-1", receivedAt: honest.last!.receivedAt + 1,
            bidDigest: first.bidDigest, bidLength: first.expectedFileLength)
        let entries = honest + [replay]
        var tree = MerkleTree()
        for entry in entries { tree.append(leafHash: entry.leafHash) }
        let closedAt = UInt64(run.tender.deadline.timeIntervalSince1970 * 1000)
        let forged = try Checkpoint(
            origin: run.origin, size: tree.size, rootHash: tree.root(), extensions: ["closed \(run.tender.id.value) \(closedAt)"])
        let closing = try SignedCheckpoint(note: SignedNote(text: forged.text, signers: [run.portalKey]))
        let technical = try await run.opening(run.technical, closing: closing, entries: entries)
        #expect(technical.bids.map(\.entry.bidder) == ["BIDDER-2"])
        #expect(technical.notOpened.map(\.result) == ["not opened: replays the bid logged at entry 0"])
    }
}

@Suite("Portal: bids are bound to the authenticated bidder and their registered key")
struct ImpersonationTests {
    @Test func impersonationIsRefused() async throws {
        let run = try await TenderRun(bidders: 1)
        defer { run.remove() }
        let forged = "\(run.dir)/forged.sbid"
        let document = "\(run.dir)/forged.pdf"
        try Data("junk".utf8).write(to: URL(fileURLWithPath: document))
        let mallory = Ed25519PrivateKey()
        _ = try run.tender.seal(
            bidder: BidderID("BIDDER-1"), signer: .ed25519(mallory), files: [run.technicalEnvelope: document, run.priceEnvelope: document],
            to: forged)
        // Mallory, logged in as herself, uploads a bid naming BIDDER-1.
        await #expect(throws: EnvelopeError.wrongBidder(expected: "MALLORY", found: "BIDDER-1")) {
            _ = try await run.portal.accept(bidAt: forged, from: BidderID("MALLORY"), policy: SignerPolicy(ed25519Keys: [mallory.publicKey]))
        }
        // Even through BIDDER-1's session, a bid not signed with BIDDER-1's registered key is refused.
        let registered = try #require(run.registered["BIDDER-1"]).publicKey
        await #expect(throws: EnvelopeError.untrustedSigner("the Ed25519 key is not registered for this bidder")) {
            _ = try await run.portal.accept(bidAt: forged, from: BidderID("BIDDER-1"), policy: SignerPolicy(ed25519Keys: [registered]))
        }
    }
}
