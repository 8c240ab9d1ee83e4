import Foundation
import Testing

@testable import SealedBidVectors

@Suite("Project test vectors (TestVectors/)")
struct ProjectVectorTests {
    static let root = VectorRunner.projectDirectory(startingAt: URL(fileURLWithPath: #filePath))!

    /// suite -> (vectors, of which successes or the kinds' counts).
    static let expected: [String: (passed: Int, decisions: [String: Int])] = [
        "sealbid/envelope-v1": (149, ["success": 28, "failure": 121]),
        "sealbid/committee-v1": (147, ["combine": 18, "complaint": 15, "confirm": 5, "dealing": 9, "decode": 36, "dkg-finish": 19, "reconstruct": 9, "reshare": 13, "roster": 23]),
        "sealbid/receipts-v1": (
            163, ["consistency": 4, "entry": 27, "receipt": 74, "store": 16, "tender-consistency": 8, "tender-receipt": 34]
        ),
        "sealbid/tender-v1": (115, ["success": 15, "failure": 100]),
        "sealbid/report-v1": (133, ["parse": 52, "registry": 21, "verify": 60]),
    ]

    @Test(
        "every project vector gives its expected result",
        arguments: ["sealbid/envelope-v1", "sealbid/committee-v1", "sealbid/receipts-v1", "sealbid/tender-v1", "sealbid/report-v1"])
    func projectVectors(_ name: String) throws {
        let suite = try #require(VectorRunner.projectSuites.first { $0.name == name })
        let report = VectorRunner.run(suite, root: Self.root)
        print("[vectors] \(report.summaryLine)")
        #expect(report.loadError == nil)
        #expect(report.failed == 0, "\(report.failures.joined(separator: "\n"))")
        let expected = try #require(Self.expected[name])
        #expect(report.passed == expected.passed)
        #expect(report.policyDecisions == expected.decisions)
    }

    static func generate(_ folder: String) async throws -> [(name: String, json: Data)] {
        switch folder {
        case "envelope": try EnvelopeVectors.generate()
        case "committee": try CommitteeVectors.generate()
        case "tender": try TenderVectors.generate()
        case "report": try ReportVectors.generate()
        default: try await ReceiptVectors.generate()
        }
    }

    @Test("the committed files are exactly what the generators write", arguments: ["envelope", "committee", "receipts", "tender", "report"])
    func generatorIsDeterministicAndCommitted(_ folder: String) async throws {
        let generated = try await Self.generate(folder)
        let again = try await Self.generate(folder)
        #expect(generated.map(\.json) == again.map(\.json))
        let directory = Self.root.appendingPathComponent(folder)
        let committed = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") })
        #expect(committed == Set(generated.map(\.name)), "run `swift run sealbid vectors generate` and commit")
        for file in generated {
            let onDisk = try Data(contentsOf: directory.appendingPathComponent(file.name))
            #expect(onDisk == file.json, "\(file.name) differs from the generator's output")
        }
    }
}
