import Foundation
import Testing

/// Runs the independent implementations in `Tests/Interop` (pyhpke and the
/// envelope-v1 reader written from the spec alone) with the Python of the
/// virtual environment `scripts/test` prepares. Under CI=true a missing
/// judge is a recorded failure; elsewhere the tests say so loudly.
public enum PythonJudge {
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    public static var python: URL? {
        if let path = ProcessInfo.processInfo.environment["SEALEDBID_PYTHON"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let venv = packageRoot.appendingPathComponent(".build/interop-venv/bin/python")
        return FileManager.default.isExecutableFile(atPath: venv.path) ? venv : nil
    }

    /// Runs `Tests/Interop/<script>` with `arguments`; returns its JSON output
    /// object and exit status, or nil when no judge is available.
    public static func run(_ script: String, _ arguments: [String]) throws -> (json: [String: Any], status: Int32)? {
        guard let python else {
            let message = "INTEROP JUDGE MISSING: run ./scripts/test (it prepares .build/interop-venv with pyhpke) or set SEALEDBID_PYTHON"
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record(Comment(rawValue: message))
            } else {
                print(message)
            }
            return nil
        }
        let process = Process()
        process.executableURL = python
        process.arguments = [packageRoot.appendingPathComponent("Tests/Interop/\(script)").path] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (object, process.terminationStatus)
    }

    /// `hpke_judge.py`: returns its string fields.
    public static func hpke(_ arguments: [String]) throws -> [String: String]? {
        guard let (json, status) = try run("hpke_judge.py", arguments) else { return nil }
        #expect(status == 0, "pyhpke judge failed")
        return json.compactMapValues { $0 as? String }
    }
}
