import Foundation
import SealedBid
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// The receipts suite's scenarios beyond the first twenty: entries, receipt and note limits,
/// signature lines, checkpoint bodies, the check order, receipts and consistency against a tender
/// descriptor, and the store's record framing (receipts-v1; format in TestVectors/receipts/README.md).
extension ReceiptVectors {
    typealias T = VectorTender

    static func digest(_ label: String) -> [UInt8] { SHA256.hash(Array(label.utf8)) }

    // MARK: Entries

    static func entryScenarios() throws -> [(String, Vector)] {
        var list: [(String, Vector)] = []
        func add(_ name: String, _ description: String, expect: String, _ bytes: [UInt8]) {
            var fields: EntryFields?
            if expect == "success" {
                // The fields the bytes were made from: read back by hand, not by the library.
                let tenderLength = Int(bytes[3])
                let bidderLength = Int(bytes[4 + tenderLength])
                let at = 5 + tenderLength + bidderLength
                fields = EntryFields(
                    kind: bytes[2], tender: String(decoding: bytes[4..<(4 + tenderLength)], as: UTF8.self),
                    bidder: String(decoding: bytes[(5 + tenderLength)..<at], as: UTF8.self),
                    received_at: bytes[at..<(at + 8)].reduce(0) { $0 << 8 | UInt64($1) }, bid_digest: Array(bytes[(at + 8)..<(at + 40)]).hexString,
                    bid_length: bytes[(at + 40)..<(at + 48)].reduce(0) { $0 << 8 | UInt64($1) })
            }
            list.append((name, Vector(
                format: format, kind: "entry", description: description, expect: expect, entry: bytes.hexString,
                fields: fields)))
        }
        let at = T.deadlineMS - 600_000
        func entry(version: UInt16 = 1, kind: UInt8 = 1, tender: String = T.tenderID, bidder: String = "BIDDER-1", receivedAt: UInt64? = nil,
                   digest d: [UInt8] = digest("entry bid"), length: UInt64 = 5000) -> [UInt8] {
            T.entryBytes(version: version, kind: kind, tender: tender, bidder: bidder, receivedAt: receivedAt ?? at, digest: d, length: length)
        }
        add("entry-submit", "a submit entry", expect: "success", entry())
        for (kind, name) in [(2, "replace"), (3, "withdraw"), (4, "commit"), (5, "upload")] {
            add("entry-\(name)", "a \(name) entry (kind \(kind))", expect: "success", entry(kind: UInt8(kind)))
        }
        add("entry-zero-digest", "a bid_digest of 32 zero bytes: any 32 bytes are a digest to the reader", expect: "success",
            entry(digest: [UInt8](repeating: 0, count: 32)))
        add("entry-length-one", "a bid_length of 1, the smallest", expect: "success", entry(length: 1))
        add("entry-time-zero", "received_at 0: no lower bound", expect: "success", entry(receivedAt: 0))
        add("entry-time-last", "received_at 253402300799999, the last millisecond of the year 9999", expect: "success",
            entry(receivedAt: 253_402_300_799_999))
        let long = String(repeating: "a", count: 120) + "._:/@+-Z"
        add("entry-ids-128", "tender and bidder ids of 128 bytes using every punctuation character allowed", expect: "success",
            entry(tender: long, bidder: long))
        add("entry-version-0", "version 0", expect: "malformed-entry", entry(version: 0))
        add("entry-version-2", "version 2", expect: "malformed-entry", entry(version: 2))
        add("entry-kind-0", "kind 0", expect: "malformed-entry", entry(kind: 0))
        add("entry-kind-6", "kind 6", expect: "malformed-entry", entry(kind: 6))
        add("entry-tender-empty", "an empty tender id", expect: "malformed-entry", entry(tender: ""))
        add("entry-tender-129", "a tender id of 129 bytes", expect: "malformed-entry", entry(tender: long + "b"))
        add("entry-bidder-empty", "an empty bidder id", expect: "malformed-entry", entry(bidder: ""))
        add("entry-bidder-space", "a space in the bidder id", expect: "malformed-entry", entry(bidder: "BIDDER 1"))
        add("entry-bidder-non-ascii", "a bidder id with U+00E9 (UTF-8 C3 A9)", expect: "malformed-entry", entry(bidder: "BIDDER-\u{E9}"))
        var invalidUTF8 = entry(bidder: "BIDDER-1")
        invalidUTF8[4 + T.tenderID.utf8.count + 1] = 0xFF
        add("entry-bidder-invalid-utf8", "a bidder id whose first byte is 0xFF", expect: "malformed-entry", invalidUTF8)
        add("entry-zero-length", "bid_length 0", expect: "malformed-entry", entry(length: 0))
        add("entry-time-year-10000", "received_at 253402300800000, the first millisecond of the year 10000", expect: "malformed-entry",
            entry(receivedAt: 253_402_300_800_000))
        add("entry-time-max", "received_at 2^64 - 1", expect: "malformed-entry", entry(receivedAt: .max))
        add("entry-trailing-byte", "one byte after bid_length", expect: "malformed-entry", entry() + [0])
        add("entry-cut-short", "the last byte of bid_length missing", expect: "malformed-entry", Array(entry().dropLast()))
        add("entry-empty", "no bytes", expect: "malformed-entry", [])
        var beyond = entry()
        beyond[3] = 200
        add("entry-tender-length-beyond-end", "lp8(tender) says 200 bytes, more than the entry holds", expect: "malformed-entry", beyond)
        return list
    }

