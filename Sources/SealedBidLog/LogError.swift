import SealedBidPrimitives

/// Errors of signed notes, checkpoints, receipts and the log.
public enum LogError: SealedBidError, Equatable, Sendable {
    case malformedNote(String)
    case malformedKey(String)
    case noVerifiedSignature
    case badSignature(keyName: String)
    case malformedCheckpoint(String)
    case wrongOrigin(expected: String, found: String)
    case proof(String)
    case malformedEntry(String)
    case malformedReceipt(String)
    case closed(String)
    case notOpen(String)
    case commitmentMismatch
    case noCommitment
    case storage(String)
    case corruptStore(String)
    case timestamp(String)
    case timestampUnavailable(String)
    case duplicateBid(String)
    /// A checkpoint of a closed log other than its closing: the portal appended after closing.
    case closedLogChanged(String)
    /// Fewer witnesses than the tender's quorum cosigned a checkpoint it relies on.
    case witnessQuorum(String)

    public var code: String {
        switch self {
        case .malformedNote: "malformed-note"
        case .malformedKey: "malformed-key"
        case .noVerifiedSignature: "no-verified-signature"
        case .badSignature: "bad-signature"
        case .malformedCheckpoint: "malformed-checkpoint"
        case .wrongOrigin: "wrong-origin"
        case .proof: "bad-proof"
        case .malformedEntry: "malformed-entry"
        case .malformedReceipt: "malformed-receipt"
        case .closed: "log-closed"
        case .notOpen: "not-open"
        case .commitmentMismatch: "commitment-mismatch"
        case .noCommitment: "no-commitment"
        case .storage: "storage-error"
        case .corruptStore: "corrupt-store"
        case .timestamp: "timestamp-invalid"
        case .timestampUnavailable: "timestamp-unavailable"
        case .duplicateBid: "duplicate-bid"
        case .closedLogChanged: "closed-log-changed"
        case .witnessQuorum: "quorum-not-met"
        }
    }

    public var description: String {
        switch self {
        case .malformedNote(let s), .malformedKey(let s), .malformedCheckpoint(let s), .proof(let s), .malformedEntry(let s),
            .malformedReceipt(let s), .closed(let s), .notOpen(let s), .storage(let s), .corruptStore(let s), .timestamp(let s),
            .timestampUnavailable(let s), .duplicateBid(let s), .closedLogChanged(let s), .witnessQuorum(let s):
            "\(code): \(s)"
        case .badSignature(let name): "\(code): the signature by \(name) does not verify"
        case .wrongOrigin(let expected, let found): "\(code): checkpoint of '\(found)', expected '\(expected)'"
        case .noVerifiedSignature: "\(code): no signature on the note verifies with the expected key"
        case .commitmentMismatch: "\(code): this is not the bid the bidder committed to (another digest or length)"
        case .noCommitment: "\(code): the bidder's current entry is not a commitment (nothing to upload, or already uploaded)"
        }
    }
}
