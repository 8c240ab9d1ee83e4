import Foundation
import Testing

@testable import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives
import SealedBidTestSupport

typealias TestClock = ManualClock

struct LogFixture {
    let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
    let signer = try! NoteSigner(name: "portal.example.go.id/lpse/LPSE-2026-0042", key: Ed25519PrivateKey())
    let origin = "portal.example.go.id/lpse/LPSE-2026-0042"
    var deadline: Date { Date(timeIntervalSince1970: 1_800_000_000 + 3600) }

    func log(store: any LogStore = MemoryLogStore(), grace: TimeInterval = 600) throws -> SubmissionLog {
        let clock = self.clock
        return try SubmissionLog(
            origin: origin, tender: "LPSE-2026-0042", deadline: deadline, grace: grace, signer: signer, store: store,
            clock: { clock.now })
    }

    func digest(_ s: String) -> [UInt8] { SHA256.hash(Array(s.utf8)) }
}

func logError(_ body: () async throws -> Void) async -> String {
    do {
        try await body()
        return "no error"
    } catch let error as LogError {
        return error.code
    } catch {
        return "other: \(error)"
    }
}

@Suite("Receipts and the submission log")
struct LogTests {
    let f = LogFixture()

    @Test("a receipt verifies offline from its bytes and the log key; tampering is caught")
    func receipts() async throws {
        let log = try f.log()
        let receipt = try await log.submit(kind: .submit, bidder: "ACME", bidDigest: f.digest("bid"), bidLength: 1000)
        let bytes = receipt.encoded
        let verified = try Receipt(encoded: bytes).verify(log: f.signer.verifier, origin: f.origin)
        #expect(verified.entry.bidder == "ACME")
        #expect(verified.entry.bidDigest == f.digest("bid"))
        #expect(verified.index == 0)
        for position in [30, bytes.count - 40, bytes.count - 5] {
            var bad = bytes
            bad[position] ^= 1
            #expect((try? Receipt(encoded: bad).verify(log: f.signer.verifier, origin: f.origin)) == nil, "byte \(position)")
        }
        let stranger = try NoteVerifier(name: f.signer.verifier.name, publicKey: Ed25519PrivateKey().publicKey)
        #expect(await logError { _ = try Receipt(encoded: bytes).verify(log: stranger, origin: f.origin) } == "no-verified-signature")
        #expect(await logError { _ = try Receipt(encoded: bytes).verify(log: f.signer.verifier, origin: "elsewhere") } == "wrong-origin")
        // A receipt of this tender's log never verifies as another tender's, whatever origin is given.
        #expect(await logError { _ = try Receipt(encoded: bytes).verify(log: f.signer.verifier, origin: "portal.example.go.id/lpse/OTHER") } == "wrong-origin")
        let otherLog = try SubmissionLog(
            origin: "portal.example.go.id/lpse/OTHER", tender: "OTHER", deadline: f.deadline, signer: f.signer, store: MemoryLogStore(),
            clock: { f.clock.now })
        let other = try await otherLog.submit(kind: .submit, bidder: "ACME", bidDigest: f.digest("bid"), bidLength: 1000)
        #expect(await logError { _ = try other.verify(log: f.signer.verifier, origin: f.origin) } == "wrong-origin")
        #expect(await logError { _ = try Receipt(encoded: Array(bytes.dropLast())) } == "malformed-receipt")
    }

