import Foundation
import SealedBid
import SealedBidLog
import SealedBidMerkle
import SealedBidPortal

/// Reads a portal's whole log through its tlog-tiles (`get` fetches a path, returning the status
/// and body) and checks each level-0 hash tile against the entries; returns the entries.
public func readLogThroughTiles(size: UInt64, get: (String) async throws -> (status: Int, body: [UInt8])) async throws -> [[UInt8]] {
    var entries: [[UInt8]] = []
    var tile: UInt64 = 0
    while UInt64(entries.count) < size {
        let width = min(Tiles.width, size - tile * Tiles.width)
        let suffix = Tiles.encode(index: tile) + (width < Tiles.width ? ".p/\(width)" : "")
        let bundle = try await get("tile/entries/\(suffix)")
        guard bundle.status == 200 else { throw LoadError("tile/entries/\(suffix): status \(bundle.status)") }
        var bytes = bundle.body[...]
        while !bytes.isEmpty {
            guard bytes.count >= 2 else { throw LoadError("tile/entries/\(suffix): truncated") }
            let length = Int(bytes[bytes.startIndex]) << 8 | Int(bytes[bytes.startIndex + 1])
            entries.append(Array(bytes.dropFirst(2).prefix(length)))
            bytes = bytes.dropFirst(2 + length)
        }
        let hashes = try await get("tile/0/\(suffix)")
        guard hashes.status == 200, hashes.body == entries[Int(tile * Tiles.width)...].flatMap({ MerkleTreeHash.leafHash($0) }) else {
            throw LoadError("tile/0/\(suffix) does not hash the entry bundle")
        }
        tile += 1
    }
    guard UInt64(entries.count) == size else { throw LoadError("the tiles hold \(entries.count) entries, the checkpoint \(size)") }
    return entries
}

/// The Merkle roots of every prefix of `entries` that `sizes` names.
public func prefixRoots(_ entries: [[UInt8]], sizes: Set<UInt64>) throws -> [UInt64: [UInt8]] {
    var tree = MerkleTree()
    var roots: [UInt64: [UInt8]] = [:]
    if sizes.contains(0) { roots[0] = try tree.root() }
    for entry in entries {
        tree.append(leafHash: MerkleTreeHash.leafHash(entry))
        if sizes.contains(tree.size) { roots[tree.size] = try tree.root() }
    }
    return roots
}
