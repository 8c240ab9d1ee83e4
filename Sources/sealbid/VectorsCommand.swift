import ArgumentParser
import Foundation
import SealedBidVectors

struct Vectors: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Run test-vector suites (for testers and auditors).",
        discussion: """
            Example:
              sealbid vectors list
              sealbid vectors verify
              sealbid vectors verify TestVectors/envelope
            """,
        subcommands: [Verify.self, List.self, Generate.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the suites the runner knows and their file paths.",
            discussion: """
                Example:
                  sealbid vectors list
                """)

        func run() {
            for suite in VectorRunner.allSuites {
                print("\(suite.name)\t\(suite.relativePath)")
            }
        }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Regenerate the project's own vector files (deterministic: same bytes every run).",
            discussion: """
                Writes envelope/, committee/, receipts/, tender/ and report/ *.json under DIR \
                (default: ./TestVectors).

                Example:
                  sealbid vectors generate TestVectors
                """
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
                own suites), or a suite's folder or file inside one, such as \
                TestVectors/envelope or ../shared/vectors/wycheproof ('sealbid vectors list' \
                shows each suite's path). Prints one line per suite and ends with 'N passed, N \
                failed' counted over individual vectors. Exits non-zero if any vector \
                disagrees, a suite cannot be read, or nothing was found.

                A root holding some upstream (or project) suites is expected to hold all of \
                them, and a suite folder all the suites inside it: a missing one is listed as \
                skipped; with --require-all, or when CI=true, it fails the run, so that a \
                partial copy of the vectors cannot pass.

                Example:
                  sealbid vectors verify
                  sealbid vectors verify ../shared/vectors TestVectors
                  sealbid vectors verify TestVectors/envelope
                  CI=true sealbid vectors verify --json > vectors.json
                """
        )

        @Argument(help: "Vector roots, or suite folders or files in one (default: $SEALEDBID_VECTORS or ../shared/vectors, and ./TestVectors).")
        var directories: [String] = []

        @Flag(help: "Fail when a suite expected under a directory is missing (the default when CI=true).")
        var requireAll = false

        @Flag(help: "Print a JSON report instead of text.")
        var json = false

        func run() throws {
            let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let roots =
                directories.isEmpty
                ? [VectorRunner.upstreamDirectory(startingAt: here)] + [VectorRunner.projectDirectory(startingAt: here)].compactMap { $0 }
                : directories.map { URL(fileURLWithPath: $0) }
            let strict = requireAll || ProcessInfo.processInfo.environment["CI"] == "true"
            var reports: [SuiteReport] = []
            var emptyRoots: [String] = []
            var skipped: [String] = []
            for directory in roots {
                let selection = Self.select(directory)
                if selection.isEmpty { emptyRoots.append(directory.path) }
                for (root, suite) in selection {
                    // A missing suite is a load error when every expected suite must run.
                    if strict || Self.holds(root, suite) {
                        reports.append(VectorRunner.run(suite, root: root))
                    } else {
                        skipped.append("\(suite.name) (\(root.appendingPathComponent(suite.relativePath).path))")
                    }
                }
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
                    let skippedSuites: [String]
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let data = try encoder.encode(
                    Output(suites: reports, passed: passed, failed: failed, rootsWithoutSuites: emptyRoots, skippedSuites: skipped))
                print(String(decoding: data, as: UTF8.self))
            } else {
                for root in emptyRoots { print("no known vector suites under \(root)") }
                for report in reports {
                    print(report.summaryLine)
                    for failure in report.failures { print("    \(failure)") }
                }
                for suite in skipped { print("skipped, missing: \(suite)") }
                if !skipped.isEmpty {
                    print("\(skipped.count) expected suite(s) missing: with --require-all or CI=true this run fails")
                }
                print("\(passed) passed, \(failed) failed")
            }
            if failed > 0 || broken > 0 || !emptyRoots.isEmpty { throw ExitCode.failure }
        }

        static func holds(_ root: URL, _ suite: VectorRunner.Suite) -> Bool {
            FileManager.default.fileExists(atPath: root.appendingPathComponent(suite.relativePath).path)
        }

        /// The suites expected under `directory`, each with the vectors root its path is relative
        /// to. A root holding at least one suite of a family (upstream, project) is expected to
        /// hold the whole family; a folder or file inside a root (its path ends with the first
        /// components of a present suite's path) is expected to hold the suites of its family
        /// whose paths begin with those components.
        static func select(_ directory: URL) -> [(root: URL, suite: VectorRunner.Suite)] {
            let families = [VectorRunner.upstreamSuites, VectorRunner.projectSuites]
            let atRoot = families.filter { $0.contains { holds(directory, $0) } }
            if !atRoot.isEmpty { return atRoot.flatMap { $0 }.map { (directory, $0) } }
            let components = directory.standardizedFileURL.pathComponents
            for family in families {
                for suite in family {
                    let path = suite.relativePath.split(separator: "/").map(String.init)
                    for depth in stride(from: path.count, through: 1, by: -1) where components.count > depth {
                        let prefix = Array(path.prefix(depth))
                        guard Array(components.suffix(depth)) == prefix else { continue }
                        var root = directory.standardizedFileURL
                        for _ in 0..<depth { root.deleteLastPathComponent() }
                        guard holds(root, suite) else { continue }
                        return family.filter { $0.relativePath.split(separator: "/").map(String.init).starts(with: prefix) }
                            .map { (root, $0) }
                    }
                }
            }
            return []
        }
    }
}
