import Foundation
import SealedBidPrimitives

/// Bytes that can be read at any offset, from any thread.
public protocol RandomAccessSource: Sendable {
    var length: UInt64 { get }
    /// Fills `buffer` with the bytes at `offset`.
    /// - Throws: ``EnvelopeError/truncated(_:)`` past the end, ``EnvelopeError/io(_:)`` on a read error.
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(EnvelopeError)
}

extension RandomAccessSource {
    /// `count` bytes at `offset`.
    public func read(at offset: UInt64, count: Int) throws(EnvelopeError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let result: Result<Void, EnvelopeError> = out.withUnsafeMutableBytes { buffer in
            do throws(EnvelopeError) { try read(at: offset, into: buffer) } catch { return .failure(error) }
            return .success(())
        }
        try result.get()
        return out
    }
}

/// An in-memory source.
public struct MemorySource: RandomAccessSource {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var length: UInt64 { UInt64(bytes.count) }

    public func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(EnvelopeError) {
        guard offset <= length, UInt64(buffer.count) <= length - offset else { throw .truncated("read past the end") }
        guard buffer.count > 0 else { return }
        bytes.withUnsafeBytes { all in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[Int(offset)..<(Int(offset) + buffer.count)]))
        }
    }
}

/// A file read with `pread`, safe to share between worker threads.
public final class FileSource: RandomAccessSource, @unchecked Sendable {
    // The descriptor is only used with pread, which has no shared offset.
    private let descriptor: Int32
    public let length: UInt64
    public let path: String

    /// Opens a regular file. Anything else (a FIFO, a device such as /dev/zero, a directory) is
    /// refused up front: opening it could block forever or read without end.
    public init(path: String) throws(EnvelopeError) {
        // O_NONBLOCK so that opening a FIFO with no writer does not hang; cleared below.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .io("cannot open \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw .io("cannot stat \(path)")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .io("\(path) is not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        self.descriptor = fd
        self.length = UInt64(info.st_size)
        self.path = path
    }

    deinit { close(descriptor) }

    public func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(EnvelopeError) {
        guard offset <= length, UInt64(buffer.count) <= length - offset else { throw .truncated("read past the end of \(path)") }
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .io("read error in \(path)") }
            done += n
        }
    }
}

/// Where bytes go, at any offset (sealed bids, decrypted plaintext).
public protocol RandomAccessSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(EnvelopeError)
}

/// A sink that keeps nothing: authenticating an envelope without releasing its
/// plaintext, or measuring sealing without the cost of storing the bid.
public final class DiscardSink: RandomAccessSink, @unchecked Sendable {
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(EnvelopeError) {}
}

/// An in-memory sink. It grows by doubling and wipes each buffer it outgrows (plaintext
/// passes through it); the final buffer belongs to whoever reads ``bytes``.
public final class MemorySink: RandomAccessSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}

    public func write(_ data: UnsafeRawBufferPointer, at offset: UInt64) throws(EnvelopeError) {
        let end = Int(offset) + data.count
        if bytes.capacity < end {
            var grown = [UInt8]()
            grown.reserveCapacity(Swift.max(end, 2 * bytes.capacity))
            grown += bytes
            ConstantTime.wipe(&bytes)
            bytes = grown
        }
        if bytes.count < end { bytes += repeatElement(0, count: end - bytes.count) }
        bytes.withUnsafeMutableBytes { all in
            UnsafeMutableRawBufferPointer(rebasing: all[Int(offset)..<end]).copyMemory(from: data)
        }
    }
}

/// A file written with `pwrite` under a temporary name and renamed into
/// place only by ``commit()``: a failure leaves nothing under the target
/// name (spec, "Opening": no partial plaintext).
public final class FileSink: RandomAccessSink, @unchecked Sendable {
    // pwrite has no shared offset, so workers may write disjoint ranges concurrently.
    private let descriptor: Int32
    public let path: String
    private let temporaryPath: String
    private var finished = false

    public init(path: String) throws(EnvelopeError) {
        let (directory, name) = FilePath.split(path)
        guard !name.isEmpty, name != ".", name != ".." else { throw .io("\(path) does not name a file") }
        let temporary = directory + "/.\(name).partial-\(UUID().uuidString)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        self.descriptor = fd
        self.path = path
        self.temporaryPath = temporary
        PartialFiles.shared.register(temporary)
    }

    deinit {
        if !finished {
            close(descriptor)
            unlink(temporaryPath)
            PartialFiles.shared.unregister(temporaryPath)
        }
    }

