import Foundation
import SealedBidCommittee
import SealedBidPrimitives

/// The record of one stage's opening (`docs/spec/report-v1.md`): what was
/// opened against which closing checkpoint, each bid's result, the members
/// who took part and any culprits, signed by every opening member.
public struct OpeningReport: Codable, Sendable, Equatable {
    public struct Checkpoint: Codable, Sendable, Equatable {
        public let origin: String
        public let size: UInt64
        public let rootHash: String
    }

    public struct Line: Codable, Sendable, Equatable {
        public let bidder: String
        public let logIndex: UInt64
        public let bidDigest: String
        /// `valid`, or why the bid was not opened.
        public let signature: String
        public let envelope: String
        /// `opened`, `failed: <code>` or `not opened: <reason>`.
        public let result: String
        public let plaintextSHA256: String?
        public let plaintextLength: UInt64?
    }

    public struct MemberSignature: Codable, Sendable, Equatable {
        public let member: UInt16
        public let signature: String
    }

    public static let format = "sealbid-opening-report-v1"

    public var format = OpeningReport.format
    public let tender: String
    public let stage: String
    public let closingCheckpoint: Checkpoint
    public let mode: String
    public let participants: [UInt16]
    public let culprits: [UInt16]
    public let lines: [Line]
    public var signatures: [MemberSignature] = []

    /// The canonical bytes members sign: the report without signatures, as
    /// JSON with sorted keys and no insignificant whitespace.
    public func signedMessage() throws -> [UInt8] {
        var unsigned = self
        unsigned.signatures = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array("sealbid/opening-report-v1".utf8) + [0] + SHA256.hash([UInt8](try encoder.encode(unsigned)))
    }

    /// Adds `keys`' member signature.
    public mutating func sign(with keys: MemberKeys) throws {
        let message = try signedMessage()
        signatures.removeAll { $0.member == keys.id.value }
        signatures.append(MemberSignature(member: keys.id.value, signature: keys.signingKey.signature(for: message).rawRepresentation.hexString))
        signatures.sort { $0.member < $1.member }
    }

    /// Checks that every member in `required` (default: the participants) signed
    /// with its roster key. Returns the members whose signatures verified.
    @discardableResult
    public func verify(roster: CommitteeRoster, required: [UInt16]? = nil) throws -> [UInt16] {
        let message = try signedMessage()
        var verified: [UInt16] = []
        for signature in signatures {
            let card = try roster.card(try MemberID(signature.member))
            guard let sig = try? Ed25519Signature(rawRepresentation: Hex.decode(signature.signature)),
                card.signingKey.isValidSignature(sig, for: message)
            else { throw ReportError.badSignature(member: signature.member) }
            verified.append(signature.member)
        }
        for member in required ?? participants where !verified.contains(member) { throw ReportError.missingSignature(member: member) }
        return verified
    }

    public func line(for bidder: String) -> Line? { lines.first { $0.bidder == bidder } }

    public var json: Data {
        get throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return try encoder.encode(self)
        }
    }

    public var markdown: String {
        var out = "# Opening report: \(tender), stage \(stage)\n\n"
        out += "- Closing checkpoint: `\(closingCheckpoint.origin)`, size \(closingCheckpoint.size), root `\(closingCheckpoint.rootHash)`\n"
        out += "- Mode: \(mode); members: \(participants.map(String.init).joined(separator: ", "))"
        out += culprits.isEmpty ? "\n" : "; **rejected shares from: \(culprits.map(String.init).joined(separator: ", "))**\n"
        out += "- Signed by members: \(signatures.map { String($0.member) }.joined(separator: ", "))\n\n"
        out += "| bidder | log index | signature | envelope | result | plaintext SHA-256 | bytes |\n|---|---|---|---|---|---|---|\n"
        for l in lines {
            out += "| \(l.bidder) | \(l.logIndex) | \(l.signature) | \(l.envelope) | \(l.result) | \(l.plaintextSHA256.map { "`\($0.prefix(16))…`" } ?? "") | \(l.plaintextLength.map(String.init) ?? "") |\n"
        }
        return out
    }
}

public enum ReportError: Error, Equatable, CustomStringConvertible {
    case badSignature(member: UInt16)
    case missingSignature(member: UInt16)

    public var description: String {
        switch self {
        case .badSignature(let m): "bad-signature: member \(m)'s signature on the report does not verify"
        case .missingSignature(let m): "missing-signature: member \(m) did not sign the report"
        }
    }
}
