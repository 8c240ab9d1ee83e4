/// The character rules of an identifier (`docs/spec/envelope-v1.md`, "Conventions").
public protocol IdentifierRules {
    static var what: String { get }
    static var maximumLength: Int { get }
    static func allows(_ byte: UInt8) -> Bool
}

/// A validated identifier: a tender id, bidder id, envelope name or stage name.
public struct Identifier<Rules: IdentifierRules>: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let value: String

    /// - Throws: ``EnvelopeError/invalidInput(_:)`` when empty, too long, or using a disallowed character.
    public init(_ value: String) throws(EnvelopeError) {
        let bytes = Array(value.utf8)
        guard Self.isValid(bytes) else {
            throw .invalidInput("\(Rules.what) must be 1 to \(Rules.maximumLength) allowed characters")
        }
        self.value = value
    }

    init?(bytes: [UInt8]) {
        guard Self.isValid(bytes) else { return nil }
        self.value = String(decoding: bytes, as: UTF8.self)
    }

    static func isValid(_ bytes: [UInt8]) -> Bool {
        !bytes.isEmpty && bytes.count <= Rules.maximumLength && bytes.allSatisfy(Rules.allows)
    }

    /// `lp8(value)`.
    var lengthPrefixed: [UInt8] { [UInt8(value.utf8.count)] + Array(value.utf8) }

    public var description: String { value }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

private func isLowerAlnum(_ b: UInt8) -> Bool {
    (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
}

/// `A-Z a-z 0-9 . _ : / @ + -`, 1 to 128 bytes.
public enum PartyIDRules: IdentifierRules {
    public static let what = "a tender or bidder id"
    public static let maximumLength = 128
    public static func allows(_ b: UInt8) -> Bool {
        isLowerAlnum(b) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || Array("._:/@+-".utf8).contains(b)
    }
}

/// `a-z 0-9 _ -`, 1 to 32 bytes.
public enum LabelRules: IdentifierRules {
    public static let what = "an envelope or stage name"
    public static let maximumLength = 32
    public static func allows(_ b: UInt8) -> Bool { isLowerAlnum(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") }
}

public typealias TenderID = Identifier<PartyIDRules>
public typealias BidderID = Identifier<PartyIDRules>
public typealias EnvelopeName = Identifier<LabelRules>
public typealias StageName = Identifier<LabelRules>
