import Foundation
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidPrimitives

extension EnvelopeVectors {
    /// The P-256 group order `n`, big-endian.
    static let groupOrder = try! Hex.decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")

    /// Key-wrap proofs, `verify` and `decrypt`, the escrow and disclosed-key paths.
    static func keyScenarios(_ list: ScenarioList) throws {
        let p = try Parties(seed: "keys")
        let good = try p.seal(technical: p.payload(300), price: p.payload(40))
        let entry = FirstEntry(good)
        let price = p.payload(40)

        /// A bid whose `core` is changed before the MACs and the signature are made.
        func signedBut(_ change: @escaping @Sendable (inout [UInt8]) -> Void) throws -> [UInt8] {
            try p.seal(
                technical: p.payload(300), price: price,
                tampering: SealTampering(core: { core in
                    var c = core
                    change(&c)
                    return c
                }))
        }

        // Step 9.1: proof scalars outside [0, n-1], and a commitment R' at the identity.
        let proof = entry.wrapProof
        list.add(
            "wrap-proof-c-not-reduced", "the proof's c is n (its value mod n would be 0)", expect: "bad-wrap-proof",
            bid: try signedBut { $0.replaceSubrange(proof..<(proof + 32), with: groupOrder) }, parties: p)
        list.add(
            "wrap-proof-z-not-reduced", "the proof's z is 2^256 - 1", expect: "bad-wrap-proof",
            bid: try signedBut { $0.replaceSubrange((proof + 32)..<(proof + 64), with: [UInt8](repeating: 0xFF, count: 32)) },
            parties: p)
        do {
            // enc = G and z = c, so R' = z·G − c·enc is the identity; c is the challenge a reader
            // would compute if it encoded the identity as the single byte 0x00.
            let binding = [p.tender.value, p.bidder.value, "technical", "technical"].flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            let generator = P256Point.generator.uncompressedRepresentation
            let recipient = p.technicalKey.publicKey.rawRepresentation
            let c = try P256Scalar.hash(
                binding + recipient + generator + [0x00], domain: Array("sealbid/envelope-v1 wrap-proof".utf8)
            ).rawRepresentation
            let enc = entry.enc
            list.add(
                "wrap-proof-identity-commitment",
                "enc = G and z = c, so R' is the identity: refused before hashing, whatever its encoding",
                expect: "bad-wrap-proof",
                bid: try signedBut { core in
                    core.replaceSubrange(enc..<(enc + 65), with: generator)
                    core.replaceSubrange(proof..<(proof + 64), with: c + c)
                }, parties: p)
        }

        // `decrypt` checks the proof of the envelope it opens; `verify` every proof before any digest.
        let nextProof = entry.nextWrapProof, digest = entry.payloadDigest
        let mixed = try signedBut { core in
            core[nextProof + 40] ^= 1
            core[digest] ^= 1
        }
        list.add(
            "decrypt-checks-its-own-proof-only",
            "the price envelope's proof is broken and the technical payload digest is wrong: opening technical reaches the digest",
            expect: "payload-digest-mismatch", bid: mixed, parties: p)
        list.add(
            "verify-proofs-before-digests", "the same bid verified without keys: every proof is checked before any digest",
            expect: "bad-wrap-proof", bid: mixed, parties: p, keyKind: "none")
        list.add("verify-success", "verify without keys: signature, every proof, every payload digest", expect: "success", bid: good, parties: p, keyKind: "none")
        list.add(
            "verify-payload-digest-mismatch", "verify without keys: a signed header whose payload digest does not match",
            expect: "payload-digest-mismatch", bid: try signedBut { $0[digest] ^= 1 }, parties: p, keyKind: "none")

        // Step 8 on the escrow path: the escrow copy must exist and be the opener's.
        let escrow = p.escrowKey.rawRepresentation
        list.add(
            "escrow-absent", "a bid without escrow copies opened with an escrow key (escrow = 0x00)", expect: "wrong-recipient",
            bid: try p.seal(technical: p.payload(10), price: [], escrow: false), parties: p, stage: nil, keyKind: "escrow", key: escrow)
        list.add(
            "escrow-other-key", "opened with an escrow key that is not the envelope's escrow_key", expect: "wrong-recipient",
            bid: good, parties: p, stage: nil, keyKind: "escrow", key: p.priceKey.rawRepresentation)

        // Step 9 on the escrow path: unwrap, recompute every wrap, MAC.
        let escrowWrapped = entry.escrowWrappedKey
        let brokenCopy = try signedBut { $0[escrowWrapped] ^= 1 }
        list.add(
            "escrow-unwrap-failed", "escrow_wrapped_key changed before signing: the escrow copy does not unwrap",
            expect: "key-unwrap-failed", bid: brokenCopy, parties: p, stage: nil, keyKind: "escrow", key: escrow)
        let plaintext = p.payload(70)
        let brokenCopyPlaintext = try p.seal(
            technical: plaintext, price: [],
            tampering: SealTampering(core: { core in
                var c = core
                c[escrowWrapped] ^= 1
                return c
            }))
        list.add(
            "escrow-copy-broken-committee-opens", "the committee opening does not look at the escrow copy",
            expect: "success", bid: brokenCopyPlaintext, parties: p, plaintext: plaintext)
        list.add(
            "escrow-wrap-random-ephemeral", "the escrow copy made with an ephemeral key not derived from the envelope key",
            expect: "wrap-mismatch",
            bid: try p.seal(technical: p.payload(10), price: [], tampering: SealTampering(escrowWrap: .randomEphemeral)),
            parties: p, stage: nil, keyKind: "escrow", key: escrow)
        list.add(
            "escrow-header-mac-invalid", "the technical MAC changed before signing, opened with the escrow key",
            expect: "header-mac-invalid",
            bid: try p.seal(
                technical: p.payload(10), price: [], tampering: SealTampering(macs: { macs in var m = macs; m[0][0] ^= 1; return m })),
            parties: p, stage: nil, keyKind: "escrow", key: escrow)

        // A disclosed envelope key (a dispute): taken from the escrow copy.
        let disclosed = p.payload(500)
        let bid = try p.seal(technical: disclosed, price: [])
        let key = try BidOpener(source: MemorySource(bid), policy: .signatureOnly()).unlock(
            try EnvelopeName("technical"), with: .escrowKey(p.escrowKey)
        ).key
        list.add(
            "success-envelope-key", "the technical envelope opened with its disclosed envelope key", expect: "success",
            bid: bid, parties: p, stage: nil, keyKind: "envelope-key", key: key.unsafeCopy(), plaintext: disclosed)
    }
}