    // MARK: Receipts: limits, notes, signature lines, checkpoint bodies, order

    /// The six entries of the first receipt vectors' log (`SubmissionLog`, fixed clock).
    static func sixEntries() -> [[UInt8]] {
        (0..<6).map { i in T.entryBytes(kind: 1, bidder: "B-\(i)", receivedAt: 1_800_000_000_000, digest: digest("bid \(i)"), length: 1000) }
    }

    static func receiptScenarios(_ f: VectorTender) throws -> [(String, Vector)] {
        var list: [(String, Vector)] = []
        let key = f.signer.verifier.verifierKey
        let entries = sixEntries()
        var tree = MerkleTree()
        for entry in entries { tree.append(leafHash: MerkleTreeHash.leafHash(entry)) }
        let root = try tree.root()
        let proof = try tree.inclusionProof(index: 3, size: 6)
        let text = T.checkpointText(size: 6, root: root)
        let logLine = T.signatureLine(text, name: T.origin, key: f.logKey)
        let witness = try Ed25519PrivateKey(seed: SecureBytes(copying: digest("sealbid receipts vectors witness")))
        func witnessLine(_ n: Int, payload: Int = 64) -> String {
            // A key the verifier does not know: ignored, whatever its signature.
            let name = "witness.example/w\(n)"
            let keyID = Array(SHA256.hash(Array(name.utf8) + [0x0A, 0x01] + witness.publicKey.rawRepresentation).prefix(4))
            return "— \(name) \(Data(keyID + [UInt8](repeating: UInt8(n), count: payload)).base64EncodedString())\n"
        }
        func add(_ name: String, _ description: String, expect: String, _ bytes: [UInt8], index: UInt64 = 3, digestLabel: String = "bid 3") {
            list.append((name, Vector(
                format: format, kind: "receipt", description: description, expect: expect, log_key: key, origin: T.origin,
                receipt: bytes.hexString, entry_index: expect == "success" ? index : nil,
                bid_digest: expect == "success" ? digest(digestLabel).hexString : nil)))
        }
        func with(note: String, entry: [UInt8] = entries[3], token: [UInt8] = []) -> [UInt8] {
            T.receiptBytes(entry: entry, index: 3, proof: proof, note: Array(note.utf8), token: token)
        }
        func signedBody(_ body: String) -> String { body + "\n" + T.signatureLine(body, name: T.origin, key: f.logKey) }
        let good = text + "\n" + logLine

        // Limits, all inclusive.
        var bigEntry = entries[3] + [UInt8](repeating: 0, count: 1024 - entries[3].count)
        add("receipt-entry-1024-bytes", "an entry field of exactly 1024 bytes (the entry, then zeros): within the receipt's limit, so the entry's trailing bytes are what fails",
            expect: "malformed-entry", with(note: good, entry: bigEntry))
        bigEntry.append(0)
        add("receipt-entry-1025-bytes", "an entry field of 1025 bytes: over the receipt's limit", expect: "malformed-receipt",
            with(note: good, entry: bigEntry))
        // 64 proof hashes: leaf 0 of a tree of 2^63 + 1 leaves, whose siblings are made up and whose
        // root is computed from them.
        let deepEntry = T.entryBytes(kind: 1, bidder: "B-DEEP", receivedAt: 1_800_000_000_000, digest: digest("deep bid"), length: 1000)
        let siblings = (0..<64).map { digest("sibling \($0)") }
        let deepRoot = siblings.reduce(MerkleTreeHash.leafHash(deepEntry)) { MerkleTreeHash.nodeHash($0, $1) }
        let deepNote = signedBody(T.checkpointText(size: (1 << 63) + 1, root: deepRoot))
        add("receipt-proof-64-hashes", "entry 0 of a tree of 2^63 + 1 leaves: 64 proof hashes, the most a receipt holds", expect: "success",
            T.receiptBytes(entry: deepEntry, index: 0, proof: siblings, note: Array(deepNote.utf8)), index: 0, digestLabel: "deep bid")
        add("receipt-proof-65-hashes", "the same with a 65th hash appended: over the limit", expect: "malformed-receipt",
            T.receiptBytes(entry: deepEntry, index: 0, proof: siblings + [digest("sibling 64")], note: Array(deepNote.utf8)))
        // A note of exactly 64 KiB: the log's line and 15 lines of unknown keys filling it.
        func paddedNote(_ total: Int) -> String {
            var note = good
            for n in 1...14 { note += witnessLine(n, payload: 3000) }
            // The last line: "— " (4 bytes) name " " base64 "\n", its name sized to fill exactly.
            let remaining = total - note.utf8.count
            let base64Length = (remaining - 8) / 4 * 4
            let name = "w" + String(repeating: "x", count: remaining - base64Length - 7)
            let line = "— \(name) \(Data([UInt8](repeating: 0x5A, count: base64Length / 4 * 3)).base64EncodedString())\n"
            note += line
            precondition(note.utf8.count == total)
            return note
        }
        add("receipt-note-64-kib", "a note of exactly 65536 bytes (16 signature lines, 15 of unknown keys)", expect: "success",
            with(note: paddedNote(1 << 16)))
        add("receipt-note-over-64-kib", "a note of 65537 bytes", expect: "malformed-receipt", with(note: paddedNote((1 << 16) + 1)))
        add("receipt-token-64-kib", "a token field of exactly 65536 bytes, not a token: without time-stamp anchors the token is not read",
            expect: "success", with(note: good, token: [UInt8](repeating: 0x30, count: 1 << 16)))
        add("receipt-token-over-64-kib", "a token field of 65537 bytes", expect: "malformed-receipt",
            with(note: good, token: [UInt8](repeating: 0x30, count: (1 << 16) + 1)))
        add("receipt-token-not-a-token", "a token field holding bytes that are no RFC 3161 token: ignored without anchors", expect: "success",
            with(note: good, token: Array("not a token".utf8)))
        var notUTF8 = Array(good.utf8)
        notUTF8[notUTF8.count - 3] = 0xFF
        add("receipt-note-not-utf8", "a 0xFF byte in the note's signature line", expect: "malformed-receipt",
            T.receiptBytes(entry: entries[3], index: 3, proof: proof, note: notUTF8))

        // Note structure (C2SP signed-note): malformed-note.
        add("note-no-blank-line", "no blank line between the text and the signature line", expect: "malformed-note",
            with(note: text + logLine))
        add("note-no-signature", "the text and the blank line, no signature line", expect: "malformed-note", with(note: text + "\n"))
        add("note-crlf", "the note with CR LF line ends", expect: "malformed-note",
            with(note: good.replacingOccurrences(of: "\n", with: "\r\n")))
        add("note-control-character", "a tab in the signature line", expect: "malformed-note",
            with(note: text + "\n" + logLine.replacingOccurrences(of: " ", with: "\t")))
        add("note-no-final-newline", "the signature line without its final LF", expect: "malformed-note", with(note: String(good.dropLast())))
        add("note-hyphens-for-em-dash", "'-- ' instead of an em dash and a space", expect: "malformed-note",
            with(note: text + "\n" + logLine.replacingOccurrences(of: "—", with: "--")))
        add("note-signature-not-base64", "the signature field is not base64", expect: "malformed-note",
            with(note: text + "\n" + "— \(T.origin) !!!!\n"))
        add("note-signature-four-bytes", "the signature field holds a key ID alone (4 bytes)", expect: "malformed-note",
            with(note: text + "\n" + "— \(T.origin) \(Data(f.signer.verifier.keyID).base64EncodedString())\n"))
        add("note-key-name-plus", "a key name with '+'", expect: "malformed-note",
            with(note: good + witnessLine(1).replacingOccurrences(of: "witness.example/w1", with: "witness.example+w1")))
        add("note-key-name-unicode-space", "a key name with U+00A0 (a Unicode space, not 0x20)", expect: "malformed-note",
            with(note: good + witnessLine(1).replacingOccurrences(of: "witness.example/w1", with: "witness.example/\u{A0}w1")))
        add("note-key-name-empty", "a signature line with an empty key name (two spaces after the em dash)", expect: "malformed-note",
            with(note: good + witnessLine(1).replacingOccurrences(of: "witness.example/w1", with: "")))
        add("note-three-fields", "a signature line with a third field", expect: "malformed-note",
            with(note: text + "\n" + String(logLine.dropLast()) + " x\n"))
        var sixteen = good
        for n in 1...15 { sixteen += witnessLine(n) }
        add("note-16-signatures", "16 signature lines (the log's and 15 of unknown keys): C2SP requires accepting 16", expect: "success",
            with(note: sixteen))
        add("note-17-signatures", "17 signature lines", expect: "malformed-note", with(note: sixteen + witnessLine(16)))

        // Signature lines: unknown keys ignored, every line of the known key verified.
        add("signature-unknown-key-first", "a line of an unknown key before the log's", expect: "success",
            with(note: text + "\n" + witnessLine(1) + logLine))
        let sameNameOtherID = "— \(T.origin) \(Data([0, 0, 0, 0] + [UInt8](repeating: 7, count: 64)).base64EncodedString())\n"
        add("signature-same-name-other-key-id", "a line with the log's name and another key ID, its signature garbage: an unknown key, ignored",
            expect: "success", with(note: good + sameNameOtherID))
        let sameIDOtherName = "— witness.example/w1 \(Data(f.signer.verifier.keyID + [UInt8](repeating: 7, count: 64)).base64EncodedString())\n"
        add("signature-same-key-id-other-name", "a line with the log's key ID under another name, its signature garbage: an unknown key, ignored",
            expect: "success", with(note: good + sameIDOtherName))
        add("signature-line-twice", "the log's line twice: it counts once", expect: "success", with(note: good + logLine))
        var badSignature = Array(Data(base64Encoded: String(logLine.split(separator: " ")[2].dropLast()))!)
        badSignature[10] ^= 1
        let badLine = "— \(T.origin) \(Data(badSignature).base64EncodedString())\n"
        add("signature-second-line-fails", "the log's valid line, then a second line of the same key that does not verify", expect: "bad-signature",
            with(note: good + badLine))
        add("signature-first-line-fails", "a failing line of the log's key before its valid line", expect: "bad-signature",
            with(note: text + "\n" + badLine + logLine))
        let shortSignature = "— \(T.origin) \(Data(Array(badSignature.dropLast())).base64EncodedString())\n"
        add("signature-63-bytes", "the log's key ID with a 63-byte signature", expect: "bad-signature", with(note: text + "\n" + shortSignature))
        add("signature-only-unknown-keys", "only lines of unknown keys", expect: "no-verified-signature",
            with(note: text + "\n" + witnessLine(1) + witnessLine(2)))

        // Checkpoint bodies, each signed by the log: malformed-checkpoint.
        let rootB64 = Data(root).base64EncodedString()
        for (name, description, body) in [
            ("checkpoint-size-plus", "the size written +6", "\(T.origin)\n+6\n\(rootB64)\n"),
            ("checkpoint-size-empty", "an empty size line", "\(T.origin)\n\n\(rootB64)\n"),
            ("checkpoint-size-over-u64", "the size 2^64", "\(T.origin)\n18446744073709551616\n\(rootB64)\n"),
            ("checkpoint-root-unpadded", "the root's base64 without its '='", "\(T.origin)\n6\n\(rootB64.dropLast())\n"),
            ("checkpoint-root-31-bytes", "a root of 31 bytes", "\(T.origin)\n6\n\(Data(root.dropLast()).base64EncodedString())\n"),
            ("checkpoint-root-not-canonical", "the root's base64 with non-zero padding bits", "\(T.origin)\n6\n\(T.nonCanonicalBase64(rootB64))\n"),
            ("checkpoint-two-lines", "origin and size only", "\(T.origin)\n6\n"),
            ("checkpoint-empty-extension-line", "an empty fourth line", "\(T.origin)\n6\n\(rootB64)\n\n"),
        ] {
            add(name, description + " (signed by the log)", expect: "malformed-checkpoint", with(note: signedBody(body)))
        }
        add("checkpoint-extension-line", "an extension line 'witnessed-by x': a receipt alone does not read extension lines", expect: "success",
            with(note: signedBody(T.checkpointText(size: 6, root: root, extensions: ["witnessed-by x"]))))
        add("checkpoint-other-origin", "the checkpoint names another log of the same tender (signed by the log key)", expect: "wrong-origin",
            with(note: signedBody(T.checkpointText(origin: "lpse.example.go.id/mirror/\(T.tenderID)", size: 6, root: root))))

        // The order of the checks: the first failing step names the code.
        var kindNine = entries[3]
        kindNine[2] = 9
        add("order-entry-before-note", "entry kind 9 and a note without signatures: the entry is parsed first", expect: "malformed-entry",
            with(note: text + "\n", entry: kindNine))
        list.append(("order-origin-before-note", Vector(
            format: format, kind: "receipt", description: "an origin that does not end in the entry's tender, and a note without signatures: the origin is checked before the note is parsed",
            expect: "wrong-origin", log_key: key, origin: "lpse.example.go.id/portal/LPSE-2026-0099", receipt: with(note: text + "\n").hexString)))
        add("order-note-before-body", "a note without its blank line whose body is not a checkpoint: the note is parsed first", expect: "malformed-note",
            with(note: "\(T.origin)\n06\n\(rootB64)\n" + logLine))
        let badBody = "\(T.origin)\n06\n\(rootB64)\n"
        add("order-body-before-signature", "a body with the size 06 and a signature that does not verify: the body is parsed first",
            expect: "malformed-checkpoint", with(note: badBody + "\n" + badLine))
        add("order-origin-before-signature", "another origin and a signature that does not verify: the origin is checked first", expect: "wrong-origin",
            with(note: T.checkpointText(origin: "lpse.example.go.id/mirror/\(T.tenderID)", size: 6, root: root) + "\n" + badLine))
        var wrongRoot = root
        wrongRoot[0] ^= 1
        let wrongRootBody = T.checkpointText(size: 6, root: wrongRoot)
        add("order-signature-before-proof", "a root the proof does not reach, signed with a failing signature: the signature is checked first",
            expect: "bad-signature", with(note: wrongRootBody + "\n" + badLine))
        add("proof-other-root", "a root the proof does not reach, signed by the log", expect: "bad-proof", with(note: signedBody(wrongRootBody)))
        return list
    }

