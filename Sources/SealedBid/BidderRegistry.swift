import Foundation
import SealedBidEnvelope
import SealedBidPrimitives

/// The bidders' registered signing identities (`docs/spec/report-v1.md`,
/// "Bidder registry"), fixed in the tender descriptor before bidding opens.
/// The portal accepts, and members open, only bids and withdrawals signed by
/// one of a bidder's identities.
///
/// ```
/// # sealbid bidder registry v1
/// ACME ed25519 3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c
/// PT-MAJU x509-subject CN=PT Maju Jaya,serialNumber=NPWP 01.234.567.8,C=ID
/// ```
public struct BidderRegistry: Sendable, Equatable {
    /// One registered identity.
    public struct Identity: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            case ed25519(Ed25519PublicKey)
            /// A leaf certificate subject in its canonical text (envelope-v1, "Certificate subjects").
            case x509Subject(String)
        }
        public let bidder: BidderID
        public let kind: Kind

        public init(bidder: BidderID, kind: Kind) {
            self.bidder = bidder
            self.kind = kind
        }

        /// `<bidder> ed25519 <lower-case hex>` or `<bidder> x509-subject <subject>`.
        public var line: String {
            switch kind {
            case .ed25519(let key): "\(bidder) ed25519 \(key.rawRepresentation.hexString)"
            case .x509Subject(let subject): "\(bidder) x509-subject \(subject)"
            }
        }
    }

    /// In the order given.
    public let identities: [Identity]

    public init(_ identities: [Identity] = []) throws(RegistryError) {
        try self.init(identities, lineNumbers: nil)
    }

    /// - Parameter lineNumbers: the line of each identity in the text it was read from, for the
    ///   error (without them, the identity's position, from 1).
    init(_ identities: [Identity], lineNumbers: [Int]?) throws(RegistryError) {
        var seen: Set<Identity> = []
        var owners: [Identity.Kind: BidderID] = [:]
        for (number, identity) in identities.enumerated() {
            let line = lineNumbers?[number] ?? number + 1
            guard seen.insert(identity).inserted else { throw .malformedLine(line, "the same identity twice") }
            // One identity, one bidder: a key or subject registered for two bidders would let
            // either sign in the other's name.
            if let owner = owners[identity.kind], owner != identity.bidder {
                throw .malformedLine(line, "this identity is already registered for \(owner)")
            }
            owners[identity.kind] = identity.bidder
            if case .x509Subject(let subject) = identity.kind, !Self.validSubject(subject) {
                throw .malformedLine(line, "a subject is 1 to 1024 bytes of UTF-8 without control characters")
            }
        }
        self.identities = identities
    }

    /// Parses the text form: blank lines and `#` comments are skipped, a CR before LF is dropped.
    /// - Throws: ``RegistryError`` naming the first bad line.
    public init(text: String) throws(RegistryError) {
        var identities: [Identity] = []
        var numbers: [Int] = []
        // Lines are split on bytes: Swift's Character view would take CR LF as one character.
        let lines = Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (number, bytes) in lines.enumerated() {
            let line = String(decoding: bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes, as: UTF8.self)
            if line.isEmpty || line.hasPrefix("#") { continue }
            identities.append(try Self.identity(line: line, number: number + 1))
            numbers.append(number + 1)
        }
        // An identity twice, or one for two bidders, names the line where it comes again.
        try self.init(identities, lineNumbers: numbers)
    }

    /// One line `<bidder> ed25519 <hex>` or `<bidder> x509-subject <subject>`.
    static func identity(line: String, number: Int) throws(RegistryError) -> Identity {
        let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, !fields[2].isEmpty else {
            throw .malformedLine(number, "expected: <bidder> ed25519 <hex key> | <bidder> x509-subject <subject>")
        }
        guard let bidder = try? BidderID(String(fields[0])) else { throw .malformedLine(number, "not a valid bidder id") }
        switch fields[1] {
        case "ed25519":
            guard fields[2].utf8.count == 64, let bytes = try? Hex.decode(fields[2]),
                let key = try? Ed25519PublicKey(rawRepresentation: bytes), key.isValidPoint
            else {
                throw .malformedLine(number, "not a 32-byte Ed25519 public key in hex (a canonical point of the prime-order subgroup)")
            }
            return Identity(bidder: bidder, kind: .ed25519(key))
        case "x509-subject":
            guard validSubject(String(fields[2])) else {
                throw .malformedLine(number, "a subject is 1 to 1024 bytes of UTF-8 without control characters")
            }
            return Identity(bidder: bidder, kind: .x509Subject(String(fields[2])))
        default:
            throw .malformedLine(number, "unknown identity kind '\(fields[1].prefix(32))'")
        }
    }

    static func validSubject(_ subject: String) -> Bool {
        let bytes = Array(subject.utf8)
        return !bytes.isEmpty && bytes.count <= 1024 && !bytes.contains { $0 < 0x20 || $0 == 0x7F }
    }

    /// The bidders that have at least one identity.
    public var bidders: Set<BidderID> { Set(identities.map(\.bidder)) }

    /// The policy for `bidder`: only its registered identities, with certificate chains to
    /// `x509Roots` checked at `time`; nobody if it has none.
    public func policy(for bidder: BidderID, x509Roots: [X509Certificate], at time: Date) -> SignerPolicy {
        var keys: Set<Ed25519PublicKey> = []
        var subjects: Set<String> = []
        for identity in identities where identity.bidder == bidder {
            switch identity.kind {
            case .ed25519(let key): keys.insert(key)
            case .x509Subject(let subject): subjects.insert(subject)
            }
        }
        return .registered(ed25519Keys: keys, x509Roots: subjects.isEmpty ? [] : x509Roots, x509Subjects: subjects, at: time)
    }
}

/// A bidder registry that does not parse.
public enum RegistryError: SealedBidError, Equatable {
    case malformedLine(Int, String)

    public var code: String { "malformed-registry" }

    public var description: String {
        switch self {
        case .malformedLine(let line, let why): "\(code): line \(line): \(why)"
        }
    }
}
