import Foundation
import SealedBidPrimitives

/// The JSON of signed reports (`docs/spec/report-v1.md`, "Canonical form"):
/// RFC 8785 (JCS) restricted to objects, arrays, strings of printable ASCII
/// and integers from 0 to 2^53 − 1. On that subset JCS is simply: no
/// whitespace, object members sorted by key, strings with `"` and `\` escaped
/// and nothing else, integers in shortest decimal.
///
/// The parser accepts exactly the canonical bytes: any whitespace, a duplicate
/// or unsorted key, another escape, a leading zero, a float, `true`, `false`
/// or `null`, or trailing bytes is refused. So whatever a reader is shown is
/// exactly what was signed, and two parsers cannot read two different reports
/// out of one signed file (a duplicated `"result"` that another JSON parser
/// would resolve differently, say).
public indirect enum CanonicalJSON: Equatable, Sendable {
    case object([String: CanonicalJSON])
    case array([CanonicalJSON])
    case string(String)
    case integer(UInt64)

    public static let maximumInteger: UInt64 = (1 << 53) - 1
    static let maximumDepth = 16

    /// The canonical bytes.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    private func encode(into out: inout [UInt8]) {
        switch self {
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, key) in members.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.encodeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                members[key]!.encode(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.encode(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let s): Self.encodeString(s, into: &out)
        case .integer(let n): out += Array(String(n).utf8)
        }
    }

    private static func encodeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether every string and integer is inside the subset (printable ASCII, at most 2^53 − 1).
    public var isInSubset: Bool {
        switch self {
        case .object(let members): members.allSatisfy { Self.printable($0.key) && $0.value.isInSubset }
        case .array(let items): items.allSatisfy(\.isInSubset)
        case .string(let s): Self.printable(s)
        case .integer(let n): n <= Self.maximumInteger
        }
    }

    static func printable(_ s: String) -> Bool { s.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E } }

    /// Parses canonical bytes, and nothing else.
    /// - Throws: ``CanonicalJSONError`` with the offset of the first byte that is not canonical.
    public init(parsing bytes: [UInt8]) throws(CanonicalJSONError) {
        var parser = Parser(bytes: bytes)
        let value = try parser.value(depth: 0)
        guard parser.position == bytes.count else { throw parser.error("bytes after the value") }
        self = value
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        func error(_ why: String) -> CanonicalJSONError { CanonicalJSONError(offset: position, reason: why) }

        mutating func expect(_ c: Character) throws(CanonicalJSONError) {
            guard position < bytes.count, bytes[position] == c.asciiValue! else { throw error("expected '\(c)'") }
            position += 1
        }

        func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func value(depth: Int) throws(CanonicalJSONError) -> CanonicalJSON {
            guard depth < CanonicalJSON.maximumDepth else { throw error("nested too deeply") }
            switch peek() {
            case UInt8(ascii: "{"):
                position += 1
                var members: [String: CanonicalJSON] = [:]
                var previous: [UInt8]?
                if peek() == UInt8(ascii: "}") {
                    position += 1
                    return .object(members)
                }
                while true {
                    let keyStart = position
                    let key = try string()
                    let keyBytes = Array(key.utf8)
                    if let previous, !previous.lexicographicallyPrecedes(keyBytes) {
                        position = keyStart
                        throw error(previous == keyBytes ? "a duplicate key" : "keys out of order")
                    }
                    previous = keyBytes
                    try expect(":")
                    members[key] = try value(depth: depth + 1)
                    if peek() == UInt8(ascii: ",") {
                        position += 1
                        continue
                    }
                    try expect("}")
                    return .object(members)
                }
            case UInt8(ascii: "["):
                position += 1
                var items: [CanonicalJSON] = []
                if peek() == UInt8(ascii: "]") {
                    position += 1
                    return .array(items)
                }
                while true {
                    items.append(try value(depth: depth + 1))
                    if peek() == UInt8(ascii: ",") {
                        position += 1
                        continue
                    }
                    try expect("]")
                    return .array(items)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case let byte? where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"): return .integer(try integer())
            default: throw error("not a value of the canonical subset")
            }
        }

        mutating func string() throws(CanonicalJSONError) -> String {
            try expect("\"")
            var out: [UInt8] = []
            while true {
                guard let byte = peek() else { throw error("unterminated string") }
                position += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let next = peek(), next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\") else {
                        throw error("an escape other than \\\" or \\\\")
                    }
                    position += 1
                    out.append(next)
                case 0x20...0x7E: out.append(byte)
                default:
                    position -= 1
                    throw error("a byte outside printable ASCII in a string")
                }
            }
        }

        mutating func integer() throws(CanonicalJSONError) -> UInt64 {
            let start = position
            var value: UInt64 = 0
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                guard position - start < 16 else { throw error("an integer too large") }
                value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
                position += 1
            }
            guard !(bytes[start] == UInt8(ascii: "0") && position - start > 1) else {
                position = start
                throw error("a leading zero")
            }
            guard value <= CanonicalJSON.maximumInteger else { throw error("an integer above 2^53 - 1") }
            return value
        }
    }
}

/// Input that is not canonical JSON of the report subset.
public struct CanonicalJSONError: SealedBidError, Equatable, Sendable {
    public let offset: Int
    public let reason: String

    public var code: String { "malformed-report" }
    public var description: String { "\(code): byte \(offset): \(reason)" }
}
