import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// `TestVectors/report/`: opening reports (report-v1): the canonical JSON a reader accepts or
/// refuses, and the validity of a report against its tender descriptor with its signature lines
/// (format in TestVectors/report/README.md).
public enum ReportVectors {
    public static let format = "sealbid-report-vectors-v1"

    struct Vector: Codable {
        let format: String
        let kind: String
        let description: String
        let expect: String
        /// (parse, verify) the report's bytes, hex.
        var report: String? = nil
        /// (verify) the tender descriptor, hex; the signature file's bytes, hex; the verifier's clock, ms.
        var descriptor: String? = nil
        var signatures: String? = nil
        var now: UInt64? = nil
        /// (verify, success) the members whose signatures count, sorted.
        var signers: [UInt16]? = nil
        /// (registry) a bidder registry file (report-v1, "Bidder registry"), and for `success` its
        /// identities as the descriptor writes them, for `malformed-registry` the line named.
        var registry: String? = nil
        var identities: [String]? = nil
        var line: Int? = nil
    }

    static func outcome(_ v: Vector) -> (code: String, ok: Bool) {
        if v.kind == "registry" {
            do {
                let registry = try BidderRegistry(text: v.registry ?? "")
                return ("success", registry.identities.map(\.line) == v.identities)
            } catch {
                if case .malformedLine(let line, _) = error { return (error.code, line == v.line) }
            }
        }
        do {
            let report = try OpeningReport(encoded: Hex.decode(v.report ?? ""))
            switch v.kind {
            case "parse":
                return ("success", true)
            case "verify":
                let tender = try Tender(encoded: Hex.decode(v.descriptor ?? ""))
                let signatures = ReportSignature.parse(try Hex.decode(v.signatures ?? "")).signatures
                let verified = try report.verify(
                    tender: tender, signatures: signatures, now: Date(timeIntervalSince1970: Double(v.now ?? 0) / 1000))
                return ("success", verified.signers == v.signers)
            default:
                return ("unknown kind", false)
            }
        } catch let error as ReportError {
            return (error.code, true)
        } catch {
            return ("unexpected \(error)", false)
        }
    }

    static func run(_ directory: URL, into report: inout SuiteReport) throws {
        for (file, vector) in try ProjectVectorFiles.load(Vector.self, from: directory) {
            let (code, ok) = outcome(vector)
            report.decide(vector.kind)
            report.record(vector.format == format && code == vector.expect && ok, "\(file): expected \(vector.expect), got \(code)")
        }
    }

    public static func generate() throws -> [(name: String, json: Data)] {
        try ProjectVectorFiles.encode(scenarios())
    }

    // MARK: Building reports by hand (the canonical form and the opening id as report-v1 gives them)

    struct Line {
        var bidder: String
        var logIndex: UInt64
        var bidDigest: String
        var result: String
        var reason: String? = nil
        var plaintextLength: UInt64? = nil
        var plaintextSHA256: String? = nil

        var json: CanonicalJSON {
            var members: [String: CanonicalJSON] = [
                "bidder": .string(bidder), "logIndex": .integer(logIndex), "bidDigest": .string(bidDigest), "result": .string(result),
            ]
            if let reason { members["reason"] = .string(reason) }
            if let plaintextLength { members["plaintextLength"] = .integer(plaintextLength) }
            if let plaintextSHA256 { members["plaintextSHA256"] = .string(plaintextSHA256) }
            return .object(members)
        }
    }

    struct Report {
        var format = "sealbid-opening-report-v1"
        var tender: String
        var tenderDigest: String
        var stage = "technical"
        var envelope = "technical"
        var openingID: String
        var closingNote: String
        var timestamps = "none"
        var qualified: [String]? = nil
        var mode = "threshold-decryption"
        var participants: [UInt64] = [1, 2]
        var culprits: [UInt64] = [3]
        var lines: [Line]
        var ignored: [(bidder: String, logIndex: UInt64, reason: String)]

        var bytes: [UInt8] {
            var members: [String: CanonicalJSON] = [
                "format": .string(format), "tender": .string(tender), "tenderDigest": .string(tenderDigest), "stage": .string(stage),
                "envelope": .string(envelope), "openingID": .string(openingID),
                "closingNote": .string(Data(closingNote.utf8).base64EncodedString()), "timestamps": .string(timestamps),
                "mode": .string(mode), "participants": .array(participants.map { .integer($0) }), "culprits": .array(culprits.map { .integer($0) }),
                "lines": .array(lines.map(\.json)),
                "ignoredEntries": .array(ignored.map { .object(["bidder": .string($0.bidder), "logIndex": .integer($0.logIndex), "reason": .string($0.reason)]) }),
            ]
            if let qualified { members["qualified"] = .array(qualified.map { .string($0) }) }
            return CanonicalJSON.object(members).encoded
        }
    }

