import ArgumentParser
import Foundation
import SealedBidVectors

struct Vectors: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Run test-vector suites (for testers and auditors).",
        subcommands: [Verify.self, List.self, Generate.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the suites the runner knows and their file paths.")

        func run() {
            for suite in VectorRunner.allSuites {
                print("\(suite.name)\t\(suite.relativePath)")
            }
        }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Regenerate the project's own vector files (deterministic: same bytes every run).",
            discussion: "Writes envelope/, committee/, receipts/, tender/ and report/ *.json under DIR (default: ./TestVectors)."
        )

        @Argument(help: "The TestVectors directory.")
        var directory: String = "TestVectors"

        func run() async throws {
            let suites: [(folder: String, files: [(name: String, json: Data)])] = [
                ("envelope", try EnvelopeVectors.generate()), ("committee", try CommitteeVectors.generate()),
                ("receipts", try await ReceiptVectors.generate()), ("tender", try TenderVectors.generate()),
                ("report", try ReportVectors.generate()),
            ]
            for suite in suites {
                let folder = URL(fileURLWithPath: directory).appendingPathComponent(suite.folder)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let files = suite.files
                for file in files { try file.json.write(to: folder.appendingPathComponent(file.name)) }
                print("wrote \(files.count) files to \(folder.path)")
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every known suite found under each directory.",
            discussion: """
                Each DIR is a vectors root such as ../shared/vectors (upstream: Wycheproof, \
                RFC 9180, CCTV, RFC 8032, RFC 5869, RFC 9591) or TestVectors (the project's \
                own suites, e.g. envelope/). Prints one line per suite \
                and ends with 'N passed, N failed' counted over individual vectors. Exits \
                non-zero if any vector disagrees, a suite cannot be read, or nothing was found.
                """
        )

        @Argument(help: "Vector root directories (default: $SEALEDBID_VECTORS or ../shared/vectors, and ./TestVectors).")
        var directories: [String] = []

        @Flag(help: "Print a JSON report instead of text.")
        var json = false

        func run() throws {
            let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let roots =
                directories.isEmpty
                ? [VectorRunner.upstreamDirectory(startingAt: here)] + [VectorRunner.projectDirectory(startingAt: here)].compactMap { $0 }
                : directories.map { URL(fileURLWithPath: $0) }
            var reports: [SuiteReport] = []
            var emptyRoots: [String] = []
            for root in roots {
                let found = VectorRunner.runAll(root: root)
                if found.isEmpty { emptyRoots.append(root.path) }
                reports += found
            }
            let passed = reports.reduce(0) { $0 + $1.passed }
            let failed = reports.reduce(0) { $0 + $1.failed }
            let broken = reports.filter { $0.loadError != nil }.count
            if json {
                struct Output: Encodable {
                    let suites: [SuiteReport]
                    let passed: Int
                    let failed: Int
                    let rootsWithoutSuites: [String]
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let data = try encoder.encode(Output(suites: reports, passed: passed, failed: failed, rootsWithoutSuites: emptyRoots))
                print(String(decoding: data, as: UTF8.self))
            } else {
                for root in emptyRoots { print("no known vector suites under \(root)") }
                for report in reports {
                    print(report.summaryLine)
                    for failure in report.failures { print("    \(failure)") }
                }
                print("\(passed) passed, \(failed) failed")
            }
            if failed > 0 || broken > 0 || !emptyRoots.isEmpty { throw ExitCode.failure }
        }
    }
}