    // MARK: Receipts and consistency against the descriptor

    /// The tender log of the descriptor vectors: six entries around the deadline and the end of
    /// the grace window.
    static func tenderEntries() -> [[UInt8]] {
        let d = T.deadlineMS, end = T.endMS
        return [
            T.entryBytes(kind: 1, bidder: "BIDDER-1", receivedAt: d - 600_000, digest: digest("tender bid 1"), length: 5000),
            T.entryBytes(kind: 4, bidder: "BIDDER-2", receivedAt: d - 1, digest: digest("tender bid 2"), length: 6000),
            T.entryBytes(kind: 1, bidder: "BIDDER-3", receivedAt: d, digest: digest("tender bid 3"), length: 7000),
            T.entryBytes(kind: 5, bidder: "BIDDER-2", receivedAt: end - 1, digest: digest("tender bid 2"), length: 6000),
            T.entryBytes(kind: 5, bidder: "BIDDER-1", receivedAt: end, digest: digest("tender bid 1b"), length: 5000),
            T.entryBytes(kind: 3, bidder: "BIDDER-1", receivedAt: end, digest: digest("tender withdrawal 1"), length: 300),
        ]
    }

    static var closingTime: UInt64 { T.endMS + 1000 }
    static var closingLine: String { "closed \(T.tenderID) \(closingTime)" }

