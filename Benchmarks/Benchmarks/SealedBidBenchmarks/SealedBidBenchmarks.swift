import Benchmark
import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// Primitive and protocol costs on the bulk-opening hot path. Timings are
/// machine-dependent: compare runs on one machine, never quote them as limits.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        maxDuration: .seconds(3), maxIterations: 10_000)

    let chunk = SecureRandom.bytes(count: 16384)
    let nonce = [UInt8](repeating: 1, count: 12)

    Benchmark("AES-256-GCM seal 16 KiB chunk (no allocation, as on the hot path)") { benchmark in
        let cipher = try AESGCM(key: SecureBytes.random(count: 32))
        var output = [UInt8](repeating: 0, count: 16384 + 16)
        try nonce.withUnsafeBytes { n in
            try chunk.withUnsafeBytes { p in
                try output.withUnsafeMutableBytes { o in
                    for _ in benchmark.scaledIterations {
                        try cipher.seal(nonce: n, plaintext: p, authenticating: UnsafeRawBufferPointer(start: nil, count: 0), into: o)
                    }
                }
            }
        }
        blackHole(output)
    }

    Benchmark("SHA-256 16 KiB") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(SHA256.hash(chunk)) }
    }

    Benchmark("P-256 ECDH (one scalar multiplication)") { benchmark in
        let point = try P256Point.generatorMultiple(.random())
        let scalar = P256Scalar.random()
        for _ in benchmark.scaledIterations { blackHole(try point.sharedSecret(privateScalar: scalar)) }
    }

    Benchmark("Ed25519 verify") { benchmark in
        let key = Ed25519PrivateKey()
        let message = SecureRandom.bytes(count: 256)
        let signature = key.signature(for: message)
        for _ in benchmark.scaledIterations { blackHole(key.publicKey.isValidSignature(signature, for: message)) }
    }

    Benchmark("HPKE seal + open of a 32-byte envelope key") { benchmark in
        let recipient = HPKE.PrivateKey()
        let info = Array("bench".utf8)
        for _ in benchmark.scaledIterations {
            let (enc, ct) = try HPKE.seal(SecureRandom.bytes(count: 32), to: recipient.publicKey, info: info)
            blackHole(try HPKE.open(ct, encapsulatedKey: enc, with: recipient, info: info))
        }
    }

    // Envelopes: seal and open a 1 MiB bid in memory (every check on).
    let tender = try! TenderID("T-1"), bidder = try! BidderID("B-1")
    let stage = try! StageName("technical"), name = try! EnvelopeName("technical")
    let committee = HPKE.PrivateKey(), signer = Ed25519PrivateKey()
    let document = SecureRandom.bytes(count: 1 << 20)
    func seal() throws -> [UInt8] {
        let sink = MemorySink()
        var sealer = try BidSealer(
            tender: tender, bidder: bidder, signer: .ed25519(signer),
            envelopes: [EnvelopeRecipe(name: name, stage: stage, committeeKey: committee.publicKey)], to: sink)
        try sealer.append(document)
        _ = try sealer.finish()
        return sink.bytes
    }
    let sealed = try! seal()

    Benchmark("envelope seal 1 MiB", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try seal()) }
    }

    Benchmark("envelope open 1 MiB (signature, unwrap, MAC, decrypt, digest)", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            let opener = try BidOpener(source: MemorySource(sealed), tender: tender, policy: .signatureOnly())
            blackHole(try opener.unlock(name, with: .committeeKey(committee, stage: stage)).decryptToMemory())
        }
    }

    // Threshold decryption: proofs one by one versus one batched proof per member. A closed
    // tender of 100 small bids, built with the public API as a portal and committee would;
    // an opening qualified to one bidder asks for one envelope.
    let small = try! ClosedTender.make(count: 100, size: 1024, threshold: 3)
    let whole = try! small.opening()
    let stageKey = try! small.tender.stageKey(small.stage)
    let batched = try! small.members.map { try whole.decryptionShares(share: small.shares[$0.id]!, keys: $0)! }
    let single = try! (0..<100).map { i in
        try small.opening(qualified: [BidderID("B-\(i)")]).decryptionShares(share: small.shares[small.members[0].id]!, keys: small.members[0])!
    }

    Benchmark("decryption-share proofs: 100 envelopes, one proof each", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            for contribution in single { blackHole(try contribution.verify(stageKey: stageKey)) }
        }
    }

    Benchmark("decryption-share proofs: 100 envelopes, one batched proof", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try batched[0].verify(stageKey: stageKey)) }
    }

    Benchmark("threshold combine: 3 members x 100 envelopes", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try ThresholdCombiner.combine(
                    stageKey: stageKey, openingID: whole.openingID, encapsulatedKeys: whole.encapsulatedKeys, contributions: batched))
        }
    }

    // HPKE, split into the sender's and the recipient's halves.
    let recipient = HPKE.PrivateKey()
    let envelopeKey = SecureRandom.bytes(count: 32)
    let info = Array("sealbid benchmark".utf8)
    let wrapped = try! HPKE.seal(envelopeKey, to: recipient.publicKey, info: info)

    Benchmark("HPKE seal (encapsulate + seal a 32-byte key)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try HPKE.seal(envelopeKey, to: recipient.publicKey, info: info)) }
    }

    Benchmark("HPKE open (decapsulate + open a 32-byte key)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try HPKE.open(wrapped.1, encapsulatedKey: wrapped.0, with: recipient, info: info))
        }
    }

    Benchmark("decryption shares with a batched proof: one member, 100 envelopes", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try whole.decryptionShares(share: small.shares[small.members[0].id]!, keys: small.members[0]))
        }
    }

    // Receipts and Merkle proofs: what a bidder, a witness or an opening checks.
    let logSigner = try! NoteSigner(name: "bench.example/log", key: Ed25519PrivateKey())
    let log = try! SubmissionLog(
        origin: "bench.example/log/T-1", tender: "T-1", deadline: Date().addingTimeInterval(3600), signer: logSigner,
        store: MemoryLogStore())
    let receipts = try! (0..<1000).map { i in
        try awaitResult { try await log.submit(kind: .submit, bidder: "B-\(i)", bidDigest: SHA256.hash([UInt8(i & 0xFF), UInt8(i >> 8)]), bidLength: 1) }
    }

    Benchmark("receipt verification (log signature + inclusion proof, log of 1000)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try receipts[500].verify(log: logSigner.verifier, origin: "bench.example/log/T-1")) }
    }

    var tree = MerkleTree()
    for i in 0..<(1 << 16) { tree.append(leafHash: MerkleTreeHash.leafHash(withUnsafeBytes(of: i) { Array($0) })) }
    let treeRoot = try! tree.root()
    let leaf = MerkleTreeHash.leafHash(withUnsafeBytes(of: 12345) { Array($0) })
    let inclusion = try! tree.inclusionProof(index: 12345, size: tree.size)
    let consistency = try! tree.consistencyProof(size1: 40000, size2: tree.size)
    let oldRoot = try! tree.root(size: 40000)

    Benchmark("Merkle inclusion proof verification (tree of 65536)") { benchmark in
        for _ in benchmark.scaledIterations {
            try MerkleProof.verifyInclusion(index: 12345, size: tree.size, leafHash: leaf, proof: inclusion, root: treeRoot)
        }
    }

    Benchmark("Merkle consistency proof verification (40000 -> 65536)") { benchmark in
        for _ in benchmark.scaledIterations {
            try MerkleProof.verifyConsistency(size1: 40000, size2: tree.size, proof: consistency, root1: oldRoot, root2: treeRoot)
        }
    }

    // Bulk sealing and opening of a whole stage (the sizes of the performance issue).
    // Each stage is sealed once in its setup, on tmpfs; the timed part is the opening
    // with every check. Set SEALEDBID_BENCH_SCALE=10 for a tenth of the counts.
    let scale = Int(ProcessInfo.processInfo.environment["SEALEDBID_BENCH_SCALE"] ?? "") ?? 1
    for (count, size, label) in [(1000 / scale, 1 << 20, "1 MiB"), (200 / scale, 10 << 20, "10 MiB"), (10000 / scale, 64 << 10, "64 KiB")] {
        for (mode, t) in [("reconstruct", 3), ("threshold", 3), ("threshold", 5)] {
            let stage = StageFixture(count: count, size: size, threshold: t)
            Benchmark(
                "bulk opening, \(mode) t=\(t): \(count) x \(label), plaintext discarded",
                configuration: .init(metrics: [.wallClock, .throughput, .peakMemoryResident], scalingFactor: .one, maxIterations: 3),
                closure: { benchmark in
                    for _ in benchmark.scaledIterations { blackHole(try stage.open(mode: mode)) }
                },
                setup: { try stage.prepare() },
                teardown: { stage.remove() })
        }
    }

    Benchmark(
        "bulk sealing: 100 x 1 MiB (into a sink that drops the bytes)",
        configuration: .init(scalingFactor: .one, maxIterations: 5)
    ) { benchmark in
        let recipe = EnvelopeRecipe(name: name, stage: stage, committeeKey: committee.publicKey)
        for _ in benchmark.scaledIterations {
            for i in 0..<100 {
                var sealer = try BidSealer(
                    tender: tender, bidder: BidderID("B-\(i)"), signer: .ed25519(signer), envelopes: [recipe], to: DiscardSink())
                try sealer.append(document)
                blackHole(try sealer.finish())
            }
        }
    }

    let giant = StageFixture(count: 1, size: 2 << 30, threshold: 3)
    Benchmark(
        "peak memory: opening one 2 GiB bid (threshold, plaintext discarded)",
        configuration: .init(metrics: [.wallClock, .peakMemoryResident], scalingFactor: .one, maxIterations: 1),
        closure: { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try giant.open(mode: "threshold")) }
        },
        setup: { try giant.prepare() },
        teardown: { giant.remove() })
}