    /// report-v1 "Opening id".
    static func openingID(tenderDigest: [UInt8], stage: String, body: String, qualified: [String]?, decrypted: [(UInt64, [UInt8])]) -> [UInt8] {
        var message = Array("sealbid/opening-v1 id".utf8) + [0] + tenderDigest + [UInt8(stage.utf8.count)] + Array(stage.utf8)
        message += VectorTender.u32(body.utf8.count) + Array(body.utf8)
        if let qualified {
            let sorted = qualified.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
            message += [1] + VectorTender.u32(sorted.count) + sorted.flatMap { [UInt8($0.count)] + $0 }
        } else {
            message += [0]
        }
        message += VectorTender.u32(decrypted.count) + decrypted.flatMap { VectorTender.u64($0.0) + $0.1 }
        return SHA256.hash(message)
    }

    static func scenarios() throws -> [(String, Vector)] {
        let f = try VectorTender()
        let tender = f.tender
        let roster = f.stages[0].roster
        let entries = ReceiptVectors.tenderEntries()
        var tree = MerkleTree()
        for entry in entries { tree.append(leafHash: MerkleTreeHash.leafHash(entry)) }
        let closingTime = ReceiptVectors.closingTime
        func closing(_ extensions: [String], time: UInt64 = closingTime, origin: String = VectorTender.origin, key: Ed25519PrivateKey? = nil)
            throws -> (body: String, note: String)
        {
            let body = VectorTender.checkpointText(origin: origin, size: 6, root: try tree.root(), extensions: extensions)
            return (body, body + "\n" + VectorTender.signatureLine(body, name: VectorTender.origin, key: key ?? f.logKey))
        }
        let good = try closing(["closed \(VectorTender.tenderID) \(closingTime)"])
        let digest = ReceiptVectors.digest
        let lines = [
            Line(bidder: "BIDDER-1", logIndex: 0, bidDigest: digest("tender bid 1").hexString, result: "opened", plaintextLength: 1234,
                 plaintextSHA256: digest("plaintext 1").hexString),
            Line(bidder: "BIDDER-4", logIndex: 1, bidDigest: digest("tender bid 2").hexString, result: "not-opened", reason: "committed-never-uploaded"),
            Line(bidder: "BIDDER-3", logIndex: 2, bidDigest: digest("tender bid 3").hexString, result: "void", reason: "late"),
            Line(bidder: "BIDDER-2", logIndex: 3, bidDigest: digest("tender bid 2").hexString, result: "failed", reason: "payload-digest-mismatch"),
            Line(bidder: "BIDDER-5", logIndex: 5, bidDigest: digest("tender withdrawal 1").hexString, result: "failed", reason: "wrong-stage"),
        ]
        /// The report with `change` applied, its opening id recomputed from its own lines (unless `keepID`).
        func report(keepID: Bool = false, _ change: (inout Report) throws -> Void) rethrows -> [UInt8] {
            var r = Report(
                tender: VectorTender.tenderID, tenderDigest: tender.digest.hexString, openingID: "", closingNote: good.note, lines: lines,
                ignored: [("BIDDER-1", 4, "unmatched-upload")])
            try change(&r)
            if !keepID {
                // The decrypted lines: opened, or failed at decryption.
                let phase: Set<String> = [
                    "key-unwrap-failed", "wrap-mismatch", "header-mac-invalid", "payload-commitment-mismatch", "payload-authentication-failed",
                    "payload-digest-mismatch", "io-error",
                ]
                let decrypted = r.lines.filter { $0.result == "opened" || ($0.result == "failed" && phase.contains($0.reason ?? "")) }
                    .map { ($0.logIndex, (try? Hex.decode($0.bidDigest)) ?? []) }
                let body = r.closingNote.range(of: "\n\n", options: .backwards).map { String(r.closingNote[..<$0.lowerBound]) + "\n" } ?? r.closingNote
                r.openingID = openingID(
                    tenderDigest: (try? Hex.decode(r.tenderDigest)) ?? [], stage: r.stage, body: body, qualified: r.qualified, decrypted: decrypted
                ).hexString
            }
            return r.bytes
        }
        func signatures(_ bytes: [UInt8], members: [Int]) throws -> [String] {
            let parsed = try OpeningReport(encoded: bytes)
            return try members.map { try ReportSignature(report: parsed, roster: roster, keys: f.members[$0 - 1]).line }
        }
        var list: [(String, Vector)] = []
        let now = closingTime + 60_000
        func verify(_ name: String, _ description: String, expect: String, _ bytes: [UInt8], lines signatureLines: [String]? = nil,
                    rawSignatures: [UInt8]? = nil, now n: UInt64 = now, signers: [UInt16]? = nil) throws {
            let file = try rawSignatures ?? Array((signatureLines ?? signatures(bytes, members: [1, 2])).map { $0 + "\n" }.joined().utf8)
            list.append(("verify-\(name)", Vector(
                format: format, kind: "verify", description: description, expect: expect, report: bytes.hexString,
                descriptor: tender.encoded.hexString, signatures: file.hexString, now: n, signers: expect == "success" ? (signers ?? [1, 2]) : nil)))
        }
        let base = report { _ in }

        // Validity: success, signatures.
        try verify("success", "members 1 and 2 of the 2-of-3 roster sign", expect: "success", base)
        let all = try signatures(base, members: [1, 2, 3])
        let otherReport = try signatures(report { $0.lines[0].plaintextLength = 1235 }, members: [3])
        var junk = Array((["garbage", all[2], "# a comment", all[0]] + [all[0], otherReport[0]]).map { $0 + "\n" }.joined().utf8)
        junk += Array((all[1] + "\r\n").utf8) + [0xFF, 0xFE, 0x0A] + Array((all[1] + "\n").utf8)
        try verify("signatures-any-order-duplicates-junk", "lines 3, 1, 1 again, another report's line, junk, a CR-ended line, a non-UTF-8 line, then 2: three distinct members count",
                   expect: "success", base, rawSignatures: junk, signers: [1, 2, 3])
        try verify("one-signature", "only member 1 signs", expect: "too-few-signatures", base, lines: [all[0]])
        try verify("same-member-twice", "member 1's line twice: one member", expect: "too-few-signatures", base, lines: [all[0], all[0]])
        try verify("other-report-signature", "member 1, and member 2's signature of another report", expect: "too-few-signatures", base,
                   lines: [all[0], try signatures(report { $0.lines[0].plaintextLength = 1235 }, members: [2])[0]])
        let fields = all[1].split(separator: " ").map(String.init)
        try verify("signature-as-other-member", "member 1, and member 2's signature presented as member 3's", expect: "too-few-signatures", base,
                   lines: [all[0], "\(fields[0]) \(fields[1]) 3 \(fields[3])"])
        try verify("member-outside-roster", "member 1, and member 2's signature presented as member 4 (not in the roster)",
                   expect: "too-few-signatures", base, lines: [all[0], "\(fields[0]) \(fields[1]) 4 \(fields[3])"])
        var flipped = Array(fields[3])
        flipped[0] = flipped[0] == "0" ? "1" : "0"
        try verify("signature-fails", "member 1, and member 2's line with its signature changed", expect: "too-few-signatures", base,
                   lines: [all[0], "\(fields[0]) \(fields[1]) 2 \(String(flipped))"])
        try verify("member-leading-zero", "member 1, and member 2's line with the member written 02 (skipped)", expect: "too-few-signatures", base,
                   lines: [all[0], "\(fields[0]) \(fields[1]) 02 \(fields[3])"])
        try verify("digest-upper-case", "member 1, and member 2's line with the digest in upper-case hex (skipped)", expect: "too-few-signatures", base,
                   lines: [all[0], "\(fields[0]) \(fields[1].uppercased()) 2 \(fields[3])"])

        // Validity: the report's content, in the order report-v1 gives.
        try verify("other-tender", "tender LPSE-2026-0099", expect: "wrong-tender", report { $0.tender = "LPSE-2026-0099" })
        try verify("other-descriptor", "another descriptor's digest", expect: "wrong-tender", report { $0.tenderDigest = digest("other").hexString })
        try verify("unknown-stage", "stage legal", expect: "invalid-report", report { $0.stage = "legal" })
        try verify("other-envelope", "stage technical with envelope price", expect: "invalid-report", report { $0.envelope = "price" })
        try verify("other-timestamps", "timestamps required, the descriptor's none", expect: "invalid-report", report { $0.timestamps = "required" })
        let strangerKey = try Ed25519PrivateKey(seed: SecureBytes(copying: digest("sealbid report vectors stranger")))
        try verify("closing-other-key", "a closing signed by another key under the log's name", expect: "invalid-report",
                   report { $0.closingNote = try closing(["closed \(VectorTender.tenderID) \(closingTime)"], key: strangerKey).note })
        try verify("closing-other-origin", "a closing of another origin (signed by the log key)", expect: "invalid-report",
                   report { $0.closingNote = try closing(["closed \(VectorTender.tenderID) \(closingTime)"], origin: "lpse.example.go.id/mirror/LPSE-2026-0042").note })
        try verify("closing-not-a-note", "a closingNote that is UTF-8 text but no signed note", expect: "invalid-report",
                   report { $0.closingNote = good.body })
        try verify("closing-no-line", "a checkpoint without the closing line", expect: "invalid-report", report { $0.closingNote = try closing([]).note })
        try verify("closing-two-lines", "the closing line and another extension line", expect: "invalid-report",
                   report { $0.closingNote = try closing(["closed \(VectorTender.tenderID) \(closingTime)", "witnessed-by x"]).note })
        try verify("closing-other-tender", "the closing line of another tender", expect: "invalid-report",
                   report { $0.closingNote = try closing(["closed LPSE-2026-0099 \(closingTime)"]).note })
        try verify("closing-before-end", "closed 1 ms before the end of the grace window", expect: "invalid-report",
                   report { $0.closingNote = try closing(["closed \(VectorTender.tenderID) \(VectorTender.endMS - 1)"]).note })
        try verify("closing-at-end", "closed exactly at the end of the grace window", expect: "success",
                   report { $0.closingNote = try closing(["closed \(VectorTender.tenderID) \(VectorTender.endMS)"]).note })
        try verify("closing-in-future", "a closing 300001 ms after the verifier's clock", expect: "invalid-report", base, now: closingTime - 300_001)
        try verify("closing-five-minutes-ahead", "a closing exactly 300000 ms after the verifier's clock", expect: "success", base, now: closingTime - 300_000)
        try verify("qualified", "a qualification list, sorted and distinct", expect: "success", report { $0.qualified = ["BIDDER-1", "BIDDER-2", "BIDDER-5"] })
        try verify("qualified-unsorted", "a qualification list out of order", expect: "invalid-report", report { $0.qualified = ["BIDDER-2", "BIDDER-1"] })
        try verify("qualified-duplicate", "a bidder twice in the qualification list", expect: "invalid-report", report { $0.qualified = ["BIDDER-1", "BIDDER-1"] })
        try verify("qualified-not-bidder-id", "a qualification list with 'BIDDER 1'", expect: "invalid-report", report { $0.qualified = ["BIDDER 1"] })
        try verify("opening-id-other", "an opening id that is not the one recomputed", expect: "invalid-report",
                   report(keepID: true) { $0.openingID = digest("other opening").hexString })
        try verify("opening-id-without-failed-line", "an opening id that leaves out the bid failed at decryption", expect: "invalid-report",
                   report(keepID: true) {
                       $0.openingID = openingID(tenderDigest: tender.digest, stage: "technical", body: good.body, qualified: nil,
                                                decrypted: [(0, digest("tender bid 1"))]).hexString
                   })
        try verify("participants-unsorted", "participants [2, 1]", expect: "invalid-report", report { $0.participants = [2, 1] })
        try verify("participants-outside-roster", "participants [1, 4]", expect: "invalid-report", report { $0.participants = [1, 4] })
        try verify("participant-and-culprit", "member 2 both participant and culprit", expect: "invalid-report", report { $0.culprits = [2] })
        try verify("culprits-duplicate", "culprits [3, 3]", expect: "invalid-report", report { $0.culprits = [3, 3] })
        try verify("threshold-one-participant", "threshold decryption with one participant (t = 2)", expect: "invalid-report",
                   report { $0.participants = [1] })
        try verify("reconstruction-three-participants", "reconstruction with three participants (t = 2)", expect: "invalid-report",
                   report { $0.mode = "reconstruction"; $0.participants = [1, 2, 3]; $0.culprits = [] })
        try verify("reconstruction", "reconstruction with two participants", expect: "success", report { $0.mode = "reconstruction" })
        let undecrypted = Array(lines[1...2]) + [lines[4]]
        try verify("none", "mode none: no participants, no culprits, no opened line", expect: "success",
                   report { $0.mode = "none"; $0.participants = []; $0.culprits = []; $0.lines = undecrypted })
        try verify("none-with-participants", "mode none with participants", expect: "invalid-report",
                   report { $0.mode = "none"; $0.culprits = []; $0.lines = undecrypted })
        try verify("none-with-opened-line", "mode none with an opened line", expect: "invalid-report",
                   report { $0.mode = "none"; $0.participants = []; $0.culprits = [] })
        try verify("lines-out-of-order", "lines 0 and 1 swapped", expect: "invalid-report", report { $0.lines.swapAt(0, 1) })
        try verify("line-past-closing", "a line at log index 6 of a closing of size 6", expect: "invalid-report", report { $0.lines[4].logIndex = 6 })
        try verify("line-bidder-twice", "BIDDER-1 on two lines", expect: "invalid-report", report { $0.lines[1].bidder = "BIDDER-1" })
        try verify("line-bidder-not-id", "a line for 'BIDDER 4'", expect: "invalid-report", report { $0.lines[1].bidder = "BIDDER 4" })
        try verify("opened-with-reason", "an opened line with a reason", expect: "invalid-report", report { $0.lines[0].reason = "late" })
        try verify("void-without-reason", "a void line without a reason", expect: "invalid-report", report { $0.lines[2].reason = nil })
        try verify("void-unknown-reason", "a void line with reason 'stolen'", expect: "invalid-report", report { $0.lines[2].reason = "stolen" })
        try verify("reason-of-other-result", "a not-opened line with reason late", expect: "invalid-report", report { $0.lines[1].reason = "late" })
        try verify("withdrawn-line", "a withdrawn line, without a reason", expect: "success", report { $0.lines[2].result = "withdrawn"; $0.lines[2].reason = nil })
        try verify("opened-without-length", "an opened line without plaintextLength", expect: "invalid-report", report { $0.lines[0].plaintextLength = nil })
        try verify("opened-without-digest", "an opened line without plaintextSHA256 (optional)", expect: "success", report { $0.lines[0].plaintextSHA256 = nil })
        try verify("length-on-failed-line", "a failed line with plaintextLength", expect: "invalid-report", report { $0.lines[3].plaintextLength = 10 })
        try verify("digest-on-void-line", "a void line with plaintextSHA256", expect: "invalid-report",
                   report { $0.lines[2].plaintextSHA256 = digest("x").hexString })
        try verify("ignored-out-of-order", "ignored entries 4 and 2", expect: "invalid-report",
                   report { $0.ignored = [("BIDDER-1", 4, "unmatched-upload"), ("BIDDER-3", 2, "replay")] })
        try verify("ignored-unknown-reason", "an ignored entry with reason 'late'", expect: "invalid-report", report { $0.ignored[0].reason = "late" })
        try verify("ignored-past-closing", "an ignored entry at log index 6", expect: "invalid-report", report { $0.ignored[0].logIndex = 6 })
        try verify("ignored-bidder-not-id", "an ignored entry of 'BIDDER 1'", expect: "invalid-report", report { $0.ignored[0].bidder = "BIDDER 1" })
        try verify("order-tender-before-stage", "another tender and an unknown stage: the tender is checked first", expect: "wrong-tender",
                   report { $0.tender = "LPSE-2026-0099"; $0.stage = "legal" })
        try verify("order-content-before-signatures", "an unknown ignore reason and one signature: the content is checked first", expect: "invalid-report",
                   report { $0.ignored[0].reason = "late" }, lines: [all[0]])

        // Parsing: the canonical form.
        let text = String(decoding: base, as: UTF8.self)
        func parse(_ name: String, _ description: String, expect: String, _ bytes: [UInt8]) {
            list.append(("parse-\(name)", Vector(format: format, kind: "parse", description: description, expect: expect, report: bytes.hexString)))
        }
        func edit(_ old: String, _ new: String) -> [UInt8] {
            precondition(text.contains(old), old)
            return Array(text.replacingOccurrences(of: old, with: new, options: [], range: text.range(of: old)).utf8)
        }
        try registryScenarios(f, into: &list)
        parse("success", "the report of the verify vectors", expect: "success", base)
        parse("success-qualified", "with a qualification list", expect: "success", report { $0.qualified = ["BIDDER-1"] })
        parse("success-escapes", "a bidder string with an escaped quote and backslash (valid JSON of the subset; not a bidder id)", expect: "success",
              report { $0.lines[1].bidder = "B\"4\\" })
        parse("success-largest-integer", "plaintextLength 2^53 - 1", expect: "success", edit("\"plaintextLength\":1234", "\"plaintextLength\":9007199254740991"))
        parse("success-unknown-reason", "a reason outside the closed lists: parsed (validity refuses it)", expect: "success",
              report { $0.lines[2].reason = "stolen" })
        parse("empty", "no bytes", expect: "malformed-report", [])
        parse("leading-space", "a space before the object", expect: "malformed-report", Array((" " + text).utf8))
        parse("trailing-newline", "a LF after the object", expect: "malformed-report", base + [0x0A])
        parse("space-after-colon", "a space after a colon", expect: "malformed-report", edit("\"mode\":\"", "\"mode\": \""))
        parse("space-after-comma", "a space after a comma", expect: "malformed-report", edit(",\"mode\"", ", \"mode\""))
        parse("pretty-printed", "a LF and indentation before a key", expect: "malformed-report", edit(",\"mode\"", ",\n  \"mode\""))
        parse("duplicate-key", "\"mode\" twice", expect: "malformed-report", edit("\"mode\":\"threshold-decryption\"", "\"mode\":\"threshold-decryption\",\"mode\":\"none\""))
        parse("keys-out-of-order", "format before envelope", expect: "malformed-report",
              edit("\"envelope\":\"technical\",\"format\":\"sealbid-opening-report-v1\"", "\"format\":\"sealbid-opening-report-v1\",\"envelope\":\"technical\""))
        parse("unknown-key", "an unsigned-looking \"winner\" member, in key order", expect: "malformed-report",
              Array((String(text.dropLast()) + ",\"winner\":\"BIDDER-1\"}").utf8))
        parse("unknown-line-key", "a \"score\" member in a line", expect: "malformed-report", edit("\"result\":\"opened\"", "\"result\":\"opened\",\"score\":\"1\""))
        parse("missing-key", "no \"mode\"", expect: "malformed-report", edit(",\"mode\":\"threshold-decryption\"", ""))
        parse("missing-line-key", "a line without \"result\"", expect: "malformed-report", edit(",\"result\":\"opened\"", ""))
        parse("escape-newline", "\\n in a string", expect: "malformed-report", edit("\"stage\":\"technical\"", "\"stage\":\"tech\\nnical\""))
        parse("escape-unicode", "\\u0074 in a string", expect: "malformed-report", edit("\"stage\":\"technical\"", "\"stage\":\"\\u0074echnical\""))
        parse("escape-solidus", "\\/ in a string", expect: "malformed-report", edit("\"stage\":\"technical\"", "\"stage\":\"tech\\/nical\""))
        parse("raw-tab", "a tab inside a string", expect: "malformed-report", edit("\"stage\":\"technical\"", "\"stage\":\"tech\tnical\""))
        parse("non-ascii", "U+00E9 inside a string", expect: "malformed-report", edit("\"stage\":\"technical\"", "\"stage\":\"t\u{E9}chnical\""))
        parse("del", "0x7F inside a string", expect: "malformed-report", edit("\"stage\":\"technical\"", "\"stage\":\"tech\u{7F}nical\""))
        var invalid = Array(text.utf8)
        invalid[invalid.firstRange(of: Array("technical".utf8))!.lowerBound] = 0xFF
        parse("invalid-utf8", "a 0xFF byte inside a string", expect: "malformed-report", invalid)
        parse("leading-zero", "plaintextLength 01234", expect: "malformed-report", edit("\"plaintextLength\":1234", "\"plaintextLength\":01234"))
        parse("index-leading-zero", "logIndex 00", expect: "malformed-report", edit("\"logIndex\":0,", "\"logIndex\":00,"))
        parse("negative", "logIndex -1", expect: "malformed-report", edit("\"logIndex\":0,", "\"logIndex\":-1,"))
        parse("fraction", "plaintextLength 1234.0", expect: "malformed-report", edit("\"plaintextLength\":1234", "\"plaintextLength\":1234.0"))
        parse("exponent", "plaintextLength 1234e0", expect: "malformed-report", edit("\"plaintextLength\":1234", "\"plaintextLength\":1234e0"))
        parse("integer-2-53", "plaintextLength 2^53", expect: "malformed-report", edit("\"plaintextLength\":1234", "\"plaintextLength\":9007199254740992"))
        parse("integer-17-digits", "plaintextLength 10000000000000000", expect: "malformed-report",
              edit("\"plaintextLength\":1234", "\"plaintextLength\":10000000000000000"))
        parse("true", "plaintextLength true", expect: "malformed-report", edit("\"plaintextLength\":1234", "\"plaintextLength\":true"))
        parse("null", "culprits null", expect: "malformed-report", edit("\"culprits\":[3]", "\"culprits\":null"))
        parse("string-for-integer", "plaintextLength \"1234\"", expect: "malformed-report", edit("\"plaintextLength\":1234", "\"plaintextLength\":\"1234\""))
        parse("integer-for-string", "stage 7", expect: "malformed-report", edit("\"stage\":\"technical\"", "\"stage\":7"))
        parse("object-for-array", "culprits {}", expect: "malformed-report", edit("\"culprits\":[3]", "\"culprits\":{}"))
        parse("trailing-object", "a second object after the report", expect: "malformed-report", base + Array("{}".utf8))
        parse("cut-short", "the last byte missing", expect: "malformed-report", Array(base.dropLast()))
        parse("array", "the report inside an array", expect: "malformed-report", Array(("[" + text + "]").utf8))
        parse("format-v2", "format sealbid-opening-report-v2", expect: "malformed-report", report { $0.format = "sealbid-opening-report-v2" })
        parse("digest-upper-case", "tenderDigest in upper-case hex", expect: "malformed-report", report { $0.tenderDigest = tender.digest.hexString.uppercased() })
        parse("opening-id-31-bytes", "an openingID of 31 bytes", expect: "malformed-report", report(keepID: true) { $0.openingID = String(repeating: "ab", count: 31) })
        parse("bid-digest-short", "a bidDigest of 31 bytes", expect: "malformed-report", report { $0.lines[0].bidDigest = String(repeating: "ab", count: 31) })
        parse("closing-note-not-base64", "closingNote '!!!!'", expect: "malformed-report",
              edit("\"closingNote\":\"\(Data(good.note.utf8).base64EncodedString())\"", "\"closingNote\":\"!!!!\""))
        parse("closing-note-unpadded", "closingNote without its base64 padding", expect: "malformed-report",
              edit("\"closingNote\":\"\(Data(good.note.utf8).base64EncodedString())\"",
                   "\"closingNote\":\"\(Data(good.note.utf8).base64EncodedString().filter { $0 != "=" })\""))
        parse("closing-note-not-utf8", "closingNote the base64 of a 0xFF byte", expect: "malformed-report",
              edit("\"closingNote\":\"\(Data(good.note.utf8).base64EncodedString())\"", "\"closingNote\":\"/w==\""))
        parse("mode-unknown", "mode decryption", expect: "malformed-report", report { $0.mode = "decryption" })
        parse("result-unknown", "result won", expect: "malformed-report", report { $0.lines[0].result = "won" })
        parse("member-zero", "participants [0, 2]", expect: "malformed-report", report { $0.participants = [0, 2] })
        parse("member-65536", "culprits [65536]", expect: "malformed-report", report { $0.culprits = [65536] })
        parse("qualified-integer", "qualified [1]", expect: "malformed-report", edit("\"participants\":[1,2],", "\"participants\":[1,2],\"qualified\":[1],"))
        parse("nested-too-deep", "culprits nested 17 arrays deep", expect: "malformed-report",
              edit("\"culprits\":[3]", "\"culprits\":" + String(repeating: "[", count: 17) + String(repeating: "]", count: 17)))
        return list
    }

