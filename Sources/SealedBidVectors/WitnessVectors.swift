import Foundation
import SealedBid
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// Receipts against a descriptor with two witnesses and a quorum of two (receipts-v1,
/// "Witnesses"): cosignature lines made by hand from the spec (not by the library's `Cosigner`),
/// so the vectors check the library's reading of C2SP tlog-cosignature v1.
extension ReceiptVectors {

    /// The two witnesses, from published seeds.
    static let witnessKeys = (1...2).map { n in
        try! Ed25519PrivateKey(seed: SecureBytes(copying: SHA256.hash(Array("sealbid receipts vectors witness \(n)".utf8))))
    }
    static func witnessName(_ n: Int) -> String { "witness-\(n).example.org/sealbid" }

    /// `— <name> base64(key ID || u64 timestamp || Ed25519("cosignature/v1\ntime <t>\n" || text))` LF,
    /// the key ID `SHA-256(name || LF || 0x04 || key)[:4]`.
    static func cosignatureLine(_ text: String, witness n: Int, time: UInt64, keyType: UInt8 = 0x04, signedText: String? = nil,
        signedTime: UInt64? = nil) -> String
    {
        let key = witnessKeys[n - 1], name = witnessName(n)
        let keyID = Array(SHA256.hash(Array(name.utf8) + [0x0A, keyType] + key.publicKey.rawRepresentation).prefix(4))
        let message = "cosignature/v1\ntime \(signedTime ?? time)\n\(signedText ?? text)"
        let signature = key.signature(for: Array(message.utf8)).rawRepresentation
        return "— \(name) \(Data(keyID + T.u64(time) + signature).base64EncodedString())\n"
    }

    static func witnessPolicy() throws -> WitnessPolicy {
        try WitnessPolicy(
            witnesses: try (1...2).map { try CosignerVerifier(name: witnessName($0), publicKey: witnessKeys[$0 - 1].publicKey) }, quorum: 2)
    }

    static func witnessScenarios(_ f: VectorTender) throws -> [(String, Vector)] {
        var list: [(String, Vector)] = []
        let tender = try VectorTender.descriptor(
            signer: f.signer, stages: f.stages, bidderKeys: f.bidderKeys, x509: f.x509Bidder, witnesses: witnessPolicy())
        let entries = tenderEntries()
        var tree = MerkleTree()
        for entry in entries { tree.append(leafHash: MerkleTreeHash.leafHash(entry)) }
        let size = UInt64(entries.count)
        let time: UInt64 = 1_800_000_000
        func receipt(extensions: [String] = [], _ lines: (String) -> String) throws -> [UInt8] {
            let text = T.checkpointText(size: size, root: try tree.root(), extensions: extensions)
            return T.receiptBytes(
                entry: entries[0], index: 0, proof: try tree.inclusionProof(index: 0, size: size), note: Array((f.note(text) + lines(text)).utf8))
        }
        func add(_ name: String, _ description: String, expect: String, _ bytes: [UInt8]) {
            list.append((name, Vector(
                format: format, kind: "tender-receipt", description: description, expect: expect, log_key: f.signer.verifier.verifierKey,
                origin: T.origin, receipt: bytes.hexString, entry_index: expect == "success" ? 0 : nil,
                bid_digest: expect == "success" ? digest("tender bid 1").hexString : nil, descriptor: tender.encoded.hexString)))
        }
        let both = { (text: String) in cosignatureLine(text, witness: 1, time: time) + cosignatureLine(text, witness: 2, time: time + 1) }
        add("witness-quorum-met", "both witnesses of the descriptor cosigned the receipt's checkpoint (quorum 2)", expect: "success",
            try receipt(both))
        add("witness-quorum-met-closing", "both cosigned a closing checkpoint: the cosignatures cover its closing line", expect: "success",
            try receipt(extensions: [closingLine], both))
        add("witness-none", "the log's signature alone, the descriptor requiring 2 witnesses", expect: "quorum-not-met", try receipt { _ in "" })
        add("witness-one-of-two", "one cosignature of the two required", expect: "quorum-not-met",
            try receipt { cosignatureLine($0, witness: 1, time: time) })
        add("witness-same-twice", "witness 1's cosignature twice (two timestamps): one witness counts once", expect: "quorum-not-met",
            try receipt { cosignatureLine($0, witness: 1, time: time) + cosignatureLine($0, witness: 1, time: time + 5) })
        add("witness-type-01-line", "witness 2's line is a note signature (key ID of type 0x01, no timestamp): not a cosignature, ignored",
            expect: "quorum-not-met",
            try receipt { text in
                let key = witnessKeys[1], name = witnessName(2)
                let keyID = Array(SHA256.hash(Array(name.utf8) + [0x0A, 0x01] + key.publicKey.rawRepresentation).prefix(4))
                return cosignatureLine(text, witness: 1, time: time)
                    + "— \(name) \(Data(keyID + key.signature(for: Array(text.utf8)).rawRepresentation).base64EncodedString())\n"
            })
        add("witness-timestamp-changed", "witness 2's timestamp field differs from the time it signed", expect: "bad-signature",
            try receipt { cosignatureLine($0, witness: 1, time: time) + cosignatureLine($0, witness: 2, time: time + 1, signedTime: time) })
        add("witness-other-checkpoint", "witness 2 cosigned the checkpoint without its closing line, attached to the closing",
            expect: "bad-signature",
            try receipt(extensions: [closingLine]) { text in
                cosignatureLine(text, witness: 1, time: time)
                    + cosignatureLine(text, witness: 2, time: time, signedText: T.checkpointText(size: size, root: try! tree.root()))
            })
        add("witness-timestamp-2-pow-63", "witness 2's timestamp is 2^63 (the spec's bound is 2^63 - 1)", expect: "bad-signature",
            try receipt { cosignatureLine($0, witness: 1, time: time) + cosignatureLine($0, witness: 2, time: 1 << 63) })
        add("witness-timestamp-max", "witness 2's timestamp is 2^63 - 1, the largest allowed", expect: "success",
            try receipt { cosignatureLine($0, witness: 1, time: time) + cosignatureLine($0, witness: 2, time: (1 << 63) - 1) })
        add("witness-short-signature", "witness 2's line carries a timestamp and 63 signature bytes", expect: "bad-signature",
            try receipt { text in
                let line = cosignatureLine(text, witness: 2, time: time)
                let fields = line.dropLast().split(separator: " ")
                let raw = Data(base64Encoded: String(fields[2]))!.dropLast()
                return cosignatureLine(text, witness: 1, time: time) + "— \(witnessName(2)) \(raw.base64EncodedString())\n"
            })
        return list
    }
}
