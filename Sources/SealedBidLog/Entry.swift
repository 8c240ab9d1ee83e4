import Foundation
import SealedBidMerkle
import SealedBidPrimitives

/// One log entry (`docs/spec/receipts-v1.md`, "Entries").
public struct LogEntry: Sendable, Equatable {
    public enum Kind: UInt8, Sendable, CaseIterable {
        /// A bid uploaded before the deadline.
        case submit = 1
        /// A newer bid from the same bidder; the latest one counts.
        case replace = 2
        /// The bidder withdraws its live bid with a signed statement (envelope-v1, "Withdrawal
        /// statements"); `bid_digest` and `bid_length` are the statement's.
        case withdraw = 3
        /// Only the bid digest, logged before the deadline; the ciphertext may follow
        /// within the grace window and must match.
        case commit = 4
        /// The ciphertext of the bidder's live commitment, received before the end of the
        /// grace window; `bid_digest` repeats the commitment's. Only an upload makes a committed
        /// bid count, so whether it counts is decided in the log, before the closing.
        case upload = 5
    }

    public static let version: UInt16 = 1

    public let kind: Kind
    public let tender: String
    public let bidder: String
    /// Milliseconds since the Unix epoch, as the portal received it.
    public let receivedAt: UInt64
    /// envelope-v1 `bid_digest`, or for a withdrawal the statement's `withdrawal_digest`.
    public let bidDigest: [UInt8]
    /// The bid file's length in bytes, or the withdrawal statement's.
    public let bidLength: UInt64

    /// The latest `received_at` a reader accepts: the start of the year 10000 (receipts-v1).
    public static let maximumTime: UInt64 = 253_402_300_800_000

    public init(kind: Kind, tender: String, bidder: String, receivedAt: UInt64, bidDigest: [UInt8], bidLength: UInt64) throws(LogError) {
        guard Self.validID(tender), Self.validID(bidder) else { throw .malformedEntry("tender and bidder ids: 1 to 128 of A-Z a-z 0-9 . _ : / @ + -") }
        guard bidDigest.count == 32 else { throw .malformedEntry("bid digest must be 32 bytes") }
        guard bidLength >= 1 else { throw .malformedEntry("an entry names a file of at least one byte") }
        guard receivedAt < Self.maximumTime else { throw .malformedEntry("received_at is after the year 9999") }
        self.kind = kind
        self.tender = tender
        self.bidder = bidder
        self.receivedAt = receivedAt
        self.bidDigest = bidDigest
        self.bidLength = bidLength
    }

    static func validID(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        return !bytes.isEmpty && bytes.count <= 128
            && bytes.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || Array("._:/@+-".utf8).contains(b)
            }
    }

    /// `u16(1) || u8(kind) || lp8(tender) || lp8(bidder) || u64(received_at) || bid_digest || u64(bid_length)`.
    public var encoded: [UInt8] {
        [0, 1, kind.rawValue] + [UInt8(tender.utf8.count)] + Array(tender.utf8) + [UInt8(bidder.utf8.count)] + Array(bidder.utf8)
            + withUnsafeBytes(of: receivedAt.bigEndian) { Array($0) } + bidDigest
            + withUnsafeBytes(of: bidLength.bigEndian) { Array($0) }
    }

    public init(encoded bytes: [UInt8]) throws(LogError) {
        var position = 0
        func take(_ n: Int) throws(LogError) -> [UInt8] {
            guard n >= 0, bytes.count - position >= n else { throw .malformedEntry("cut short") }
            defer { position += n }
            return Array(bytes[position..<(position + n)])
        }
        func u64() throws(LogError) -> UInt64 { try take(8).reduce(0) { $0 << 8 | UInt64($1) } }
        guard try take(2) == [0, 1] else { throw .malformedEntry("unsupported version") }
        guard let kind = Kind(rawValue: try take(1)[0]) else { throw .malformedEntry("unknown kind") }
        let tender = String(decoding: try take(Int(try take(1)[0])), as: UTF8.self)
        let bidder = String(decoding: try take(Int(try take(1)[0])), as: UTF8.self)
        let received = try u64()
        let digest = try take(32)
        let length = try u64()
        guard position == bytes.count else { throw .malformedEntry("trailing bytes") }
        try self.init(kind: kind, tender: tender, bidder: bidder, receivedAt: received, bidDigest: digest, bidLength: length)
        guard encoded == bytes else { throw .malformedEntry("not canonical") }
    }

    public var leafHash: [UInt8] { MerkleTreeHash.leafHash(encoded) }
}

/// The signed, self-contained proof that the portal logged an entry
/// (`docs/spec/receipts-v1.md`, "Receipts"). Its fields can only be read
/// through ``verify(log:origin:)``.
public struct Receipt: Sendable, Equatable {
    let entry: [UInt8]
    let index: UInt64
    let proof: [[UInt8]]
    let checkpoint: String
    /// An RFC 3161 timestamp token over SHA-256(entry), when the portal has a TSA.
    let timestampToken: [UInt8]