    static func tenderReceiptScenarios(_ f: VectorTender) throws -> [(String, Vector)] {
        var list: [(String, Vector)] = []
        let entries = tenderEntries()
        let descriptor = f.tender.encoded.hexString
        let labels = ["tender bid 1", "tender bid 2", "tender bid 3", "tender bid 2", "tender bid 1b", "tender withdrawal 1"]
        func add(_ name: String, _ description: String, expect: String, _ bytes: [UInt8], index: Int) {
            list.append((name, Vector(
                format: format, kind: "tender-receipt", description: description, expect: expect, log_key: f.signer.verifier.verifierKey,
                origin: T.origin, receipt: bytes.hexString, entry_index: expect == "success" ? UInt64(index) : nil,
                bid_digest: expect == "success" ? digest(labels[index]).hexString : nil, descriptor: descriptor)))
        }
        add("tender-receipt-success", "a submission 10 minutes before the deadline", expect: "success", try f.receipt(entries, index: 0), index: 0)
        add("tender-receipt-commit-last-millisecond", "a commitment received 1 ms before the deadline", expect: "success",
            try f.receipt(entries, index: 1), index: 1)
        add("tender-receipt-submit-at-deadline", "a submission received at the deadline", expect: "log-closed", try f.receipt(entries, index: 2), index: 2)
        add("tender-receipt-upload-in-grace", "an upload received 1 ms before the end of the grace window", expect: "success",
            try f.receipt(entries, index: 3), index: 3)
        add("tender-receipt-upload-at-end", "an upload received at the end of the grace window", expect: "log-closed",
            try f.receipt(entries, index: 4), index: 4)
        add("tender-receipt-withdraw-in-grace", "a withdrawal received in the grace window: only uploads are", expect: "log-closed",
            try f.receipt(entries, index: 5), index: 5)
        add("tender-receipt-against-closing", "a receipt against the closing checkpoint", expect: "success",
            try f.receipt(entries, index: 0, extensions: [closingLine]), index: 0)
        for (name, description, line) in [
            ("tender-receipt-closing-other-tender", "the closing line of another tender", "closed LPSE-2026-0099 \(closingTime)"),
            ("tender-receipt-closing-leading-zero", "a closing line whose time has a leading zero", "closed \(T.tenderID) 0\(closingTime)"),
            ("tender-receipt-closing-plus", "a closing line whose time has a sign", "closed \(T.tenderID) +\(closingTime)"),
            ("tender-receipt-closing-two-spaces", "a closing line with two spaces", "closed  \(T.tenderID) \(closingTime)"),
            ("tender-receipt-closing-extra-field", "a closing line with a fourth field", "closed \(T.tenderID) \(closingTime) x"),
            ("tender-receipt-other-extension", "an extension line that is not a closing line", "witnessed-by x"),
        ] {
            add(name, description + ": a checkpoint with another extension line", expect: "malformed-checkpoint",
                try f.receipt(entries, index: 0, extensions: [line]), index: 0)
        }
        add("tender-receipt-two-closing-lines", "the closing line twice", expect: "malformed-checkpoint",
            try f.receipt(entries, index: 0, extensions: [closingLine, closingLine]), index: 0)
        // An entry of tender "portal/LPSE-2026-0042" passes the origin rule (the origin ends in
        // "/portal/LPSE-2026-0042") but is not this tender's.
        var other = entries
        other[0] = T.entryBytes(kind: 1, tender: "portal/\(T.tenderID)", bidder: "BIDDER-1", receivedAt: T.deadlineMS - 600_000,
                                digest: digest("tender bid 1"), length: 5000)
        add("tender-receipt-entry-other-tender", "an entry of tender portal/LPSE-2026-0042, whose id the origin also ends in", expect: "malformed-entry",
            try f.receipt(other, index: 0), index: 0)
        add("tender-receipt-order-tender-before-extension", "an entry of another tender under a checkpoint with another extension line",
            expect: "malformed-entry", try f.receipt(other, index: 0, extensions: ["witnessed-by x"]), index: 0)
        add("tender-receipt-order-extension-before-time", "a late entry under a checkpoint with another extension line", expect: "malformed-checkpoint",
            try f.receipt(entries, index: 2, extensions: ["witnessed-by x"]), index: 2)
        return list
    }

