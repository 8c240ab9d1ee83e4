import Foundation

/// Finds and runs the vector suites SealedBid knows, under one or more
/// directories. Used by the test suite and by `sealbid vectors verify`, so
/// testers and CI run exactly the same checks.
public enum VectorRunner {
    /// A suite: its name, where its file lives relative to a vectors root, and how to run it.
    public struct Suite: Sendable {
        public let name: String
        public let relativePath: String
        let run: @Sendable (URL, inout SuiteReport) throws -> Void
    }

    /// The upstream suites (files under `../shared/vectors`; see its SOURCES.md).
    public static let upstreamSuites: [Suite] = [
        Suite(name: "wycheproof/aes_gcm", relativePath: "wycheproof/aes_gcm_test.json") {
            try WycheproofSuites.aesGCM($0, into: &$1)
        },
        Suite(name: "wycheproof/ecdh_secp256r1", relativePath: "wycheproof/ecdh_secp256r1_test.json") {
            try WycheproofSuites.ecdh($0, spki: true, into: &$1)
        },
        Suite(name: "wycheproof/ecdh_secp256r1_ecpoint", relativePath: "wycheproof/ecdh_secp256r1_ecpoint_test.json") {
            try WycheproofSuites.ecdh($0, spki: false, into: &$1)
        },
        Suite(name: "wycheproof/ecdsa_secp256r1_sha256", relativePath: "wycheproof/ecdsa_secp256r1_sha256_test.json") {
            try WycheproofSuites.ecdsa($0, p1363: false, into: &$1)
        },
        Suite(
            name: "wycheproof/ecdsa_secp256r1_sha256_p1363",
            relativePath: "wycheproof/ecdsa_secp256r1_sha256_p1363_test.json"
        ) {
            try WycheproofSuites.ecdsa($0, p1363: true, into: &$1)
        },
        Suite(name: "wycheproof/ed25519", relativePath: "wycheproof/ed25519_test.json") {
            try WycheproofSuites.ed25519($0, into: &$1)
        },
        Suite(name: "wycheproof/hkdf_sha256", relativePath: "wycheproof/hkdf_sha256_test.json") {
            try WycheproofSuites.hkdf($0, into: &$1)
        },
        Suite(name: "wycheproof/hmac_sha256", relativePath: "wycheproof/hmac_sha256_test.json") {
            try WycheproofSuites.hmac($0, into: &$1)
        },
        Suite(name: "rfc9180/hpke", relativePath: "hpke-rfc9180/test-vectors-rfc9180-5f503c5.json.gz") {
            try HPKESuite.run($0, into: &$1)
        },
        Suite(name: "cctv/ed25519-edge-cases", relativePath: "cctv-ed25519/ed25519vectors.json") {
            try Ed25519Suites.cctv($0, into: &$1)
        },
        Suite(name: "rfc8032/ed25519", relativePath: "rfc8032/ed25519-rfc8032-7.1-tests1-3.json") {
            try Ed25519Suites.rfc8032($0, into: &$1)
        },
        Suite(name: "djb/ed25519-sign-input", relativePath: "pyca-cryptography-vectors/ed25519-sign.input.gz") {
            try Ed25519Suites.djb($0, into: &$1)
        },
        Suite(name: "rfc5869/hkdf_sha256", relativePath: "pyca-cryptography-vectors/hkdf-rfc5869-sha256.txt") {
            try RFC5869Suite.run($0, into: &$1)
        },
        Suite(name: "rfc9497/dleq-p256", relativePath: "rfc9497-oprf-dleq/OPRFVectors-VOPRFDraft19.json") {
            try DLEQSuite.run($0, into: &$1)
        },
        Suite(name: "transparency-dev/inclusion", relativePath: "transparency-dev-merkle/testdata/inclusion") {
            try MerkleSuites.run($0, kind: .inclusion, into: &$1)
        },
        Suite(name: "transparency-dev/consistency", relativePath: "transparency-dev-merkle/testdata/consistency") {
            try MerkleSuites.run($0, kind: .consistency, into: &$1)
        },
        Suite(name: "transparency-dev/subtree-inclusion", relativePath: "transparency-dev-merkle/testdata/subtreeinclusion") {
            try MerkleSuites.run($0, kind: .subtreeinclusion, into: &$1)
        },
        Suite(
            name: "transparency-dev/subtree-consistency", relativePath: "transparency-dev-merkle/testdata/subtreeconsistency"
        ) {
            try MerkleSuites.run($0, kind: .subtreeconsistency, into: &$1)
        },
        Suite(name: "c2sp/signed-note", relativePath: "c2sp-signed-note/signed-note-example.json") {
            try SignedNoteSuite.run($0, into: &$1)
        },
        Suite(name: "rfc9591/frost-p256-arithmetic", relativePath: "frost-rfc9591/cfrg-poc/frost-p256-sha256.json") {
            try FROSTArithmeticSuite.run($0, into: &$1)
        },
    ]

    /// The project's own suites (files under `TestVectors/`).
    public static let projectSuites: [Suite] = [
        Suite(name: "sealbid/envelope-v1", relativePath: "envelope") { try EnvelopeVectors.run($0, into: &$1) },
        Suite(name: "sealbid/committee-v1", relativePath: "committee") { try CommitteeVectors.run($0, into: &$1) },
        Suite(name: "sealbid/receipts-v1", relativePath: "receipts") { try ReceiptVectors.run($0, into: &$1) },
        Suite(name: "sealbid/tender-v1", relativePath: "tender") { try TenderVectors.run($0, into: &$1) },
        Suite(name: "sealbid/report-v1", relativePath: "report") { try ReportVectors.run($0, into: &$1) },
    ]

    /// Every suite the runner knows.
    public static var allSuites: [Suite] { upstreamSuites + projectSuites }

    /// Runs one suite on the file under `root`; a missing file is a load error.
    public static func run(_ suite: Suite, root: URL) -> SuiteReport {
        let url = root.appendingPathComponent(suite.relativePath)
        var report = SuiteReport(suite: suite.name, file: url.path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            report.loadError = "missing file \(url.path)"
            return report
        }
        do {
            try suite.run(url, &report)
        } catch {
            report.loadError = "\(error)"
        }
        return report
    }

    /// Runs every known suite whose file exists under `root`.
    public static func runAll(root: URL) -> [SuiteReport] {
        allSuites.filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0.relativePath).path) }
            .map { run($0, root: root) }
    }

    /// The package's `TestVectors` directory, found from `start` upwards.
    public static func projectDirectory(startingAt start: URL) -> URL? {
        var directory = start.standardizedFileURL
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.appendingPathComponent("TestVectors")
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// The upstream vectors directory: `$SEALEDBID_VECTORS` if set, otherwise
    /// `../shared/vectors` beside the package root, found from `start` upwards.
    public static func upstreamDirectory(startingAt start: URL) -> URL {
        if let path = ProcessInfo.processInfo.environment["SEALEDBID_VECTORS"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var directory = start.standardizedFileURL
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.deletingLastPathComponent().appendingPathComponent("shared/vectors")
            }
            directory = directory.deletingLastPathComponent()
        }
        return start.appendingPathComponent("../shared/vectors").standardizedFileURL
    }
}
