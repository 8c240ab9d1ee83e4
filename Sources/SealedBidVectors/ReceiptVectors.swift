import Foundation
import SealedBid
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// `TestVectors/receipts/`: receipts and checkpoint consistency, successes
/// and failures (format in TestVectors/receipts/README.md).
public enum ReceiptVectors {
    public static let format = "sealbid-receipts-vectors-v1"

    struct Vector: Codable {
        let format: String
        let kind: String
        let description: String
        let expect: String
        var log_key: String? = nil
        var origin: String? = nil
        var receipt: String? = nil
        var old_checkpoint: String? = nil
        var new_checkpoint: String? = nil
        var proof: [String]? = nil
        var entry_index: UInt64? = nil
        var bid_digest: String? = nil
        /// (entry) the entry bytes, hex, and for `success` the fields they decode to.
        var entry: String? = nil
        var fields: EntryFields? = nil
        /// (store) a store file, hex, and for `success` the records a reader takes from it.
        var store: String? = nil
        var records: [StoreRecord]? = nil
        /// (tender-receipt, tender-consistency) the tender descriptor (tender-v1), hex.
        var descriptor: String? = nil
        /// (receipt) RFC 3161 trust anchors (DER certificates, hex): the token must then verify.
        var tsa_roots: [String]? = nil
    }

    struct EntryFields: Codable, Equatable {
        let kind: UInt8
        let tender: String
        let bidder: String
        let received_at: UInt64
        let bid_digest: String
        let bid_length: UInt64
    }

    /// `{"type": "entry", "entry", "token"}` or `{"type": "closing", "size", "time"}`.
    struct StoreRecord: Codable, Equatable {
        let type: String
        var entry: String? = nil
        var token: String? = nil
        var size: UInt64? = nil
        var time: UInt64? = nil

        init(_ record: LogRecord) {
            switch record {
            case .entry(let bytes, let token):
                type = "entry"
                entry = bytes.hexString
                self.token = token.hexString
            case .closed(let size, let at):
                type = "closing"
                self.size = size
                time = at
            }
        }
    }

    static func outcome(_ v: Vector) -> (code: String, ok: Bool) {
        do {
            func logKey() throws -> NoteVerifier { try NoteVerifier(verifierKey: v.log_key ?? "") }
            let origin = v.origin ?? ""
            switch v.kind {
            case "receipt":
                let roots = try v.tsa_roots.map { try $0.map { try X509Certificate(derRepresentation: Hex.decode($0)) } }
                let verified = try Receipt(encoded: Hex.decode(v.receipt ?? "")).verify(log: logKey(), origin: origin, timestampRoots: roots)
                return ("success", verified.index == v.entry_index && verified.entry.bidDigest.hexString == v.bid_digest)
            case "consistency":
                let old = try SignedCheckpoint(serialized: v.old_checkpoint ?? "")
                let new = try SignedCheckpoint(serialized: v.new_checkpoint ?? "")
                try old.verifyConsistency(to: new, proof: (v.proof ?? []).map { try Hex.decode($0) }, log: logKey(), origin: origin)
                return ("success", true)
            case "entry":
                let entry = try LogEntry(encoded: Hex.decode(v.entry ?? ""))
                let fields = EntryFields(
                    kind: entry.kind.rawValue, tender: entry.tender, bidder: entry.bidder, received_at: entry.receivedAt,
                    bid_digest: entry.bidDigest.hexString, bid_length: entry.bidLength)
                return ("success", fields == v.fields)
            case "store":
                let records = try readStore(Hex.decode(v.store ?? ""))
                return ("success", records.map(StoreRecord.init) == v.records)
            case "tender-receipt":
                let tender = try Tender(encoded: Hex.decode(v.descriptor ?? ""))
                // The log key and origin come from the descriptor; the file's must be the same.
                guard try tender.log == logKey(), tender.origin == origin else { return ("log_key or origin differs from the descriptor's", false) }
                let verified = try tender.verify(receipt: Receipt(encoded: Hex.decode(v.receipt ?? "")))
                return ("success", verified.index == v.entry_index && verified.entry.bidDigest.hexString == v.bid_digest)
            case "tender-consistency":
                let tender = try Tender(encoded: Hex.decode(v.descriptor ?? ""))
                guard try tender.log == logKey(), tender.origin == origin else { return ("log_key or origin differs from the descriptor's", false) }
                try tender.verifyConsistency(
                    from: SignedCheckpoint(serialized: v.old_checkpoint ?? ""), to: SignedCheckpoint(serialized: v.new_checkpoint ?? ""),
                    proof: (v.proof ?? []).map { try Hex.decode($0) })
                return ("success", true)
            default:
                return ("unknown kind", false)
            }
        } catch let error as LogError {
            return (error.code, true)
        } catch {
            return ("unexpected \(error)", false)
        }
    }

