import ArgumentParser
import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidPrimitives

/// Bulk-opening measurement for `Benchmarks/compare.sh`: seals N bids of S
/// bytes, logs and closes them, then times the opening of the stage with
/// every check on (closing root, each bid's signature and key-wrap proof,
/// decryption shares with batched DLEQ proofs or a reconstructed key,
/// combination, authenticated decryption with the payload digest in the
/// same pass). Prints one JSON object.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure bulk sealing and opening (used by Benchmarks/compare.sh).", shouldDisplay: false)

    @Option var count: Int = 100
    @Option var size: Int = 1 << 20
    @Option var threshold: Int = 3
    @Option var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(
        help: """
            Openings to time on the same sealed bids, comma-separated MODE:WORKERS:OUTPUT, with MODE \
            threshold (members' decryption shares) or reconstruct (the stage key rebuilt from shares) \
            and OUTPUT files (one file per envelope) or discard (authenticated, then dropped).
            """)
    var runs: String = "threshold:2:files"
    @Flag var plaintextDigests = false
    @Option var dir: String

    struct Run {
        let mode: String, workers: Int, output: String
    }

    var parsedRuns: [Run] {
        get throws {
            try runs.split(separator: ",").map { spec in
                let parts = spec.split(separator: ":").map(String.init)
                guard parts.count == 3, ["threshold", "reconstruct"].contains(parts[0]), let workers = Int(parts[1]), workers > 0,
                    ["files", "discard"].contains(parts[2])
                else { throw ValidationError("--runs takes MODE:WORKERS:OUTPUT items, e.g. reconstruct:1:discard") }
                return Run(mode: parts[0], workers: workers, output: parts[2])
            }
        }
    }

    func validate() throws { _ = try parsedRuns }

    func run() async throws {
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        // A fresh directory: a log left by an earlier run (perhaps of an older format) would be reopened.
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: dir), !existing.isEmpty {
            throw ValidationError("\(dir) is not empty: give the benchmark a new directory")
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tenderID = try TenderID("BENCH"), stage = try StageName("technical"), name = try EnvelopeName("technical")
        let bidderKeys = (0..<count).map { _ in Ed25519PrivateKey() }
        let registry = try BidderRegistry(
            bidderKeys.enumerated().map { BidderRegistry.Identity(bidder: try BidderID("B-\($0.offset)"), kind: .ed25519($0.element.publicKey)) })
        // The portal's clock starts two hours ago, so that the tender is over by this machine's
        // clock when it is opened (members refuse to open before the end of the grace window).
        let time = ManualClock(Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 7200).rounded(.down)))
        let rehearsal = try Rehearsal.make(
            id: tenderID, stages: [("technical", "technical")], members: threshold, threshold: threshold,
            deadline: time.now.addingTimeInterval(3600), registry: registry)
        let tender = rehearsal.tender, stageKey = rehearsal.stageKeys[0], shares = rehearsal.shares["technical"]!
        let portal = try await PortalService.create(tender: tender, directory: "\(dir)/portal", signer: rehearsal.logSigner, clock: { time.now })
        let document = "\(dir)/document"
        try writeRandom(bytes: size, to: document)

        // Sealing alone, into a sink that drops the bytes (the CPU cost of sealing;
        // writing files is the disk's or the page cache's cost, measured below with the portal).
        let bidderKey = Ed25519PrivateKey()
        let recipe = EnvelopeRecipe(name: name, stage: stage, committeeKey: stageKey.publicKey)
        // Three rounds of up to a third of a GiB each; the best round counts (the machine is
        // noisy, and the openings are also reported as the best of repeated runs).
        let sealAlone = max(1, min(count, (1 << 30) / 3 / max(size, 1)))
        var sealSeconds = Double.infinity
        for _ in 0..<3 {
            let sealStart = clock.now
            for i in 0..<sealAlone {
                var sealer = try BidSealer(
                    tender: tenderID, bidder: BidderID("B-\(i)"), signer: .ed25519(bidderKey), envelopes: [recipe], to: DiscardSink())
                try sealer.append(contentsOfFile: document)
                _ = try sealer.finish()
            }
            sealSeconds = min(sealSeconds, seconds(clock.now - sealStart))
        }

        let submitStart = clock.now
        for i in 0..<count {
            let path = "\(dir)/bid-\(i).sbid"
            _ = try tender.seal(bidder: BidderID("B-\(i)"), signer: .ed25519(bidderKeys[i]), files: [name: document], to: path)
            _ = try await portal.accept(bidAt: path, from: BidderID("B-\(i)"))
            try FileManager.default.removeItem(atPath: path)  // the portal keeps its own copy
        }
        let submitSeconds = seconds(clock.now - submitStart)
        time.set(tender.deadline.addingTimeInterval(TimeInterval(tender.grace)))
        let closing = try await portal.close()
        let records = try FileLogStore.records(atPath: "\(dir)/portal/log.bin")

        var results: [[String: Any]] = []
        for (number, run) in try parsedRuns.enumerated() {
            let openStart = clock.now
            let opening = try StageOpening(tender: tender, stage: stage, closing: closing, records: records, bids: portal.bids)
            let checked = clock.now
            let outputDirectory = "\(dir)/opened-\(number)"
            let destination: StageOpening.PlaintextDestination = run.output == "files" ? .directory(outputDirectory) : .discard
            let report: OpeningReport
            let keysReady: ContinuousClock.Instant
            if run.mode == "threshold" {
                // Each member computes its shares on its own machine; here one after the other.
                let contributions = try rehearsal.members.compactMap { try opening.decryptionShares(share: shares[$0.id]!, keys: $0) }
                keysReady = clock.now
                report = try opening.open(with: contributions, to: destination, workers: run.workers, plaintextDigests: plaintextDigests)
            } else {
                let released = try rehearsal.members.prefix(threshold).map { try opening.releaseShare(share: shares[$0.id]!, keys: $0) }
                keysReady = clock.now
                report = try opening.open(with: released, to: destination, workers: run.workers, plaintextDigests: plaintextDigests)
            }
            let end = clock.now
            let opened = report.lines.filter { $0.result == .opened }.count
            guard opened == count else { throw ValidationError("only \(opened) of \(count) bids opened in run \(number)") }
            try? FileManager.default.removeItem(atPath: outputDirectory)
            // The coordinator's opening: checking the stage, then combining (or using the
            // rebuilt key) and decrypting; the members' own share computation is reported apart.
            let coordinator = seconds(checked - openStart) + seconds(end - keysReady)
            let megabytes = Double(count) * Double(size) / 1e6
            results.append([
                "count": count, "size": size, "threshold": threshold, "workers": run.workers, "mode": run.mode,
                "output": run.output, "plaintext_digests": plaintextDigests, "opened": opened,
                "seal_only_bids": sealAlone, "seal_only_s": sealSeconds,
                "seal_only_MB_per_s": Double(sealAlone) * Double(size) / 1e6 / sealSeconds,
                "seal_and_submit_s": submitSeconds, "check_s": seconds(checked - openStart),
                "member_shares_s": seconds(keysReady - checked), "combine_and_decrypt_s": seconds(end - keysReady),
                "open_total_s": coordinator, "open_MB_per_s": megabytes / coordinator,
                "per_envelope_ms": coordinator * 1000 / Double(count),
            ])
        }
        // Decryption-share proofs for up to 200 envelopes: one batched proof against one proof per envelope.
        let sampleOpening = try StageOpening(tender: tender, stage: stage, closing: closing, records: records, bids: portal.bids)
        let sample = sampleOpening.encapsulatedKeys.prefix(200).map { $0 }
        let member = rehearsal.members[0], id = sampleOpening.openingID
        let batched = try DecryptionShares.create(
            share: shares[member.id]!, keys: member, stageKey: stageKey, openingID: id, encapsulatedKeys: sample)
        let singles = try sample.map {
            try DecryptionShares.create(share: shares[member.id]!, keys: member, stageKey: stageKey, openingID: id, encapsulatedKeys: [$0])
        }
        var start = clock.now
        guard try batched.verify(stageKey: stageKey) else { throw ValidationError("a batched proof failed") }
        let batchSeconds = seconds(clock.now - start)
        start = clock.now
        for single in singles { guard try single.verify(stageKey: stageKey) else { throw ValidationError("a proof failed") } }
        let singleSeconds = seconds(clock.now - start)
        let proofs: [String: Any] = [
            "envelopes": sample.count, "batched_us_per_envelope": batchSeconds * 1e6 / Double(sample.count),
            "single_us_per_envelope": singleSeconds * 1e6 / Double(sample.count),
        ]
        let output: [String: Any] = ["runs": results, "proofs": proofs]
        print(String(decoding: try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys]), as: UTF8.self))
    }
}
