import SealedBidPrimitives

/// C2SP tlog-tiles paths and bodies (https://c2sp.org/tlog-tiles): tiles of height 8 (256 hashes).
public enum Tiles {
    public static let width: UInt64 = 256

    /// A parsed `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]` (without the leading `tile/`).
    public struct Address: Equatable, Sendable {
        /// nil for an entry bundle.
        public let level: Int?
        public let index: UInt64
        /// 1...256; 256 for a full tile.
        public let width: UInt64
    }

    /// `N` as path elements: three digits each, all but the last prefixed `x` (1234067 → x001/x234/067).
    public static func encode(index: UInt64) -> String {
        var groups: [String] = []
        var n = index
        repeat {
            let group = String(n % 1000)
            groups.insert(String(repeating: "0", count: 3 - group.count) + group, at: 0)
            n /= 1000
        } while n > 0
        return groups.enumerated().map { $0.offset < groups.count - 1 ? "x" + $0.element : $0.element }.joined(separator: "/")
    }

    /// Parses the path elements after `tile/`; nil for anything not in the canonical form.
    public static func parse(_ elements: [Substring]) -> Address? {
        guard let first = elements.first else { return nil }
        let level: Int?
        if first == "entries" {
            level = nil
        } else {
            guard first.count <= 2, first.allSatisfy(\.isASCIIDigit), let l = Int(first), l < 64, String(l) == first else { return nil }
            level = l
        }
        var rest = Array(elements.dropFirst())
        var width = Self.width
        if rest.count >= 2, let last = rest.last, rest[rest.count - 2].hasSuffix(".p") {
            guard (1...3).contains(last.count), last.allSatisfy(\.isASCIIDigit), let w = UInt64(last), w >= 1, w < Self.width,
                String(w) == last
            else { return nil }
            width = w
            rest.removeLast()
            rest[rest.count - 1] = rest[rest.count - 1].dropLast(2)
        }
        guard !rest.isEmpty, rest.count <= 7 else { return nil }
        var index: UInt64 = 0
        for (position, element) in rest.enumerated() {
            var digits = element
            if position < rest.count - 1 {
                guard digits.first == "x" else { return nil }
                digits = digits.dropFirst()
            }
            guard digits.count == 3, digits.allSatisfy(\.isASCIIDigit), let value = UInt64(digits) else { return nil }
            let (scaled, overflow) = index.multipliedReportingOverflow(by: 1000)
            let (sum, carry) = scaled.addingReportingOverflow(value)
            guard !overflow, !carry else { return nil }
            index = sum
        }
        // A tile's first leaf, index * 256, and its end must be indices of a tree (no overflow).
        guard encode(index: index) == rest.joined(separator: "/"), index <= (UInt64.max - Self.width) / Self.width else { return nil }
        return Address(level: level, index: index, width: width)
    }

    /// An entry bundle: each entry as a big-endian uint16 length and its bytes.
    /// - Throws: ``TileError/entryTooLarge(index:length:)`` for an entry of 64 KiB or more, which
    ///   the bundle format cannot carry (receipts-v1 entries are far shorter; a store holding one is
    ///   corrupt or not this log's).
    public static func bundle(_ entries: [[UInt8]], firstIndex: UInt64 = 0) throws(TileError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entries.reduce(0) { $0 + 2 + $1.count })
        for (offset, entry) in entries.enumerated() {
            guard entry.count <= 0xFFFF else { throw .entryTooLarge(index: firstIndex + UInt64(offset), length: entry.count) }
            out += [UInt8(entry.count >> 8), UInt8(entry.count & 0xFF)]
            out += entry
        }
        return out
    }
}

/// Why a tile cannot be served.
public enum TileError: SealedBidError, Equatable, Sendable {
    case entryTooLarge(index: UInt64, length: Int)

    public var code: String { "entry-too-large" }

    public var description: String {
        switch self {
        case .entryTooLarge(let index, let length):
            "\(code): entry \(index) is \(length) bytes; an entry bundle carries entries shorter than 64 KiB"
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
