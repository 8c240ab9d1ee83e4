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

    // Threshold decryption: proofs one by one versus one batched proof per member.
    let members = (1...3).map { MemberKeys(id: MemberID(integerLiteral: UInt16($0))) }
    let roster = try! CommitteeRoster(committee: "T-1", stage: "technical", threshold: 3, members: members.map(\.card))
    let dealing = try! TrustedDealer.deal(roster: roster)
    let shares = dealing.shares.map { try! TrustedDealer.receive($0, stageKey: dealing.stageKey, keys: members[Int($0.recipient.value) - 1]) }
    let encs = (0..<100).map { _ in HPKE.EncapsulatedKey(publicKey: HPKE.PrivateKey().publicKey) }
    let batched = shares.map { try! DecryptionShares.create(share: $0, stageKey: dealing.stageKey, encapsulatedKeys: encs) }
    let single = encs.map { try! DecryptionShares.create(share: shares[0], stageKey: dealing.stageKey, encapsulatedKeys: [$0]) }

    Benchmark("decryption-share proofs: 100 envelopes, one proof each", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            for contribution in single { blackHole(try contribution.verify(stageKey: dealing.stageKey)) }
        }
    }

    Benchmark("decryption-share proofs: 100 envelopes, one batched proof", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try batched[0].verify(stageKey: dealing.stageKey)) }
    }

    Benchmark("threshold combine: 3 members x 100 envelopes", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ThresholdCombiner.combine(stageKey: dealing.stageKey, encapsulatedKeys: encs, contributions: batched))
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
            blackHole(try DecryptionShares.create(share: shares[0], stageKey: dealing.stageKey, encapsulatedKeys: encs))
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

/// A closed tender whose one stage holds `count` bids of `size` bytes, kept on
/// tmpfs, and its committee: what a bulk-opening benchmark opens.
final class StageFixture: @unchecked Sendable {
    let count: Int, size: Int, threshold: Int
    let directory = "/dev/shm/sealbid-bench-\(UUID().uuidString)"
    private var opening: StageOpening?
    private var dealing: TrustedDealer.Dealing?
    private var memberShares: [SecretShare] = []

    init(count: Int, size: Int, threshold: Int) {
        self.count = count
        self.size = size
        self.threshold = threshold
    }

    func prepare() throws {
        guard opening == nil else { return }
        let keys = (1...threshold).map { MemberKeys(id: MemberID(integerLiteral: UInt16($0))) }
        let roster = try CommitteeRoster(committee: "BENCH", stage: "technical", threshold: threshold, members: keys.map(\.card))
        let dealt = try TrustedDealer.deal(roster: roster)
        memberShares = try dealt.shares.map { sealed in
            try TrustedDealer.receive(sealed, stageKey: dealt.stageKey, keys: keys[Int(sealed.recipient.value) - 1])
        }
        let envelope = (name: try EnvelopeName("technical"), stage: try StageName("technical"))
        let deadline = Date().addingTimeInterval(3600)
        let tender = try Tender(id: TenderID("BENCH"), deadline: deadline, stages: [dealt.stageKey], envelopes: [envelope])
        let clock = ManualClock(Date())
        let logKey = try NoteSigner(name: "bench.example/portal", key: Ed25519PrivateKey())
        let portal = try PortalService(
            tender: tender.id, directory: directory, origin: "bench.example/portal/BENCH", deadline: deadline, signer: logKey,
            clock: { clock.now })
        let document = "\(directory)/document"
        FileManager.default.createFile(atPath: document, contents: Data(SecureRandom.bytes(count: size)))
        for i in 0..<count {
            let bidder = try BidderID("B-\(i)"), key = Ed25519PrivateKey(), bid = "\(directory)/upload.sbid"
            _ = try tender.seal(bidder: bidder, signer: .ed25519(key), files: [envelope.name: document], to: bid)
            _ = try awaitResult { try await portal.accept(bidAt: bid, from: bidder, policy: .registered(ed25519Keys: [key.publicKey])) }
            try FileManager.default.removeItem(atPath: bid)
        }
        clock.set(deadline)
        let closing = try awaitResult { try await portal.close() }
        let entries = try awaitResult { try await portal.closedEntries() }
        opening = try StageOpening(
            tender: tender, stage: envelope.stage, closing: closing, logKey: logKey.verifier,
            origin: "bench.example/portal/BENCH", entries: entries, bidPath: { portal.storedPath(bidDigest: $0) })
        dealing = dealt
    }

    /// The coordinator's part of an opening: the members' shares are computed first (untimed
    /// in a real ceremony, where each member computes on their own machine).
    func open(mode: String) throws -> OpeningReport {
        guard let opening, let dealing else { throw EnvelopeError.invalidInput("stage not prepared") }
        if mode == "reconstruct" {
            let rebuilt = try Reconstruction.reconstruct(stageKey: dealing.stageKey, shares: memberShares)
            return try opening.open(with: rebuilt, to: .discard)
        }
        let contributions = try memberShares.map {
            try DecryptionShares.create(share: $0, stageKey: dealing.stageKey, encapsulatedKeys: opening.encapsulatedKeys)
        }
        return try opening.open(with: contributions, to: .discard)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
        opening = nil
    }
}
