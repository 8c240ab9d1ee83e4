import Foundation
import SealedBidPrimitives

/// Why a Merkle proof was rejected.
public enum MerkleProofError: SealedBidError, Equatable, Sendable {
    case indexOutOfRange
    case invalidHashLength
    case wrongProofSize(got: Int, expected: Int)
    case rootMismatch
    case sizesOutOfOrder
    case emptyTree
    case proofNotEmpty
    case emptyProof
    case invalidSubtree

    public var code: String {
        switch self {
        case .indexOutOfRange: "index-out-of-range"
        case .invalidHashLength: "invalid-hash-length"
        case .wrongProofSize: "wrong-proof-size"
        case .rootMismatch: "root-mismatch"
        case .sizesOutOfOrder: "sizes-out-of-order"
        case .emptyTree: "empty-tree"
        case .proofNotEmpty: "proof-not-empty"
        case .emptyProof: "empty-proof"
        case .invalidSubtree: "invalid-subtree"
        }
    }

    public var description: String {
        if case .wrongProofSize(let got, let expected) = self { return "\(code): \(got) hashes, expected \(expected)" }
        return code
    }
}

/// Verification of RFC 9162 §2.1.3 inclusion and §2.1.4 consistency proofs,
/// and of the subtree variants (a proof relative to an aligned subtree
/// `[start, end)`), as exercised by the transparency-dev vectors.
///
/// An inclusion proof for leaf `index` in a tree of `size` leaves splits
/// where the paths to `index` and to `size - 1` diverge: below that point
/// ("inner") siblings may be on either side; above it ("border") they are
/// all left siblings, one per set bit of the remaining index.
public enum MerkleProof {
    public typealias Hash = [UInt8]

    static func bitLength(_ x: UInt64) -> Int { 64 - x.leadingZeroBitCount }

    /// (inner, border) proof lengths for `index` in a tree of `size`.
    static func split(index: UInt64, size: UInt64) -> (inner: Int, border: Int) {
        let inner = bitLength(index ^ (size - 1))
        return (inner, (index >> UInt64(inner)).nonzeroBitCount)
    }

    /// Climbs from `seed` at position `index` through siblings on either side.
    static func climb(_ seed: Hash, _ siblings: ArraySlice<Hash>, index: UInt64) -> Hash {
        var hash = seed
        for (level, sibling) in siblings.enumerated() {
            hash = (index >> UInt64(level)) & 1 == 0
                ? MerkleTreeHash.nodeHash(hash, sibling) : MerkleTreeHash.nodeHash(sibling, hash)
        }
        return hash
    }

    /// Like ``climb(_:_:index:)`` but keeps only left siblings: the hash of the
    /// same subtree as it was before the right siblings existed.
    static func climbLeftOnly(_ seed: Hash, _ siblings: ArraySlice<Hash>, index: UInt64) -> Hash {
        var hash = seed
        for (level, sibling) in siblings.enumerated() where (index >> UInt64(level)) & 1 == 1 {
            hash = MerkleTreeHash.nodeHash(sibling, hash)
        }
        return hash
    }

    /// Climbs the right border: every sibling is a left sibling.
    static func climbBorder(_ seed: Hash, _ siblings: ArraySlice<Hash>) -> Hash {
        siblings.reduce(seed) { MerkleTreeHash.nodeHash($1, $0) }
    }

    static func checkLengths(_ hashes: [Hash]) throws(MerkleProofError) {
        guard hashes.allSatisfy({ $0.count == MerkleTreeHash.hashByteCount }) else { throw .invalidHashLength }
    }

    // MARK: Inclusion

    /// The root implied by an inclusion proof.
    public static func rootFromInclusion(index: UInt64, size: UInt64, leafHash: Hash, proof: [Hash]) throws(MerkleProofError) -> Hash {
        guard index < size else { throw .indexOutOfRange }
        try checkLengths([leafHash] + proof)
        let (inner, border) = split(index: index, size: size)
        guard proof.count == inner + border else { throw .wrongProofSize(got: proof.count, expected: inner + border) }
        return climbBorder(climb(leafHash, proof[..<inner], index: index), proof[inner...])
    }

    public static func verifyInclusion(index: UInt64, size: UInt64, leafHash: Hash, proof: [Hash], root: Hash) throws(MerkleProofError) {
        guard try rootFromInclusion(index: index, size: size, leafHash: leafHash, proof: proof) == root else { throw .rootMismatch }
    }

    /// `[start, end)` is a subtree when `start` is a multiple of the smallest
    /// power of two at least `end - start`.
    static func isSubtree(start: UInt64, end: UInt64) -> Bool {
        guard start <= end else { return false }
        if start == 0 || start == end { return true }
        let length = end - start
        guard length <= 1 << 63 else { return false }
        let ceiling: UInt64 = length <= 1 ? 1 : 1 << UInt64(bitLength(length - 1))
        return start & (ceiling - 1) == 0
    }

