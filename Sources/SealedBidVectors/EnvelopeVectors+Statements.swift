import Foundation
import SealedBidEnvelope
import SealedBidPrimitives

extension EnvelopeVectors {
    /// Bidder statements (envelope-v1, "Bidder statements"): withdrawals and commitments.
    static func statementScenarios(_ list: ScenarioList) throws {
        let p = try Parties(seed: "statements")
        let bid = try BidHeader.read(from: MemorySource(try p.seal(technical: p.payload(10), price: []))).bidDigest
        let signer = BidSigner.ed25519(p.signer)
        let withdrawal = try Withdrawal(tender: p.tender, bidder: p.bidder, withdrawing: bid, signer: signer)
        let commitment = try Commitment(tender: p.tender, bidder: p.bidder, committing: bid, signer: signer)
        let w = withdrawal.encoded, tender = p.tender.value, bidder = p.bidder.value
        func statement(
            _ name: String, _ description: String, expect: String, kind: String = "withdrawal", _ encoded: [UInt8],
            digest: [UInt8]? = nil, tender expectedTender: String = tender, bidder expectedBidder: String = bidder,
            policy: Vector.Policy? = nil
        ) {
            list.statement(
                "statement-" + name, description, expect: expect, kind: kind, encoded: encoded, digest: digest,
                tender: expectedTender, bidder: expectedBidder, policy: policy)
        }
        func changed(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var copy = w
            change(&copy)
            return copy
        }
        let magic = Array("sealbid-withdrawal-v1\n".utf8).count
        let signerAt = magic + 1 + tender.utf8.count + 1 + bidder.utf8.count + 32

        statement("withdrawal-success", "a withdrawal of the bidder's bid", expect: "success", w, digest: withdrawal.digest)
        statement(
            "commitment-success", "a commitment to the bidder's bid", expect: "success", kind: "commitment", commitment.encoded,
            digest: commitment.digest)
        statement("withdrawal-read-as-commitment", "a withdrawal where a commitment is expected", expect: "malformed-commitment", kind: "commitment", w)
        statement("commitment-read-as-withdrawal", "a commitment where a withdrawal is expected", expect: "malformed-withdrawal", commitment.encoded)
        statement(
            "withdrawal-magic-rewritten", "a withdrawal whose magic is rewritten to the commitment's: its signature label differs",
            expect: "bad-signature", kind: "commitment",
            changed { $0.replaceSubrange(0..<magic, with: Array("sealbid-commitment-v1\n".utf8)) })
        statement("withdrawal-trailing-byte", "one byte after the signature", expect: "malformed-withdrawal", w + [0])
        statement("withdrawal-truncated", "the last byte of the signature missing", expect: "malformed-withdrawal", Array(w.dropLast()))
        statement(
            "withdrawal-too-large", "70001 bytes (a statement is at most 70000)", expect: "malformed-withdrawal",
            w + [UInt8](repeating: 0, count: 70001 - w.count))
        statement(
            "withdrawal-signature-algorithm-unknown", "sig_alg 0x03", expect: "malformed-withdrawal", changed { $0[signerAt] = 3 })
        statement("withdrawal-bad-tender-id", "a space in the tender id", expect: "malformed-withdrawal", changed { $0[magic + 1] = 0x20 })
        statement("withdrawal-bad-signature", "one bit of the signature flipped", expect: "bad-signature", changed { $0[$0.count - 1] ^= 1 })
        statement(
            "withdrawal-unregistered-key", "signed by a key the bidder has not registered", expect: "untrusted-signer", w,
            policy: .init(
                verification_time: nil, x509_roots: nil,
                ed25519_keys: [try Ed25519PrivateKey(seed: SecureBytes(copying: p.payload(32))).publicKey.rawRepresentation.hexString],
                x509_subjects: nil))
        statement("withdrawal-wrong-tender", "read for another tender", expect: "wrong-tender", w, tender: "LPSE-2026-0043")
        statement("withdrawal-wrong-bidder", "read for another bidder", expect: "wrong-bidder", w, bidder: "ACME")

        // An X.509 signer, signed again deterministically over the commitment's signed part.
        let h = try VectorPKI.Hierarchy()
        let certificates = try [h.leaf, h.inter].map { try X509Certificate(derRepresentation: $0) }
        let x509 = try Commitment(
            tender: p.tender, bidder: p.bidder, committing: bid, signer: .ecdsaP256(try h.leafKey.signingKey(), chain: certificates))
        let body = Array(x509.encoded.dropLast(64))
        let encoded = body + (try h.leafKey.sign(Array("sealbid/commitment-v1".utf8) + [0] + body))
        statement(
            "commitment-x509-success", "a commitment signed with an X.509 certificate chain", expect: "success", kind: "commitment",
            encoded, digest: x509.digest,
            policy: .init(
                verification_time: "2026-06-01T00:00:00Z", x509_roots: [h.root.hexString], ed25519_keys: nil,
                x509_subjects: [VectorPKI.bidderSubjectText]))
    }
}
