import Foundation

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal. Never call this on secret bytes.
    public var hexString: String {
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(Hex.digit(UInt32(byte >> 4)))
            out.append(Hex.digit(UInt32(byte & 0x0F)))
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Strict hexadecimal decoding: an even number of `0-9a-fA-F` characters.
///
/// One decoder serves public and secret text: ``decode(_:into:)`` is constant time in the
/// characters (`docs/spec/keyfiles-v1.md`, "Reading"): each nibble is computed with arithmetic
/// and masks, never a table indexed by a character, never a branch on one, and a bad character
/// is only remembered, not acted on, until the end.
public enum Hex {
    public struct DecodingError: SealedBidError, Equatable, Sendable {
        public let offset: Int
        public var code: String { "invalid-hex" }
        public var description: String { "\(code): invalid hexadecimal at offset \(offset)" }
    }

    public static func decode(_ text: some StringProtocol) throws(DecodingError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { throw DecodingError(offset: utf8.count) }
        var out = [UInt8](repeating: 0, count: utf8.count / 2)
        let valid = utf8.withUnsafeBytes { hex in out.withUnsafeMutableBytes { decode(hex, into: $0) } }
        guard valid else {
            // Public text: find the offending offset for the message (variable time, after the fact).
            throw DecodingError(offset: utf8.firstIndex { !isHexDigit($0) } ?? 0)
        }
        return out
    }

    /// Decodes `hex` (2 × `out.count` characters, either case) into `out` in constant time.
    /// Returns `false`, with `out` zeroed, when any character is not hexadecimal.
    public static func decode(_ hex: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Bool {
        precondition(hex.count == 2 * out.count, "hexadecimal input must be twice the output length")
        var invalid: UInt32 = 0
        for i in 0..<out.count {
            let (high, highValid) = nibble(hex[2 * i])
            let (low, lowValid) = nibble(hex[2 * i + 1])
            invalid |= ~highValid | ~lowValid
            out[i] = UInt8(truncatingIfNeeded: high << 4 | low)
        }
        guard invalid == 0 else {
            ConstantTime.wipe(out)
            return false
        }
        return true
    }

    /// Writes lowercase hexadecimal of `bytes` into `out` (2 × `bytes.count`), in constant time.
    public static func encode(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count == 2 * bytes.count, "hexadecimal output must be twice the input length")
        for i in 0..<bytes.count {
            out[2 * i] = digit(UInt32(bytes[i] >> 4))
            out[2 * i + 1] = digit(UInt32(bytes[i] & 0x0F))
        }
    }

    /// The value of one hexadecimal character and an all-ones mask when it is one (all zeros
    /// otherwise). `c ^ 0x30` maps '0'...'9' to 0...9; `(c | 0x20) - 0x61` maps 'a'...'f' and
    /// 'A'...'F' to 0...5; "x < k" is bit 31 of the wrapped `x - k`.
    @inline(__always)
    static func nibble(_ character: UInt8) -> (value: UInt32, valid: UInt32) {
        let c = UInt32(character)
        let digit = c ^ 0x30
        let digitMask = 0 &- ((digit &- 10) >> 31)
        let letter = (c | 0x20) &- 0x61
        let letterMask = 0 &- (((letter &- 6) & ~letter) >> 31)
        return ((digit & digitMask) | ((letter &+ 10) & letterMask), digitMask | letterMask)
    }

    /// '0'...'9' for 0...9, 'a'...'f' for 10...15: `0x30 + n`, plus 39 when 9 - n wraps.
    @inline(__always)
    static func digit(_ n: UInt32) -> UInt8 {
        UInt8(truncatingIfNeeded: 0x30 &+ n &+ (39 & (0 &- ((9 &- n) >> 31))))
    }

    private static func isHexDigit(_ c: UInt8) -> Bool { nibble(c).valid != 0 }
}
