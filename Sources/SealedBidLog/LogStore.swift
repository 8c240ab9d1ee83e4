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

/// Where a log keeps its records and its head. An append returns only once the record is
/// durable; the head records, durably, the signed checkpoint the log acknowledges with, so
/// that a store shorter than or inconsistent with what was acknowledged is refused on opening
/// (`docs/spec/receipts-v1.md`, "Durable store").
///
/// Several writers (several portal instances on one database) share one store through
/// ``beginAppend(after:)``: the append serializes on the log head across every writer, hands the
/// writer the records the others appended since it last looked, and commits durably before the
/// log signs anything; ``SubmissionLog`` appends only this way. The synchronous methods open a log
/// (``load()``, ``loadHead()``) and create one (``append(_:)``, ``storeHead(_:)``).
public protocol LogStore: Sendable {
    /// The records, in order: the store's valid prefix (for a database store, as of opening it).
    /// Never changes the store.
    func load() throws(LogError) -> [LogRecord]
    /// The last head stored (a signed checkpoint note), nil when none was ever stored; read with
    /// the records of ``load()``.
    func loadHead() throws(LogError) -> String?

    /// Waits until this writer holds the log head — no other writer, in this process or another,
    /// appends until the returned append is committed or abandoned — and returns it with the
    /// records appended after the first `known` records (those the caller already holds).
    /// - Throws: ``LogError/corruptStore(_:)`` when the store holds fewer than `known` records.
    func beginAppend(after known: Int) async throws(LogError) -> any LogAppend
    /// The records after the first `known`, read without taking the head (a reader catching up
    /// with what other writers appended).
    func records(after known: Int) async throws(LogError) -> [LogRecord]
    /// Stores `note`, a signed checkpoint of `size` entries, as the head unless the stored head
    /// is already of a larger size (several writers acknowledge in any order; a head only grows).
    func raiseHead(_ note: String, size: UInt64) async throws(LogError)
    /// The closing note kept by ``keepClosingNote(_:)``, nil before one is.
    func closingNote() async throws(LogError) -> String?
    /// Keeps `note` (the closing checkpoint, cosigned) unless a closing note is already kept,
    /// durably, and returns the one kept: the first writer's, for every writer. Every copy of
    /// the closing handed out is then the same bytes.
    func keepClosingNote(_ note: String) async throws(LogError) -> String
}

/// An append in progress, holding the log head (``LogStore/beginAppend(after:)``). Exactly one of
/// ``commit(_:)`` and ``abandon()`` is called, once; either releases the head.
public protocol LogAppend: Sendable {
    /// The records other writers appended after those the caller knew, in order: the caller
    /// takes them into account before choosing what to append.
    var appended: [LogRecord] { get }
    /// Appends `records` after ``appended``, durably (committed, flushed), then releases the head.
    /// When it throws, none of `records` may be acknowledged; a store that kept a prefix of them
    /// returns it to the next writer among ``appended``.
    func commit(_ records: [LogRecord]) async throws(LogError)
    /// Releases the head, appending nothing.
    func abandon() async
}

/// The embedded default: one append-only file of checksummed records, and beside it the head
/// (`<path>.head`, the last signed checkpoint acknowledged).
///
/// `record = u8(type) || u32(length) || SHA-256(type || length)[:4] || payload || SHA-256(everything before)`,
/// written with one `write` and made durable with `fsync` before the append returns. Opening
/// reads record by record (bounded memory per record, stopping at the first record that does not
/// check) and never writes; the log then requires every acknowledged record — those up to the
/// head's size — to be among them. What follows the valid prefix was never acknowledged and is
/// cut at the next append. The store is opened by one process at a time: an exclusive `flock`
/// is held from opening until the store is released, so two writers can never fork the log:
/// the file store serves one process (several logs of that process may share it through
/// ``beginAppend(after:)``); several portal instances share a database store instead.
public final class FileLogStore: LogStore, @unchecked Sendable {
    // All access to the descriptor, `validEnd`, `validCount` and `headSize` goes through `lock`.
    private let lock = NSLock()
    private let descriptor: Int32
    public let path: String
    public var headPath: String { path + ".head" }
    /// The end of the valid prefix: where the next record is written.
    private var validEnd: Int?
    /// The number of records in the valid prefix (known with `validEnd`).
    private var validCount = 0
    /// The size of the head this store last stored, when it stored one.
    private var headSize: UInt64?
    /// The writer's turn: one ``beginAppend(after:)`` at a time.
    private let writer = AsyncGate()