    /// Inclusion of leaf `index` in the subtree `[start, end)` with root `root`.
    public static func verifySubtreeInclusion(
        index: UInt64, start: UInt64, end: UInt64, leafHash: Hash, proof: [Hash], root: Hash
    ) throws(MerkleProofError) {
        guard isSubtree(start: start, end: end) else { throw .invalidSubtree }
        guard index >= start, index < end else { throw .indexOutOfRange }
        try verifyInclusion(index: index - start, size: end - start, leafHash: leafHash, proof: proof, root: root)
    }

    // MARK: Consistency

    /// The root of the tree of `size2` implied by a consistency proof from `size1` with `root1`.
    public static func rootFromConsistency(size1: UInt64, size2: UInt64, proof: [Hash], root1: Hash) throws(MerkleProofError) -> Hash {
        guard size1 <= size2 else { throw .sizesOutOfOrder }
        guard size1 > 0 else { throw .emptyTree }
        try checkLengths(proof)
        if size1 == size2 {
            guard proof.isEmpty else { throw .proofNotEmpty }
            return root1
        }
        guard !proof.isEmpty else { throw .emptyProof }
        return try rootFromSubtree(start: 0, end: size1, size: size2, proof: proof, subRoot: root1)
    }

    public static func verifyConsistency(size1: UInt64, size2: UInt64, proof: [Hash], root1: Hash, root2: Hash) throws(MerkleProofError) {
        guard try rootFromConsistency(size1: size1, size2: size2, proof: proof, root1: root1) == root2 else { throw .rootMismatch }
    }

    /// Consistency of the subtree `[start, end)` (root `subRoot`) with a tree of `size` leaves (root `parentRoot`).
    public static func verifySubtreeConsistency(
        start: UInt64, end: UInt64, size: UInt64, proof: [Hash], subRoot: Hash, parentRoot: Hash
    ) throws(MerkleProofError) {
        let emptyRoot = SHA256Hash.empty
        guard isSubtree(start: start, end: end) else { throw .invalidSubtree }
        guard end <= size else { throw .sizesOutOfOrder }
        try checkLengths(proof)
        if start == end {
            guard proof.isEmpty else { throw .proofNotEmpty }
            guard subRoot == emptyRoot else { throw .rootMismatch }
            return
        }
        let root: Hash
        if start == 0 && end == size {
            guard proof.isEmpty else { throw .proofNotEmpty }
            root = subRoot
        } else {
            guard !proof.isEmpty else { throw .emptyProof }
            root = try rootFromSubtree(start: start, end: end, size: size, proof: proof, subRoot: subRoot)
        }
        guard root == parentRoot else { throw .rootMismatch }
    }

    /// The parent root from a subtree root and a proof (RFC 9162 §2.1.4's
    /// consistency proof is the case `start = 0`).
    static func rootFromSubtree(start: UInt64, end: UInt64, size: UInt64, proof: [Hash], subRoot: Hash) throws(MerkleProofError) -> Hash {
        if end == size {
            // The subtree's root is on the right border: one left sibling per
            // level where an ancestor is a right child.
            let height = bitLength((end - 1) ^ start)
            let expected = (start >> UInt64(height)).nonzeroBitCount
            guard proof.count == expected else { throw .wrongProofSize(got: proof.count, expected: expected) }
            return climbBorder(subRoot, proof[...])
        }
        // The path to leaf end-1 and to size-1 diverge at `fork`; the proof is
        // the part of end-1's inclusion proof above the subtree's rightmost
        // perfect subtree (of height `shift`), preceded by that subtree's root
        // unless the whole subtree is perfect.
        let (fork, border) = split(index: end - 1, size: size)
        let shift = (end - start).trailingZeroBitCount
        let inner = fork - shift
        let perfect = end - start == 1 << UInt64(shift)
        let seed = perfect ? subRoot : proof[0]
        let rest = perfect ? proof[...] : proof[1...]
        guard rest.count == inner + border else {
            throw .wrongProofSize(got: proof.count, expected: (perfect ? 0 : 1) + inner + border)
        }
        let position = (end - 1) >> UInt64(shift)
        if !perfect {
            // The nodes inside the subtree must rebuild the claimed subtree root.
            let height = bitLength((end - 1) ^ start)
            let forkToLast = bitLength((end - 1) ^ (size - 1))
            let insideInner = min(height, forkToLast) - shift
            let insideBorder = max(0, border - ((end - 1) >> UInt64(height)).nonzeroBitCount)
            let innerNodes = rest[rest.startIndex..<(rest.startIndex + insideInner)]
            let borderNodes = rest[(rest.startIndex + inner)..<(rest.startIndex + inner + insideBorder)]
            let rebuilt = climbBorder(climbLeftOnly(seed, innerNodes, index: position), borderNodes)
            guard rebuilt == subRoot else { throw .rootMismatch }
        }
        let innerNodes = rest[rest.startIndex..<(rest.startIndex + inner)]
        let borderNodes = rest[(rest.startIndex + inner)...]
        return climbBorder(climb(seed, innerNodes, index: position), borderNodes)
    }
}

enum SHA256Hash {
    /// SHA-256 of the empty string: the root of the empty tree.
    static let empty: [UInt8] = Array(
        [0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
         0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55])
}
