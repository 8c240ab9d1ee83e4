import Dispatch
import Foundation
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// Receipts, signed notes, checkpoints, Merkle proofs and the log store.
enum LogHarness {
    /// The project's receipt vectors are signed by this key.
    static let vectorLog = try? NoteVerifier(verifierKey: "lpse.example.go.id/portal/LPSE-2026-0042+bdf8851d+AfOBH4DSaLaNA04i/34YIODw/tqrklctAuD4JWyXvLsu")
    static let vectorOrigin = "lpse.example.go.id/portal/LPSE-2026-0042"
    /// The C2SP signed-note example key.
    static let exampleKey = try? NoteVerifier(verifierKey: "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")

    // MARK: Receipts

    static func receipt(_ bytes: [UInt8]) {
        _ = try? LogEntry(encoded: bytes)
        guard let receipt = try? Receipt(encoded: bytes) else { return }
        Fuzz.require(receipt.encoded == bytes, "a receipt re-encodes to its input")
        _ = try? receipt.checkpointOrigin()
        var logs = [(World.logSigner.verifier, World.origin)]
        if let vectorLog { logs.append((vectorLog, vectorOrigin)) }
        for (log, origin) in logs {
            guard let verified = try? receipt.verify(log: log, origin: origin) else { continue }
            Fuzz.require(verified.index < verified.checkpoint.checkpoint.size, "a verified index lies in the tree")
            if let pki = World.pki { _ = try? receipt.verify(log: log, origin: origin, timestampRoots: [pki.root]) }
        }
    }

    static func receiptSeeds() throws -> [[UInt8]] {
        var seeds = FixedLog.shared.receipts.map(\.encoded)
        for vector in Vectors.json(in: "TestVectors/receipts") {
            if let hex = vector["receipt"] as? String, let receipt = try? Hex.decode(hex) { seeds.append(receipt) }
        }
        return seeds
    }

    // MARK: Signed notes

    static func note(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? NoteVerifier(verifierKey: text)
        guard let note = try? SignedNote(parsing: text) else { return }
        Fuzz.require((try? SignedNote(parsing: note.serialized)) == note, "a parsed note serializes to the same note")
        _ = try? note.verify(with: [World.logSigner.verifier, World.witness.verifier] + [exampleKey, vectorLog].compactMap { $0 })
        _ = try? SignedCheckpoint(note: note)
    }

    static func noteSeeds() throws -> [[UInt8]] {
        var seeds = FixedLog.shared.checkpoints.map { Array($0.note.serialized.utf8) }
        if let last = FixedLog.shared.checkpoints.last {
            seeds.append(Array(last.note.adding(World.witness).serialized.utf8))
        }
        seeds.append(Array(World.logSigner.verifier.verifierKey.utf8))
        for name in ["signed-note-example.note", "signed-note-example.vkey"] {
            if let data = try? Data(contentsOf: World.vectors.appendingPathComponent("c2sp-signed-note/\(name)")) { seeds.append([UInt8](data)) }
        }
        return seeds
    }

    // MARK: Checkpoints

    static func checkpoint(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let body = try? Checkpoint(text: text) {
            Fuzz.require(body.text == text, "a checkpoint body is canonical")
            _ = body.closedAt(tender: "LPSE-FUZZ-0001")
        }
        guard let signed = try? SignedCheckpoint(serialized: text) else { return }
        _ = signed.checkpoint.closedAt(tender: "LPSE-FUZZ-0001")
        let log = FixedLog.shared
        let size = signed.checkpoint.size
        for old in log.checkpoints where old.checkpoint.size <= size && size <= UInt64(log.checkpoints.count) {
            let proof = (try? log.proof(from: old.checkpoint.size, to: size)) ?? []
            _ = try? old.verifyConsistency(to: signed, proof: proof, log: World.logSigner.verifier, origin: World.origin)
        }
        for (index, leaf) in log.leafHashes.enumerated() where UInt64(index) < size && size <= UInt64(log.leafHashes.count) {
            let proof = (try? log.inclusion(index: UInt64(index), size: size)) ?? []
            _ = try? signed.verifyInclusion(
                leafHash: leaf, index: UInt64(index), proof: proof, log: World.logSigner.verifier, origin: World.origin,
                witnesses: [World.witness.verifier], witnessQuorum: index % 2)
        }
    }

    static func checkpointSeeds() throws -> [[UInt8]] {
        var seeds = FixedLog.shared.checkpoints.map { Array($0.note.serialized.utf8) }
        seeds += FixedLog.shared.checkpoints.map { Array($0.checkpoint.text.utf8) }
        if let last = FixedLog.shared.checkpoints.last { seeds.append(Array(last.note.adding(World.witness).serialized.utf8)) }
        for vector in Vectors.json(in: "TestVectors/receipts") {
            for key in ["old_checkpoint", "new_checkpoint"] { if let text = vector[key] as? String { seeds.append(Array(text.utf8)) } }
        }
        return seeds
    }