    static let maximumRecord = 1 << 20
    static let headLength = 9

    /// Creates a new, empty store (`portal init`); refuses to replace an existing one.
    public static func create(path: String) throws(LogError) -> FileLogStore {
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .storage("cannot create \(path): \(String(cString: strerror(errno)))") }
        close(fd)
        guard DurableFile.syncDirectory(of: path) else { throw .storage("cannot flush the directory of \(path)") }
        return try FileLogStore(path: path)
    }

    /// Opens an existing store, waiting up to `timeout` seconds for another process to release it.
    /// - Throws: ``LogError/storage(_:)`` when the store does not exist (only `create` makes one),
    ///   is not a regular file, or stays locked.
    public init(path: String, timeout: TimeInterval = 60) throws(LogError) {
        let fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            throw .storage("cannot open the log store \(path): \(String(cString: strerror(errno))) (portal init creates it)")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .storage("\(path) is not a regular file")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                close(fd)
                throw .storage("the log store \(path) is in use by another process")
            }
            usleep(20_000)
        }
        descriptor = fd
        self.path = path
    }

    deinit { close(descriptor) }  // releases the lock

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
        let (records, end) = try Self.validPrefix(descriptor, path: path)
        validEnd = end
        validCount = records.count
        return records
    }

    /// The records of a store file, read without changing it (for verifiers, who may hold a
    /// read-only copy): the valid prefix. No lock is taken: a writer appends a record with one
    /// write, so a reader sees it whole or stops before it.
    public static func records(atPath path: String) throws(LogError) -> [LogRecord] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .storage("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw .storage("\(path) is not a regular file") }
        return try validPrefix(fd, path: path).records
    }

    /// Reads record by record from the start and stops at the first record that does not
    /// check (or at the end): returns the records before it and where they end. Each record is
    /// at most 1 MiB + 41 bytes, so memory is bounded by the records kept, and time by the
    /// valid prefix plus one record.
    private static func validPrefix(_ fd: Int32, path: String) throws(LogError) -> (records: [LogRecord], end: Int) {
        let size = lseek(fd, 0, SEEK_END)
        guard size >= 0 else { throw .storage("cannot size \(path)") }
        var records: [LogRecord] = []
        var position = 0
        while position + headLength <= Int(size) {
            let head = try readExactly(fd, at: position, count: headLength, path: path)
            guard Array(SHA256.hash(Array(head[0..<5])).prefix(4)) == Array(head[5..<9]) else { break }
            let length = head[1..<5].reduce(0) { $0 << 8 | Int($1) }
            guard length <= maximumRecord, position + headLength + length + 32 <= Int(size) else { break }
            let rest = try readExactly(fd, at: position + headLength, count: length + 32, path: path)
            let payload = Array(rest[..<length])
            guard SHA256.hash(head + payload) == Array(rest[length...]) else { break }
            switch head[0] {
            case 1 where payload.count >= 2 && payload.count - 2 >= Int(payload[0]) << 8 | Int(payload[1]):
                let entryLength = Int(payload[0]) << 8 | Int(payload[1])
                records.append(.entry(Array(payload[2..<(2 + entryLength)]), token: Array(payload[(2 + entryLength)...])))
            case 2 where payload.count == 16:
                let closedSize = payload[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                let at = payload[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                records.append(.closed(size: closedSize, at: at))
            default:
                // A checked record of an unknown type or form: written by no version of this
                // code, so not a torn append either.
                throw .corruptStore("record at \(position) has an unknown type \(head[0]) or a malformed payload")
            }
            position += headLength + length + 32
        }
        return (records, position)
    }

    private static func readExactly(_ fd: Int32, at offset: Int, count: Int, path: String) throws(LogError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .storage("read error in \(path)") }
            done += n
        }
        return bytes
    }

    public func append(_ record: LogRecord) throws(LogError) { try append(contentsOf: [record]) }

    /// Appends `records` with one write and one `fsync`: durable together, or (after a crash)
    /// a prefix of them that the next opening or append sees whole or not at all.
    private func append(contentsOf records: [LogRecord]) throws(LogError) {
        guard !records.isEmpty else { return }
        let frame = records.flatMap(Self.frame)
        lock.lock()
        defer { lock.unlock() }
        let end: Int
        if let validEnd {
            end = validEnd
        } else {
            let prefix = try Self.validPrefix(descriptor, path: path)
            end = prefix.end
            validCount = prefix.records.count
        }
        // Whatever follows the valid prefix was never acknowledged: cut it before appending.
        let size = lseek(descriptor, 0, SEEK_END)
        if size > end {
            guard ftruncate(descriptor, off_t(end)) == 0, fsync(descriptor) == 0 else {
                throw .storage("cannot cut the unacknowledged tail of \(path)")
            }
        }
        var done = 0
        while done < frame.count {
            let n = frame.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, $0.count - done, off_t(end + done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                _ = ftruncate(descriptor, off_t(end))  // leave no partial record behind
                throw .storage("write error in \(path): \(reason)")
            }
            done += n
        }
        guard fsync(descriptor) == 0 else {
            _ = ftruncate(descriptor, off_t(end))
            throw .storage("fsync failed for \(path)")
        }
        validEnd = end + frame.count
        validCount += records.count
    }

    public func beginAppend(after known: Int) async throws(LogError) -> any LogAppend {
        try await StoreAppend.begin(
            gate: writer, appended: { () throws(LogError) in try records(afterSync: known) },
            write: { records throws(LogError) in try self.append(contentsOf: records) })
    }

    public func records(after known: Int) async throws(LogError) -> [LogRecord] { try records(afterSync: known) }

    /// The records after the first `known`: none without reading when this store wrote them all.
    private func records(afterSync known: Int) throws(LogError) -> [LogRecord] {
        lock.lock()
        let current = validEnd == nil ? nil : validCount
        lock.unlock()
        if current == known { return [] }
        let all = try load()
        guard all.count >= known else { throw .corruptStore("the store has \(all.count) records, the log knew \(known)") }
        return Array(all[known...])
    }

    public func raiseHead(_ note: String, size: UInt64) async throws(LogError) { try raiseHeadNow(note, size: size) }

    private func raiseHeadNow(_ note: String, size: UInt64) throws(LogError) {
        lock.lock()
        defer { lock.unlock() }
        if let headSize, headSize > size { return }
        try storeHead(note)
        headSize = size
    }

    public func loadHead() throws(LogError) -> String? { try readNote(headPath) }

    /// A signed note kept in a file of its own (the head, the closing), nil when there is none.
    private func readNote(_ notePath: String) throws(LogError) -> String? {
        let fd = open(notePath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .storage("cannot open \(notePath): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= SignedNote.maximumSize else {
            throw .corruptStore("\(notePath) is not a signed note")
        }
        let bytes = try Self.readExactly(fd, at: 0, count: Int(info.st_size), path: notePath)
        guard let note = String(validating: bytes, as: UTF8.self) else { throw .corruptStore("\(notePath) is not UTF-8") }
        return note
    }

    /// Written under a temporary name, flushed, renamed over the head, directory flushed.
    public func storeHead(_ note: String) throws(LogError) {
        guard DurableFile.replace(headPath, with: Array(note.utf8)) else { throw .storage("cannot store the head of \(path)") }
    }

    public var closingPath: String { path + ".closing" }

    public func closingNote() async throws(LogError) -> String? { try readNote(closingPath) }

    public func keepClosingNote(_ note: String) async throws(LogError) -> String { try keepClosingNoteNow(note) }

    /// One process holds the store (its flock); `lock` orders the callers of that process.
    private func keepClosingNoteNow(_ note: String) throws(LogError) -> String {
        lock.lock()
        defer { lock.unlock() }
        if let kept = try readNote(closingPath) { return kept }
        guard DurableFile.replace(closingPath, with: Array(note.utf8)) else { throw .storage("cannot keep the closing note of \(path)") }
        return note
    }

}

