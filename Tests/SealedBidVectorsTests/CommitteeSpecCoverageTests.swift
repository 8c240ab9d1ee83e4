import Foundation
import Testing

@testable import SealedBidVectors

/// committee-v1's rules against its vectors: every error code the spec rejects with (its
/// "Errors" table) is the `expect` of at least one vector in `TestVectors/committee/`, and a
/// code that names members does so in at least one of them — except exactly the codes the spec
/// lists under "Codes without a static vector", with the reason.
@Suite("committee-v1: a vector for every rejection")
struct CommitteeSpecCoverageTests {
    static let vectorRoot = VectorRunner.projectDirectory(startingAt: URL(fileURLWithPath: #filePath))!
    static let specURL = vectorRoot.deletingLastPathComponent().appendingPathComponent("docs/spec/committee-v1.md")

    /// Backquoted words outside "Errors" that look like codes but are not committee-v1 rejections:
    /// HPKE `info` purposes, key-file types, and a code of report-v1 it refers to.
    static let notCodes: Set<String> = [
        "dealer-share", "dkg-share", "reshare-share", "duplicate-enc", "sealbid-committee-share-v1", "sealbid-dkg-state-v1",
        "sealbid-released-share-v1",
    ]

    /// A table row: the code, the second column (in "Errors" whom the code names — "nobody", or
    /// the members it carries; in "Codes without a static vector" the reason) and the rest.
    struct Row {
        let code: String
        let names: String
        let rest: String

        var namesMembers: Bool { !names.hasPrefix("nobody") }
    }

    struct Spec {
        /// The "Errors" table.
        let errors: [Row]
        /// "Codes without a static vector": code and reason.
        let withoutVector: [Row]
        /// Every backquoted code-like word outside "Errors".
        let namedElsewhere: Set<String>
    }

    /// The rows of the first table under the heading `heading`, up to the next heading of any level.
    static func table(under heading: String, in lines: [String]) -> [Row] {
        guard let start = lines.firstIndex(of: heading) else { return [] }
        var rows: [Row] = []
        for line in lines[(start + 1)...] {
            if line.hasPrefix("#") { break }
            guard line.hasPrefix("| `") else { continue }
            let cells = line.dropFirst(2).split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { continue }
            rows.append(Row(code: cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`")), names: cells[1], rest: cells.count > 2 ? cells[2] : ""))
        }
        return rows
    }

    static func readSpec() throws -> Spec {
        let text = try String(contentsOf: specURL, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        // Everything but the "Errors" section itself, which is what is checked against.
        let errorsStart = try #require(lines.firstIndex(of: "## Errors"))
        let errorsEnd = lines[(errorsStart + 1)...].firstIndex { $0.hasPrefix("## ") } ?? lines.count
        let body = (lines[..<errorsStart] + lines[errorsEnd...]).joined(separator: "\n")
        let codeLike = try Regex("`([a-z][a-z0-9]*(?:-[a-z0-9]+)+)`")
        let named = Set(body.matches(of: codeLike).compactMap { $0.output[1].substring.map(String.init) })
        return Spec(
            errors: table(under: "## Errors", in: lines), withoutVector: table(under: "### Codes without a static vector", in: lines),
            namedElsewhere: named)
    }

    /// Each committee vector's `expect` and whether it names culprits.
    static func vectors() throws -> [(name: String, expect: String, namesMembers: Bool)] {
        let directory = vectorRoot.appendingPathComponent("committee")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted().map { name in
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(name))) as? [String: Any])
            let culprits = object["culprits"] as? [Int] ?? []
            return (name, try #require(object["expect"] as? String), !culprits.isEmpty)
        }
    }

    @Test("the spec's Errors table lists every code it names, and every code the vectors expect")
    func errorsTableIsComplete() throws {
        let spec = try Self.readSpec()
        let codes = spec.errors.map(\.code)
        #expect(codes.count >= 14, "the Errors table was not found or is cut short")
        #expect(Set(codes).count == codes.count, "a code appears twice in the Errors table")
        let unlisted = spec.namedElsewhere.subtracting(codes).subtracting(Self.notCodes)
        #expect(unlisted.isEmpty, "named in committee-v1 but not in its Errors table: \(unlisted.sorted())")
        #expect(Self.notCodes.isDisjoint(with: codes), "a listed code is also taken for a non-code word")
        #expect(Self.notCodes.isSubset(of: spec.namedElsewhere), "words no longer in the spec: \(Self.notCodes.subtracting(spec.namedElsewhere).sorted())")
        let expected = Set(try Self.vectors().map(\.expect)).subtracting(["success"])
        #expect(expected.isSubset(of: codes), "vectors expect codes the spec does not list: \(expected.subtracting(codes).sorted())")
    }

    @Test("every code of the Errors table has a vector, and a culprit-naming code a vector naming culprits; exactly the listed codes have none")
    func everyRejectionHasAVector() throws {
        let spec = try Self.readSpec()
        let vectors = try Self.vectors()
        let skipped = Set(spec.withoutVector.map(\.code))
        #expect(skipped.isSubset(of: spec.errors.map(\.code)), "codes without a vector that the Errors table does not list")
        for row in spec.withoutVector {
            #expect(!row.names.isEmpty, "\(row.code) is listed without a vector but with no reason")  // the reason column
            #expect(!vectors.contains { $0.expect == row.code }, "\(row.code) has a vector now: remove it from the list of codes without one")
        }
        for row in spec.errors where !skipped.contains(row.code) {
            let matching = vectors.filter { $0.expect == row.code }
            #expect(!matching.isEmpty, "no vector expects \(row.code)")
            if row.namesMembers {
                #expect(matching.contains { $0.namesMembers }, "no vector expecting \(row.code) names the culprits (\(row.names))")
            }
        }
    }
}
