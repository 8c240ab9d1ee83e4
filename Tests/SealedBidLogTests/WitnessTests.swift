import Foundation
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives
import Testing

/// A witness reached in process, that can be taken down.
final class SwitchableWitness: WitnessTransport, @unchecked Sendable {
    let witness: Witness
    private let lock = NSLock()
    private var _down = false
    var down: Bool {
        get { lock.withLock { _down } }
        set { lock.withLock { _down = newValue } }
    }
    init(_ witness: Witness) { self.witness = witness }

    struct Unreachable: Error {}

    func addCheckpoint(_ body: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
        if down { throw Unreachable() }
        let response = await witness.handleAddCheckpoint(body)
        return (response.status, response.body)
    }
}

struct WitnessFixture {
    let f = LogFixture()
    let keys = [Ed25519PrivateKey(), Ed25519PrivateKey(), Ed25519PrivateKey()]
    let directories = (0..<3).map { _ in FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-witness-\(UUID())").path }

    func cosigner(_ n: Int) throws -> Cosigner { try Cosigner(name: "witness.example/w\(n)", key: keys[n]) }

    func witness(_ n: Int, clock: @escaping @Sendable () -> Date = { Date(timeIntervalSince1970: 1_800_000_100) }) throws -> Witness {
        try Witness(cosigner: cosigner(n), logs: [f.signer.verifier], directory: directories[n], clock: clock)
    }

    func policy(count: Int = 2, quorum: Int) throws -> WitnessPolicy {
        try WitnessPolicy(witnesses: (0..<count).map { try cosigner($0).verifier }, quorum: quorum)
    }

    /// A log whose witnesses are `transports`, witness `first + i` behind the i-th.
    func log(_ transports: [SwitchableWitness], quorum: Int, first: Int = 0, store: any LogStore = MemoryLogStore(), signer: NoteSigner? = nil)
        throws -> SubmissionLog
    {
        let clock = f.clock
        let group = try WitnessGroup(
            policy: WitnessPolicy(witnesses: (first..<first + transports.count).map { try cosigner($0).verifier }, quorum: quorum),
            witnesses: try transports.enumerated().map { (try cosigner(first + $0.offset).verifier, $0.element) })
        return try SubmissionLog(
            origin: f.origin, tender: "LPSE-2026-0042", deadline: f.deadline, grace: 600, signer: signer ?? f.signer, store: store,
            clock: { clock.now }, witnesses: group)
    }

    /// An add-checkpoint request body.
    static func request(old: UInt64, proof: [[UInt8]] = [], _ note: SignedCheckpoint) -> [UInt8] {
        Witness.addCheckpointBody(oldSize: old, proof: proof, checkpoint: note)
    }
}

@Suite("Witnesses (C2SP tlog-witness, tlog-cosignature)")
struct WitnessTests {
    let w = WitnessFixture()

    func checkpoint(_ leaves: [String], signer: NoteSigner? = nil) throws -> (SignedCheckpoint, MerkleTree) {
        var tree = MerkleTree()
        for leaf in leaves { tree.append(leafHash: MerkleTreeHash.leafHash(Array(leaf.utf8))) }
        let body = try Checkpoint(origin: w.f.origin, size: tree.size, rootHash: try tree.root())
        return (try SignedCheckpoint(note: SignedNote(text: body.text, signers: [signer ?? w.f.signer])), tree)
    }

