import Foundation

/// A whole file's bytes, read with `open`/`read`. Tests read stores that may be empty this way:
/// FoundationEssentials' `Data(contentsOf:)` leaks its 4 KiB read buffer on an empty file
/// (swift-corelibs-foundation 6.3.1), which the ASan pass reports.
public func readFileBytes(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0, errno == EINTR { continue }
        guard n >= 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
        if n == 0 { return bytes }
        bytes += chunk[..<n]
    }
}
