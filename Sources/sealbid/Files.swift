import ArgumentParser
import Foundation
import SealedBidEnvelope
import SealedBidLog

/// Reads a whole regular file of at most `limit` bytes (FIFOs and devices are refused up front);
/// `-` is standard input.
func readBytes(_ path: String, limit: Int = 64 << 20) throws -> [UInt8] {
    if path == "-" {
        let data = FileHandle.standardInput.readData(ofLength: limit + 1)
        guard data.count <= limit else { throw ValidationError("standard input is larger than \(limit) bytes") }
        return [UInt8](data)
    }
    let source = try FileSource(path: path)
    guard source.length <= UInt64(limit) else { throw ValidationError("\(path) is larger than \(limit) bytes") }
    return try source.read(at: 0, count: Int(source.length))
}

/// A text file (UTF-8).
func readText(_ path: String, limit: Int = 64 << 20) throws -> String {
    guard let text = String(validating: try readBytes(path, limit: limit), as: UTF8.self) else {
        throw ValidationError("\(path) is not UTF-8 text")
    }
    return text
}

/// A folder the command reads (a copy of `bids/`): a wrong path is a usage error, not an empty store.
func requireDirectory(_ path: String, option: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("\(option) \(path) is not a directory")
    }
}

/// A signed note (a checkpoint, a closing): a file that is not UTF-8 is a malformed note, not a usage error.
func readCheckpoint(_ path: String) throws -> SignedCheckpoint {
    guard let text = String(validating: try readBytes(path, limit: SignedNote.maximumSize), as: UTF8.self) else {
        throw LogError.malformedNote("\(path) is not UTF-8 text")
    }
    return try SignedCheckpoint(serialized: text)
}

/// Writes a public file that must not exist yet (never overwrites), durably; `-` is standard output.
/// Refuses an output path that exists (`-`, standard output, never does). Commands with an effect
/// beyond their output (a log entry, a closing) call it from `validate()`, before doing anything.
func refuseExisting(_ path: String) throws {
    guard path != "-" else { return }
    guard !FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(path) exists") }
    var isDirectory: ObjCBool = false
    let parent = FilePath.split(path).directory
    guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("\(path): no directory \(parent) to write it in")
    }
}

func writeNew(_ bytes: [UInt8], to path: String) throws {
    if path == "-" {
        FileHandle.standardOutput.write(Data(bytes))
        return
    }
    try refuseExisting(path)
    let sink = try FileSink(path: path)
    do {
        try bytes.withUnsafeBytes { (b) throws in try sink.write(b, at: 0) }
        guard !FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(path) exists") }
        try sink.commit()
    } catch {
        sink.discard()
        throw error
    }
}

/// A verifier key given inline or as a file holding it.
func readKeyString(_ value: String) throws -> String {
    if FileManager.default.fileExists(atPath: value) {
        return try readText(value, limit: 4096).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return value
}
