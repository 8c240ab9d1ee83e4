import Foundation
import SealedBidPrimitives

/// Reads the JSON vector files seeds are made from (missing files give no seeds).
enum Vectors {
    /// Every `*.json` object under `folder` (relative to the repository), recursively.
    static func json(in folder: String) -> [[String: Any]] {
        json(in: World.repository.appendingPathComponent(folder))
    }

    static func json(in folder: URL) -> [[String: Any]] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        var files: [URL] = []
        for case let url as URL in walker where url.pathExtension == "json" { files.append(url) }
        return files.sorted { $0.path < $1.path }.compactMap(object(at:))
    }

    static func object(at url: URL) -> [String: Any]? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}

enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String { SHA256.hash(bytes).hexString }
}
