import Foundation
import SealedBidPrimitives

/// One durable record of the log: an entry (with its RFC 3161 token, when it has one), or the
/// closing marker.
public enum LogRecord: Sendable, Equatable {
    /// An encoded entry and its token over SHA-256(entry), or an empty token. The token is
    /// evidence, not part of the tree; it is written with the entry, in one record, so an
    /// acknowledged entry never lacks the token it was acknowledged with.
    case entry([UInt8], token: [UInt8])
    /// The log closed at this size (the deadline passed).
    case closed(size: UInt64, at: UInt64)
}

/// Where a log keeps its records. An append returns only once the record
/// is durable; a load returns every acknowledged record, verified, in order.
/// Portals may implement it over their own database.
public protocol LogStore: Sendable {
    func load() throws(LogError) -> [LogRecord]
    func append(_ record: LogRecord) throws(LogError)
}

/// The embedded default: one append-only file of checksummed records.
///
/// `record = u8(type) || u32(length) || SHA-256(type || length)[:4] || payload || SHA-256(everything before)`,
/// written with one `write` and made durable with `fsync` before the append
/// returns. On load, a torn final record (a crash during its append, so never
/// acknowledged: a prefix of a frame, or zero bytes) is cut off; a damaged
/// record anywhere else, including a damaged length, is `corrupt-store` and
/// nothing is loaded. Nothing acknowledged is ever lost or rewritten.
public final class FileLogStore: LogStore, @unchecked Sendable {
    // All access to the descriptor goes through `lock`.
    private let lock = NSLock()
    private let descriptor: Int32
    public let path: String

    public init(path: String) throws(LogError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .storage("cannot open \(path): \(String(cString: strerror(errno)))") }
        descriptor = fd
        self.path = path
    }

    deinit { close(descriptor) }

    static func frame(_ record: LogRecord) -> [UInt8] {
        let (type, payload): (UInt8, [UInt8]) =
            switch record {
            case .entry(let bytes, let token): (1, [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes + token)
            case .closed(let size, let at):
                (2, withUnsafeBytes(of: size.bigEndian) { Array($0) } + withUnsafeBytes(of: at.bigEndian) { Array($0) })
            }
        let head = [type] + withUnsafeBytes(of: UInt32(payload.count).bigEndian) { Array($0) }
        let checkedHead = head + SHA256.hash(head).prefix(4)
        return checkedHead + payload + SHA256.hash(checkedHead + payload)
    }

    public func load() throws(LogError) -> [LogRecord] {
        lock.lock()
        defer { lock.unlock() }
        let bytes = try Self.readAll(descriptor, path: path)
        let (records, position) = try Self.parse(bytes)
        if position < bytes.count {
            // Cut the torn tail so the next append starts on a record boundary.
            guard ftruncate(descriptor, off_t(position)) == 0, fsync(descriptor) == 0 else {
                throw .storage("cannot cut the torn tail of \(path)")
            }
        }
        return records
    }

    /// The records of a store file, read without changing it (for verifiers, who may
    /// hold a read-only copy): a torn tail is ignored, not cut.
    public static func records(atPath path: String) throws(LogError) -> [LogRecord] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .storage("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try parse(readAll(fd, path: path)).records
    }

    private static func readAll(_ descriptor: Int32, path: String) throws(LogError) -> [UInt8] {
        let end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else { throw .storage("cannot size \(path)") }
        var bytes = [UInt8](repeating: 0, count: Int(end))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, $0.count - done, off_t(done)) }
            guard n > 0 else { throw .storage("read error in \(path)") }
            done += n
        }
        return bytes
    }

    /// The complete records, and where the torn tail (if any) starts.
    private static func parse(_ bytes: [UInt8]) throws(LogError) -> (records: [LogRecord], end: Int) {
        var records: [LogRecord] = []
        var position = 0
        let headLength = 9
        while position < bytes.count {
            let remaining = bytes.count - position
            guard remaining >= headLength else { break }  // torn header
            let head = Array(bytes[position..<(position + 5)])
            // A crash leaves a prefix of the last frame, possibly followed by zero-filled
            // blocks, never other bytes. A failing record can be such a prefix only if its
            // last byte (a check byte, random in a real frame) and everything after it is
            // zero. Anything else is damage to an acknowledged record: refused, never cut.
            func zeroFrom(_ start: Int) -> Bool { bytes[min(start, bytes.count)...].allSatisfy { $0 == 0 } }
            guard Array(SHA256.hash(head).prefix(4)) == Array(bytes[(position + 5)..<(position + headLength)]) else {
                if zeroFrom(position + headLength - 1) { break }  // at most 8 header bytes written, zeros after
                throw .corruptStore("record at \(position) has a damaged header")
            }
            let type = head[0]
            let length = head[1..<5].reduce(0) { $0 << 8 | Int($1) }
            guard length <= 1 << 20 else { throw .corruptStore("record at \(position) claims \(length) bytes") }
            let total = headLength + length + 32
            guard remaining >= total else { break }  // torn payload: the (checked) header is real
            let body = Array(bytes[position..<(position + headLength + length)])
            let sum = Array(bytes[(position + headLength + length)..<(position + total)])
            guard SHA256.hash(body) == sum else {
                if zeroFrom(position + total - 1) { break }  // a prefix of the frame, zeros after
                throw .corruptStore("record at \(position) fails its checksum")
            }
            let payload = Array(body[headLength...])
            switch type {
            case 1 where payload.count >= 2 && payload.count - 2 >= Int(payload[0]) << 8 | Int(payload[1]):
                let length = Int(payload[0]) << 8 | Int(payload[1])
                records.append(.entry(Array(payload[2..<(2 + length)]), token: Array(payload[(2 + length)...])))
            case 2 where payload.count == 16:
                let size = payload[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                let at = payload[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                records.append(.closed(size: size, at: at))
            default: throw .corruptStore("record at \(position) has an unknown type \(type) or a malformed payload")
            }
            position += total
        }
        return (records, position)
    }

    public func append(_ record: LogRecord) throws(LogError) {
        let frame = Self.frame(record)
        lock.lock()
        defer { lock.unlock() }
        let end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else { throw .storage("cannot seek \(path)") }
        var done = 0
        while done < frame.count {
            let n = frame.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, $0.count - done, off_t(Int(end) + done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                _ = ftruncate(descriptor, end)  // leave no partial record behind
                throw .storage("write error in \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
        guard fsync(descriptor) == 0 else {
            _ = ftruncate(descriptor, end)
            throw .storage("fsync failed for \(path)")
        }
    }
}

/// A store in memory (tests, and portals that keep their own durability).
public final class MemoryLogStore: LogStore, @unchecked Sendable {
    private let lock = NSLock()
    private var records: [LogRecord] = []
    public init() {}
    public func load() throws(LogError) -> [LogRecord] {
        lock.lock()
        defer { lock.unlock() }
        return records
    }
    public func append(_ record: LogRecord) throws(LogError) {
        lock.lock()
        defer { lock.unlock() }
        records.append(record)
    }
}