/// Small files replaced whole and durably: a reader sees the old bytes or the new ones, never
/// a mix, and the new ones survive a crash once ``replace(_:with:)`` returned true.
enum DurableFile {
    /// Writes `bytes` under a temporary name, flushes it, renames it over `path`, flushes the directory.
    static func replace(_ path: String, with bytes: [UInt8]) -> Bool {
        let temporary = path + ".partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return false }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                close(fd)
                unlink(temporary)
                return false
            }
            done += n
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0, syncDirectory(of: path) else {
            unlink(temporary)
            return false
        }
        return true
    }

    static func syncDirectory(of path: String) -> Bool {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return fsync(fd) == 0 || errno == EINVAL
    }
}

/// A store in memory (tests, and portals that keep their own durability).
public final class MemoryLogStore: LogStore, @unchecked Sendable {
    // `records`, `head`, `headSize` and `closing` are guarded by `lock`.
    private let lock = NSLock()
    private var records: [LogRecord] = []
    private var head: String?
    private var closing: String?
    private var headSize: UInt64?
    private let writer = AsyncGate()
    public init() {}
    public func load() throws(LogError) -> [LogRecord] {
        lock.lock()
        defer { lock.unlock() }
        return records
    }
    public func append(_ record: LogRecord) throws(LogError) { append(contentsOf: [record]) }
    private func append(contentsOf more: [LogRecord]) {
        lock.lock()
        defer { lock.unlock() }
        records += more
    }
    public func loadHead() throws(LogError) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return head
    }
    public func storeHead(_ note: String) throws(LogError) {
        lock.lock()
        defer { lock.unlock() }
        head = note
    }
    public func beginAppend(after known: Int) async throws(LogError) -> any LogAppend {
        try await StoreAppend.begin(
            gate: writer, appended: { () throws(LogError) in try records(afterSync: known) }, write: { more in self.append(contentsOf: more) })
    }
    public func records(after known: Int) async throws(LogError) -> [LogRecord] { try records(afterSync: known) }
    private func records(afterSync known: Int) throws(LogError) -> [LogRecord] {
        lock.lock()
        defer { lock.unlock() }
        guard records.count >= known else { throw .corruptStore("the store has \(records.count) records, the log knew \(known)") }
        return Array(records[known...])
    }
    public func raiseHead(_ note: String, size: UInt64) async throws(LogError) { raiseHeadNow(note, size: size) }
    private func raiseHeadNow(_ note: String, size: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        if let headSize, headSize > size { return }
        head = note
        headSize = size
    }
    public func closingNote() async throws(LogError) -> String? { lock.withLock { closing } }
    public func keepClosingNote(_ note: String) async throws(LogError) -> String {
        lock.withLock {
            let kept = closing ?? note
            closing = kept
            return kept
        }
    }
}