    @Test("deadline rules: closing, late bids, live bids, commit-then-upload")
    func deadlineRules() async throws {
        let log = try f.log(grace: 600)
        _ = try await log.submit(kind: .submit, bidder: "ACME", bidDigest: f.digest("acme-1"), bidLength: 10)
        _ = try await log.submit(kind: .submit, bidder: "BETA", bidDigest: f.digest("beta-1"), bidLength: 10)
        _ = try await log.submit(kind: .replace, bidder: "ACME", bidDigest: f.digest("acme-2"), bidLength: 10)
        _ = try await log.submit(kind: .submit, bidder: "GAMMA", bidDigest: f.digest("gamma"), bidLength: 10)
        _ = try await log.submit(kind: .withdraw, bidder: "GAMMA", bidDigest: f.digest("gamma-withdrawal"), bidLength: 200)
        let early = try await log.submit(kind: .commit, bidder: "DELTA", bidDigest: f.digest("delta"), bidLength: 99)
        #expect(await logError { _ = try await log.close() } == "not-open")

        // After the deadline, in the grace window: nothing new, only the upload of DELTA's
        // commitment; the log does not close before the window ends.
        f.clock.advance(3600)
        #expect(await logError { _ = try await log.submit(kind: .submit, bidder: "LATE", bidDigest: f.digest("late"), bidLength: 1) } == "log-closed")
        #expect(await logError { _ = try await log.submit(kind: .commit, bidder: "LATE", bidDigest: f.digest("late"), bidLength: 1) } == "log-closed")
        #expect(await logError { _ = try await log.close() } == "not-open")
        #expect(try await log.checkUpload(bidder: "DELTA", bidDigest: f.digest("delta")).index == 5)
        #expect(await logError { _ = try await log.checkUpload(bidder: "DELTA", bidDigest: f.digest("other")) } == "commitment-mismatch")
        #expect(await logError { _ = try await log.checkUpload(bidder: "ACME", bidDigest: f.digest("acme-2")) } == "no-commitment")
        #expect(await logError { _ = try await log.submit(kind: .upload, bidder: "ACME", bidDigest: f.digest("acme-2"), bidLength: 10) } == "no-commitment")
        _ = try await log.submit(kind: .upload, bidder: "DELTA", bidDigest: f.digest("delta"), bidLength: 99)
        // One upload per commitment.
        #expect(await logError { _ = try await log.submit(kind: .upload, bidder: "DELTA", bidDigest: f.digest("delta"), bidLength: 99) } == "no-commitment")
        f.clock.advance(600)
        #expect(await logError { _ = try await log.checkUpload(bidder: "DELTA", bidDigest: f.digest("delta")) } == "log-closed")
        let closing = try await log.close()
        #expect(closing.checkpoint.size == 7)
        #expect(closing.checkpoint.extensions == ["closed LPSE-2026-0042 \(UInt64(f.deadline.timeIntervalSince1970 * 1000) + 600_000)"])
        #expect(await logError { _ = try await log.submit(kind: .upload, bidder: "DELTA", bidDigest: f.digest("delta"), bidLength: 99) } == "log-closed")
        // Closing again returns the same closing.
        #expect(try await log.close().checkpoint == closing.checkpoint)

        // The earlier receipt's checkpoint is consistent with the closing checkpoint.
        let verified = try early.verify(log: f.signer.verifier, origin: f.origin)
        let proof = try await log.consistencyProof(from: verified.checkpoint.checkpoint.size, to: closing.checkpoint.size)
        try verified.checkpoint.verifyConsistency(to: closing, proof: proof, log: f.signer.verifier, origin: f.origin)
    }

    @Test("received_at never goes back, and a clock stepped back never logs an entry past its limit")
    func clockSteppedBack() async throws {
        let log = try f.log(grace: 600)
        _ = try await log.submit(kind: .commit, bidder: "DELTA", bidDigest: f.digest("delta"), bidLength: 99)
        f.clock.set(f.deadline.addingTimeInterval(10))
        _ = try await log.submit(kind: .upload, bidder: "DELTA", bidDigest: f.digest("delta"), bidLength: 99)
        // The clock steps back across the deadline: the time stored would be the upload's, after it.
        f.clock.set(f.deadline.addingTimeInterval(-5))
        #expect(await logError { _ = try await log.submit(kind: .submit, bidder: "LATE", bidDigest: f.digest("late"), bidLength: 1) } == "log-closed")
        // Further back: still the upload's time, and still refused; the log does not stop.
        f.clock.set(f.deadline.addingTimeInterval(-120))
        #expect(await logError { _ = try await log.submit(kind: .submit, bidder: "EARLY", bidDigest: f.digest("early"), bidLength: 1) } == "log-closed")
        f.clock.set(f.deadline.addingTimeInterval(700))
        let closing = try await log.close()
        #expect(try #require(closing.checkpoint.closedAt(tender: "LPSE-2026-0042")) >= UInt64(f.deadline.timeIntervalSince1970 * 1000) + 10_000)
    }

