import Foundation
import SealedBidEnvelope
import SealedBidPrimitives

/// Where a portal keeps the signed files its log entries name, each under
/// its digest (`docs/spec/receipts-v1.md`, "Bid files"): bids, the headers and
/// commitment statements of committed bids, and withdrawal statements. The one home of the
/// `bids/<hex digest>.<kind>` convention; members and verifiers read a copy of
/// the folder, the portal writes it.
///
/// Files appear under their final name only complete, verified and durable
/// (written under a temporary name, checked, flushed, renamed, directory
/// flushed); a file of the wrong length or digest under a final name is never
/// trusted — the opening checks every file it reads against its log entry.
public struct BidStore: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A whole bid file (envelope-v1).
        case bid = "sbid"
        /// The header of a committed bid whose ciphertext has not arrived (commit-then-upload).
        case header = "header"
        /// A withdrawal statement (envelope-v1, "Bidder statements").
        case withdrawal = "withdrawal"
        /// The bidder's commitment statement for a committed bid (envelope-v1, "Bidder statements"),
        /// kept under the bid's digest beside its header.
        case commitment = "commitment"
    }

    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// Creates the folder (and its parents) if needed.
    public static func create(directory: String) throws -> BidStore {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return BidStore(directory: directory)
    }

    /// `<directory>/<hex digest>.<kind>`.
    public func path(of digest: [UInt8], _ kind: Kind) -> String { "\(directory)/\(digest.hexString).\(kind.rawValue)" }

    public func contains(_ digest: [UInt8], _ kind: Kind) -> Bool { FileManager.default.fileExists(atPath: path(of: digest, kind)) }

    /// Copies `source` into the store: to a temporary file first, which `check` verifies (it
    /// returns the digest the copy must be kept under), then flushed and renamed into place.
    /// What is checked is the stored copy itself, not the upload it came from, and nothing is
    /// left under a final name on failure.
    @discardableResult
    public func store(copyOf source: String, as kind: Kind, check: (String) throws -> [UInt8]) throws -> [UInt8] {
        let incoming = "\(directory)/.incoming-\(UUID().uuidString)"
        defer { unlink(incoming) }
        let input = try FileSource(path: source)
        let sink = try FileSink(path: incoming)
        do {
            try sink.reserve(input.length)
            let step: UInt64 = 1 << 20
            var buffer = [UInt8](repeating: 0, count: Int(min(step, max(input.length, 1))))
            var position: UInt64 = 0
            while position < input.length {
                let count = Int(min(step, input.length - position))
                try buffer.withUnsafeMutableBytes { (b) throws in
                    let slice = UnsafeMutableRawBufferPointer(rebasing: b[..<count])
                    try input.read(at: position, into: slice)
                    try sink.write(UnsafeRawBufferPointer(slice), at: position)
                }
                position += UInt64(count)
            }
            try sink.commit()
        } catch {
            sink.discard()
            throw error
        }
        let digest = try check(incoming)
        try rename(incoming, to: path(of: digest, kind))
        return digest
    }

    /// Stores a small file (a header or a statement) whose digest the caller has checked.
    public func store(_ bytes: [UInt8], digest: [UInt8], as kind: Kind) throws {
        let incoming = "\(directory)/.incoming-\(UUID().uuidString)"
        defer { unlink(incoming) }
        let sink = try FileSink(path: incoming)
        do {
            try bytes.withUnsafeBytes { (b) throws in try sink.write(b, at: 0) }
            try sink.commit()
        } catch {
            sink.discard()
            throw error
        }
        try rename(incoming, to: path(of: digest, kind))
    }

    private func rename(_ from: String, to target: String) throws {
        guard Foundation.rename(from, target) == 0 else {
            throw EnvelopeError.io("cannot move a stored file to \(target): \(String(cString: strerror(errno)))")
        }
        guard FilePath.syncDirectory(of: target) else { throw EnvelopeError.io("cannot flush \(directory)") }
    }

    /// The bytes of a small stored file, at most `limit` bytes.
    public func contents(of digest: [UInt8], _ kind: Kind, limit: Int) throws -> [UInt8] {
        let source = try FileSource(path: path(of: digest, kind))
        // Too large is malformed (a statement or header never is), not missing.
        guard source.length <= UInt64(limit) else {
            throw EnvelopeError.invalidInput("\(path(of: digest, kind)) is larger than \(limit) bytes")
        }
        return try source.read(at: 0, count: Int(source.length))
    }
}
