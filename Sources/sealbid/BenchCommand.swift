import ArgumentParser
import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidPrimitives

/// Bulk-opening measurement for `Benchmarks/compare.sh`: seals N bids of S
/// bytes, logs and closes them, then times a threshold opening of the stage
/// with every check on (closing root, signatures, digests, DLEQ proofs,
/// decryption into files). Prints one JSON object.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure bulk opening (used by Benchmarks/compare.sh).", shouldDisplay: false)

    @Option var count: Int = 100
    @Option var size: Int = 1 << 20
    @Option var threshold: Int = 3
    @Option var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option var dir: String

    func run() async throws {
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tenderID = try TenderID("BENCH"), stage = try StageName("technical"), name = try EnvelopeName("technical")
        let members = (1...threshold).map { MemberKeys(id: MemberID(integerLiteral: UInt16($0))) }
        let roster = try CommitteeRoster(committee: "BENCH", stage: "technical", threshold: threshold, members: members.map(\.card))
        let dealing = try TrustedDealer.deal(roster: roster)
        let shares = try dealing.shares.map { try TrustedDealer.receive($0, stageKey: dealing.stageKey, keys: members[Int($0.recipient.value) - 1]) }
        let time = ManualClock(Date())
        let tender = try Tender(id: tenderID, deadline: time.now.addingTimeInterval(3600), stages: [dealing.stageKey], envelopes: [(name, stage)])
        let signer = try NoteSigner(name: "bench.example/portal", key: Ed25519PrivateKey())
        let origin = "bench.example/portal/BENCH"
        let portal = try PortalService(tender: tenderID, directory: "\(dir)/portal", origin: origin, deadline: tender.deadline,
                                       signer: signer, clock: { time.now })
        let document = "\(dir)/document"
        try writeRandom(bytes: size, to: document)
        let sealStart = clock.now
        for i in 0..<count {
            let path = "\(dir)/bid-\(i).sbid"
            let key = Ed25519PrivateKey()
            _ = try tender.seal(bidder: BidderID("B-\(i)"), signer: .ed25519(key), files: [name: document], to: path)
            _ = try await portal.accept(bidAt: path, from: BidderID("B-\(i)"), policy: SignerPolicy(ed25519Keys: [key.publicKey]))
            try FileManager.default.removeItem(atPath: path)  // the portal keeps its own copy
        }
        let sealSeconds = seconds(clock.now - sealStart)
        time.set(tender.deadline)
        let closing = try await portal.close()
        let entries = try await portal.closedEntries()

        let openStart = clock.now
        let opening = try StageOpening(tender: tender, stage: stage, closing: closing, logKey: signer.verifier, origin: origin,
                                       entries: entries, bidPath: { portal.storedPath(bidDigest: $0) })
        let checked = clock.now
        let contributions = try shares.map {
            try DecryptionShares.create(share: $0, stageKey: dealing.stageKey, encapsulatedKeys: opening.encapsulatedKeys)
        }
        let shared = clock.now
        let report = try opening.open(with: contributions, into: "\(dir)/opened", workers: workers)
        let end = clock.now
        let opened = report.lines.filter { $0.result == "opened" }.count
        let total = seconds(end - openStart)
        let megabytes = Double(count) * Double(size) / 1e6
        let result: [String: Any] = [
            "count": count, "size": size, "threshold": threshold, "workers": workers, "opened": opened,
            "seal_and_submit_s": sealSeconds, "check_s": seconds(checked - openStart), "member_shares_s": seconds(shared - checked),
            "combine_and_decrypt_s": seconds(end - shared), "open_total_s": total,
            "open_MB_per_s": megabytes / total, "per_envelope_ms": total * 1000 / Double(count),
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
        guard opened == count else { throw ExitCode.failure }
    }
}