    /// The records a reader takes from a store file (`FileLogStore.records(atPath:)`), written to
    /// a temporary file for the purpose.
    static func readStore(_ bytes: [UInt8]) throws -> [LogRecord] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-store-vector-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try FileLogStore.records(atPath: path)
    }

    static func run(_ directory: URL, into report: inout SuiteReport) throws {
        for (file, vector) in try ProjectVectorFiles.load(Vector.self, from: directory) {
            let (code, ok) = outcome(vector)
            report.decide(vector.kind)
            report.record(vector.format == format && code == vector.expect && ok, "\(file): expected \(vector.expect), got \(code)")
        }
    }

    public static func generate() async throws -> [(name: String, json: Data)] {
        try ProjectVectorFiles.encode(await scenarios())
    }

    static func scenarios() async throws -> [(String, Vector)] {
        let seed = SHA256.hash(Array("sealbid receipts vectors v1".utf8))
        let key = try Ed25519PrivateKey(seed: SecureBytes(copying: seed))
        let tender = "LPSE-2026-0042"
        let origin = "lpse.example.go.id/portal/\(tender)"
        // The log's key name is its origin (C2SP tlog-checkpoint; receipts-v1).
        let signer = try NoteSigner(name: origin, key: key)
        let other = try NoteSigner(name: origin, key: Ed25519PrivateKey(seed: SecureBytes(copying: SHA256.hash(seed))))
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let log = try SubmissionLog(
            origin: origin, tender: tender, deadline: start.addingTimeInterval(3600), signer: signer, store: MemoryLogStore(),
            clock: { start })
        var receipts: [Receipt] = []
        for i in 0..<6 {
            receipts.append(try await log.submit(kind: .submit, bidder: "B-\(i)", bidDigest: SHA256.hash(Array("bid \(i)".utf8)), bidLength: 1000))
        }
        let final = try await log.checkpoint()
        let target = try await log.receipt(index: 3)
        let bytes = target.encoded
        let vkey = signer.verifier.verifierKey
        var list: [(String, Vector)] = []
        func receipt(_ name: String, _ description: String, expect: String, _ body: [UInt8], origin o: String = origin, key k: String = vkey) {
            list.append((name, Vector(
                format: format, kind: "receipt", description: description, expect: expect, log_key: k, origin: o,
                receipt: body.hexString, entry_index: expect == "success" ? 3 : nil,
                bid_digest: expect == "success" ? SHA256.hash(Array("bid 3".utf8)).hexString : nil)))
        }
        // Offsets: magic 19, entry length 4, entry, index 8, count 1, hashes, note length 4, note, token length 4.
        let entryLength = Int(bytes[19]) << 24 | Int(bytes[20]) << 16 | Int(bytes[21]) << 8 | Int(bytes[22])
        let indexAt = 23 + entryLength
        let proofAt = indexAt + 9
        let proofCount = Int(bytes[indexAt + 8])
        let noteAt = proofAt + 32 * proofCount + 4
        func flip(_ at: Int) -> [UInt8] { var b = bytes; b[at] ^= 1; return b }
        receipt("receipt-success", "entry 3 of 6, verified with the log key", expect: "success", bytes)
        list.append(("receipt-first-entry", Vector(
            format: format, kind: "receipt", description: "entry 0, against the checkpoint of size 1 issued with it", expect: "success",
            log_key: vkey, origin: origin, receipt: receipts[0].encoded.hexString, entry_index: 0,
            bid_digest: SHA256.hash(Array("bid 0".utf8)).hexString)))
        receipt("receipt-proof-changed", "one bit of the first proof hash flipped", expect: "bad-proof", flip(proofAt))
        receipt("receipt-index-changed", "the index says 2", expect: "bad-proof", flip(indexAt + 7))
        receipt("receipt-index-out-of-range", "index 6 in a tree of 6", expect: "bad-proof", {
            var b = bytes
            b.replaceSubrange(indexAt..<(indexAt + 8), with: withUnsafeBytes(of: UInt64(6).bigEndian) { Array($0) })
            return b
        }())
        receipt("receipt-entry-changed", "one bit of the bid digest in the entry flipped", expect: "bad-proof", flip(23 + entryLength - 9))
        var unknownKind = bytes
        unknownKind[23 + 2] = 9  // u16 version, then the kind byte
        receipt("receipt-entry-unknown-kind", "entry kind 9", expect: "malformed-entry", unknownKind)
        var zeroLength = bytes
        zeroLength.replaceSubrange((23 + entryLength - 8)..<(23 + entryLength), with: [UInt8](repeating: 0, count: 8))
        receipt("receipt-entry-zero-length", "an entry naming a file of 0 bytes", expect: "malformed-entry", zeroLength)
        var badBidder = bytes
        let bidderAt = 23 + 3 + 1 + tender.utf8.count + 1  // first byte of the bidder id
        badBidder[bidderAt] = 0x20
        receipt("receipt-entry-bidder-space", "a space in the bidder id", expect: "malformed-entry", badBidder)
        receipt("receipt-signature-changed", "one bit of the checkpoint signature flipped", expect: "bad-signature", {
            var b = bytes
            // The signature is base64 in the note; change one base64 character near the end.
            let noteEnd = b.count - 4 - 2
            b[noteEnd] = b[noteEnd] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            return b
        }())
        receipt("receipt-unknown-key", "verified with a different key of the same name", expect: "no-verified-signature", bytes, key: other.verifier.verifierKey)
        receipt("receipt-wrong-origin", "verified for another tender's log", expect: "wrong-origin", bytes, origin: "lpse.example.go.id/portal/LPSE-2026-0099")
        receipt("receipt-truncated", "the last byte is missing", expect: "malformed-receipt", Array(bytes.dropLast()))
        receipt("receipt-trailing-bytes", "one byte too many", expect: "malformed-receipt", bytes + [0])
        receipt("receipt-not-a-receipt", "wrong magic", expect: "malformed-receipt", flip(0))
        receipt("receipt-checkpoint-size-leading-zero", "the checkpoint's size written as 06 (re-signed)", expect: "malformed-checkpoint", {
            // A well-signed note whose body is not a canonical checkpoint.
            let body = "\(origin)\n06\n\(Data(final.checkpoint.rootHash).base64EncodedString())\n"
            let note = (try? SignedNote(text: body, signers: [signer]).serialized) ?? ""
            var b = Array(bytes[..<(noteAt - 4)])
            b += withUnsafeBytes(of: UInt32(note.utf8.count).bigEndian) { Array($0) } + Array(note.utf8) + [0, 0, 0, 0]
            return b
        }())

        // Consistency between checkpoints.
        let first = SignedNoteText(try SignedCheckpoint(serialized: String(decoding: try Receipt(encoded: receipts[1].encoded).checkpointNoteBytes(), as: UTF8.self)))
        let proof = try await log.consistencyProof(from: 2, to: 6)
        func consistency(_ name: String, _ description: String, expect: String, old: String, new: String, proof p: [[UInt8]]) {
            list.append((name, Vector(
                format: format, kind: "consistency", description: description, expect: expect, log_key: vkey, origin: origin,
                old_checkpoint: old, new_checkpoint: new, proof: p.map(\.hexString))))
        }
        consistency("consistency-success", "size 2 extends to size 6", expect: "success", old: first.text, new: final.note.serialized, proof: proof)
        var bad = proof
        bad[0][0] ^= 1
        consistency("consistency-proof-changed", "one bit of the proof flipped", expect: "bad-proof", old: first.text, new: final.note.serialized, proof: bad)
        // A rewritten history: a different size-6 tree signed by the same key.
        let forged = try Checkpoint(origin: origin, size: 6, rootHash: SHA256.hash(Array("rewritten".utf8)))
        let forgedNote = try SignedNote(text: forged.text, signers: [signer]).serialized
        consistency("consistency-rewritten-history", "a size-6 checkpoint with another root, signed by the log", expect: "bad-proof",
                    old: first.text, new: forgedNote, proof: proof)
        consistency("consistency-shrunk", "the newer checkpoint is smaller", expect: "bad-proof", old: final.note.serialized, new: first.text, proof: proof)
        let fixture = try VectorTender()
        list += try entryScenarios()
        list += try receiptScenarios(fixture)
        list += try tenderReceiptScenarios(fixture)
        list += try tenderConsistencyScenarios(fixture)
        list += try timestampScenarios(fixture)
        list += try witnessScenarios(fixture)
        list += try storeScenarios()
        return list
    }
}

/// The serialized note of a checkpoint.
struct SignedNoteText {
    let text: String
    init(_ checkpoint: SignedCheckpoint) { text = checkpoint.note.serialized }
}

extension Receipt {
    /// The checkpoint note's bytes (for the vector generator).
    func checkpointNoteBytes() throws -> [UInt8] {
        let bytes = encoded
        let entryLength = Int(bytes[19]) << 24 | Int(bytes[20]) << 16 | Int(bytes[21]) << 8 | Int(bytes[22])
        let proofCount = Int(bytes[23 + entryLength + 8])
        let noteLengthAt = 23 + entryLength + 9 + 32 * proofCount
        let noteLength = bytes[noteLengthAt..<(noteLengthAt + 4)].reduce(0) { $0 << 8 | Int($1) }
        return Array(bytes[(noteLengthAt + 4)..<(noteLengthAt + 4 + noteLength)])
    }
}
