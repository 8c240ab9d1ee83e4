import Foundation

extension SecureBytes {
    /// Why a file could not be read into guarded memory. Never carries file content.
    public struct FileError: SealedBidError, Equatable, Sendable {
        public let path: String
        public let reason: String
        public var code: String { "io-error" }
        public var description: String { "\(code): cannot read \(path): \(reason)" }
    }

    /// The whole file at `path`, read with `read(2)` straight into guarded memory: no `Data`,
    /// `String` or array ever holds the bytes (`docs/spec/primitives-v1.md`, "Secret handling").
    /// For key files and PEM private keys.
    /// - Throws: ``FileError`` when the file cannot be opened or read, is larger than
    ///   `maximumCount` bytes, or changes size while being read.
    public convenience init(contentsOfFile path: String, maximumCount: Int = 1 << 20) throws(FileError) {
        // O_NONBLOCK: opening a FIFO with no writer must not hang (it is refused below).
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileError(path: path, reason: "not a regular file") }
        guard info.st_size <= maximumCount else {
            throw FileError(path: path, reason: "larger than \(maximumCount) bytes")
        }
        let size = Int(info.st_size)
        try self.init(count: size) { (buffer: UnsafeMutableRawBufferPointer) throws(FileError) in
            var done = 0
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else {
                    throw FileError(path: path, reason: n < 0 ? String(cString: strerror(errno)) : "the file shrank while being read")
                }
                done += n
            }
            // One more byte means the file grew: refuse rather than read a torn key.
            var extra: UInt8 = 0
            var n: Int
            repeat { n = read(fd, &extra, 1) } while n < 0 && errno == EINTR
            extra = 0
            guard n == 0 else { throw FileError(path: path, reason: "the file grew while being read") }
        }
    }
}