    public func write(_ data: UnsafeRawBufferPointer, at offset: UInt64) throws(EnvelopeError) {
        var done = 0
        while done < data.count {
            let n = pwrite(descriptor, data.baseAddress! + done, data.count - done, off_t(offset) + off_t(done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .io("write error in \(path): \(String(cString: strerror(errno)))") }
            done += n
        }
    }

    /// Reserves `length` bytes up front (`fallocate`, on Linux): a full disk fails
    /// here rather than half-way, and the file system allocates in one go
    /// (on tmpfs this is 40 % faster than page by page). File systems without
    /// the call are left to allocate as the writes come.
    public func reserve(_ length: UInt64) throws(EnvelopeError) {
        let error = FileSpace.reserve(descriptor: descriptor, length: length)
        guard error != 0, error != EOPNOTSUPP, error != ENOSYS, error != EINVAL else { return }
        throw .io("cannot reserve \(length) bytes for \(path): \(String(cString: strerror(error)))")
    }

    /// Flushes to disk and moves the file to its name.
    public func commit() throws(EnvelopeError) {
        guard !finished else { return }
        finished = true
        defer { PartialFiles.shared.unregister(temporaryPath) }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            unlink(temporaryPath)
            throw .io("cannot flush \(path)")
        }
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            throw .io("cannot rename into \(path): \(String(cString: strerror(errno)))")
        }
        // The rename is durable only once the directory is.
        guard FilePath.syncDirectory(of: path) else { throw .io("cannot flush the directory of \(path)") }
    }

    /// Removes the temporary file.
    public func discard() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        unlink(temporaryPath)
        PartialFiles.shared.unregister(temporaryPath)
    }
}

/// `Array.withUnsafeBytes` keeping the typed error.
@inline(__always)
func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(EnvelopeError) -> R) throws(EnvelopeError) -> R {
    let result: Result<R, EnvelopeError> = bytes.withUnsafeBytes { b in
        do throws(EnvelopeError) { return .success(try body(b)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// Path handling without Foundation's `NSString` (whose `deletingLastPathComponent` traps on
/// some one-character paths on Linux).
public enum FilePath {
    /// The directory (`.` when none) and the last component of `path`.
    public static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// `fsync` of the directory holding `path`, so that a rename or creation in it is durable.
    public static func syncDirectory(of path: String) -> Bool {
        let fd = open(split(path).directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return fsync(fd) == 0 || errno == EINVAL  // some file systems cannot sync directories
    }
}

/// A stream (standard output, a pipe): bytes must arrive in order, which a decryption on one
/// worker guarantees; anything else is refused rather than reordered.
public final class SequentialSink: RandomAccessSink, @unchecked Sendable {
    // Used by one worker (workers: 1).
    private let descriptor: Int32
    private var next: UInt64 = 0

    public init(descriptor: Int32) { self.descriptor = descriptor }

    public func write(_ data: UnsafeRawBufferPointer, at offset: UInt64) throws(EnvelopeError) {
        guard offset == next else { throw .invalidInput("a stream takes its bytes in order (use one worker)") }
        var done = 0
        while done < data.count {
            let n = Foundation.write(descriptor, data.baseAddress! + done, data.count - done)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .io("cannot write to the output stream: \(String(cString: strerror(errno)))") }
            done += n
        }
        next += UInt64(data.count)
    }
}

/// The temporary files of sinks not yet committed (they may hold plaintext decrypted so far).
/// An error removes them as it unwinds; ``installSignalCleanup()`` removes them on SIGINT,
/// SIGTERM and SIGHUP too. Nothing can run on SIGKILL: a `.<name>.partial-<UUID>` file may then
/// remain, holding authenticated plaintext up to the kill (primitives-v1, "Secret handling").
public final class PartialFiles: @unchecked Sendable {
    public static let shared = PartialFiles()
    // Guarded by `lock`.
    private let lock = NSLock()
    private var paths: Set<String> = []
    private var sources: [any DispatchSourceSignal] = []

    func register(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        paths.insert(path)
    }

    func unregister(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        paths.remove(path)
    }

    /// Unlinks every registered temporary file.
    public func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        for path in paths { unlink(path) }
        paths.removeAll()
    }

    /// On SIGINT, SIGTERM or SIGHUP: remove the temporary files, then die of the signal.
    public func installSignalCleanup() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [unowned self] in
                self.removeAll()
                signal(number, SIG_DFL)
                raise(number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