/// Runs an async call from the synchronous registration closure.
func awaitResult<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}

/// A closed tender built with the public API only, as a portal and its committee would: a
/// dealt t-of-t committee, `count` registered bidders with one bid of `size` bytes each, kept on
/// tmpfs. The portal's clock starts two hours back, so that the tender is over (deadline and
/// grace window passed) by this machine's clock when it is opened.
struct ClosedTender: @unchecked Sendable {
    let directory: String
    let tender: Tender
    let closing: SignedCheckpoint
    let records: [LogRecord]
    let bids: BidStore
    let members: [MemberKeys]
    let shares: [MemberID: SecretShare]
    let stage = try! StageName("technical")

    static func make(count: Int, size: Int, threshold: Int) throws -> ClosedTender {
        let directory = "/dev/shm/sealbid-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let id = try TenderID("BENCH"), stage = try StageName("technical"), envelope = try EnvelopeName("technical")
        let members = (1...threshold).map { MemberKeys(id: MemberID(integerLiteral: UInt16($0))) }
        let dealer = Ed25519PrivateKey()
        let roster = try CommitteeRoster(
            committee: id.value, stage: stage.value, threshold: threshold, members: members.map(\.card), dealerKey: dealer.publicKey)
        let dealing = try TrustedDealer.deal(roster: roster, dealerKey: dealer)
        var shares: [MemberID: SecretShare] = [:]
        for member in members {
            let sealed = dealing.shares.first { $0.recipient == member.id }!
            shares[member.id] = try TrustedDealer.receive(sealed, dealing: dealing.message, roster: roster, keys: member).share
        }
        let bidderKeys = (0..<count).map { _ in Ed25519PrivateKey() }
        let registry = try BidderRegistry(
            bidderKeys.enumerated().map { BidderRegistry.Identity(bidder: try BidderID("B-\($0.offset)"), kind: .ed25519($0.element.publicKey)) })
        let logKey = Ed25519PrivateKey()
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 7200).rounded(.down))
        let tender = try Tender(
            id: id, deadline: start.addingTimeInterval(3600), maxBidBytes: 4 << 30,
            log: NoteVerifier(name: "bench.example/portal/BENCH", publicKey: logKey.publicKey), stages: [dealing.stageKey],
            envelopes: [(envelope, stage)], bidders: registry)
        let clock = ManualClock(start)
        let signer = try NoteSigner(name: tender.origin, key: logKey)
        let portal = try awaitResult {
            try await PortalService.create(tender: tender, directory: "\(directory)/portal", signer: signer, clock: { clock.now })
        }
        // The document in 1 MiB pieces: a 2 GiB document never sits in memory.
        let document = "\(directory)/document"
        _ = FileManager.default.createFile(atPath: document, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: document))
        var remaining = size
        while remaining > 0 {
            try handle.write(contentsOf: Data(SecureRandom.bytes(count: min(remaining, 1 << 20))))
            remaining -= min(remaining, 1 << 20)
        }
        try handle.close()
        for (i, key) in bidderKeys.enumerated() {
            let bidder = try BidderID("B-\(i)"), bid = "\(directory)/upload.sbid"
            _ = try tender.seal(bidder: bidder, signer: .ed25519(key), files: [envelope: document], to: bid)
            _ = try awaitResult { try await portal.accept(bidAt: bid, from: bidder) }
            try FileManager.default.removeItem(atPath: bid)
            clock.advance(1)
        }
        try FileManager.default.removeItem(atPath: document)
        clock.set(tender.deadline)
        let closing = try awaitResult { try await portal.close() }
        return ClosedTender(
            directory: directory, tender: tender, closing: closing, records: try FileLogStore.records(atPath: "\(directory)/portal/log.bin"),
            bids: portal.bids, members: members, shares: shares)
    }

    func opening(qualified: Set<BidderID>? = nil) throws -> StageOpening {
        try StageOpening(tender: tender, stage: stage, closing: closing, records: records, bids: bids, qualified: qualified)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// A bulk-opening benchmark's stage: sealed and closed once in the benchmark's setup; the timed
/// part is the coordinator's opening with every check (the members' shares computed first,
/// as each member would on its own machine).
final class StageFixture: @unchecked Sendable {
    let count: Int, size: Int, threshold: Int
    private var closed: ClosedTender?
    private var opening: StageOpening?

    init(count: Int, size: Int, threshold: Int) {
        self.count = count
        self.size = size
        self.threshold = threshold
    }

    func prepare() throws {
        guard closed == nil else { return }
        let made = try ClosedTender.make(count: count, size: size, threshold: threshold)
        closed = made
        opening = try made.opening()
    }

    func open(mode: String) throws -> OpeningReport {
        guard let closed, let opening else { throw EnvelopeError.invalidInput("stage not prepared") }
        if mode == "reconstruct" {
            let released = try closed.members.map { try opening.releaseShare(share: closed.shares[$0.id]!, keys: $0) }
            return try opening.open(with: released, to: .discard)
        }
        let contributions = try closed.members.compactMap { try opening.decryptionShares(share: closed.shares[$0.id]!, keys: $0) }
        return try opening.open(with: contributions, to: .discard)
    }

    func remove() {
        closed?.remove()
        closed = nil
        opening = nil
    }
}
