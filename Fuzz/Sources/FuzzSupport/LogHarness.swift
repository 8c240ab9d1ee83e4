import Dispatch
import Foundation
import SealedBid
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
        // Against the world's tender (its log key, closing and time-stamp rules), then where it
        // stands in the report of the closed log: a receipt the descriptor accepts was signed by
        // the log that was closed, so it is never taken for another log.
        let world = World.opened
        guard let verified = try? world.tender.verify(receipt: receipt) else { return }
        Fuzz.require(verified.entry.tender == world.tender.id.value, "a receipt the tender accepts is of its log")
        for report in world.reports {
            let standing = Result { try report.checkReceipt(receipt, bidder: verified.entry.bidder, tender: world.tender, records: world.records) }
            Fuzz.require((try? standing.get()) != nil, "a receipt of the closed log stands in its report: \(standing)")
        }
    }

    static func receiptSeeds() throws -> [[UInt8]] {
        var seeds = FixedLog.shared.receipts.map(\.encoded) + World.opened.receipts.map(\.encoded)
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
        _ = try? note.verify(with: [World.logSigner.verifier] + [exampleKey, vectorLog].compactMap { $0 })
        _ = try? World.witnessPolicy.cosignatures(on: note)
        _ = try? SignedCheckpoint(note: note)
    }

    static func noteSeeds() throws -> [[UInt8]] {
        var seeds = FixedLog.shared.checkpoints.map { Array($0.note.serialized.utf8) }
        if let last = FixedLog.shared.checkpoints.last {
            seeds.append(Array(try last.note.adding([World.witness.cosign(last.note.text, at: 1_800_000_000)]).serialized.utf8))
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
                witnesses: index % 2 == 0 ? .none : World.witnessPolicy)
        }
        tenderConsistency(signed)
    }

    /// The world tender's rule for a closed log: nothing but its closing checkpoint (or one of
    /// the same tree issued before the closing) follows it.
    private static func tenderConsistency(_ signed: SignedCheckpoint) {
        let world = World.opened
        let size = signed.checkpoint.size
        for old in world.checkpoints where old.checkpoint.size <= size && size <= world.closing.checkpoint.size {
            let proof = (try? world.tree.consistencyProof(size1: old.checkpoint.size, size2: size)) ?? []
            _ = try? world.tender.verifyConsistency(from: old, to: signed, proof: proof)
        }
        if (try? world.tender.verifyConsistency(from: world.closing, to: signed, proof: [])) != nil {
            Fuzz.require(
                signed.checkpoint.size == world.closing.checkpoint.size && signed.checkpoint.rootHash == world.closing.checkpoint.rootHash,
                "only the closed tree follows a closing")
        }
    }

    static func checkpointSeeds() throws -> [[UInt8]] {
        var seeds = (FixedLog.shared.checkpoints + World.opened.checkpoints).map { Array($0.note.serialized.utf8) }
        seeds += FixedLog.shared.checkpoints.map { Array($0.checkpoint.text.utf8) }
        if let last = FixedLog.shared.checkpoints.last {
            seeds.append(Array(try last.note.adding([World.witness.cosign(last.note.text, at: 1_800_000_000)]).serialized.utf8))
        }
        for vector in Vectors.json(in: "TestVectors/receipts") {
            for key in ["old_checkpoint", "new_checkpoint"] { if let text = vector[key] as? String { seeds.append(Array(text.utf8)) } }
        }
        return seeds
    }

    // MARK: Witness requests

    /// A C2SP tlog-witness `add-checkpoint` body: parsed strictly, it re-serializes to itself;
    /// its checkpoint's cosignatures are checked against the world's witness.
    static func witnessRequest(_ bytes: [UInt8]) {
        guard let (oldSize, proof, signed) = try? Witness.parseAddCheckpoint(bytes) else { return }
        let again = try? Witness.parseAddCheckpoint(Witness.addCheckpointBody(oldSize: oldSize, proof: proof, checkpoint: signed))
        Fuzz.require(again?.oldSize == oldSize && again?.proof == proof && again?.checkpoint == signed,
            "a parsed request re-serializes to one that parses the same")
        Fuzz.require(proof.count <= 63 && proof.allSatisfy { $0.count == 32 }, "at most 63 proof hashes of 32 bytes")
        _ = try? World.witnessPolicy.check(signed.note)
        _ = try? signed.verifySignatures(log: World.logSigner.verifier, origin: World.origin, witnesses: World.witnessPolicy)
    }

    static func witnessRequestSeeds() throws -> [[UInt8]] {
        let log = FixedLog.shared
        var seeds: [[UInt8]] = []
        for (n, signed) in log.checkpoints.enumerated() {
            let old = n == 0 ? 0 : log.checkpoints[n - 1].checkpoint.size
            let proof = old == 0 ? [] : ((try? log.proof(from: old, to: signed.checkpoint.size)) ?? [])
            let cosigned = try signed.note.adding([World.witness.cosign(signed.note.text, at: 1_800_000_000)])
            seeds.append(Witness.addCheckpointBody(oldSize: old, proof: proof, checkpoint: try SignedCheckpoint(note: cosigned)))
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

    /// Input: one byte choosing what the rest is, then the bytes. 0: a store file with no head
    /// beside it; 1: a store file beside the fixed log's head (its closing checkpoint); 2: a head
    /// file beside the fixed log's store (eight entries and the closing record). The files are
    /// read as a verifier reads them (`records(atPath:)`), as the portal opens them
    /// (`FileLogStore`, `load()`, `loadHead()`) and as a log (`SubmissionLog`, which checks every
    /// record, the closing record and the head).
    static func logStore(_ bytes: [UInt8]) {
        guard let mode = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        let fixed = FixedLog.shared
        let (storeBytes, headBytes): ([UInt8], [UInt8]?) =
            switch mode % 3 {
            case 0: (rest, nil)
            case 1: (rest, fixed.head)
            default: (fixed.store, rest)
            }
        let path = World.scratchPath, headPath = World.scratchPath + ".head"
        guard FileManager.default.createFile(atPath: path, contents: Data(storeBytes)) else { fatalError("cannot write \(path)") }
        unlink(headPath)
        if let headBytes, !FileManager.default.createFile(atPath: headPath, contents: Data(headBytes)) { fatalError("cannot write \(headPath)") }
        defer {
            unlink(path)
            unlink(headPath)
        }
        let records = try? FileLogStore.records(atPath: path)
        if let store = try? FileLogStore(path: path, timeout: 0) {
            Fuzz.require((try? store.load()) == records, "load() and records(atPath:) agree")
            let head = try? store.loadHead()
            if let head { Fuzz.require(headBytes == Array(head.utf8), "the head is the file's text") }
            if (try? SubmissionLog(
                origin: World.origin, tender: World.tender.value, deadline: FixedLog.deadline, grace: FixedLog.grace,
                signer: World.logSigner, store: store, clock: { FixedLog.end })) != nil
            {
                checkOpened(records: records, head: head)
            }
        }
        Fuzz.require((try? FileLogStore.records(atPath: path)) == records, "reading a store changes nothing")
        for case .entry(let entry, _) in records ?? [] {
            if let parsed = try? LogEntry(encoded: entry) { Fuzz.require(parsed.encoded == entry, "an entry is canonical") }
        }
    }

    /// What a log that opened was given: entries of its tender, no digest twice but an upload's,
    /// at most one closing record (last, at its size), and a head unless it is empty. (The
    /// log's own state is not read back: that would run the actor on another thread for every
    /// input.)
    private static func checkOpened(records: [LogRecord]?, head: String?) {
        guard let records else { return Fuzz.require(false, "a log opened on a store that does not read") }
        var digests: Set<[UInt8]> = []
        for (position, record) in records.enumerated() {
            switch record {
            case .entry(let bytes, _):
                let entry = try? LogEntry(encoded: bytes)
                Fuzz.require(entry?.tender == World.tender.value, "a log opened with an entry that is not its tender's")
                if let entry, entry.kind != .upload {
                    Fuzz.require(digests.insert(entry.bidDigest).inserted, "a log opened with a digest logged twice")
                }
            case .closed(let size, _):
                Fuzz.require(position == records.count - 1 && size == UInt64(position), "a log opened with a closing record out of place")
            }
        }
        Fuzz.require(head != nil || records.isEmpty, "only an empty store opens without a head")
    }

    static func logStoreSeeds() throws -> [[UInt8]] {
        let fixed = FixedLog.shared
        let store = fixed.store
        var seeds: [[UInt8]] = [[0], [1]]
        for mode: UInt8 in [0, 1] {
            seeds += [store, Array(store.prefix(store.count / 2)), Array(store.dropLast(5)), store + [UInt8](repeating: 0, count: 40)]
                .map { [mode] + $0 }
        }
        seeds.append([2] + fixed.head)
        seeds.append([2] + Array(FixedLog.shared.checkpoints[3].note.serialized.utf8))
        // The world tender's store (another origin: read, not opened).
        seeds.append([0] + (try [UInt8](Data(contentsOf: URL(fileURLWithPath: World.opened.portal + "/log.bin")))))
        return seeds
    }
}

/// A log of eight entries made with the fixed key and clock (the same in
/// every process, as Ed25519 signatures are deterministic), with a checkpoint
/// at every size, receipts, and its store and head files (closed).
final class FixedLog: Sendable {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let deadline = start.addingTimeInterval(86400)
    static let grace: TimeInterval = 3600
    /// After the closing.
    static let end = deadline.addingTimeInterval(2 * 86400)
    static let shared: FixedLog = {
        do { return try FixedLog() } catch { fatalError("cannot make the fixed log: \(error)") }
    }()

    let checkpoints: [SignedCheckpoint]
    let receipts: [Receipt]
    let leafHashes: [[UInt8]]
    let store: [UInt8]
    let head: [UInt8]
    private let proofs: [[UInt8]: [[UInt8]]]

    private init() throws {
        let path = World.scratchPath + "-log"
        unlink(path)
        unlink(path + ".head")
        defer {
            unlink(path)
            unlink(path + ".head")
        }
        let clock = ManualClock(Self.start)
        let stamps = World.pki.map { pki in Stamps(authority: pki.tsa, at: { _ in pki.time }) }
        let log = try SubmissionLog(
            origin: World.origin, tender: World.tender.value, deadline: Self.deadline, grace: Self.grace, signer: World.logSigner,
            store: FileLogStore.create(path: path), clock: { clock.now }, timestamper: stamps?.timestamper)
        // Every kind: a commitment's upload repeats its digest.
        let script: [(LogEntry.Kind, Int, String)] = [
            (.submit, 0, "bid 0"), (.submit, 1, "bid 1"), (.replace, 0, "bid 2"), (.commit, 2, "bid 3"), (.upload, 2, "bid 3"),
            (.withdraw, 1, "withdrawal 5"), (.submit, 3, "bid 6"), (.replace, 3, "bid 7"),
        ]
        var receipts: [Receipt] = []
        var checkpoints: [SignedCheckpoint] = []
        for (kind, bidder, digest) in script {
            try stamps?.stamp(
                kind, tender: World.tender.value, bidder: "BIDDER-\(bidder)", at: clock.now, digest: World.bytes(digest),
                length: kind == .withdraw ? 120 : 1000)
            receipts.append(
                try blocking {
                    try await log.submit(
                        kind: kind, bidder: "BIDDER-\(bidder)", bidDigest: World.bytes(digest), bidLength: kind == .withdraw ? 120 : 1000)
                })
            checkpoints.append(try blocking { try await log.checkpoint() })
            clock.advance(60)
        }
        clock.set(Self.deadline.addingTimeInterval(Self.grace))
        checkpoints[checkpoints.count - 1] = try blocking { try await log.close() }
        var proofs: [[UInt8]: [[UInt8]]] = [:]
        for a in 1...UInt64(script.count) {
            for b in a...UInt64(script.count) { proofs[[0, UInt8(a), UInt8(b)]] = try blocking { try await log.consistencyProof(from: a, to: b) } }
        }
        if let pki = World.pki {
            // Every entry got the token made for it.
            for receipt in receipts { _ = try receipt.verify(log: World.logSigner.verifier, origin: World.origin, timestampRoots: [pki.root]) }
        }
        self.receipts = receipts + [try blocking { try await log.receipt(index: 2) }]
        self.checkpoints = checkpoints
        self.leafHashes = try blocking { await log.allEntries() }.map(\.leafHash)
        self.proofs = proofs
        self.store = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        self.head = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + ".head")))
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