    init(entry: [UInt8], index: UInt64, proof: [[UInt8]], checkpoint: String, timestampToken: [UInt8]) {
        self.entry = entry
        self.index = index
        self.proof = proof
        self.checkpoint = checkpoint
        self.timestampToken = timestampToken
    }

    /// `"sealbid-receipt-v1\n" || u32 len(entry) || entry || u64 index || u8 n || n x hash ||
    /// u32 len(checkpoint) || checkpoint || u32 len(token) || token`.
    public var encoded: [UInt8] {
        func u32(_ n: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(n).bigEndian) { Array($0) } }
        let note = Array(checkpoint.utf8)
        return Array("sealbid-receipt-v1\n".utf8) + u32(entry.count) + entry + withUnsafeBytes(of: index.bigEndian) { Array($0) }
            + [UInt8(proof.count)] + proof.flatMap { $0 } + u32(note.count) + note + u32(timestampToken.count) + timestampToken
    }

    public init(encoded bytes: [UInt8]) throws(LogError) {
        var position = 0
        func take(_ n: Int) throws(LogError) -> [UInt8] {
            guard n >= 0, bytes.count - position >= n else { throw .malformedReceipt("cut short") }
            defer { position += n }
            return Array(bytes[position..<(position + n)])
        }
        func u32() throws(LogError) -> Int { try take(4).reduce(0) { $0 << 8 | Int($1) } }
        guard try take(19) == Array("sealbid-receipt-v1\n".utf8) else { throw .malformedReceipt("not a receipt") }
        let entryLength = try u32()
        guard entryLength <= 1024 else { throw .malformedReceipt("entry too long") }
        entry = try take(entryLength)
        index = try take(8).reduce(0) { $0 << 8 | UInt64($1) }
        let count = Int(try take(1)[0])
        guard count <= 64 else { throw .malformedReceipt("proof too long") }
        var proof: [[UInt8]] = []
        for _ in 0..<count { proof.append(try take(32)) }
        self.proof = proof
        let noteLength = try u32()
        guard noteLength <= SignedNote.maximumSize else { throw .malformedReceipt("checkpoint too long") }
        // A signed note is UTF-8 text: decoding other bytes leniently would change what was signed.
        guard let note = String(validating: try take(noteLength), as: UTF8.self) else {
            throw .malformedReceipt("the checkpoint is not UTF-8")
        }
        checkpoint = note
        let tokenLength = try u32()
        guard tokenLength <= 1 << 16 else { throw .malformedReceipt("timestamp token too long") }
        timestampToken = try take(tokenLength)
        guard position == bytes.count else { throw .malformedReceipt("trailing bytes") }
    }

    /// The origin the receipt's checkpoint claims (unverified; for display and defaults).
    public func checkpointOrigin() throws(LogError) -> String {
        try SignedCheckpoint(serialized: checkpoint).checkpoint.origin
    }

    /// Verifies the checkpoint's signature by the log, the origin, the witnesses' quorum of
    /// cosignatures, and the entry's inclusion; with `timestampRoots`, also the RFC 3161 token over
    /// SHA-256(entry), which must then be present. Returns the verified receipt.
    public func verify(log: NoteVerifier, origin: String, witnesses: WitnessPolicy = .none, timestampRoots: [X509Certificate]? = nil)
        throws(LogError)
        -> VerifiedReceipt
    {
        let entry = try LogEntry(encoded: entry)
        // One log per tender: the origin is `<prefix>/<tender>` (receipts-v1, "Checkpoints"), so a
        // receipt of another tender's log never verifies for this one.
        guard origin.hasSuffix("/" + entry.tender), origin.count > entry.tender.count + 1 else {
            throw .wrongOrigin(expected: "<log prefix>/\(entry.tender)", found: origin)
        }
        let signed = try SignedCheckpoint(serialized: checkpoint)
        try signed.verifyInclusion(leafHash: entry.leafHash, index: index, proof: proof, log: log, origin: origin, witnesses: witnesses)
        var timestamp: VerifiedTimestamp?
        if let roots = timestampRoots {
            guard !timestampToken.isEmpty else { throw .malformedReceipt("no timestamp token") }
            do {
                timestamp = try TimestampToken(derRepresentation: timestampToken).verify(digest: SHA256.hash(entry.encoded), roots: roots)
            } catch {
                // The token's own code is this error's code (timestamp-invalid): say it once.
                throw .timestamp(error.code == "timestamp-invalid" ? error.message : "\(error)")
            }
        }
        return VerifiedReceipt(
            entry: entry, index: index, checkpoint: signed, timestampToken: timestampToken.isEmpty ? nil : timestampToken,
            timestamp: timestamp)
    }
}

/// A receipt whose signature and inclusion proof verified.
public struct VerifiedReceipt: Sendable, Equatable {
    public let entry: LogEntry
    public let index: UInt64
    public let checkpoint: SignedCheckpoint
    public let timestampToken: [UInt8]?
    /// The verified RFC 3161 time, when the caller asked for it.
    public let timestamp: VerifiedTimestamp?
}