    @Test("a thousand concurrent submissions make one consistent log with valid receipts")
    func concurrency() async throws {
        let log = try f.log()
        let receipts = try await withThrowingTaskGroup(of: Receipt.self) { group in
            for i in 0..<1000 {
                group.addTask { try await log.submit(kind: .submit, bidder: "B-\(i)", bidDigest: f.digest("\(i)"), bidLength: UInt64(i + 1)) }
            }
            var all: [Receipt] = []
            for try await receipt in group { all.append(receipt) }
            return all
        }
        #expect(await log.size == 1000)
        let final = try await log.checkpoint()
        var seen: Set<UInt64> = []
        for receipt in receipts {
            let verified = try receipt.verify(log: f.signer.verifier, origin: f.origin)
            #expect(seen.insert(verified.index).inserted)
            let proof = try await log.consistencyProof(from: verified.checkpoint.checkpoint.size, to: 1000)
            try verified.checkpoint.verifyConsistency(to: final, proof: proof, log: f.signer.verifier, origin: f.origin)
        }
        #expect(seen == Set(0..<1000))
    }

    @Test("receipts carry an RFC 3161 token over the entry, kept across restarts")
    func timestampedReceipts() async throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let authority = TimestampAuthority(certificatePEM: try pki.pem("tsa.pem"), keyPEM: try pki.pem("tsa.key"))
        let now = Date()
        let stamp: @Sendable ([UInt8]) throws -> [UInt8] = { digest in
            let request = try TimestampRequest(digest: digest)
            return try TimestampToken(response: authority.respond(to: request.derRepresentation, at: now, serial: 1)).derRepresentation
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-ts-\(UUID()).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = TestClock(now)
        func open() throws -> SubmissionLog {
            try SubmissionLog(
                origin: f.origin, tender: "LPSE-2026-0042", deadline: now.addingTimeInterval(3600), signer: f.signer,
                store: FileManager.default.fileExists(atPath: path) ? FileLogStore(path: path) : FileLogStore.create(path: path),
                clock: { clock.now }, timestamper: stamp)
        }
        let receipt = try await open().submit(kind: .submit, bidder: "ACME", bidDigest: f.digest("bid"), bidLength: 5)
        let verified = try receipt.verify(log: f.signer.verifier, origin: f.origin, timestampRoots: [pki.root])
        #expect(abs((verified.timestamp?.time ?? .distantPast).timeIntervalSince(now)) < 1)
        #expect(await logError { _ = try receipt.verify(log: f.signer.verifier, origin: f.origin, timestampRoots: [pki.otherRoot]) } == "timestamp-invalid")
        let again = try await open().receipt(index: 0)
        #expect(try again.verify(log: f.signer.verifier, origin: f.origin, timestampRoots: [pki.root]).timestamp != nil)
    }

