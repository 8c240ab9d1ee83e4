import Foundation

/// The files of the project's own suites (`TestVectors/<suite>/`): one JSON object per vector.
enum ProjectVectorFiles {
    /// Every `*.json` vector of `directory`, with its file name, in name order.
    static func load<V: Decodable>(_ type: V.Type, from directory: URL) throws -> [(file: String, vector: V)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else { throw VectorFormatError("no vector files in \(directory.path)") }
        return try files.map { ($0, try JSONDecoder().decode(V.self, from: Data(contentsOf: directory.appendingPathComponent($0)))) }
    }

    /// What a generator writes: `<name>.json`, pretty-printed with sorted keys and a final LF, so
    /// that two runs give the same bytes.
    static func encode<V: Encodable>(_ scenarios: [(String, V)]) throws -> [(name: String, json: Data)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try scenarios.map { ("\($0.0).json", try encoder.encode($0.1) + Data("\n".utf8)) }
    }
}
