import Foundation

/// Finds copies of a secret anywhere in this process's writable memory: the `[heap]`, every
/// anonymous mapping (other threads' malloc arenas, thread stacks, `sodium_malloc` regions) and
/// the writable data of every library. Freed `malloc` chunks keep their contents on glibc (only
/// the first 16 bytes become free-list pointers), so a copy that was freed without being wiped
/// is found as surely as a live one.
///
/// Memory is read through `/proc/self/mem` (an unreadable page is an I/O error, not a crash).
/// The scanner allocates nothing while it scans: the maps text, the needles and the read buffer
/// live in one private `mmap` region that is itself skipped, wiped and unmapped afterwards, so
/// the scan neither reuses a freed chunk it is looking for nor finds its own copy of the needle.
/// Linux only.
public final class MemoryScan {
    /// False under AddressSanitizer or ThreadSanitizer: their shadow memory is terabytes of
    /// writable mappings (reading it through `/proc/self/mem` takes hours), and their allocators
    /// quarantine and poison freed chunks, so "a freed copy stays readable" is not glibc's rule
    /// there. The scans run in the plain pass of `./scripts/test`.
    public static let worksHere: Bool = {
        guard let runtime = dlopen(nil, RTLD_NOW) else { return true }
        defer { dlclose(runtime) }
        return dlsym(runtime, "__asan_init") == nil && dlsym(runtime, "__tsan_init") == nil
    }()

    private let region: UnsafeMutableRawBufferPointer
    private static let needleSpace = 64 * 1024
    private static let mapsSpace = 1 << 20
    private static let bufferSpace = 1 << 20

    public init() {
        let size = Self.needleSpace + Self.mapsSpace + Self.bufferSpace
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), base != MAP_FAILED else {
            fatalError("mmap failed")
        }
        region = UnsafeMutableRawBufferPointer(start: base, count: size)
    }

    deinit {
        memset(region.baseAddress!, 0, region.count)
        munmap(region.baseAddress!, region.count)
    }

    private var used = 0

    /// Room for a needle inside the scanner's own region: fill it in place (for example with
    /// `Hex.encode`), so that no other copy of the needle exists.
    public func needle(count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> UnsafeRawBufferPointer {
        precondition(used + count <= Self.needleSpace)
        let slice = UnsafeMutableRawBufferPointer(rebasing: region[used..<(used + count)])
        used += count
        fill(slice)
        return UnsafeRawBufferPointer(slice)
    }

    /// The addresses at which `needle` occurs in writable memory, outside the scanner's region
    /// and outside `excluding` (for example the guarded memory that legitimately holds the secret).
    public func occurrences(of needle: UnsafeRawBufferPointer, excluding: [UnsafeRawBufferPointer] = []) -> [UInt] {
        precondition(needle.count >= 8, "a needle shorter than 8 bytes finds noise")
        let own = UInt(bitPattern: region.baseAddress!)..<(UInt(bitPattern: region.baseAddress!) + UInt(region.count))
        let skipped = excluding.map { UInt(bitPattern: $0.baseAddress!)..<(UInt(bitPattern: $0.baseAddress!) + UInt($0.count)) }
        var hits: [UInt] = []
        hits.reserveCapacity(64)
        let mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC)
        precondition(mem >= 0, "cannot open /proc/self/mem")
        defer { close(mem) }
        for mapping in writableMappings() where !mapping.overlaps(own) {
            scan(mapping, mem: mem, needle: needle) { address in
                if !skipped.contains(where: { $0.contains(address) }), hits.count < hits.capacity { hits.append(address) }
            }
        }
        return hits
    }

    /// `rw-p`/`rw-s` lines of `/proc/self/maps`, parsed in place (no String, no allocation).
    private func writableMappings() -> [Range<UInt>] {
        let text = UnsafeMutableRawBufferPointer(rebasing: region[Self.needleSpace..<(Self.needleSpace + Self.mapsSpace)])
        let fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC)
        precondition(fd >= 0, "cannot open /proc/self/maps")
        var length = 0
        while length < text.count {
            let n = read(fd, text.baseAddress! + length, text.count - length)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            length += n
        }
        close(fd)
        var mappings: [Range<UInt>] = []
        mappings.reserveCapacity(4096)
        var i = 0
        while i < length {
            var start: UInt = 0, end: UInt = 0
            while i < length, let digit = Self.hexValue(text[i]) { start = start << 4 | digit; i += 1 }
            i += 1  // '-'
            while i < length, let digit = Self.hexValue(text[i]) { end = end << 4 | digit; i += 1 }
            i += 1  // ' '
            let writable = i + 1 < length && text[i] == UInt8(ascii: "r") && text[i + 1] == UInt8(ascii: "w")
            while i < length, text[i] != UInt8(ascii: "\n") { i += 1 }
            i += 1
            if writable, end > start, mappings.count < mappings.capacity { mappings.append(start..<end) }
        }
        return mappings
    }

    private static func hexValue(_ c: UInt8) -> UInt? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt(c - UInt8(ascii: "a") + 10)
        default: nil
        }
    }

    private func scan(_ mapping: Range<UInt>, mem: Int32, needle: UnsafeRawBufferPointer, found: (UInt) -> Void) {
        let buffer = UnsafeMutableRawBufferPointer(rebasing: region[(Self.needleSpace + Self.mapsSpace)...])
        let overlap = needle.count - 1
        var address = mapping.lowerBound
        while address < mapping.upperBound {
            let want = Int(min(UInt(buffer.count), mapping.upperBound - address))
            let got = pread(mem, buffer.baseAddress!, want, off_t(Int64(bitPattern: UInt64(address))))
            guard got > 0 else {
                address += 4096  // an unreadable page (guard page, vvar): skip it
                continue
            }
            // memchr for an anchor byte that is not 0x00 or 0xFF (those fill whole pages), then compare.
            let anchor = needle.firstIndex { $0 != 0 && $0 != 0xFF } ?? 0
            var offset = 0
            while offset + needle.count <= got {
                let from = buffer.baseAddress! + offset + anchor
                guard let hit = memchr(from, Int32(needle[anchor]), got - needle.count + 1 - offset) else { break }
                offset = (hit - buffer.baseAddress!) - anchor
                if memcmp(buffer.baseAddress! + offset, needle.baseAddress!, needle.count) == 0 { found(address + UInt(offset)) }
                offset += 1
            }
            // Step back by the overlap so a needle across two reads is not missed.
            address += UInt(got > overlap ? got - overlap : got)
        }
        memset(buffer.baseAddress!, 0, buffer.count)
    }
}