    @Test("a witness cosigns only checkpoints consistent with the last it cosigned, keeps it durably, and answers every refusal of the protocol")
    func protocolRules() async throws {
        let witness = try w.witness(0)
        let (five, _) = try checkpoint(["a", "b", "c", "d", "e"])
        // The first checkpoint of a log: old 0, no proof.
        let first = await witness.handleAddCheckpoint(WitnessFixture.request(old: 0, five))
        #expect(first.status == 200)
        let line = try SignedNote.signatureLines(String(decoding: first.body, as: UTF8.self))
        let cosigned = try five.note.adding(line)
        try WitnessPolicy(witnesses: [w.cosigner(0).verifier], quorum: 1).check(cosigned)
        // A stale old size: 409 with the size it holds.
        let (eight, tree8) = try checkpoint(["a", "b", "c", "d", "e", "f", "g", "h"])
        let stale = await witness.handleAddCheckpoint(WitnessFixture.request(old: 0, eight))
        #expect(stale.status == 409 && stale.contentType == "text/x.tlog.size" && stale.body == Array("5\n".utf8))
        // Growth with a valid proof.
        let proof = try tree8.consistencyProof(size1: 5, size2: 8)
        #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 5, proof: proof, eight)).status == 200)
        // A fork: another 9-entry log whose first 5 entries differ cannot be proven from 8.
        let (fork, forkTree) = try checkpoint(["a", "b", "c", "d", "X", "f", "g", "h", "i"])
        let forkProof = try forkTree.consistencyProof(size1: 8, size2: 9)
        #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 8, proof: forkProof, fork)).status == 422)
        // Another root for the size it holds: a fork too.
        let (other8, _) = try checkpoint(["a", "b", "c", "d", "e", "f", "g", "Z"])
        #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 8, other8)).status == 422)
        // The same checkpoint again: cosigned again.
        #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 8, eight)).status == 200)
        // Older than what it holds: old size larger than the checkpoint's.
        #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 8, five)).status == 400)
        // Not the log's key, an unknown log, malformed bodies.
        let (impostor, _) = try checkpoint(["a"], signer: try NoteSigner(name: w.f.origin, key: Ed25519PrivateKey()))
        #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 8, impostor)).status == 403)
        let otherLog = try NoteSigner(name: "portal.example/OTHER", key: Ed25519PrivateKey())
        let foreign = try SignedCheckpoint(
            note: SignedNote(text: try Checkpoint(origin: "portal.example/OTHER", size: 0, rootHash: SHA256.hash([])).text, signers: [otherLog]))
        #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 0, foreign)).status == 404)
        for body in ["", "old 8\n", "old 08\n\n" + eight.note.serialized, "old 8\nnot-base64\n\n" + eight.note.serialized, "old -1\n\n"] {
            #expect(await witness.handleAddCheckpoint(Array(body.utf8)).status == 400, "\(body)")
        }
        // One process per state directory: a second witness on it is refused while this one runs.
        #expect(throws: LogError.storage("the witness state \(w.directories[0]) is in use by another process")) { _ = try w.witness(0) }
    }

    @Test("an empty log cosigned first (a checkpoint asked for before any bid) still grows: every tree extends the empty one")
    func emptyThenGrow() async throws {
        let witness = try w.witness(0)
        let (empty, _) = try checkpoint([])
        #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 0, empty)).status == 200)
        let (three, _) = try checkpoint(["a", "b", "c"])
        #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 0, three)).status == 200)
        // Another empty tree after that: old size 3 expected.
        let refused = await witness.handleAddCheckpoint(WitnessFixture.request(old: 0, empty))
        #expect(refused.status == 409 && refused.body == Array("3\n".utf8))
        // A log that cosigned size 0 through the SubmissionLog, then appends.
        let log = try w.log([SwitchableWitness(try w.witness(1)), SwitchableWitness(try w.witness(2))], quorum: 2, first: 1)
        _ = try await log.cosignedCheckpoint()
        _ = try await log.submit(kind: .submit, bidder: "B0", bidDigest: w.f.digest("bid 0"), bidLength: 100)
    }

    @Test("an origin in another Unicode spelling is another log: unknown to the witness, never a second state for the same log")
    func originSpelling() async throws {
        let key = Ed25519PrivateKey()
        let composed = try NoteSigner(name: "caf\u{E9}.example/T-1", key: key)
        let witness = try Witness(
            cosigner: w.cosigner(0), logs: [composed.verifier], directory: w.directories[0], clock: { Date(timeIntervalSince1970: 1_800_000_100) })
        func note(origin: String) throws -> SignedCheckpoint {
            try SignedCheckpoint(note: SignedNote(text: try Checkpoint(origin: origin, size: 0, rootHash: SHA256.hash([])).text, signers: [composed]))
        }
        #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 0, try note(origin: "caf\u{E9}.example/T-1"))).status == 200)
        let respelled = try note(origin: "cafe\u{301}.example/T-1")
        #expect(respelled.checkpoint.origin == "caf\u{E9}.example/T-1")  // equal to Swift, not in bytes
        #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 0, respelled)).status == 404)
    }

