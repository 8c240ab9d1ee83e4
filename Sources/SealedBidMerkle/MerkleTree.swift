import Foundation

/// An append-only RFC 9162 Merkle tree over leaf hashes, with proofs for
/// any earlier size. It keeps every complete subtree's hash level by level
/// (about 2n hashes), so roots and proofs cost O(log² n) hashes, not O(n).
public struct MerkleTree: Sendable {
    public typealias Hash = [UInt8]

    /// levels[0] are the leaf hashes; levels[h][i] hashes leaves [i·2^h, (i+1)·2^h).
    private var levels: [[Hash]] = [[]]

    public init() {}

    public var size: UInt64 { UInt64(levels[0].count) }

    /// Appends a leaf hash (`MerkleTreeHash.leafHash(entry)`).
    public mutating func append(leafHash: Hash) {
        precondition(leafHash.count == MerkleTreeHash.hashByteCount, "leaf hashes are 32 bytes")
        levels[0].append(leafHash)
        var level = 0
        while levels[level].count % 2 == 0 {
            let count = levels[level].count
            let parent = MerkleTreeHash.nodeHash(levels[level][count - 2], levels[level][count - 1])
            if levels.count == level + 1 { levels.append([]) }
            levels[level + 1].append(parent)
            level += 1
        }
    }

    /// The hashes of the complete subtrees of height `level` with indices `range` (subtree `i`
    /// covers leaves [i·2^level, (i+1)·2^level)): the rows of C2SP tlog-tiles. Nil when the tree
    /// has not completed all of them.
    public func subtreeHashes(level: Int, range: Range<UInt64>) -> [Hash]? {
        guard level >= 0, level < levels.count, range.upperBound <= UInt64(levels[level].count) else {
            return range.isEmpty && level >= 0 ? [] : nil
        }
        return Array(levels[level][Int(range.lowerBound)..<Int(range.upperBound)])
    }

    /// MTH of leaves [start, start + count), `count >= 1`.
    func hash(start: UInt64, count: UInt64) -> Hash {
        if count.nonzeroBitCount == 1, start % count == 0 {
            let level = count.trailingZeroBitCount
            return levels[level][Int(start / count)]
        }
        let k = Self.largestPowerOfTwo(below: count)
        return MerkleTreeHash.nodeHash(hash(start: start, count: k), hash(start: start + k, count: count - k))
    }

    static func largestPowerOfTwo(below n: UInt64) -> UInt64 {
        precondition(n > 1)
        return 1 << UInt64(63 - (n - 1).leadingZeroBitCount)
    }

    /// The root of the tree's first `size` leaves (SHA-256("") for 0).
    public func root(size: UInt64? = nil) throws(MerkleProofError) -> Hash {
        let n = size ?? self.size
        guard n <= self.size else { throw .sizesOutOfOrder }
        return n == 0 ? SHA256Hash.empty : hash(start: 0, count: n)
    }

    /// PATH(index, D[0:size]) of RFC 9162 §2.1.3.1.
    public func inclusionProof(index: UInt64, size: UInt64) throws(MerkleProofError) -> [Hash] {
        guard size <= self.size else { throw .sizesOutOfOrder }
        guard index < size else { throw .indexOutOfRange }
        return path(index: index, start: 0, count: size)
    }

    private func path(index: UInt64, start: UInt64, count: UInt64) -> [Hash] {
        guard count > 1 else { return [] }
        let k = Self.largestPowerOfTwo(below: count)
        if index < k {
            return path(index: index, start: start, count: k) + [hash(start: start + k, count: count - k)]
        }
        return path(index: index - k, start: start + k, count: count - k) + [hash(start: start, count: k)]
    }

    /// PROOF(size1, D[0:size2]) of RFC 9162 §2.1.4.1.
    public func consistencyProof(size1: UInt64, size2: UInt64) throws(MerkleProofError) -> [Hash] {
        guard size1 <= size2, size2 <= self.size else { throw .sizesOutOfOrder }
        guard size1 > 0 else { throw .emptyTree }
        guard size1 < size2 else { return [] }
        return subproof(m: size1, start: 0, count: size2, complete: true)
    }

    private func subproof(m: UInt64, start: UInt64, count: UInt64, complete: Bool) -> [Hash] {
        if m == count { return complete ? [] : [hash(start: start, count: count)] }
        let k = Self.largestPowerOfTwo(below: count)
        if m <= k {
            return subproof(m: m, start: start, count: k, complete: complete) + [hash(start: start + k, count: count - k)]
        }
        return subproof(m: m - k, start: start + k, count: count - k, complete: false) + [hash(start: start, count: k)]
    }
}
