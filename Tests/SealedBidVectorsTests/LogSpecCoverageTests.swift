import Foundation
import Testing

@testable import SealedBidVectors

/// Rule -> vector coverage for receipts-v1, tender-v1 and report-v1: each spec's "Errors" table
/// lists every error code the spec names, with `yes` when a static vector exercises it, or `no:`
/// and the reason. Every `yes` code must be the `expect` of at least one vector of the spec's suite;
/// exactly the `no` rows are skipped; and every code the spec's text names must be in its table,
/// so a new rejection rule cannot be added without deciding about its vector.
@Suite("Every rejection code of receipts-v1, tender-v1 and report-v1 has a vector")
struct LogSpecCoverageTests {
    static let vectors = VectorRunner.projectDirectory(startingAt: URL(fileURLWithPath: #filePath))!
    static let specs = vectors.deletingLastPathComponent().appendingPathComponent("docs/spec")

    struct Row: Equatable {
        let code: String
        /// nil when a static vector exercises the code; otherwise why none can.
        let skipped: String?
    }

    struct Spec {
        let name: String
        let folder: String
        /// Hyphenated names in the spec that are not its error codes (fields, values, other
        /// specs' result and reason codes).
        let terms: Set<String>
    }

    static let suites: [Spec] = [
        Spec(name: "receipts-v1", folder: "receipts", terms: [
            "max-bid-bytes", "test-authority", "tsa-root", "not-opened", "committed-never-uploaded", "file-missing",
            "timestamp-mismatch", "unmatched-upload", "witness-quorum",
        ]),
        Spec(name: "tender-v1", folder: "tender", terms: ["max-bid-bytes", "test-authority", "tsa-root", "x509-root", "witness-quorum"]),
        Spec(name: "report-v1", folder: "report", terms: [
            "sealbid-opening-report-v1", "test-authority", "tsa-root", "x509-root", "threshold-decryption", "not-opened",
            "max-bid-bytes", "bid-too-large",
        ]),
    ]

    static func text(_ spec: String) throws -> String {
        try String(contentsOf: specs.appendingPathComponent("\(spec).md"), encoding: .utf8)
    }

    /// The "## Errors" section and the rest of the document.
    static func split(_ text: String) throws -> (errors: String, rest: String) {
        let start = try #require(text.range(of: "\n## Errors\n"))
        let end = text.range(of: "\n## ", range: start.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
        return (String(text[start.lowerBound..<end]), String(text[..<start.lowerBound]) + String(text[end...]))
    }

    /// The table rows `| `code` | when | yes |` or `| `code` | when | no: reason |`.
    static func rows(_ errors: String) -> [Row] {
        errors.split(separator: "\n").compactMap { line -> Row? in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5, cells[1].hasPrefix("`"), cells[1].hasSuffix("`") else { return nil }
            let code = String(cells[1].dropFirst().dropLast())
            if cells[3] == "yes" { return Row(code: code, skipped: nil) }
            guard cells[3].hasPrefix("no: "), cells[3].count > 4 else { return Row(code: code, skipped: "") }
            return Row(code: code, skipped: String(cells[3].dropFirst(4)))
        }
    }

    /// Every backquoted hyphenated lower-case name: error codes, and other names.
    static func names(_ text: String) -> Set<String> {
        let pattern = /`([a-z][a-z0-9]*(?:-[a-z0-9]+)+)`/
        return Set(text.matches(of: pattern).map { String($0.output.1) })
    }

    /// The `expect` of every vector file in `folder`.
    static func expects(_ folder: String) throws -> Set<String> {
        let directory = vectors.appendingPathComponent(folder)
        var out: Set<String> = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".json") {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(name)))
            out.insert(try #require((object as? [String: Any])?["expect"] as? String, "\(folder)/\(name)"))
        }
        return out
    }

    @Test("each code the spec names has a vector, or is listed with its reason", arguments: suites.map(\.name))
    func coverage(_ name: String) throws {
        let spec = try #require(Self.suites.first { $0.name == name })
        let (errors, rest) = try Self.split(Self.text(name))
        let rows = Self.rows(errors)
        #expect(!rows.isEmpty, "\(name): no Errors table")
        #expect(Set(rows.map(\.code)).count == rows.count, "\(name): a code listed twice")
        for row in rows where row.skipped == "" { Issue.record("\(name): `\(row.code)` says neither 'yes' nor 'no: <reason>'") }
        let expects = try Self.expects(spec.folder)
        let covered = rows.filter { $0.skipped == nil }.map(\.code)
        let skipped = rows.filter { $0.skipped != nil }.map(\.code)
        let missing = covered.filter { !expects.contains($0) }
        #expect(missing.isEmpty, "\(name): no vector in TestVectors/\(spec.folder) expects \(missing)")
        // A code with a vector is not listed as impossible.
        let stale = skipped.filter { expects.contains($0) }
        #expect(stale.isEmpty, "\(name): \(stale) have vectors, yet the Errors table says no")
        // Every code in the text is in the table; every table code is in the text.
        var terms = spec.terms
        if name == "report-v1" {
            // The report's results, reasons and modes, from the tables of "## Report".
            let report = try #require(rest.range(of: "\n## Report\n"))
            let section = rest[report.upperBound...]
            let end = section.range(of: "\n## ")?.lowerBound ?? section.endIndex
            for line in section[..<end].split(separator: "\n") where line.hasPrefix("|") { terms.formUnion(Self.names(String(line))) }
        }
        let named = Self.names(rest).subtracting(terms)
        let table = Set(rows.map(\.code))
        #expect(named.subtracting(table).isEmpty, "\(name): codes named but not in the Errors table: \(named.subtracting(table).sorted())")
        #expect(table.subtracting(Self.names(rest)).isEmpty, "\(name): codes in the Errors table the text never names")
        // Every expect of the suite is a code of the table (or success).
        let unknown = expects.subtracting(table).subtracting(["success"])
        #expect(unknown.isEmpty, "\(name): vectors expect codes the spec does not list: \(unknown.sorted())")
    }
}

extension LogSpecCoverageTests {
    @Test("the coverage check itself: a code without a vector, a code named outside the table and a bad verdict are caught")
    func checkerCatchesGaps() throws {
        let text = """
            A reader refuses it (`made-up-code`), and `other-code` too.

            ## Errors

            | code | raised when | static vector |
            | --- | --- | --- |
            | `made-up-code` | step 1 | yes |
            | `portal-only` | the portal | no: needs the portal's clock |
            | `undecided` | somewhere | maybe |

            ## Rationale
            """
        let (errors, rest) = try Self.split(text)
        let rows = Self.rows(errors)
        #expect(rows == [
            Row(code: "made-up-code", skipped: nil), Row(code: "portal-only", skipped: "needs the portal's clock"),
            Row(code: "undecided", skipped: ""),
        ])
        #expect(!rest.contains("portal-only"), "the table is not part of the text it is checked against")
        #expect(Self.names(rest).subtracting(rows.map(\.code)) == ["other-code"])
        // No receipts vector expects the made-up code, so the coverage test would report it.
        #expect(!(try Self.expects("receipts")).contains("made-up-code"))
    }
}