    static func tenderConsistencyScenarios(_ f: VectorTender) throws -> [(String, Vector)] {
        var list: [(String, Vector)] = []
        var entries = tenderEntries()
        entries.append(T.entryBytes(kind: 1, bidder: "BIDDER-9", receivedAt: closingTime + 1, digest: digest("after closing"), length: 10))
        var tree = MerkleTree()
        for entry in entries { tree.append(leafHash: MerkleTreeHash.leafHash(entry)) }
        func checkpoint(_ size: UInt64, _ extensions: [String] = []) throws -> String {
            f.note(T.checkpointText(size: size, root: try tree.root(size: size), extensions: extensions))
        }
        func add(_ name: String, _ description: String, expect: String, old: String, new: String, proof: [[UInt8]]) {
            list.append((name, Vector(
                format: format, kind: "tender-consistency", description: description, expect: expect, log_key: f.signer.verifier.verifierKey,
                origin: T.origin, old_checkpoint: old, new_checkpoint: new, proof: proof.map(\.hexString), descriptor: f.tender.encoded.hexString)))
        }
        let closing = try checkpoint(6, [closingLine])
        add("tender-consistency-to-closing", "a checkpoint of size 4, then the closing at size 6", expect: "success", old: try checkpoint(4), new: closing,
            proof: try tree.consistencyProof(size1: 4, size2: 6))
        add("tender-consistency-closing-to-itself", "the closing, then the closing", expect: "success", old: closing, new: closing, proof: [])
        add("tender-consistency-closing-to-unmarked", "the closing, then a checkpoint of the same size without the closing line (the one signed just before closing)",
            expect: "success", old: closing, new: try checkpoint(6), proof: [])
        add("tender-consistency-closing-to-larger", "the closing at size 6, then a consistent checkpoint of size 7: the portal appended after closing",
            expect: "closed-log-changed", old: closing, new: try checkpoint(7), proof: try tree.consistencyProof(size1: 6, size2: 7))
        add("tender-consistency-closing-to-larger-closing", "the closing at size 6, then a second closing at size 7", expect: "closed-log-changed",
            old: closing, new: try checkpoint(7, ["closed \(T.tenderID) \(closingTime + 5000)"]), proof: try tree.consistencyProof(size1: 6, size2: 7))
        add("tender-consistency-closing-other-time", "the closing, then a closing of the same size with another time: the portal closed again",
            expect: "closed-log-changed", old: closing, new: try checkpoint(6, ["closed \(T.tenderID) \(closingTime + 1)"]), proof: [])
        add("tender-consistency-proof-before-closing-rule", "the closing, then size 7 with a proof that does not verify: the proof is checked first",
            expect: "bad-proof", old: closing, new: try checkpoint(7), proof: try tree.consistencyProof(size1: 5, size2: 7))
        add("tender-consistency-other-tender-closing", "a checkpoint whose extension line closes another tender, then size 7: no closing of this tender",
            expect: "success", old: try checkpoint(6, ["closed LPSE-2026-0099 \(closingTime)"]), new: try checkpoint(7),
            proof: try tree.consistencyProof(size1: 6, size2: 7))
        return list
    }