    // MARK: Merkle proofs

    /// Input: `u8(mode) || three u64 || hashes`: the u64s are the sizes and
    /// indices the mode needs, the first one or two hashes are the leaf or
    /// roots, the rest is the proof (a partial hash at the end is kept, to
    /// reach the length checks).
    static func merkleProof(_ bytes: [UInt8]) {
        guard bytes.count >= 25 else { return }
        func u64(_ i: Int) -> UInt64 { bytes[(1 + 8 * i)..<(9 + 8 * i)].reduce(0) { $0 << 8 | UInt64($1) } }
        let (a, b, c) = (u64(0), u64(1), u64(2))
        var hashes: [[UInt8]] = []
        var position = 25
        while position < bytes.count {
            hashes.append(Array(bytes[position..<min(position + 32, bytes.count)]))
            position += 32
        }
        let first = hashes.first ?? []
        let second = hashes.count > 1 ? hashes[1] : []
        let proof = Array(hashes.dropFirst(2))
        switch bytes[0] % 5 {
        case 0:
            _ = try? MerkleProof.verifyInclusion(index: a, size: b, leafHash: first, proof: proof, root: second)
            if let root = try? MerkleProof.rootFromInclusion(index: a, size: b, leafHash: first, proof: proof) {
                Fuzz.require((try? MerkleProof.verifyInclusion(index: a, size: b, leafHash: first, proof: proof, root: root)) != nil, "inclusion")
            }
        case 1:
            _ = try? MerkleProof.verifyConsistency(size1: a, size2: b, proof: proof, root1: first, root2: second)
            if let root = try? MerkleProof.rootFromConsistency(size1: a, size2: b, proof: proof, root1: first) {
                Fuzz.require(
                    (try? MerkleProof.verifyConsistency(size1: a, size2: b, proof: proof, root1: first, root2: root)) != nil, "consistency")
            }
        case 2:
            _ = try? MerkleProof.verifySubtreeInclusion(index: a, start: b, end: c, leafHash: first, proof: proof, root: second)
        case 3:
            _ = try? MerkleProof.verifySubtreeConsistency(start: a, end: b, size: c, proof: proof, subRoot: first, parentRoot: second)
        default:
            // Against the fixed log: only real proofs verify.
            let log = FixedLog.shared
            let size = b % UInt64(log.leafHashes.count + 1)
            if let root = log.checkpoints.first(where: { $0.checkpoint.size == size })?.checkpoint.rootHash {
                if (try? MerkleProof.verifyInclusion(index: a, size: size, leafHash: first, proof: proof, root: root)) != nil {
                    Fuzz.require(a < size && log.leafHashes[Int(a)] == first, "an inclusion proof verified a leaf that is not there")
                }
            }
        }
    }

    static func merkleProofSeeds() throws -> [[UInt8]] {
        func u64(_ n: UInt64) -> [UInt8] { withUnsafeBytes(of: n.bigEndian) { Array($0) } }
        func b64(_ value: Any?) -> [UInt8] {
            guard let text = value as? String, let data = Data(base64Encoded: text) else { return [] }
            return [UInt8](data)
        }
        func record(_ mode: UInt8, _ a: UInt64, _ b: UInt64, _ c: UInt64, _ hashes: [[UInt8]]) -> [UInt8] {
            [mode] + u64(a) + u64(b) + u64(c) + hashes.flatMap { $0 }
        }
        var seeds: [[UInt8]] = []
        let base = World.vectors.appendingPathComponent("transparency-dev-merkle/testdata")
        for (mode, folder) in [(UInt8(0), "inclusion"), (1, "consistency"), (2, "subtreeinclusion"), (3, "subtreeconsistency")] {
            for v in Vectors.json(in: base.appendingPathComponent(folder)) {
                let proof = (v["proof"] as? [String] ?? []).map { b64($0) }
                func n(_ key: String) -> UInt64 { (v[key] as? NSNumber)?.uint64Value ?? 0 }
                switch mode {
                case 0: seeds.append(record(0, n("leafIdx"), n("treeSize"), 0, [b64(v["leafHash"]), b64(v["root"])] + proof))
                case 1: seeds.append(record(1, n("size1"), n("size2"), 0, [b64(v["root1"]), b64(v["root2"])] + proof))
                case 2:
                    seeds.append(record(2, n("index"), n("start"), n("end"), [b64(v["leafHash"]), b64(v["root"])] + proof))
                default:
                    seeds.append(record(3, n("start"), n("end"), n("size"), [b64(v["root1"]), b64(v["root2"])] + proof))
                }
            }
        }
        let log = FixedLog.shared
        for size in 1...UInt64(log.leafHashes.count) {
            for index in 0..<size {
                seeds.append(record(4, index, size, 0, [log.leafHashes[Int(index)], []] + (try log.inclusion(index: index, size: size))))
            }
        }
        return seeds
    }

