import Foundation
import SealedBidPrimitives

/// RFC 9162 §2.1.1 Merkle Tree Hash with SHA-256: leaves are hashed as
/// `SHA-256(0x00 || data)`, interior nodes as `SHA-256(0x01 || left || right)`,
/// and a list of n > 1 leaves splits at the largest power of two below n.
public enum MerkleTreeHash {
    public static let hashByteCount = 32

    /// `SHA-256(0x00 || data)`.
    public static func leafHash(_ data: some ContiguousBytes) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update([0x00] as [UInt8])
        hasher.update(data)
        return hasher.finalize()
    }

    /// `SHA-256(0x01 || left || right)`.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update([0x01] as [UInt8])
        hasher.update(left)
        hasher.update(right)
        return hasher.finalize()
    }

    /// The root over leaf hashes given in order (nil for an empty list: the
    /// empty tree is not used by SealedBid formats).
    public static func root(leafHashes: [[UInt8]]) -> [UInt8]? {
        var builder = RootBuilder()
        for leaf in leafHashes { builder.append(leafHash: leaf) }
        return builder.root()
    }

    /// Builds the root incrementally in O(log n) memory: a stack of perfect
    /// subtrees, merged whenever two of equal size meet. Folding the stack
    /// from the right at the end reproduces RFC 9162's split rule.
    public struct RootBuilder: Sendable {
        private var stack: [(size: UInt64, hash: [UInt8])] = []
        public private(set) var leafCount: UInt64 = 0

        public init() {}

        public mutating func append(leafHash: [UInt8]) {
            precondition(leafHash.count == hashByteCount, "Merkle leaf hashes are 32 bytes")
            var entry = (size: UInt64(1), hash: leafHash)
            while let top = stack.last, top.size == entry.size {
                stack.removeLast()
                entry = (top.size * 2, nodeHash(top.hash, entry.hash))
            }
            stack.append(entry)
            leafCount += 1
        }

        /// The Merkle Tree Hash of the leaves appended so far.
        public func root() -> [UInt8]? {
            guard var hash = stack.last?.hash else { return nil }
            for entry in stack.dropLast().reversed() { hash = nodeHash(entry.hash, hash) }
            return hash
        }
    }
}
