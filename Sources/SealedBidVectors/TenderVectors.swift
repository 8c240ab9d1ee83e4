import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidLog
import SealedBidPrimitives

/// `TestVectors/tender/`: tender descriptors (tender-v1), valid ones and one per rule a reader
/// refuses (format in TestVectors/tender/README.md).
public enum TenderVectors {
    public static let format = "sealbid-tender-vectors-v1"

    struct Vector: Codable {
        let format: String
        let kind: String
        let description: String
        let expect: String
        /// The descriptor's bytes, hex.
        let descriptor: String
        /// The published digest the reader is given, hex (absent: none given).
        var expected_digest: String? = nil
        /// (malformed-tender) the line the reader names: 1-based, 0 for the file or the descriptor as a whole.
        var line: Int? = nil
        /// (success) the tender id and the descriptor's SHA-256, hex.
        var tender: String? = nil
        var digest: String? = nil
    }

    static func outcome(_ v: Vector) -> (code: String, line: Int?, ok: Bool) {
        do {
            let expected = try v.expected_digest.map { try Hex.decode($0) }
            let tender = try Tender(encoded: Hex.decode(v.descriptor), expectedDigest: expected)
            return ("success", nil, tender.id.value == v.tender && tender.digest.hexString == v.digest)
        } catch let error as TenderError {
            if case .malformed(let line, _) = error { return (error.code, line, true) }
            return (error.code, nil, true)
        } catch {
            return ("unexpected \(error)", nil, false)
        }
    }

    static func run(_ directory: URL, into report: inout SuiteReport) throws {
        for (file, vector) in try ProjectVectorFiles.load(Vector.self, from: directory) {
            let (code, line, ok) = outcome(vector)
            report.decide(vector.expect == "success" ? "success" : "failure")
            report.record(
                vector.format == format && vector.kind == "descriptor" && code == vector.expect && line == vector.line && ok,
                "\(file): expected \(vector.expect)\(vector.line.map { " line \($0)" } ?? ""), got \(code)\(line.map { " line \($0)" } ?? "")")
        }
    }

    public static func generate() throws -> [(name: String, json: Data)] {
        try ProjectVectorFiles.encode(scenarios())
    }

