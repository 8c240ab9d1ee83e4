import Foundation
import Testing

import SealedBidTestSupport

/// `sealbid vectors verify` on a suite folder, and on a partial copy of the vectors (which must
/// not pass under CI=true).
@Suite("sealbid vectors verify: suite folders and partial copies")
struct VectorsCLITests {
    static let project = PythonJudge.packageRoot.appendingPathComponent("TestVectors")

    @Test("a suite folder runs that suite alone")
    func suiteFolder() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let result = try cli.run(["vectors", "verify", Self.project.appendingPathComponent("envelope").path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("sealbid/envelope-v1: ") && !result.output.contains("committee"), "\(result.output)")
        #expect(!result.output.contains("skipped"), "\(result.output)")
        // A file inside a suite folder is not a suite.
        let file = try cli.run(["vectors", "verify", Self.project.appendingPathComponent("receipts/receipt-success.json").path])
        #expect(file.status == 1 && file.output.contains("no known vector suites"), "\(file.output)")
    }

    @Test("a partial copy passes with the missing suites listed, and fails under CI=true or --require-all")
    func partialCopy() throws {
        let cli = try CLI()
        defer { cli.remove() }
        // The project's suites: a root holding one of them is expected to hold all three.
        try FileManager.default.createDirectory(atPath: cli.path("partial"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.project.appendingPathComponent("receipts").path, toPath: cli.path("partial/receipts"))
        var roots = ["partial"]
        // The upstream suites, when this machine has them: one file of the twenty.
        let upstream = PythonJudge.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/vectors")
        let rfc8032 = upstream.appendingPathComponent("rfc8032/ed25519-rfc8032-7.1-tests1-3.json")
        let environmentRoot = ProcessInfo.processInfo.environment["SEALEDBID_VECTORS"].map { URL(fileURLWithPath: $0) }
        let source = [environmentRoot?.appendingPathComponent("rfc8032/ed25519-rfc8032-7.1-tests1-3.json"), rfc8032]
            .compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0.path) }
        if let source {
            try FileManager.default.createDirectory(atPath: cli.path("upstream/rfc8032"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: source.path, toPath: cli.path("upstream/rfc8032/\(source.lastPathComponent)"))
            roots.append("upstream")
        }
        let lax = try cli.run(["vectors", "verify"] + roots, unsetting: ["CI"])
        #expect(lax.status == 0, "\(lax.output)")
        #expect(lax.output.contains("skipped, missing: sealbid/envelope-v1"), "\(lax.output)")
        if source != nil {
            #expect(lax.output.contains("rfc8032/ed25519: 3 passed") && lax.output.contains("skipped, missing: wycheproof/aes_gcm"), "\(lax.output)")
        }
        for strict in [try cli.run(["vectors", "verify"] + roots, environment: ["CI": "true"]),
                       try cli.run(["vectors", "verify", "--require-all"] + roots, unsetting: ["CI"])] {
            #expect(strict.status == 1, "\(strict.output)")
            #expect(strict.output.contains("sealbid/envelope-v1: could not run: missing file"), "\(strict.output)")
            if source != nil {
                #expect(strict.output.contains("wycheproof/aes_gcm: could not run: missing file"), "\(strict.output)")
            }
        }
        // A suite folder is expected to hold the suites inside it, and nothing else.
        let folder = try cli.run(["vectors", "verify", "partial/receipts"], environment: ["CI": "true"])
        #expect(folder.status == 0 && folder.output.contains("sealbid/receipts-v1: "), "\(folder.output)")
    }
}