    // MARK: The durable store's records

    static func frame(type: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let head = [type] + T.u32(payload.count)
        let checked = head + SHA256.hash(head).prefix(4)
        return checked + payload + SHA256.hash(checked + payload)
    }

    static func entryFrame(_ entry: [UInt8], token: [UInt8] = []) -> [UInt8] {
        frame(type: 1, [UInt8(entry.count >> 8), UInt8(entry.count & 0xFF)] + entry + token)
    }

    static func storeScenarios() throws -> [(String, Vector)] {
        var list: [(String, Vector)] = []
        let entries = tenderEntries()
        let token = Array("a token, as bytes: the store does not read it".utf8)
        let records: [LogRecord] = [.entry(entries[0], token: []), .entry(entries[1], token: token), .closed(size: 2, at: closingTime)]
        let frames = [entryFrame(entries[0]), entryFrame(entries[1], token: token), frame(type: 2, T.u64(2) + T.u64(closingTime))]
        let whole = frames.flatMap { $0 }
        func add(_ name: String, _ description: String, expect: String, _ bytes: [UInt8], _ kept: [LogRecord] = []) {
            list.append((name, Vector(
                format: format, kind: "store", description: description, expect: expect, store: bytes.hexString,
                records: expect == "success" ? kept.map(StoreRecord.init) : nil)))
        }
        add("store-success", "two entries (the second with a token) and a closing record", expect: "success", whole, records)
        add("store-empty", "an empty store", expect: "success", [], [])
        let next = entryFrame(entries[2])
        add("store-torn-header", "the first 5 bytes of a fourth record: a reader stops before it", expect: "success", whole + next.prefix(5), records)
        add("store-torn-payload", "a fourth record without its last byte", expect: "success", whole + next.dropLast(), records)
        add("store-zero-tail", "4096 zero bytes after the records", expect: "success", whole + [UInt8](repeating: 0, count: 4096), records)
        var lastChecksum = whole
        lastChecksum[lastChecksum.count - 1] ^= 1
        add("store-checksum-damaged", "a bit of the closing record's checksum flipped: a reader stops before it", expect: "success",
            lastChecksum, Array(records.prefix(2)))
        var headerCheck = whole
        headerCheck[frames[0].count + 5] ^= 1
        add("store-header-check-damaged", "a bit of the second record's header check flipped: a reader stops before it, and reads nothing after it",
            expect: "success", headerCheck, Array(records.prefix(1)))
        var payload = whole
        payload[frames[0].count + 9 + 3] ^= 1
        add("store-payload-damaged", "a bit of the second record's entry flipped: its checksum fails, a reader stops before it", expect: "success",
            payload, Array(records.prefix(1)))
        let bigHead = [UInt8(1)] + T.u32((1 << 20) + 1)
        add("store-length-over-1-mib", "a record header (its check correct) with length 2^20 + 1: over the limit, a reader stops before it",
            expect: "success", whole + bigHead + SHA256.hash(bigHead).prefix(4) + [UInt8](repeating: 0, count: 64), records)
        add("store-unknown-type", "a record of type 3 with correct checks", expect: "corrupt-store", whole + frame(type: 3, [1, 2, 3]))
        add("store-type-zero", "a record of type 0 with correct checks", expect: "corrupt-store", frame(type: 0, []))
        add("store-closing-15-bytes", "a closing record with a 15-byte payload", expect: "corrupt-store",
            frames[0] + frame(type: 2, Array((T.u64(1) + T.u64(closingTime)).dropLast())))
        add("store-closing-17-bytes", "a closing record with a 17-byte payload", expect: "corrupt-store",
            frames[0] + frame(type: 2, T.u64(1) + T.u64(closingTime) + [0]))
        add("store-entry-payload-1-byte", "an entry record whose payload is 1 byte", expect: "corrupt-store", frame(type: 1, [0]))
        add("store-entry-length-beyond-payload", "an entry record whose u16 length exceeds its payload", expect: "corrupt-store",
            frame(type: 1, [UInt8((entries[0].count + 1) >> 8), UInt8((entries[0].count + 1) & 0xFF)] + entries[0]))
        add("store-entry-not-parsed", "an entry record whose entry is not an entry: the store does not parse entries (the log and the opening do)",
            expect: "success", entryFrame([1, 2, 3]), [.entry([1, 2, 3], token: [])])
        return list
    }
}