/// The append of a store whose writers are the logs of one process: the head is its ``AsyncGate``.
final class StoreAppend: LogAppend, @unchecked Sendable {
    let appended: [LogRecord]
    private let write: @Sendable ([LogRecord]) throws(LogError) -> Void
    private let release: AsyncGate
    // Guarded by `lock`: commit or abandon, once.
    private let lock = NSLock()
    private var finished = false

    /// Waits for `gate`, then reads what was appended; the gate is released by commit or abandon
    /// (or now, when reading fails).
    static func begin(
        gate: AsyncGate, appended: () throws(LogError) -> [LogRecord], write: @escaping @Sendable ([LogRecord]) throws(LogError) -> Void
    ) async throws(LogError) -> StoreAppend {
        await gate.enter()
        do {
            return StoreAppend(appended: try appended(), write: write, release: gate)
        } catch {
            gate.leave()
            throw error
        }
    }

    init(appended: [LogRecord], write: @escaping @Sendable ([LogRecord]) throws(LogError) -> Void, release: AsyncGate) {
        self.appended = appended
        self.write = write
        self.release = release
    }

    private func finish() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if finished { return false }
        finished = true
        return true
    }

    func commit(_ records: [LogRecord]) async throws(LogError) {
        guard finish() else { throw .storage("this append was already committed or abandoned") }
        defer { release.leave() }
        try write(records)
    }

    func abandon() async {
        if finish() { release.leave() }
    }
}