    static func registryScenarios(_ f: VectorTender, into list: inout [(String, Vector)]) throws {
        func add(_ name: String, _ description: String, expect: String, line: Int? = nil, _ text: String, identities: [String]? = nil) {
            list.append(("registry-\(name)", Vector(
                format: format, kind: "registry", description: description, expect: expect, registry: text,
                identities: expect == "success" ? identities : nil, line: line)))
        }
        let key1 = f.bidderKeys[0].key.publicKey.rawRepresentation.hexString
        let key2 = f.bidderKeys[1].key.publicKey.rawRepresentation.hexString
        let lines = ["BIDDER-1 ed25519 \(key1)", "BIDDER-2 ed25519 \(key2)", "BIDDER-3 x509-subject CN=PT Contoh Tiga,O=Contoh,C=ID"]
        add("success", "three identities", expect: "success", lines.map { $0 + "\n" }.joined(), identities: lines)
        add("comments-blank-crlf", "a comment, blank lines, CR LF line ends and no final LF", expect: "success",
            "# sealbid bidder registry v1\r\n\r\n" + lines.joined(separator: "\r\n") + "\r\n\n", identities: lines)
        add("upper-case-key", "a key in upper-case hex: accepted in the file form, written lower-case in the descriptor", expect: "success",
            "BIDDER-1 ed25519 \(key1.uppercased())\n", identities: [lines[0]])
        add("two-identities-one-bidder", "two keys for one bidder", expect: "success",
            "BIDDER-1 ed25519 \(key1)\nBIDDER-1 ed25519 \(key2)\n", identities: ["BIDDER-1 ed25519 \(key1)", "BIDDER-1 ed25519 \(key2)"])
        add("subject-with-spaces", "a subject with spaces and a comma, to the end of the line", expect: "success",
            "BIDDER-3 x509-subject CN=PT Maju Jaya,serialNumber=NPWP 01.234.567.8,C=ID\n",
            identities: ["BIDDER-3 x509-subject CN=PT Maju Jaya,serialNumber=NPWP 01.234.567.8,C=ID"])
        add("empty", "no identities", expect: "success", "", identities: [])
        add("two-fields", "a line of two fields", expect: "malformed-registry", line: 2, "# x\nBIDDER-1 ed25519\n")
        add("unknown-kind", "an identity of kind rsa", expect: "malformed-registry", line: 1, "BIDDER-1 rsa \(key1)\n")
        add("bidder-id-invalid", "a bidder id with '!'", expect: "malformed-registry", line: 1, "BIDDER!1 ed25519 \(key1)\n")
        add("key-31-bytes", "a key of 31 bytes", expect: "malformed-registry", line: 1, "BIDDER-1 ed25519 \(key1.dropLast(2))\n")
        add("key-not-hex", "a key with a 'g'", expect: "malformed-registry", line: 1, "BIDDER-1 ed25519 g\(key1.dropFirst())\n")
        add("key-small-order", "the identity point as a key", expect: "malformed-registry", line: 1,
            "BIDDER-1 ed25519 01" + String(repeating: "0", count: 62) + "\n")
        add("key-two-spaces", "two spaces before the key", expect: "malformed-registry", line: 1, "BIDDER-1 ed25519  \(key1)\n")
        add("subject-empty", "an empty subject", expect: "malformed-registry", line: 1, "BIDDER-3 x509-subject \n")
        add("subject-tab", "a tab in a subject", expect: "malformed-registry", line: 1, "BIDDER-3 x509-subject CN=PT\tContoh\n")
        add("subject-1025-bytes", "a subject of 1025 bytes", expect: "malformed-registry", line: 1,
            "BIDDER-3 x509-subject CN=" + String(repeating: "x", count: 1022) + "\n")
        add("subject-1024-bytes", "a subject of 1024 bytes", expect: "success", "BIDDER-3 x509-subject CN=" + String(repeating: "x", count: 1021) + "\n",
            identities: ["BIDDER-3 x509-subject CN=" + String(repeating: "x", count: 1021)])
        add("identity-twice", "the same line twice (the second identity named)", expect: "malformed-registry", line: 2,
            "BIDDER-1 ed25519 \(key1)\nBIDDER-1 ed25519 \(key1)\n")
        add("identity-twice-after-comment", "a comment, then the same line twice: the line where it comes again is named", expect: "malformed-registry",
            line: 3, "# registry\nBIDDER-1 ed25519 \(key1)\nBIDDER-1 ed25519 \(key1)\n")
        add("key-two-bidders", "one key for two bidders (the second identity named)", expect: "malformed-registry", line: 2,
            "BIDDER-1 ed25519 \(key1)\nBIDDER-2 ed25519 \(key1)\n")
        add("subject-two-bidders", "one subject for two bidders (the second identity named)", expect: "malformed-registry", line: 2,
            "BIDDER-3 x509-subject CN=X\nBIDDER-2 x509-subject CN=X\n")
    }
}