    // MARK: The log store

    static func logStore(_ bytes: [UInt8]) {
        let path = World.scratchPath
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { fatalError("cannot write \(path)") }
        defer { unlink(path) }
        let records = try? FileLogStore.records(atPath: path)
        if let store = try? FileLogStore(path: path), let loaded = try? store.load() {
            Fuzz.require(loaded == records, "load() and records(atPath:) agree")
            Fuzz.require((try? FileLogStore.records(atPath: path)) == loaded, "a store reads the same after load()")
        }
        guard let records else { return }
        let memory = MemoryLogStore()
        for record in records {
            try? memory.append(record)
            if case .entry(let entry) = record, let parsed = try? LogEntry(encoded: entry) {
                Fuzz.require(parsed.encoded == entry, "an entry is canonical")
            }
        }
        _ = try? SubmissionLog(
            origin: World.origin, tender: "LPSE-FUZZ-0001", deadline: FixedLog.deadline, signer: World.logSigner, store: memory,
            clock: { FixedLog.start })
    }

    static func logStoreSeeds() throws -> [[UInt8]] {
        let store = FixedLog.shared.store
        return [store, Array(store.prefix(store.count / 2)), Array(store.dropLast(5)), store + [UInt8](repeating: 0, count: 40), []]
    }
}

/// A log of eight entries made with the fixed key and clock (the same in
/// every process, as Ed25519 signatures are deterministic), with a checkpoint
/// at every size, receipts, and its store file.
final class FixedLog: Sendable {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let deadline = start.addingTimeInterval(86400)
    static let shared: FixedLog = {
        do { return try FixedLog() } catch { fatalError("cannot make the fixed log: \(error)") }
    }()

    let checkpoints: [SignedCheckpoint]
    let receipts: [Receipt]
    let leafHashes: [[UInt8]]
    let store: [UInt8]
    private let proofs: [[UInt8]: [[UInt8]]]

    private init() throws {
        let path = World.scratchPath + "-log"
        unlink(path)
        defer { unlink(path) }
        let clock = ManualClock(Self.start)
        let tsa = World.pki.map { pki in
            { @Sendable (digest: [UInt8]) throws -> [UInt8] in
                let request = try TimestampRequest(digest: digest, nonce: 7)
                return try TimestampToken(response: pki.tsa.respond(to: request.derRepresentation, at: pki.time, serial: 1))
                    .derRepresentation
            }
        }
        let log = try SubmissionLog(
            origin: World.origin, tender: "LPSE-FUZZ-0001", deadline: Self.deadline, signer: World.logSigner,
            store: FileLogStore(path: path), clock: { clock.now }, timestamper: tsa)
        let kinds: [LogEntry.Kind] = [.submit, .submit, .replace, .commit, .submit, .withdraw, .submit, .replace]
        var receipts: [Receipt] = []
        var checkpoints: [SignedCheckpoint] = []
        for (i, kind) in kinds.enumerated() {
            let digest = kind == .withdraw ? [UInt8](repeating: 0, count: 32) : World.bytes("bid \(i)")
            receipts.append(
                try blocking {
                    try await log.submit(kind: kind, bidder: "BIDDER-\(i % 3)", bidDigest: digest, bidLength: kind == .withdraw ? 0 : 1000)
                })
            checkpoints.append(try blocking { try await log.checkpoint() })
            clock.advance(60)
        }
        clock.advance(86400)
        checkpoints[checkpoints.count - 1] = try blocking { try await log.close() }
        var proofs: [[UInt8]: [[UInt8]]] = [:]
        for a in 1...UInt64(kinds.count) {
            for b in a...UInt64(kinds.count) { proofs[[0, UInt8(a), UInt8(b)]] = try blocking { try await log.consistencyProof(from: a, to: b) } }
        }
        self.receipts = receipts + [try blocking { try await log.receipt(index: 2) }]
        self.checkpoints = checkpoints
        self.leafHashes = try blocking { await log.allEntries() }.map(\.leafHash)
        self.proofs = proofs
        self.store = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func proof(from a: UInt64, to b: UInt64) throws -> [[UInt8]] {
        guard let proof = proofs[[0, UInt8(truncatingIfNeeded: a), UInt8(truncatingIfNeeded: b)]] else { throw LogError.proof("none") }
        return proof
    }

    func inclusion(index: UInt64, size: UInt64) throws -> [[UInt8]] {
        var tree = MerkleTree()
        for leaf in leafHashes.prefix(Int(size)) { tree.append(leafHash: leaf) }
        return try tree.inclusionProof(index: index, size: size)
    }
}

/// Runs async code from the synchronous harness (the log is an actor).
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// Carries a task's result to the thread waiting for it (written before the
/// semaphore is signalled, read after the wait).
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, Error>?
}
