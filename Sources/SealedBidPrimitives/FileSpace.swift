internal import SealedBidShims
import Foundation

/// Reserving disk space for an output file before writing it.
package enum FileSpace {
    /// Allocates `length` bytes of `descriptor`'s file (`fallocate(2)` on Linux). Returns 0, or
    /// the `errno` (`EOPNOTSUPP` where the file system or the platform has no such call).
    /// Not `posix_fallocate`: glibc emulates that by writing every block where the file
    /// system lacks the call, which would double the I/O.
    package static func reserve(descriptor: Int32, length: UInt64) -> Int32 {
        guard length > 0, length <= UInt64(Int64.max) else { return 0 }
        return sb_reserve_file_space(descriptor, Int64(length))
    }
}
