import SealedBidPrimitives

/// A member's identifier: a non-zero 16-bit integer, used as the x
/// coordinate of its share (`docs/spec/committee-v1.md`, "Conventions").
public struct MemberID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public let value: UInt16

    /// - Throws: ``CommitteeError/zeroIdentifier`` for 0.
    public init(_ value: UInt16) throws(CommitteeError) {
        guard value != 0 else { throw .zeroIdentifier }
        self.value = value
    }

    /// For literals in code and tests; 0 traps, as an out-of-range literal would.
    public init(integerLiteral value: UInt16) {
        precondition(value != 0, "member identifiers are non-zero")
        self.value = value
    }

    var scalar: P256Scalar { P256Scalar(UInt64(value)) }
    var bytes: [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    public var description: String { "member \(value)" }
    public static func < (lhs: MemberID, rhs: MemberID) -> Bool { lhs.value < rhs.value }
}

/// Why a committee protocol step failed. Protocol faults name their
/// culprits, so a misbehaving member is identified rather than just causing
/// a failure.
public enum CommitteeError: SealedBidError, Equatable, Sendable {
    case invalidRoster(String)
    case zeroIdentifier
    case duplicateIdentifier(MemberID)
    case unknownMember(MemberID)
    case wrongCommitmentCount(culprits: [MemberID], expected: Int)
    case badProofOfPossession(culprits: [MemberID])
    case badShare(culprits: [MemberID])
    case badDealerShare
    /// A complaint's verdict: the accuser's complaint is false, or not its to make.
    case falseComplaint(accuser: MemberID)
    /// A complaint for another roster, by a non-member, or not signed by its accuser: nobody's.
    case invalidComplaint(String)
    case inconsistentTranscript(culprits: [MemberID])
    case missingParticipants([MemberID])
    case tooFewShares(have: Int, need: Int, culprits: [MemberID])
    case wrongRecipient(MemberID)
    case keyMismatch(String)
    case malformed(String)
    case crypto(CryptoError)

    public var code: String {
        switch self {
        case .invalidRoster: "invalid-roster"
        case .zeroIdentifier: "zero-identifier"
        case .duplicateIdentifier: "duplicate-identifier"
        case .unknownMember: "unknown-member"
        case .wrongCommitmentCount: "wrong-commitment-count"
        case .badProofOfPossession: "bad-proof-of-possession"
        case .badShare: "bad-share"
        case .badDealerShare: "bad-dealer-share"
        case .falseComplaint: "false-complaint"
        case .invalidComplaint: "invalid-complaint"
        case .inconsistentTranscript: "inconsistent-transcript"
        case .missingParticipants: "missing-participant"
        case .tooFewShares: "too-few-shares"
        case .wrongRecipient: "wrong-recipient"
        case .keyMismatch: "key-mismatch"
        case .malformed: "malformed"
        case .crypto(let error): error.code
        }
    }

    /// The members this error blames (empty when nobody is at fault). Exhaustive on purpose:
    /// a new case must say whom it blames.
    public var culprits: [MemberID] {
        switch self {
        case .duplicateIdentifier, .unknownMember:
            // A roster or caller mistake, not a member's misbehaviour.
            []
        case .wrongCommitmentCount(let c, _), .badProofOfPossession(let c), .badShare(let c),
            .inconsistentTranscript(let c), .missingParticipants(let c):
            c
        case .tooFewShares(_, _, let c): c
        case .falseComplaint(let accuser): [accuser]
        case .invalidRoster, .zeroIdentifier, .badDealerShare, .invalidComplaint, .wrongRecipient, .keyMismatch, .malformed, .crypto: []
        }
    }

    public var description: String {
        switch self {
        case .invalidRoster(let why): "\(code): \(why)"
        case .zeroIdentifier: "\(code): member identifiers are non-zero"
        case .duplicateIdentifier(let id): "\(code): \(id) appears twice"
        case .unknownMember(let id): "\(code): \(id) is not in the roster"
        case .wrongCommitmentCount(let c, let expected):
            "\(code): \(list(c)) sent a number of commitments other than the threshold, \(expected)"
        case .badProofOfPossession(let c): "\(code): \(list(c))"
        case .badShare(let c): "\(code): \(list(c)) sent shares that do not match their commitments"
        case .badDealerShare: "\(code): the dealer's share does not match the commitments"
        case .falseComplaint(let accuser): "\(code): \(accuser) accused a sender whose share is good, or that did not send it"
        case .invalidComplaint(let why): "\(code): \(why)"
        case .inconsistentTranscript(let c): "\(code): \(list(c)) saw a different transcript"
        case .missingParticipants(let c): "\(code): nothing valid from \(list(c))"
        case .tooFewShares(let have, let need, let c):
            "\(code): \(have) valid of \(need) needed" + (c.isEmpty ? "" : "; rejected \(list(c))")
        case .wrongRecipient(let id): "\(code): this message is for \(id)"
        case .keyMismatch(let why): "\(code): \(why)"
        case .malformed(let why): "\(code): \(why)"
        case .crypto(let error): error.description
        }
    }

    private func list(_ ids: [MemberID]) -> String { ids.map(\.description).joined(separator: ", ") }
}

@inline(__always)
func lift<R>(_ body: () throws(CryptoError) -> R) throws(CommitteeError) -> R {
    do { return try body() } catch { throw .crypto(error) }
}