extension ReceiptVectors {
    /// The entries the embedded time-stamp tokens cover (``VectorAuthority``), with the genTime of
    /// each token in seconds.
    static func timestampEntries() -> [(entry: [UInt8], genTime: UInt64, label: String)] {
        let d = T.deadlineMS
        return [
            (T.entryBytes(kind: 1, bidder: "BIDDER-1", receivedAt: d - 600_000, digest: digest("ts bid 1"), length: 5000), (d - 600_000) / 1000, "ts bid 1"),
            (T.entryBytes(kind: 1, bidder: "BIDDER-2", receivedAt: d - 1000, digest: digest("ts bid 2"), length: 5000), d / 1000, "ts bid 2"),
            (T.entryBytes(kind: 1, bidder: "BIDDER-3", receivedAt: d - 600_000, digest: digest("ts bid 3"), length: 5000), (d - 600_000) / 1000 + 62, "ts bid 3"),
            (T.entryBytes(kind: 2, bidder: "BIDDER-1", receivedAt: d - 300_000, digest: digest("ts bid 1b"), length: 5000), (d - 300_000) / 1000 + 61, "ts bid 1b"),
        ]
    }
}

extension ReceiptVectors {
    static func timestampScenarios(_ f: VectorTender) throws -> [(String, Vector)] {
        var list: [(String, Vector)] = []
        let items = timestampEntries()
        let entries = items.map(\.entry)
        let tokens = VectorAuthority.tokens.map(VectorAuthority.der)
        let root = VectorAuthority.der(VectorAuthority.root).hexString
        let otherRoot = VectorAuthority.der(VectorAuthority.otherRoot).hexString
        let required = try VectorTender.descriptor(
            signer: f.signer, stages: f.stages, bidderKeys: f.bidderKeys, x509: f.x509Bidder, timestamps: .required,
            tsaRoots: [X509Certificate(derRepresentation: VectorAuthority.der(VectorAuthority.root))])
        func add(_ name: String, _ description: String, expect: String, index: Int, token: [UInt8], roots: [String]?, tender: Tender? = nil) throws {
            list.append((name, Vector(
                format: format, kind: tender == nil ? "receipt" : "tender-receipt", description: description, expect: expect,
                log_key: f.signer.verifier.verifierKey, origin: T.origin, receipt: try f.receipt(entries, index: index, token: token).hexString,
                entry_index: expect == "success" ? UInt64(index) : nil, bid_digest: expect == "success" ? digest(items[index].label).hexString : nil,
                descriptor: tender?.encoded.hexString, tsa_roots: roots)))
        }
        var damaged = tokens[0]
        damaged[damaged.count - 10] ^= 1
        try add("timestamp-success", "a token over SHA-256(entry) by an authority chaining to the anchor", expect: "success", index: 0,
                token: tokens[0], roots: [root])
        try add("timestamp-absent", "no token, with anchors given", expect: "malformed-receipt", index: 0, token: [], roots: [root])
        try add("timestamp-other-entry", "the token of another entry (its message imprint differs)", expect: "timestamp-invalid", index: 0,
                token: tokens[1], roots: [root])
        try add("timestamp-untrusted-root", "anchors that the authority does not chain to", expect: "timestamp-invalid", index: 0,
                token: tokens[0], roots: [otherRoot])
        try add("timestamp-signature-damaged", "one bit of the token's signature flipped", expect: "timestamp-invalid", index: 0, token: damaged,
                roots: [root])
        try add("timestamp-not-a-token", "bytes that are no token", expect: "timestamp-invalid", index: 0, token: Array("not a token".utf8),
                roots: [root])
        try add("timestamp-before-certificate", "a token whose genTime (2026-01-01) is before its authority's certificate is valid: the chain is checked at genTime",
                expect: "timestamp-invalid", index: 0, token: VectorAuthority.der(VectorAuthority.early), roots: [root])
        try add("timestamp-ignored-without-anchors", "the token of another entry, no anchors: the token is outside the signed note and not read",
                expect: "success", index: 0, token: tokens[1], roots: nil)
        try add("timestamp-at-deadline-receipt-only", "a token whose genTime is the deadline: a receipt alone does not judge times", expect: "success",
                index: 1, token: tokens[1], roots: [root])
        // Against a descriptor whose `timestamps` is `required`, the opening's rules apply.
        try add("tender-timestamp-success", "a token 0 s after received_at, before the deadline", expect: "success", index: 0, token: tokens[0],
                roots: nil, tender: required)
        try add("tender-timestamp-absent", "no token, the tender requiring them", expect: "malformed-receipt", index: 0, token: [], roots: nil,
                tender: required)
        try add("tender-timestamp-late", "received 1 s before the deadline, a token at the deadline (timestamp-late)", expect: "timestamp-invalid",
                index: 1, token: tokens[1], roots: nil, tender: required)
        try add("tender-timestamp-62-seconds", "a token 62 s after received_at, its accuracy 1 s (timestamp-mismatch: more than 60 s + 1 s)",
                expect: "timestamp-invalid", index: 2, token: tokens[2], roots: nil, tender: required)
        try add("tender-timestamp-61-seconds", "a token 61 s after received_at, its accuracy 1 s: exactly 60 s + 1 s, accepted", expect: "success",
                index: 3, token: tokens[3], roots: nil, tender: required)
        try add("tender-timestamp-other-entry", "the token of another entry", expect: "timestamp-invalid", index: 0, token: tokens[3], roots: nil,
                tender: required)
        return list
    }
}