    static func scenarios() throws -> [(String, Vector)] {
        let f = try VectorTender()
        var list: [(String, Vector)] = []
        // The base descriptor's lines: 1 magic, 2 tender, 3 deadline, 4 grace, 5 max-bid-bytes,
        // 6 log, 7 timestamps, 8-9 stage, 10-11 envelope, 12-14 bidder.
        let base = String(decoding: f.tender.encoded, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        precondition(base.count == 14 && base[7].hasPrefix("stage technical ") && base[13].hasPrefix("bidder BIDDER-3 x509-subject "))
        func bytes(_ lines: [String]) -> [UInt8] { Array(lines.map { $0 + "\n" }.joined().utf8) }
        func add(_ name: String, _ description: String, expect: String, line: Int? = nil, _ descriptor: [UInt8], expectedDigest: [UInt8]? = nil) {
            list.append(("descriptor-\(name)", Vector(
                format: format, kind: "descriptor", description: description, expect: expect, descriptor: descriptor.hexString,
                expected_digest: expectedDigest?.hexString, line: line, tender: expect == "success" ? VectorTender.tenderID : nil,
                digest: expect == "success" ? SHA256.hash(descriptor).hexString : nil)))
        }
        func replacing(_ number: Int, _ line: String) -> [String] {
            var lines = base
            lines[number - 1] = line
            return lines
        }
        func removing(_ numbers: Int...) -> [String] { base.enumerated().filter { !numbers.contains($0.offset + 1) }.map(\.element) }
        func inserting(_ line: String, before number: Int, into lines: [String] = base) -> [String] {
            var copy = lines
            copy.insert(line, at: number - 1)
            return copy
        }
        let stageTechnical = base[7], stagePrice = base[8]
        let technicalFields = stageTechnical.split(separator: " ").map(String.init)
        let priceFields = stagePrice.split(separator: " ").map(String.init)
        // The roster's or the stage key's base64, whichever has padding bits to set.
        let padded = [2, 3].first { technicalFields[$0].hasSuffix("=") }!
        let root = Data(VectorAuthority.der(VectorAuthority.root)).base64EncodedString()
        let otherRoot = Data(VectorAuthority.der(VectorAuthority.otherRoot)).base64EncodedString()
        let key1 = f.bidderKeys[0].key.publicKey.rawRepresentation.hexString

        // Valid descriptors.
        let good = bytes(base)
        add("success", "two stages, three bidders, timestamps none", expect: "success", good)
        add("success-digest-given", "the same, with its published digest", expect: "success", good, expectedDigest: SHA256.hash(good))
        add("timestamps-required", "timestamps required with one tsa-root", expect: "success",
            bytes(inserting("tsa-root \(root)", before: 8, into: replacing(7, "timestamps required"))))
        add("timestamps-test-authority", "timestamps test-authority with one tsa-root", expect: "success",
            bytes(inserting("tsa-root \(root)", before: 8, into: replacing(7, "timestamps test-authority"))))
        add("x509-roots", "two x509-root lines", expect: "success",
            bytes(inserting("x509-root \(otherRoot)", before: 8, into: inserting("x509-root \(root)", before: 8))))
        add("no-bidders", "no bidder lines (zero or more)", expect: "success", bytes(removing(12, 13, 14)))
        add("grace-zero", "grace 0", expect: "success", bytes(replacing(4, "grace 0")))
        add("grace-max", "grace 604800, the largest", expect: "success", bytes(replacing(4, "grace 604800")))
        add("max-bid-bytes-one", "max-bid-bytes 1, the smallest", expect: "success", bytes(replacing(5, "max-bid-bytes 1")))
        add("max-bid-bytes-max", "max-bid-bytes 2^50, the largest", expect: "success", bytes(replacing(5, "max-bid-bytes 1125899906842624")))
        add("deadline-first", "the first deadline allowed, 2000-01-01T00:00:00Z", expect: "success", bytes(replacing(3, "deadline 2000-01-01T00:00:00Z")))
        add("deadline-last", "the last deadline allowed, 9999-12-31T23:59:59Z", expect: "success", bytes(replacing(3, "deadline 9999-12-31T23:59:59Z")))
        add("deadline-leap-day", "2028-02-29T12:00:00Z", expect: "success", bytes(replacing(3, "deadline 2028-02-29T12:00:00Z")))
        add("deadline-leap-2000", "2000-02-29T00:00:00Z (2000 is divisible by 400)", expect: "success", bytes(replacing(3, "deadline 2000-02-29T00:00:00Z")))

        // The digest is compared first.
        add("digest-mismatch", "a published digest of another file", expect: "tender-digest-mismatch", good, expectedDigest: SHA256.hash(Array("another".utf8)))
        add("digest-before-parsing", "a file without its final LF, and a published digest of another file: the digest is compared first",
            expect: "tender-digest-mismatch", Array(good.dropLast()), expectedDigest: SHA256.hash(Array("another".utf8)))

        // The file as a whole (line 0).
        add("empty", "an empty file", expect: "malformed-tender", line: 0, [])
        add("no-final-lf", "the last line without its LF", expect: "malformed-tender", line: 0, Array(good.dropLast()))
        var notUTF8 = good
        notUTF8[notUTF8.count - 3] = 0xFF
        add("not-utf8", "a 0xFF byte in the last line", expect: "malformed-tender", line: 0, notUTF8)

        // Line by line, in order (the line named).
        add("magic-v2", "sealbid-tender-v2", expect: "malformed-tender", line: 1, bytes(replacing(1, "sealbid-tender-v2")))
        add("crlf", "CR LF line ends", expect: "malformed-tender", line: 1, Array(base.map { $0 + "\r\n" }.joined().utf8))
        add("byte-order-mark", "a UTF-8 byte order mark before the first line", expect: "malformed-tender", line: 1,
            bytes(replacing(1, "\u{FEFF}sealbid-tender-v1")))
        add("tender-id-space", "a space in the tender id", expect: "malformed-tender", line: 2, bytes(replacing(2, "tender LPSE 2026-0042")))
        add("tender-trailing-space", "a space after the tender id", expect: "malformed-tender", line: 2, bytes(replacing(2, "tender LPSE-2026-0042 ")))
        add("tender-two-spaces", "two spaces after the keyword", expect: "malformed-tender", line: 2, bytes(replacing(2, "tender  LPSE-2026-0042")))
        add("keyword-upper-case", "Tender instead of tender", expect: "malformed-tender", line: 2, bytes(replacing(2, "Tender LPSE-2026-0042")))
        add("tender-twice", "the tender line twice: the second is where deadline belongs", expect: "malformed-tender", line: 3,
            bytes(inserting(base[1], before: 3)))
        add("lines-swapped", "grace before deadline", expect: "malformed-tender", line: 3,
            bytes(replacing(4, base[2]).enumerated().map { $0.offset == 2 ? base[3] : $0.element }))
        for (name, value) in [
            ("offset", "2027-01-15T09:00:00+00:00"), ("fraction", "2027-01-15T09:00:00.000Z"), ("lower-case-z", "2027-01-15T09:00:00z"),
            ("lower-case-t", "2027-01-15t09:00:00Z"), ("space", "2027-01-15 09:00:00Z"), ("no-zone", "2027-01-15T09:00:00"),
            ("short-month", "2027-1-15T09:00:00Z"), ("february-29", "2027-02-29T09:00:00Z"), ("1900-02-29", "1900-02-29T00:00:00Z"),
            ("leap-second", "2027-01-15T09:00:60Z"), ("hour-24", "2027-01-15T24:00:00Z"), ("month-13", "2027-13-15T09:00:00Z"),
            ("day-0", "2027-01-00T09:00:00Z"), ("april-31", "2027-04-31T09:00:00Z"), ("year-1999", "1999-12-31T23:59:59Z"),
            ("arabic-indic-digit", "202\u{0667}-01-15T09:00:00Z"),
        ] {
            add("deadline-\(name)", "deadline \(value)", expect: "malformed-tender", line: 3, bytes(replacing(3, "deadline \(value)")))
        }
        add("grace-not-decimal", "grace 1e3", expect: "malformed-tender", line: 4, bytes(replacing(4, "grace 1e3")))
        add("grace-no-value", "grace without a value or its space", expect: "malformed-tender", line: 4, bytes(replacing(4, "grace")))
        add("grace-tab", "a tab between grace and its value", expect: "malformed-tender", line: 4, bytes(replacing(4, "grace\t600")))
        add("grace-overflow", "grace 99999999999999999999", expect: "malformed-tender", line: 4, bytes(replacing(4, "grace 99999999999999999999")))
        add("max-bid-bytes-negative", "max-bid-bytes -1", expect: "malformed-tender", line: 5, bytes(replacing(5, "max-bid-bytes -1")))
        add("max-bid-bytes-unit", "max-bid-bytes 1k", expect: "malformed-tender", line: 5, bytes(replacing(5, "max-bid-bytes 1k")))
        add("max-bid-bytes-missing", "no max-bid-bytes line", expect: "malformed-tender", line: 5, bytes(removing(5)))
        add("log-missing", "no log line: line 6 is the timestamps line", expect: "malformed-tender", line: 6, bytes(removing(6)))
        add("tender-missing", "no tender line: line 2 is the deadline line", expect: "malformed-tender", line: 2, bytes(removing(2)))
        add("log-not-a-key", "log not-a-key", expect: "malformed-tender", line: 6, bytes(replacing(6, "log not-a-key")))
        let logParts = base[5].dropFirst(4).split(separator: "+", maxSplits: 2).map(String.init)
        add("log-key-id-wrong", "a key ID that is not the key's", expect: "malformed-tender", line: 6,
            bytes(replacing(6, "log \(logParts[0])+00000000+\(logParts[2])")))
        // Witnesses (receipts-v1, "Witnesses"): `witness` lines after `log`, then `witness-quorum`.
        let witnesses = try ReceiptVectors.witnessPolicy().witnesses.map { "witness \($0.verifierKey)" }
        func withWitnesses(_ lines: [String]) -> [String] { Array(base[0..<6]) + lines + Array(base[6...]) }
        add("witnesses-two-of-two", "two witnesses, both required", expect: "success", bytes(withWitnesses(witnesses + ["witness-quorum 2"])))
        add("witnesses-one-of-two", "witness-quorum 1 with two witnesses: not a strict majority, two forks could each gather one",
            expect: "malformed-tender", line: 9, bytes(withWitnesses(witnesses + ["witness-quorum 1"])))
        let accented = "t\u{E9}moin.example.org/w"
        let accentedKey = ReceiptVectors.witnessKeys[0].publicKey.rawRepresentation
        let accentedID = Array(SHA256.hash(Array(accented.utf8) + [0x0A, 0x04] + accentedKey).prefix(4)).hexString
        add("witnesses-name-not-ascii", "a witness named with a non-ASCII letter: names are printable ASCII (no look-alikes)",
            expect: "malformed-tender", line: 7,
            bytes(withWitnesses(["witness \(accented)+\(accentedID)+\(Data([0x04] + accentedKey).base64EncodedString())", witnesses[1],
                "witness-quorum 2"])))
        add("witnesses-no-quorum", "witness lines without a witness-quorum line", expect: "malformed-tender", line: 9,
            bytes(withWitnesses(witnesses)))
        add("witnesses-quorum-zero", "witness-quorum 0 with two witnesses", expect: "malformed-tender", line: 9,
            bytes(withWitnesses(witnesses + ["witness-quorum 0"])))
        add("witnesses-quorum-too-large", "witness-quorum 3 with two witnesses", expect: "malformed-tender", line: 9,
            bytes(withWitnesses(witnesses + ["witness-quorum 3"])))
        add("witnesses-quorum-leading-zero", "witness-quorum 02: not canonical", expect: "malformed-tender", line: 0,
            bytes(withWitnesses(witnesses + ["witness-quorum 02"])))
        add("witnesses-quorum-alone", "witness-quorum 1 without witnesses: line 7 is where timestamps belongs", expect: "malformed-tender",
            line: 7, bytes(withWitnesses(["witness-quorum 1"])))
        add("witnesses-note-key", "a witness key of signature type 0x01 (a log's key), not a cosignature key", expect: "malformed-tender",
            line: 7, bytes(withWitnesses(["witness \(base[5].dropFirst(4))", "witness-quorum 1"])))
        add("witnesses-same-twice", "one witness listed twice", expect: "malformed-tender", line: 9,
            bytes(withWitnesses([witnesses[0], witnesses[0], "witness-quorum 1"])))
        let logAsWitness = try CosignerVerifier(name: "witness.example.org/log", publicKey: f.signer.verifier.publicKey)
        add("witnesses-log-key", "a witness with the log's own key: a log cannot witness itself", expect: "malformed-tender", line: 0,
            bytes(withWitnesses(["witness \(logAsWitness.verifierKey)", "witness-quorum 1"])))
        add("timestamps-unknown", "timestamps optional", expect: "malformed-tender", line: 7, bytes(replacing(7, "timestamps optional")))
        add("timestamps-upper-case", "timestamps None", expect: "malformed-tender", line: 7, bytes(replacing(7, "timestamps None")))
        add("tsa-root-not-base64", "a tsa-root that is not base64", expect: "malformed-tender", line: 8,
            bytes(inserting("tsa-root !!!!", before: 8, into: replacing(7, "timestamps required"))))
        add("tsa-root-not-a-certificate", "a tsa-root that is base64 of no certificate", expect: "malformed-tender", line: 8,
            bytes(inserting("tsa-root AAAA", before: 8, into: replacing(7, "timestamps required"))))
        add("x509-root-not-a-certificate", "an x509-root that is base64 of no certificate", expect: "malformed-tender", line: 8,
            bytes(inserting("x509-root AAAA", before: 8)))
        add("tsa-root-after-x509-root", "a tsa-root line after an x509-root line: the first line no rule takes", expect: "malformed-tender", line: 9,
            bytes(inserting("tsa-root \(root)", before: 9, into: inserting("x509-root \(root)", before: 8, into: replacing(7, "timestamps required")))))
        add("stage-missing-key", "a stage line without its stage key", expect: "malformed-tender", line: 8,
            bytes(replacing(8, technicalFields.prefix(3).joined(separator: " "))))
        add("stage-other-roster", "stage technical with the price stage's roster and key", expect: "malformed-tender", line: 8,
            bytes(replacing(8, "stage technical \(priceFields[2]) \(priceFields[3])")))
        add("stage-key-of-other-stage", "stage technical with its roster and the price stage's key", expect: "malformed-tender", line: 8,
            bytes(replacing(8, "stage technical \(technicalFields[2]) \(priceFields[3])")))
        var unpadded = technicalFields
        unpadded[padded] = unpadded[padded].filter { $0 != "=" }
        add("stage-base64-unpadded", "the \(padded == 2 ? "roster's" : "stage key's") base64 without its padding", expect: "malformed-tender", line: 8,
            bytes(replacing(8, unpadded.joined(separator: " "))))
        add("envelope-name-invalid", "envelope Tech! technical", expect: "malformed-tender", line: 10, bytes(replacing(10, "envelope Tech! technical")))
        add("envelope-missing-stage", "envelope technical", expect: "malformed-tender", line: 10, bytes(replacing(10, "envelope technical")))
        add("bidder-unknown-kind", "an identity of kind rsa", expect: "malformed-tender", line: 12, bytes(replacing(12, "bidder BIDDER-1 rsa \(key1)")))
        add("bidder-key-31-bytes", "an Ed25519 key of 31 bytes", expect: "malformed-tender", line: 12,
            bytes(replacing(12, "bidder BIDDER-1 ed25519 \(key1.dropLast(2))")))
        add("bidder-key-small-order", "an Ed25519 key of small order (the identity point)", expect: "malformed-tender", line: 12,
            bytes(replacing(12, "bidder BIDDER-1 ed25519 01" + String(repeating: "0", count: 62))))
        add("bidder-id-invalid", "a bidder id with '!'", expect: "malformed-tender", line: 12, bytes(replacing(12, "bidder BIDDER!1 ed25519 \(key1)")))
        add("bidder-subject-empty", "an empty subject", expect: "malformed-tender", line: 14, bytes(replacing(14, "bidder BIDDER-3 x509-subject ")))
        add("bidder-subject-control", "a subject with DEL (0x7F)", expect: "malformed-tender", line: 14,
            bytes(replacing(14, "bidder BIDDER-3 x509-subject CN=PT\u{7F}Contoh")))
        add("bidder-subject-1025-bytes", "a subject of 1025 bytes", expect: "malformed-tender", line: 14,
            bytes(replacing(14, "bidder BIDDER-3 x509-subject CN=" + String(repeating: "x", count: 1022))))
        add("blank-line", "a blank line after the timestamps line", expect: "malformed-tender", line: 8, bytes(inserting("", before: 8)))
        add("comment-line", "a comment line after the last line", expect: "malformed-tender", line: 15, bytes(base + ["# a comment"]))
        add("unknown-keyword", "a line 'winner BIDDER-1' after the last line", expect: "malformed-tender", line: 15, bytes(base + ["winner BIDDER-1"]))
        add("empty-last-line", "an empty line after the last line (two LFs at the end)", expect: "malformed-tender", line: 15, good + [0x0A])
        add("bidder-before-envelope", "the bidder lines before the envelope lines", expect: "malformed-tender", line: 13,
            bytes(Array(base[0..<9]) + Array(base[11..<14]) + Array(base[9..<11])))

        // The descriptor as a whole (line 0): ranges, cross-rules, the canonical re-encoding.
        add("grace-over-max", "grace 604801", expect: "malformed-tender", line: 0, bytes(replacing(4, "grace 604801")))
        add("grace-negative", "grace -1", expect: "malformed-tender", line: 0, bytes(replacing(4, "grace -1")))
        add("grace-plus", "grace +600", expect: "malformed-tender", line: 0, bytes(replacing(4, "grace +600")))
        add("grace-leading-zero", "grace 0600", expect: "malformed-tender", line: 0, bytes(replacing(4, "grace 0600")))
        add("max-bid-bytes-zero", "max-bid-bytes 0", expect: "malformed-tender", line: 0, bytes(replacing(5, "max-bid-bytes 0")))
        add("max-bid-bytes-over-max", "max-bid-bytes 2^50 + 1", expect: "malformed-tender", line: 0, bytes(replacing(5, "max-bid-bytes 1125899906842625")))
        add("max-bid-bytes-leading-zero", "max-bid-bytes 01073741824", expect: "malformed-tender", line: 0,
            bytes(replacing(5, "max-bid-bytes 01073741824")))
        for (name, description, origin) in [
            ("log-other-tender", "a log key named after another tender's origin", "lpse.example.go.id/portal/LPSE-2026-0099"),
            ("log-no-prefix", "a log key named after the tender id alone", VectorTender.tenderID),
            ("log-empty-prefix", "a log key named '/' and the tender id", "/\(VectorTender.tenderID)"),
        ] {
            let verifier = try NoteVerifier(name: origin, publicKey: f.logKey.publicKey)
            add(name, description, expect: "malformed-tender", line: 0, bytes(replacing(6, "log \(verifier.verifierKey)")))
        }
        add("required-without-tsa-root", "timestamps required and no tsa-root", expect: "malformed-tender", line: 0, bytes(replacing(7, "timestamps required")))
        add("none-with-tsa-root", "timestamps none and a tsa-root", expect: "malformed-tender", line: 0, bytes(inserting("tsa-root \(root)", before: 8)))
        add("no-stage", "no stage line", expect: "malformed-tender", line: 0, bytes(removing(8, 9)))
        add("stage-twice", "the technical stage line twice", expect: "malformed-tender", line: 0, bytes(inserting(stageTechnical, before: 9)))
        let otherDealer = try Ed25519PrivateKey(seed: SecureBytes(copying: SHA256.hash(Array("sealbid tender vectors other dealer".utf8))))
        let otherRoster = try CommitteeRoster(
            committee: "LPSE-2026-0099", stage: "technical", threshold: 2, members: f.members.map(\.card), dealerKey: otherDealer.publicKey,
            ceremony: [UInt8](repeating: 7, count: 16))
        let otherKey = try TrustedDealer.deal(roster: otherRoster, dealerKey: otherDealer, randomness: .deterministic(seed: "tender vectors other")).stageKey
        add("stage-other-committee", "a stage key of committee LPSE-2026-0099", expect: "malformed-tender", line: 0,
            bytes(replacing(8, "stage technical \(Data(otherRoster.encoded).base64EncodedString()) \(Data(otherKey.encoded).base64EncodedString())")))
        var lenient = technicalFields
        lenient[padded] = VectorTender.nonCanonicalBase64(lenient[padded])
        add("stage-base64-not-canonical", "the \(padded == 2 ? "roster's" : "stage key's") base64 with non-zero padding bits", expect: "malformed-tender",
            line: 0, bytes(replacing(8, lenient.joined(separator: " "))))
        add("envelope-unknown-stage", "envelope price opening in stage legal", expect: "malformed-tender", line: 0, bytes(replacing(11, "envelope price legal")))
        add("envelope-missing", "no envelope for the price stage", expect: "malformed-tender", line: 0, bytes(removing(11)))
        add("envelope-two-for-one-stage", "envelopes technical and price both opening in stage technical", expect: "malformed-tender", line: 0,
            bytes(replacing(11, "envelope price technical")))
        add("envelope-name-twice", "envelope technical twice (in stages technical and price)", expect: "malformed-tender", line: 0,
            bytes(replacing(11, "envelope technical price")))
        add("no-envelope", "no envelope line", expect: "malformed-tender", line: 0, bytes(removing(10, 11)))
        add("bidder-identity-twice", "the same bidder line twice", expect: "malformed-tender", line: 0, bytes(inserting(base[11], before: 13)))
        add("bidder-key-two-bidders", "BIDDER-2 registered with BIDDER-1's key", expect: "malformed-tender", line: 0,
            bytes(replacing(13, "bidder BIDDER-2 ed25519 \(key1)")))
        add("bidder-subject-two-bidders", "BIDDER-2 registered with BIDDER-3's subject", expect: "malformed-tender", line: 0,
            bytes(replacing(13, "bidder BIDDER-2 x509-subject \(f.x509Bidder.1)")))
        add("bidder-key-upper-case", "a bidder key in upper-case hex", expect: "malformed-tender", line: 0,
            bytes(replacing(12, "bidder BIDDER-1 ed25519 \(key1.uppercased())")))
        return list
    }
}
