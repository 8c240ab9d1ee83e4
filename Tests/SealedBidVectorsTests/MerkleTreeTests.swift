import Foundation
import Testing

import SealedBidMerkle

@Suite("Merkle tree: generated proofs verify, tampered ones do not")
struct MerkleTreeTests {
    func tree(_ n: Int) -> MerkleTree {
        var tree = MerkleTree()
        for i in 0..<n { tree.append(leafHash: MerkleTreeHash.leafHash(Array("entry \(i)".utf8))) }
        return tree
    }

    @Test func rootsMatchTheStreamingBuilder() throws {
        for n in 1...70 {
            var builder = MerkleTreeHash.RootBuilder()
            for i in 0..<n { builder.append(leafHash: MerkleTreeHash.leafHash(Array("entry \(i)".utf8))) }
            #expect(try tree(n).root() == builder.root())
        }
        #expect(try MerkleTree().root().count == 32)
    }

    @Test func everyProofUpTo40Leaves() throws {
        let big = tree(40)
        for size in UInt64(1)...40 {
            let root = try big.root(size: size)
            for index in 0..<size {
                let leaf = MerkleTreeHash.leafHash(Array("entry \(index)".utf8))
                let proof = try big.inclusionProof(index: index, size: size)
                try MerkleProof.verifyInclusion(index: index, size: size, leafHash: leaf, proof: proof, root: root)
                if !proof.isEmpty {
                    var bad = proof
                    bad[0][0] ^= 1
                    #expect(throws: MerkleProofError.rootMismatch) {
                        try MerkleProof.verifyInclusion(index: index, size: size, leafHash: leaf, proof: bad, root: root)
                    }
                }
            }
            for size1 in UInt64(1)...size {
                let proof = try big.consistencyProof(size1: size1, size2: size)
                try MerkleProof.verifyConsistency(size1: size1, size2: size, proof: proof, root1: try big.root(size: size1), root2: root)
                if size1 < size {
                    #expect(throws: MerkleProofError.self) {
                        try MerkleProof.verifyConsistency(
                            size1: size1, size2: size, proof: proof, root1: try big.root(size: size1 - 1 == 0 ? 1 : size1 - 1).reversed(),
                            root2: root)
                    }
                }
            }
        }
        #expect(throws: MerkleProofError.indexOutOfRange) { try big.inclusionProof(index: 5, size: 5) }
        #expect(throws: MerkleProofError.sizesOutOfOrder) { try big.consistencyProof(size1: 6, size2: 5) }
    }
}
