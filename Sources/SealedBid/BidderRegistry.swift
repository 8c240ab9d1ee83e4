import Foundation
import SealedBidEnvelope
import SealedBidPrimitives

/// The bidders' registered signing identities, as the tender publishes them
/// (`docs/spec/report-v1.md`, "Bidder registry"). Members check every bid's
/// signer against it, so they do not take a bidder's identity from the portal.
///
/// ```
/// # sealbid bidder registry v1
/// ACME ed25519 3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c
/// PT-MAJU x509-subject CN=PT Maju Jaya,serialNumber=NPWP 01.234.567.8,C=ID
/// ```
public struct BidderRegistry: Sendable {
    public private(set) var ed25519Keys: [String: Set<Ed25519PublicKey>] = [:]
    public private(set) var x509Subjects: [String: Set<String>] = [:]

    public init() {}

    /// Parses the text form.
    /// - Throws: ``RegistryError`` naming the first bad line.
    public init(text: String) throws(RegistryError) {
        // Lines are split on bytes: Swift's Character view would take CR LF as one character.
        let lines = Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (number, bytes) in lines.enumerated() {
            let line = String(decoding: bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes, as: UTF8.self)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, !fields[2].isEmpty else {
                throw .malformedLine(number + 1, "expected: <bidder> ed25519 <hex key> | <bidder> x509-subject <subject>")
            }
            guard let bidder = try? BidderID(String(fields[0])) else { throw .malformedLine(number + 1, "not a valid bidder id") }
            switch fields[1] {
            case "ed25519":
                guard let bytes = try? Hex.decode(fields[2]), let key = try? Ed25519PublicKey(rawRepresentation: bytes) else {
                    throw .malformedLine(number + 1, "not a 32-byte Ed25519 public key in hex")
                }
                ed25519Keys[bidder.value, default: []].insert(key)
            case "x509-subject":
                x509Subjects[bidder.value, default: []].insert(String(fields[2]))
            default:
                throw .malformedLine(number + 1, "unknown identity kind '\(fields[1])'")
            }
        }
    }

    /// The policy for `bidder`: only its registered identities; nobody if it has none.
    public func policy(for bidder: String, x509Roots: [X509Certificate]) -> SignerPolicy {
        .registered(
            ed25519Keys: ed25519Keys[bidder] ?? [], x509Roots: x509Roots, x509Subjects: x509Subjects[bidder] ?? [])
    }
}

/// A bidder registry that does not parse.
public enum RegistryError: Error, Equatable, CustomStringConvertible {
    case malformedLine(Int, String)

    public var code: String { "malformed-registry" }

    public var description: String {
        switch self {
        case .malformedLine(let line, let why): "\(code): line \(line): \(why)"
        }
    }
}