    @Test("signed notes: parse rules")
    func notes() throws {
        let note = try SignedNote(text: "hello\n", signers: [f.signer])
        let parsed = try SignedNote(parsing: note.serialized)
        #expect(parsed == note)
        try parsed.verify(with: [f.signer.verifier])
        #expect(throws: LogError.self) { try SignedNote(parsing: "hello\n") }
        #expect(throws: LogError.self) { try SignedNote(parsing: "hello\n\n- name AAAA\n") }
        #expect(throws: LogError.self) { try SignedNote(text: "no newline", signers: [f.signer]) }
        #expect(throws: LogError.self) { try Checkpoint(text: "origin\n01\nAAAA\n") }
        // Verifier keys round-trip, including when the base64 key contains '+'.
        var plus = 0
        while plus < 3 {
            let verifier = try NoteVerifier(name: "example.com/log", publicKey: Ed25519PrivateKey().publicKey)
            #expect(try NoteVerifier(verifierKey: verifier.verifierKey) == verifier)
            if verifier.verifierKey.split(separator: "+").count > 3 { plus += 1 }
        }
        // Key names are compared as bytes: a line naming the key in another Unicode spelling
        // (decomposed é) is another key's, though Swift's == calls the two names equal.
        let composed = try NoteSigner(name: "caf\u{E9}.example/log", key: Ed25519PrivateKey())
        let signedComposed = try SignedNote(text: "hello\n", signers: [composed])
        let respelled = signedComposed.serialized.replacingOccurrences(of: "\u{2014} caf\u{E9}", with: "\u{2014} cafe\u{301}")
        #expect(Array(respelled.utf8) != Array(signedComposed.serialized.utf8))
        try SignedNote(parsing: signedComposed.serialized).verify(with: [composed.verifier])
        #expect(throws: LogError.noVerifiedSignature) { try SignedNote(parsing: respelled).verify(with: [composed.verifier]) }
        // Witnesses' cosignatures (C2SP tlog-cosignature v1) count toward the quorum only when they
        // verify; a line of an unknown witness is ignored, a bad line of a known one fails the note.
        let witnessKey = Ed25519PrivateKey()
        let witness = try Cosigner(name: "witness.example/w1", key: witnessKey)
        let other = try Cosigner(name: "witness.example/w2", key: Ed25519PrivateKey())
        let body = try Checkpoint(origin: f.origin, size: 1, rootHash: MerkleTreeHash.leafHash([1] as [UInt8])).text
        let logSigned = try SignedNote(text: body, signers: [f.signer])
        let cosigned = try SignedCheckpoint(note: logSigned.adding([witness.cosign(body, at: 1_700_000_000)]))
        let one = try WitnessPolicy(witnesses: [witness.verifier], quorum: 1)
        let leaf = MerkleTreeHash.leafHash([1] as [UInt8])
        try cosigned.verifyInclusion(leafHash: leaf, index: 0, proof: [], log: f.signer.verifier, origin: f.origin, witnesses: one)
        #expect(try one.cosignatures(on: cosigned.note).map(\.timestamp) == [1_700_000_000])
        let otherOnly = try WitnessPolicy(witnesses: [other.verifier], quorum: 1)
        #expect(throws: LogError.witnessQuorum("0 of the 1 witnesses cosigned this checkpoint; the tender requires 1")) {
            try cosigned.verifyInclusion(leafHash: leaf, index: 0, proof: [], log: f.signer.verifier, origin: f.origin, witnesses: otherOnly)
        }
        // A cosignature line with a changed timestamp does not verify: the note is refused.
        var line = witness.cosign(body, at: 1_700_000_000)
        var stamp = line.signature
        stamp[7] ^= 1  // the last byte of the big-endian timestamp
        line = SignedNote.Signature(name: line.name, keyID: line.keyID, signature: stamp)
        #expect(line != witness.cosign(body, at: 1_700_000_000))
        #expect(throws: LogError.badSignature(keyName: "witness.example/w1")) { try one.check(logSigned.adding([line])) }
        // A log signature line (type 0x01) by the witness's key under its name is not a cosignature.
        let asNote = try NoteSigner(name: "witness.example/w1", key: witnessKey)
        #expect(throws: LogError.witnessQuorum("0 of the 1 witnesses cosigned this checkpoint; the tender requires 1")) {
            try one.check(SignedNote(text: body, signers: [f.signer, asNote]))
        }
        // Two of two required: one is not enough.
        let both = try WitnessPolicy(witnesses: [witness.verifier, other.verifier], quorum: 2)
        #expect(throws: LogError.witnessQuorum("1 of the 2 witnesses cosigned this checkpoint; the tender requires 2")) { try both.check(cosigned.note) }
        // A quorum that is not a strict majority is refused: two forks could each gather one.
        #expect(throws: LogError.self) { try WitnessPolicy(witnesses: [witness.verifier, other.verifier], quorum: 1) }
        try both.check(cosigned.note.adding([other.cosign(body, at: 1)]))
        // Verifier keys round-trip and refuse a type-0x01 key.
        #expect(try CosignerVerifier(verifierKey: witness.verifier.verifierKey) == witness.verifier)
        #expect(throws: LogError.self) { try CosignerVerifier(verifierKey: f.signer.verifier.verifierKey) }
    }
}