    @Test("two logs on one store (two portal instances) hand out one closing note, byte for byte, though each cosigning gives new timestamps")
    func closingKeptOnce() async throws {
        // A witness clock that moves one second at every cosignature: two cosignings differ.
        let ticks = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let tick: @Sendable () -> Date = {
            ticks.advance(1)
            return ticks.now
        }
        let witnesses = try (0..<2).map { SwitchableWitness(try w.witness($0, clock: tick)) }
        let store = MemoryLogStore()
        let a = try w.log(witnesses, quorum: 2, store: store)
        _ = try await a.submit(kind: .submit, bidder: "B0", bidDigest: w.f.digest("bid 0"), bidLength: 100)
        let b = try w.log(witnesses, quorum: 2, store: store)
        w.f.clock.advance(3600 + 600)
        let closedByA = try await a.close()
        let closedByB = try await b.close()  // B finds A's closing record, and the note A kept
        #expect(closedByA.note.serialized == closedByB.note.serialized)
        // A third instance opened later, asked twice.
        let c = try w.log(witnesses, quorum: 2, store: store)
        #expect(try await c.closingCheckpoint()?.note.serialized == closedByA.note.serialized)
        #expect(try await c.cosignedCheckpoint().note.serialized == closedByA.note.serialized)
        // Cosigning again would give another note: the kept one is what makes them equal.
        let again = try await WitnessGroup(policy: w.policy(quorum: 2), witnesses: try (0..<2).map { (try w.cosigner($0).verifier, witnesses[$0]) })
            .cosign(try SignedCheckpoint(note: SignedNote(text: closedByA.note.text, signers: [w.f.signer]))) { _ in [] }
        #expect(again.note.serialized != closedByA.note.serialized)
    }

    @Test("the witness's state survives a restart, and a damaged state is refused, never reset")
    func durableState() async throws {
        let (eight, _) = try checkpoint(["a", "b", "c", "d", "e", "f", "g", "h"])
        do {
            let witness = try w.witness(0)
            #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 0, eight)).status == 200)
        }
        let reopened = try w.witness(0)
        let (nine, _) = try checkpoint(["a", "b", "c", "d", "e", "f", "g", "h", "i"])
        let answer = await reopened.handleAddCheckpoint(WitnessFixture.request(old: 0, nine))
        #expect(answer.status == 409 && answer.body == Array("8\n".utf8))
        let hash = SHA256.hash(Array(w.f.origin.utf8)).hexString
        let served = await reopened.checkpoint(originHash: hash)
        #expect(served.status == 200)
        let monitor = try SignedCheckpoint(serialized: String(decoding: served.body, as: UTF8.self))
        try monitor.verifySignatures(log: w.f.signer.verifier, origin: w.f.origin, witnesses: try WitnessPolicy(witnesses: [w.cosigner(0).verifier], quorum: 1))
        #expect(await reopened.checkpoint(originHash: String(repeating: "0", count: 64)).status == 404)
    }

