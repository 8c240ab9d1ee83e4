import Foundation
import Testing

@testable import SealedBidVectors

/// Rule → vector coverage for envelope-v1: the spec's "Errors" table lists every code the spec
/// refuses with, and marks each `yes` (a vector file exists) or `no: <reason>` (no file can carry
/// it). Every `yes` code must be the `expect` of at least one file in `TestVectors/envelope/`,
/// exactly the `no` codes are skipped, and every code the spec names anywhere must be in the table.
@Suite("envelope-v1: every refusal the spec names has a vector")
struct EnvelopeSpecCoverageTests {
    static let package = VectorRunner.projectDirectory(startingAt: URL(fileURLWithPath: #filePath))!.deletingLastPathComponent()
    static let spec = package.appendingPathComponent("docs/spec/envelope-v1.md")

    struct Row {
        let code: String
        /// nil when the code has a vector; otherwise the spec's reason why none can exist.
        let noVector: String?
    }

    /// The rows of the table in the section `## Errors`: `| `code` | raised by | yes / no: reason |`.
    static func errorTable(_ text: String) throws -> [Row] {
        let lines = text.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "## Errors"), "envelope-v1 has no '## Errors' section")
        var rows: [Row] = []
        for line in lines[(start + 1)...] {
            if line.hasPrefix("## ") { break }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5, cells[1].hasPrefix("`"), cells[1].hasSuffix("`") else { continue }
            let code = String(cells[1].dropFirst().dropLast())
            let verdict = cells[3]
            if verdict == "yes" {
                rows.append(Row(code: code, noVector: nil))
            } else {
                #expect(verdict.hasPrefix("no: ") && verdict.count > 10, "\(code): the last column is 'yes' or 'no: <reason>'")
                rows.append(Row(code: code, noVector: String(verdict.dropFirst(4))))
            }
        }
        return rows
    }

    /// Every backquoted token of the spec that looks like an error code (lower-case words joined
    /// by hyphens, no digits), outside code blocks, except the names of vector files (the spec
    /// cites vectors by name).
    static func codesNamed(_ text: String, vectors: Set<String> = []) -> Set<String> {
        var inBlock = false
        var found: Set<String> = []
        let pattern = try! NSRegularExpression(pattern: "`([a-z]+(?:-[a-z]+)+)`")
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("```") { inBlock.toggle() }
            guard !inBlock else { continue }
            for match in pattern.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
                found.insert(String(line[Range(match.range(at: 1), in: line)!]))
            }
        }
        return found.subtracting(vectors)
    }

    static func vectorNames() throws -> Set<String> {
        let directory = package.appendingPathComponent("TestVectors/envelope")
        return Set(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.map {
            String($0.dropLast(".json".count))
        })
    }

    /// Every vector's `expect`.
    static func expectations() throws -> [String: [String]] {
        let directory = package.appendingPathComponent("TestVectors/envelope")
        var byCode: [String: [String]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where name.hasSuffix(".json") {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(name)))
            let expect = try #require((object as? [String: Any])?["expect"] as? String, "\(name) has no expect")
            byCode[expect, default: []].append(name)
        }
        return byCode
    }

    @Test("every code of the Errors table marked 'yes' is the expect of a vector")
    func everyCodeHasAVector() throws {
        let rows = try Self.errorTable(String(contentsOf: Self.spec, encoding: .utf8))
        #expect(rows.count >= 20, "the Errors table was not found or not parsed")
        let vectors = try Self.expectations()
        for row in rows where row.noVector == nil {
            #expect(vectors[row.code] != nil, "no vector in TestVectors/envelope expects \(row.code)")
        }
        // Exactly the codes the spec says no file can carry are skipped, and no vector expects one.
        let skipped = Set(rows.filter { $0.noVector != nil }.map(\.code))
        #expect(skipped == ["invalid-input", "io-error"], "skipped: \(skipped.sorted())")
        for code in skipped { #expect(vectors[code] == nil, "\(code) is marked 'no' but \(vectors[code] ?? []) expect it") }
    }

    @Test("the table lists every code the spec names, and every code a vector expects")
    func tableIsComplete() throws {
        let text = try String(contentsOf: Self.spec, encoding: .utf8)
        let table = Set(try Self.errorTable(text).map(\.code))
        let named = Self.codesNamed(text, vectors: try Self.vectorNames())
        #expect(named.subtracting(table).isEmpty, "named in envelope-v1 but not in its Errors table: \(named.subtracting(table).sorted())")
        let expected = Set(try Self.expectations().keys).subtracting(["success"])
        #expect(expected.subtracting(table).isEmpty, "vectors expect codes the table lacks: \(expected.subtracting(table).sorted())")
    }

    @Test("the coverage check itself: a table without a code's vector, or a code named outside the table, is caught")
    func checkerCatchesGaps() throws {
        let text = """
            Step 1 refuses it (`made-up-code`) and `other-code`.

            ## Errors

            | code | raised by | static vector |
            | --- | --- | --- |
            | `made-up-code` | step 1 | yes |
            | `io-error` | reading | no: a failure of the machine |

            ## Rationale
            """
        let rows = try Self.errorTable(text)
        #expect(rows.map(\.code) == ["made-up-code", "io-error"])
        #expect(rows[1].noVector == "a failure of the machine")
        #expect(try Self.expectations()["made-up-code"] == nil)
        #expect(Self.codesNamed(text).subtracting(rows.map(\.code)) == ["other-code"])
    }
}