@Suite("The file store survives crashes")
struct FileStoreTests {
    let f = LogFixture()

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-log-\(UUID()).log").path
    }

    /// Opens (creating when new) the log at `path`; the store is released when the log is.
    func open(_ path: String) throws -> SubmissionLog {
        try f.log(store: FileManager.default.fileExists(atPath: path) ? FileLogStore(path: path) : FileLogStore.create(path: path))
    }

    func read(_ path: String) throws -> Data { Data(try readFileBytes(path)) }
    func write(_ data: Data, _ path: String) throws { try data.write(to: URL(fileURLWithPath: path)) }

    @Test("a crash at every byte of an append loses only the unacknowledged record")
    func tornWrites() async throws {
        let path = temporaryPath(), head = path + ".head"
        defer { for p in [path, head] { try? FileManager.default.removeItem(atPath: p) } }
        do {
            let log = try open(path)
            for i in 0..<5 { _ = try await log.submit(kind: .submit, bidder: "B-\(i)", bidDigest: f.digest("\(i)"), bidLength: 1) }
        }
        let acknowledged = try read(path), acknowledgedHead = try read(head)
        do { _ = try await open(path).submit(kind: .submit, bidder: "B-5", bidDigest: f.digest("5"), bidLength: 1) }
        let complete = try read(path)
        // Every prefix between the two states is what a crash during the sixth append can leave
        // (the head is written only after the append), alone or followed by zero-filled blocks.
        for cut in acknowledged.count..<complete.count {
            for zeroFill in [0, 1, 7, 4096] {
                try write(complete.prefix(cut) + Data(count: zeroFill), path)
                try write(acknowledgedHead, head)
                do {
                    let reopened = try open(path)
                    #expect(await reopened.size == 5, "cut at \(cut), \(zeroFill) zero bytes after")
                    // Opening changed nothing; the next append cuts the unacknowledged tail first.
                    #expect(try read(path).count == cut + zeroFill)
                    _ = try await reopened.submit(kind: .submit, bidder: "B-6", bidDigest: f.digest("6"), bidLength: 1)
                }
                #expect(try await open(path).size == 6)
            }
        }
    }

    @Test("damage to an acknowledged record, a shortened store or a missing head is refused, and nothing is cut")
    func corruption() async throws {
        let path = temporaryPath(), head = path + ".head"
        defer { for p in [path, head] { try? FileManager.default.removeItem(atPath: p) } }
        do {
            let log = try open(path)
            for i in 0..<3 { _ = try await log.submit(kind: .submit, bidder: "B-\(i)", bidDigest: f.digest("\(i)"), bidLength: 1) }
        }
        let original = try read(path), originalHead = try read(head)
        let last = original.count - 1
        let frame = original.count / 3
        var damaged: [Data] = []
        // A flipped payload bit or a raised length in the first record; a flipped bit in the last
        // record's payload, header or checksum (a torn tail by its look): all acknowledged.
        for (position, mask) in [(20, UInt8(1)), (3, UInt8(0x40)), (last - 40, UInt8(1)), (last - 10, UInt8(4)), (last, UInt8(1))] {
            var bytes = original
            bytes[position] ^= mask
            damaged.append(bytes)
        }
        // The middle record deleted; the last one cut; the store emptied; zeros appended after a cut.
        damaged.append(original.prefix(frame) + original.suffix(from: 2 * frame))
        damaged.append(original.prefix(2 * frame))
        damaged.append(Data())
        damaged.append(original.prefix(2 * frame) + Data(count: 1 << 20))
        for bytes in damaged {
            try write(bytes, path)
            #expect(await logError { _ = try open(path) } == "corrupt-store")
            #expect(try read(path) == bytes)  // refused, never repaired
        }
        // The head removed: a store with entries and no head is refused too.
        try write(original, path)
        try FileManager.default.removeItem(atPath: head)
        #expect(await logError { _ = try open(path) } == "corrupt-store")
        // A head signed by another key is not this log's head.
        let stranger = try NoteSigner(name: f.origin, key: Ed25519PrivateKey())
        let forged = try SignedNote(text: try SignedCheckpoint(serialized: String(decoding: originalHead, as: UTF8.self)).checkpoint.text, signers: [stranger])
        try write(Data(forged.serialized.utf8), head)
        #expect(await logError { _ = try open(path) } == "corrupt-store")
        try write(originalHead, head)
        #expect(try await open(path).size == 3)
        // A deleted store is not recreated by opening it.
        try FileManager.default.removeItem(atPath: path)
        #expect(await logError { _ = try f.log(store: FileLogStore(path: path)) } == "storage-error")
    }

    @Test("a store with a huge zero tail opens in bounded time and memory, and is not rewritten by reading")
    func zeroTail() async throws {
        let path = temporaryPath(), head = path + ".head"
        defer { for p in [path, head] { try? FileManager.default.removeItem(atPath: p) } }
        do { _ = try await open(path).submit(kind: .submit, bidder: "B-0", bidDigest: f.digest("0"), bidLength: 1) }
        // 4 GiB of zeros after the records (a sparse file: no disk needed).
        let fd = Foundation.open(path, O_WRONLY)
        #expect(ftruncate(fd, 4 << 30) == 0)
        close(fd)
        let started = Date()
        do {
            let log = try open(path)
            #expect(await log.size == 1)
            _ = try await log.checkpoint()
        }
        #expect(Date().timeIntervalSince(started) < 30)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == 4 << 30)
        #expect(try FileLogStore.records(atPath: path).count == 1)
    }

    @Test("random crash points, many times: reopened logs always verify")
    func randomCrashes() async throws {
        let path = temporaryPath(), head = path + ".head"
        defer { for p in [path, head] { try? FileManager.default.removeItem(atPath: p) } }
        var acknowledged = 0
        var generator = SystemRandomNumberGenerator()
        for round in 0..<60 {
            let before = FileManager.default.fileExists(atPath: path) ? try read(path).count : 0
            let headBefore = FileManager.default.fileExists(atPath: head) ? try read(head) : nil
            do {
                let log = try open(path)
                #expect(await log.size >= UInt64(acknowledged), "round \(round)")
                _ = try await log.submit(kind: .submit, bidder: "B-\(round)", bidDigest: f.digest("\(round)"), bidLength: 1)
            }
            let after = try read(path)
            // Half the time the append "crashes" part-way: a prefix of its record reached the disk, the head did not.
            if Bool.random(using: &generator), after.count > before {
                try write(after.prefix(Int.random(in: before..<after.count, using: &generator)), path)
                if let headBefore { try write(headBefore, head) } else { try FileManager.default.removeItem(atPath: head) }
            } else {
                acknowledged += 1
            }
            let checkpoint = try await open(path).checkpoint()
            try checkpoint.note.verify(with: [f.signer.verifier])
            #expect(checkpoint.checkpoint.size >= UInt64(acknowledged))
        }
    }

    @Test("two writers on one store are serialised: no index is handed out twice")
    func twoWriters() async throws {
        let path = temporaryPath(), head = path + ".head"
        defer { for p in [path, head] { try? FileManager.default.removeItem(atPath: p) } }
        let first = try open(path)
        // A second opener waits for the first to release the store, and gives up after its timeout.
        #expect(await logError { _ = try FileLogStore(path: path, timeout: 0.2) } == "storage-error")
        _ = first
    }
}