    @Test("a damaged witness state is refused")
    func damagedState() async throws {
        let (eight, _) = try checkpoint(["a", "b", "c", "d", "e", "f", "g", "h"])
        do {
            let witness = try w.witness(0)
            #expect(await witness.handleAddCheckpoint(WitnessFixture.request(old: 0, eight)).status == 200)
        }
        let path = "\(w.directories[0])/\(SHA256.hash(Array(w.f.origin.utf8)).hexString).checkpoint"
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count - 10] ^= 1
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: LogError.self) { _ = try w.witness(0) }
    }

    @Test("receipts carry the quorum's cosignatures; a log forked after entry k gets no cosignature for the fork, and its receipts fail the quorum")
    func forkedLog() async throws {
        let witnesses = [SwitchableWitness(try w.witness(0)), SwitchableWitness(try w.witness(1))]
        let honest = try w.log(witnesses, quorum: 2)
        var receipts: [Receipt] = []
        for n in 0..<3 {
            receipts.append(try await honest.submit(kind: .submit, bidder: "B\(n)", bidDigest: w.f.digest("bid \(n)"), bidLength: 100))
        }
        let policy = try w.policy(quorum: 2)
        for receipt in receipts {
            _ = try receipt.verify(log: w.f.signer.verifier, origin: w.f.origin, witnesses: policy)
        }
        // The portal forks after entry 2: the same first two entries, then another third one,
        // shown to one bidder. The witnesses hold size 3 of the honest log.
        let entries = Array(await honest.allEntries().prefix(2))
        let forkStore = MemoryLogStore()
        let append = try await forkStore.beginAppend(after: 0)
        try await append.commit(entries.map { LogRecord.entry($0.encoded, token: []) })
        var prefix = MerkleTree()
        for entry in entries { prefix.append(leafHash: entry.leafHash) }
        let head = try SignedNote(
            text: try Checkpoint(origin: w.f.origin, size: 2, rootHash: try prefix.root()).text, signers: [w.f.signer])
        try await forkStore.raiseHead(head.serialized, size: 2)
        let fork = try w.log(witnesses, quorum: 2, store: forkStore)
        #expect(await logError { _ = try await fork.submit(kind: .submit, bidder: "VICTIM", bidDigest: w.f.digest("victim"), bidLength: 100) } == "quorum-not-met")
        // What the portal could still show the victim is signed by the log alone: refused.
        let unwitnessed = try await w.f.log(store: forkStore).receipt(index: 2)
        _ = try unwitnessed.verify(log: w.f.signer.verifier, origin: w.f.origin)  // a valid log signature and inclusion
        #expect(await logError { _ = try unwitnessed.verify(log: w.f.signer.verifier, origin: w.f.origin, witnesses: policy) } == "quorum-not-met")
        // The honest log goes on.
        _ = try await honest.submit(kind: .submit, bidder: "B3", bidDigest: w.f.digest("bid 3"), bidLength: 100)
            .verify(log: w.f.signer.verifier, origin: w.f.origin, witnesses: policy)
    }

    @Test("a witness down: a 2-of-3 quorum carries on; without the quorum, the entry is durable but unacknowledged, and its retry gets the receipt")
    func witnessDown() async throws {
        let witnesses = try (0..<3).map { SwitchableWitness(try w.witness($0)) }
        let log = try w.log(witnesses, quorum: 2)
        witnesses[2].down = true
        let receipt = try await log.submit(kind: .submit, bidder: "B0", bidDigest: w.f.digest("bid 0"), bidLength: 100)
        let quorum = try w.policy(count: 3, quorum: 2)
        _ = try receipt.verify(log: w.f.signer.verifier, origin: w.f.origin, witnesses: quorum)
        // Two down: refused with quorum-not-met; the entry is in the log but no receipt was given.
        witnesses[1].down = true
        #expect(await logError { _ = try await log.submit(kind: .submit, bidder: "B1", bidDigest: w.f.digest("bid 1"), bidLength: 100) } == "quorum-not-met")
        #expect(await log.size == 2)
        // The witness that was down first comes back: it catches up from size 0 (409 → proof from
        // the size it names), and the retry's receipt is cosigned by the two that answer.
        witnesses[2].down = false
        let index = try #require(await log.index(ofDigest: w.f.digest("bid 1")))
        let later = try await log.receipt(index: index)
        let verified = try later.verify(log: w.f.signer.verifier, origin: w.f.origin, witnesses: quorum)
        #expect(try quorum.cosignatures(on: verified.checkpoint.note).map(\.witness.name).sorted() == ["witness.example/w0", "witness.example/w2"])
        // A closing with every witness back is cosigned by at least the quorum, and the same
        // note, byte for byte, every time it is asked for.
        witnesses[1].down = false
        w.f.clock.advance(3600 + 600)
        let closing = try await log.close()
        #expect(try quorum.cosignatures(on: closing.note).count >= 2)
        #expect(try await log.closingCheckpoint()?.note.serialized == closing.note.serialized)
        #expect(try await log.cosignedCheckpoint().note.serialized == closing.note.serialized)
    }
}
