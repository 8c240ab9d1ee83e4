import Foundation
import Testing

@testable import SealedBidEnvelope
import SealedBidHPKE
import SealedBidPrimitives
import SealedBidTestSupport

/// Attacks on the envelope format by a dishonest bidder, or by whoever holds
/// a bidder's file (docs/threat-model.md). Each test is named after the attack
/// and fails on a version of the format without the defence it names.
@Suite("Bid envelopes: dishonest sealers and third parties")
struct DishonestSealerTests {
    let f = Fixture()

    /// Seals with a tampered first (technical) committee wrap.
    func sealTampered(_ tampering: WrapTampering) throws -> [UInt8] {
        let sink = MemorySink()
        var sealer = try BidSealer(
            tender: f.tender, bidder: f.bidder, signer: .ed25519(f.signer), envelopes: f.recipes, to: sink,
            deterministic: DeterministicRandom(seed: "dishonest sealer \(tampering)"),
            tampering: SealTampering(committeeWrap: tampering))
        try sealer.append([UInt8](repeating: 7, count: 5000))
        try sealer.nextEnvelope()
        try sealer.append([1])
        _ = try sealer.finish()
        return sink.bytes
    }

    @Test("escrow free option: another key wrapped to the committee is void on every path")
    func escrowFreeOption() throws {
        // The bidder wraps a different key to the committee (with a valid key-wrap proof) and keeps
        // the real one in the escrow copy, hoping to reveal the bid later only if it wins.
        let bytes = try sealTampered(.otherKey)
        let opener = try f.opener(bytes)
        try opener.checkWrapProofs()  // the proof is valid: it only proves knowledge of the ephemeral key
        #expect(errorCode { _ = try opener.unlock(f.technical, with: .committeeKey(f.technicalCommittee, stage: f.technicalStage)) }
            == "header-mac-invalid")
        // The escrow copy cannot open what the committee could not: the committee wrap does not
        // recompute from the escrowed key.
        #expect(errorCode { _ = try opener.unlock(f.technical, with: .escrowKey(f.escrow)) } == "wrap-mismatch")
        // Nor can a disclosed key: the real key, taken from the escrow wrap, proves the bidder's fault.
        let binding = EnvelopeBinding(tender: f.tender, bidder: f.bidder, name: f.technical, stage: f.technicalStage)
        let entry = opener.header.envelopes[0]
        let real = SecureBytes(
            copying: try HPKE.open(
                entry.escrow!.wrappedKey, encapsulatedKey: entry.escrow!.encapsulatedKey, with: f.escrow, info: binding.escrowInfo))
        #expect(errorCode { _ = try opener.unlock(f.technical, with: .envelopeKey(real)) } == "wrap-mismatch")
        // The other envelope of the same bid is unaffected.
        #expect(errorCode { _ = try opener.unlock(f.price, with: .committeeKey(f.priceCommittee, stage: f.priceStage)) } == "no error")
    }

    @Test("an ephemeral key not derived from the envelope key is refused by the committee")
    func randomEphemeral() throws {
        let bytes = try sealTampered(.randomEphemeral)
        let opener = try f.opener(bytes)
        try opener.checkWrapProofs()
        #expect(errorCode { _ = try opener.unlock(f.technical, with: .committeeKey(f.technicalCommittee, stage: f.technicalStage)) }
            == "wrap-mismatch")
        #expect(errorCode { _ = try opener.unlock(f.technical, with: .escrowKey(f.escrow)) } == "wrap-mismatch")
    }

    @Test("an honest bid's wraps recompute from its key on every path")
    func wrapsRecompute() throws {
        let (bytes, _) = try f.seal(technical: [1, 2, 3], price: [4])
        let opener = try f.opener(bytes)
        let viaEscrow = try opener.unlock(f.technical, with: .escrowKey(f.escrow))
        #expect(try viaEscrow.decryptToMemory() == [1, 2, 3])
        #expect(try opener.unlock(f.technical, with: .envelopeKey(viaEscrow.key)).decryptToMemory() == [1, 2, 3])
        #expect(try f.openTechnical(bytes) == [1, 2, 3])
    }

    @Test("ECDSA malleability: (r, n − s) by a third party is the same bid, not a second one")
    func malleatedECDSASignature() throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let key = try ECDSAP256SigningKey(pem: pki.leafKeyPEM)
        let (bytes, summary) = try f.seal(technical: [42], price: [7], signer: .ecdsaP256(key, chain: [pki.leaf, pki.intermediate]))
        let policy = SignerPolicy.signatureOnly(x509Roots: [pki.root])
        let original = try BidOpener(source: MemorySource(bytes), policy: policy)
        // Anyone can negate s: the result is another valid signature over the same message.
        let headerLength = original.header.headerLength
        var malleated = bytes
        let s = try P256Scalar(bytes: bytes[(headerLength - 32)..<headerLength])
        malleated.replaceSubrange((headerLength - 32)..<headerLength, with: (-s).rawRepresentation)
        #expect(malleated != bytes)
        let copy = try BidOpener(source: MemorySource(malleated), policy: policy)  // still verifies
        // ...but it is the same bid: the identity the log and the opening use is unchanged.
        #expect(copy.header.bidDigest == summary.bidDigest)
        #expect(copy.header.bidDigest == original.header.bidDigest)
    }

    @Test("a certificate in BER (a non-minimal length) is refused, in a bid and on its own")
    func berCertificate() throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let der = pki.leaf.derRepresentation
        // The outer SEQUENCE length in a longer form than needed: 0x83 00 LL LL instead of 0x82 LL LL.
        #expect(der[0] == 0x30 && der[1] == 0x82)
        let ber = [0x30, 0x83, 0x00] + der[2...]
        #expect(throws: CryptoError.self) { _ = try X509Certificate(derRepresentation: ber) }
        // Inside a bid: replace the leaf in the header by its BER form (one byte longer).
        let key = try ECDSAP256SigningKey(pem: pki.leafKeyPEM)
        let (bytes, _) = try f.seal(technical: [42], price: [7], signer: .ecdsaP256(key, chain: [pki.leaf]))
        let header = try BidHeader.read(from: MemorySource(bytes))
        var h = header.bytes
        guard let at = (0..<(h.count - der.count)).first(where: { Array(h[$0..<($0 + der.count)]) == der }) else {
            Issue.record("leaf not found in the header")
            return
        }
        h.replaceSubrange(at..<(at + der.count), with: ber)
        let certLength = UInt16(ber.count)
        h[at - 2] = UInt8(certLength >> 8)
        h[at - 1] = UInt8(certLength & 0xFF)
        let headerLength = UInt32(h.count)
        h.replaceSubrange(12..<16, with: withUnsafeBytes(of: headerLength.bigEndian) { Array($0) })
        #expect(errorCode { _ = try BidHeader.parse(h) } == "malformed-header")
    }
}
