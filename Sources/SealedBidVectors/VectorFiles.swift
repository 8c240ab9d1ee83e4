import Foundation
import SealedBidPrimitives

/// Reading vector files: JSON, gzip-compressed JSON or text, hex fields.
enum VectorFiles {
    /// The file's bytes, decompressed with the system `gzip` when the name ends in `.gz`
    /// (Foundation on Linux has no gzip decoder, and zlib is not worth a dependency here).
    static func read(_ url: URL) throws -> Data {
        guard url.pathExtension == "gz" else { return try Data(contentsOf: url) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw VectorFormatError("gzip -dc failed on \(url.lastPathComponent)") }
        return data
    }

    static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        try JSONDecoder().decode(T.self, from: read(url))
    }
}

/// Hex decoding that reports the field name on failure.
func hex(_ text: String, _ field: String) throws -> [UInt8] {
    do { return try Hex.decode(text) } catch { throw VectorFormatError("field \(field): \(error)") }
}

/// A non-negative big-endian integer in hex (Wycheproof writes private keys
/// with a leading 00 or without leading zeros) as exactly 32 bytes, or nil if it does not fit.
func fixedWidth32(_ text: String, _ field: String) throws -> [UInt8]? {
    var bytes = try hex(text, field)
    while bytes.count > 32, bytes.first == 0 { bytes.removeFirst() }
    guard bytes.count <= 32 else { return nil }
    return [UInt8](repeating: 0, count: 32 - bytes.count) + bytes
}

/// `true` when `body` throws, for checking that invalid input is rejected.
func rejects(_ body: () throws -> Void) -> Bool {
    do {
        try body()
        return false
    } catch {
        return true
    }
}
