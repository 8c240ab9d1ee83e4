import Foundation
import SealedBidMerkle
import SealedBidPrimitives

/// A C2SP tlog-checkpoint body: origin, tree size, root hash, extension lines.
public struct Checkpoint: Sendable, Equatable {
    public let origin: String
    public let size: UInt64
    public let rootHash: [UInt8]
    public let extensions: [String]

    public init(origin: String, size: UInt64, rootHash: [UInt8], extensions: [String] = []) throws(LogError) {
        guard !origin.isEmpty, !origin.contains("\n") else { throw .malformedCheckpoint("origin") }
        guard rootHash.count == 32 else { throw .malformedCheckpoint("root hash must be 32 bytes") }
        guard extensions.allSatisfy({ !$0.isEmpty && !$0.contains("\n") }) else { throw .malformedCheckpoint("extension line") }
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensions = extensions
    }

    /// The closing time (milliseconds since the epoch) when this checkpoint carries the
    /// extension line `closed <tender> <ms>` (receipts-v1), else nil.
    public func closedAt(tender: String) -> UInt64? {
        extensions.lazy.compactMap { line -> UInt64? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            // Decimal without leading zeros or signs: one closing, one spelling.
            guard fields.count == 3, fields[0] == "closed", fields[1] == tender, let value = UInt64(fields[2]),
                String(value) == fields[2]
            else { return nil }
            return value
        }.first
    }

    /// `origin \n size \n base64(root) \n [extensions \n]`.
    public var text: String {
        ([origin, String(size), Data(rootHash).base64EncodedString()] + extensions).map { $0 + "\n" }.joined()
    }

    public init(text: String) throws(LogError) {
        guard text.hasSuffix("\n") else { throw .malformedCheckpoint("no final newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw .malformedCheckpoint("fewer than three lines") }
        // Decimal without leading zeros or signs.
        guard let size = UInt64(lines[1]), String(size) == lines[1] else { throw .malformedCheckpoint("tree size") }
        guard let root = Data(base64Encoded: lines[2]), root.count == 32, Data(root).base64EncodedString() == lines[2] else {
            throw .malformedCheckpoint("root hash")
        }
        try self.init(origin: lines[0], size: size, rootHash: [UInt8](root), extensions: Array(lines.dropFirst(3)))
    }
}

/// A checkpoint signed by the log (and possibly witnesses). Verification
/// always goes with a proof: ``verifyInclusion`` and ``verifyConsistency``
/// return only after both the signature and the proof check.
public struct SignedCheckpoint: Sendable, Equatable {
    public let note: SignedNote
    public let checkpoint: Checkpoint

    public init(note: SignedNote) throws(LogError) {
        self.note = note
        self.checkpoint = try Checkpoint(text: note.text)
    }

    public init(serialized: String) throws(LogError) {
        try self.init(note: SignedNote(parsing: serialized))
    }

    /// Checks the origin, the log's signature and the witnesses' quorum of cosignatures.
    public func verifySignatures(log: NoteVerifier, origin: String, witnesses: WitnessPolicy = .none) throws(LogError) {
        guard checkpoint.origin.hasSameUTF8(as: origin) else { throw .wrongOrigin(expected: origin, found: checkpoint.origin) }
        let verified = try note.verify(with: [log])
        guard verified.contains(log) else { throw .noVerifiedSignature }
        try witnesses.check(note)
    }

    /// The checkpoint is signed and `leafHash` is its `index`-th leaf.
    public func verifyInclusion(
        leafHash: [UInt8], index: UInt64, proof: [[UInt8]], log: NoteVerifier, origin: String,
        witnesses: WitnessPolicy = .none
    ) throws(LogError) {
        try verifySignatures(log: log, origin: origin, witnesses: witnesses)
        do {
            try MerkleProof.verifyInclusion(index: index, size: checkpoint.size, leafHash: leafHash, proof: proof, root: checkpoint.rootHash)
        } catch {
            throw .proof(error.code)
        }
    }

    /// Both checkpoints are signed (and cosigned by the witnesses' quorum) and `later` extends this one.
    public func verifyConsistency(
        to later: SignedCheckpoint, proof: [[UInt8]], log: NoteVerifier, origin: String, witnesses: WitnessPolicy = .none
    ) throws(LogError) {
        try verifySignatures(log: log, origin: origin, witnesses: witnesses)
        try later.verifySignatures(log: log, origin: origin, witnesses: witnesses)
        do {
            try MerkleProof.verifyConsistency(
                size1: checkpoint.size, size2: later.checkpoint.size, proof: proof, root1: checkpoint.rootHash,
                root2: later.checkpoint.rootHash)
        } catch {
            throw .proof(error.code)
        }
    }
}
