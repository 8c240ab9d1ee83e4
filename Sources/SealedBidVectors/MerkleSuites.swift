import Foundation
import SealedBidMerkle

/// transparency-dev/merkle `testdata`: inclusion, consistency, subtree
/// inclusion and subtree consistency proofs, happy paths and `wantErr` cases
/// (bit flips, truncations, swapped and garbage hashes, size edge cases).
enum MerkleSuites {
    struct Vector: Decodable {
        let leafIdx: UInt64?
        let treeSize: UInt64?
        let start: UInt64?
        let end: UInt64?
        let size: UInt64?
        let size1: UInt64?
        let size2: UInt64?
        let root: String?
        let root1: String?
        let root2: String?
        let leafHash: String?
        let proof: [String]?
        let desc: String?
        let wantErr: Bool
    }

    enum Kind: String {
        case inclusion, consistency, subtreeinclusion, subtreeconsistency
    }

    static func base64(_ s: String?) throws -> [UInt8] {
        guard let s else { return [] }
        guard let data = Data(base64Encoded: s) else { throw VectorFormatError("bad base64 \(s)") }
        return [UInt8](data)
    }

    static func run(_ directory: URL, kind: Kind, into report: inout SuiteReport) throws {
        guard let walker = FileManager.default.enumerator(atPath: directory.path) else {
            throw VectorFormatError("cannot list \(directory.path)")
        }
        let files = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else { throw VectorFormatError("no vectors in \(directory.path)") }
        for file in files {
            let v = try JSONDecoder().decode(Vector.self, from: Data(contentsOf: directory.appendingPathComponent(file)))
            let proof = try (v.proof ?? []).map { try base64($0) }
            let leafHash = try base64(v.leafHash), root = try base64(v.root)
            let root1 = try base64(v.root1), root2 = try base64(v.root2)
            let accepted: Bool
            do throws(MerkleProofError) {
                switch kind {
                case .inclusion:
                    try MerkleProof.verifyInclusion(
                        index: v.leafIdx ?? 0, size: v.treeSize ?? 0, leafHash: leafHash, proof: proof,
                        root: root)
                case .consistency:
                    try MerkleProof.verifyConsistency(
                        size1: v.size1 ?? 0, size2: v.size2 ?? 0, proof: proof, root1: root1, root2: root2)
                case .subtreeinclusion:
                    try MerkleProof.verifySubtreeInclusion(
                        index: v.leafIdx ?? 0, start: v.start ?? 0, end: v.end ?? 0, leafHash: leafHash,
                        proof: proof, root: root)
                case .subtreeconsistency:
                    try MerkleProof.verifySubtreeConsistency(
                        start: v.start ?? 0, end: v.end ?? 0, size: v.size ?? 0, proof: proof, subRoot: root1,
                        parentRoot: root2)
                }
                accepted = true
            } catch {
                accepted = false
            }
            report.decide(v.wantErr ? "rejects" : "accepts")
            report.record(accepted == !v.wantErr, "\(file) (\(v.desc ?? "")): expected \(v.wantErr ? "an error" : "success")")
        }
    }
}
