import Foundation
import Testing

import SealedBidEnvelope
import SealedBidHPKE
import SealedBidPrimitives

/// Every MUST-reject rule of docs/spec/envelope-v1.md ("Opening"), each with
/// its own error and no plaintext released.
@Suite("Bid envelopes: hostile input")
struct EnvelopeHostileInputTests {
    let f = Fixture()
    let sealed: [UInt8]
    let headerLength: Int

    init() throws {
        let (bytes, summary) = try f.seal(technical: SecureRandom.bytes(count: 40000), price: SecureRandom.bytes(count: 10))
        sealed = bytes
        headerLength = summary.header.headerLength
    }

    func mutated(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
        var copy = sealed
        change(&copy)
        return copy
    }

    @Test func structure() {
        #expect(errorCode { _ = try f.opener(mutated { $0[0] ^= 1 }) } == "not-a-bid")
        #expect(errorCode { _ = try f.opener([]) } == "not-a-bid")
        #expect(errorCode { _ = try f.opener(Array("hello".utf8)) } == "not-a-bid")
        #expect(errorCode { _ = try f.opener(Array(sealed.prefix(5))) } == "truncated")
        #expect(errorCode { _ = try f.opener(Array(sealed.prefix(12))) } == "truncated")
        #expect(errorCode { _ = try f.opener(mutated { $0[9] = 2 }) } == "unsupported-version")
        #expect(errorCode { _ = try f.opener(mutated { $0[11] = 9 }) } == "unsupported-suite")
        // Absurd header_length: refused before any allocation of that size.
        #expect(errorCode { _ = try f.opener(mutated { $0[12] = 0xFF; $0[13] = 0xFF }) } == "malformed-header")
        #expect(errorCode { _ = try f.opener(mutated { $0.replaceSubrange(12..<16, with: [0, 0, 0, 10]) }) } == "malformed-header")
        // A header_length pointing past the end of a short input.
        #expect(errorCode { _ = try f.opener(Array(sealed.prefix(headerLength - 1))) } == "truncated")
    }

    @Test("file length: truncation and trailing bytes")
    func fileLength() {
        #expect(errorCode { _ = try f.opener(Array(sealed.dropLast())) } == "truncated")
        #expect(errorCode { _ = try f.opener(Array(sealed.dropLast(16400))) } == "truncated")
        #expect(errorCode { _ = try f.opener(sealed + [0]) } == "trailing-data")
    }

    @Test("every single-byte change to the header is rejected")
    func headerBitFlips() {
        for position in 0..<headerLength {
            let code = errorCode { _ = try f.openTechnical(mutated { $0[position] ^= 0x01 }) }
            #expect(code != "no error", "byte \(position) of the header changed without detection")
        }
    }

    @Test("signature, tender, bidder, stage and recipient")
    func bindings() throws {
        #expect(errorCode { _ = try f.opener(mutated { $0[headerLength - 1] ^= 1 }) } == "bad-signature")
        let opener = try BidOpener(source: MemorySource(sealed), policy: .signatureOnly())
        #expect(errorCode { _ = try BidOpener(source: MemorySource(sealed), tender: TenderID("LPSE-2026-0043"), policy: .signatureOnly()) } == "wrong-tender")
        #expect(errorCode { _ = try BidOpener(source: MemorySource(sealed), bidder: BidderID("someone-else"), policy: .signatureOnly()) } == "wrong-bidder")
        // Opening the technical stage never opens the price envelope.
        #expect(errorCode { _ = try opener.unlock(f.price, with: .committeeKey(f.technicalCommittee, stage: f.technicalStage)) } == "wrong-stage")
        #expect(errorCode { _ = try opener.unlock(f.price, with: .committeeKey(f.technicalCommittee, stage: f.priceStage)) } == "wrong-recipient")
        #expect(errorCode { _ = try opener.unlock(f.technical, with: .committeeKey(HPKE.PrivateKey(), stage: f.technicalStage)) } == "wrong-recipient")
        #expect(errorCode { _ = try opener.unlock(EnvelopeName("annex"), with: .escrowKey(f.escrow)) } == "no-such-envelope")
        // A wrong DH value (a bad threshold combination) fails to unwrap.
        #expect(errorCode {
            _ = try opener.unlock(f.technical, with: .sharedDH(SecureBytes.random(count: 32), committeeKey: f.technicalCommittee.publicKey, stage: f.technicalStage))
        } == "key-unwrap-failed")
        // A wrong envelope key fails the header MAC.
        #expect(errorCode { _ = try opener.unlock(f.technical, with: .envelopeKey(SecureBytes.random(count: 32))) } == "wrap-mismatch")
    }

    @Test("payload tampering: salt, commitment, chunks reordered, duplicated, changed")
    func payload() throws {
        let start = headerLength
        let chunk = EnvelopeFormat.encryptedChunkSize
        let first = start + EnvelopeFormat.payloadPrefixSize
        func open(_ bytes: [UInt8]) -> String { errorCode { _ = try f.openTechnical(bytes) } }
        #expect(open(mutated { $0[start] ^= 1 }) == "payload-commitment-mismatch")
        #expect(open(mutated { $0[start + 30] ^= 1 }) == "payload-commitment-mismatch")
        #expect(open(mutated { $0[first + 5] ^= 1 }) == "payload-authentication-failed")
        // Swap chunks 0 and 1.
        #expect(open(mutated { bytes in
            let a = Array(bytes[first..<(first + chunk)]), b = Array(bytes[(first + chunk)..<(first + 2 * chunk)])
            bytes.replaceSubrange(first..<(first + chunk), with: b)
            bytes.replaceSubrange((first + chunk)..<(first + 2 * chunk), with: a)
        }) == "payload-authentication-failed")
        // Duplicate chunk 0 over chunk 1.
        #expect(open(mutated { bytes in
            let a = Array(bytes[first..<(first + chunk)])
            bytes.replaceSubrange((first + chunk)..<(first + 2 * chunk), with: a)
        }) == "payload-authentication-failed")
        // The final chunk is authenticated before anything else is released.
        #expect(open(mutated { $0[start + Int(try! f.opener(sealed).header.envelopes[0].payloadLength) - 1] ^= 1 }) == "payload-authentication-failed")
    }

    @Test("a failed decryption to a file leaves nothing under the target name")
    func noPartialPlaintext() throws {
        let damaged = mutated { $0[headerLength + EnvelopeFormat.payloadPrefixSize + 2 * EnvelopeFormat.encryptedChunkSize + 3] ^= 1 }
        let unlocked = try f.opener(damaged).unlock(f.technical, with: .committeeKey(f.technicalCommittee, stage: f.technicalStage))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-out-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("technical.pdf").path
        #expect(errorCode { try unlocked.decrypt(toFile: path, workers: 2) } == "payload-authentication-failed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        // And verification without keys sees the damage through the digest.
        #expect(errorCode { try f.opener(damaged).verifyPayloadDigests() } == "payload-digest-mismatch")
    }

    @Test("sealer misuse is refused")
    func sealerMisuse() throws {
        let sink = MemorySink()
        let sealer = try BidSealer(tender: f.tender, bidder: f.bidder, signer: .ed25519(f.signer), envelopes: f.recipes, to: sink)
        // Finishing before the price envelope was written.
        do {
            _ = try sealer.finish()
            Issue.record("finish() accepted a missing envelope")
        } catch {
            #expect(error == .invalidInput("envelope 'price' was never written"))
        }
        var second = try BidSealer(tender: f.tender, bidder: f.bidder, signer: .ed25519(f.signer), envelopes: f.recipes, to: sink)
        try second.nextEnvelope()
        do {
            try second.nextEnvelope()
            Issue.record("a third envelope was accepted")
        } catch {
            #expect(error.code == "invalid-input")
        }
        #expect(errorCode {
            _ = try BidSealer(tender: f.tender, bidder: f.bidder, signer: .ed25519(f.signer), envelopes: [], to: sink)
        } == "invalid-input")
        #expect(errorCode {
            _ = try BidSealer(tender: f.tender, bidder: f.bidder, signer: .ed25519(f.signer), envelopes: f.recipes + f.recipes, to: sink)
        } == "invalid-input")
        #expect(errorCode { _ = try TenderID("") } == "invalid-input")
        #expect(errorCode { _ = try StageName("Price") } == "invalid-input")
        #expect(errorCode { _ = try TenderID(String(repeating: "a", count: 129)) } == "invalid-input")
    }

    @Test("payload length rules")
    func lengths() {
        #expect(EnvelopeFormat.chunkCount(payloadLength: 71) == nil)
        #expect(EnvelopeFormat.chunkCount(payloadLength: 72) == 1)
        #expect(EnvelopeFormat.chunkCount(payloadLength: UInt64(56 + 16400)) == nil)  // a full final chunk is truncation
        #expect(EnvelopeFormat.chunkCount(payloadLength: UInt64(56 + 16400 + 15)) == nil)
        #expect(EnvelopeFormat.chunkCount(payloadLength: UInt64(56 + 16400 + 16)) == 2)
        #expect(EnvelopeFormat.chunkCount(payloadLength: UInt64.max) == nil)
        for size: UInt64 in [0, 1, 16383, 16384, 16385, 1 << 30] {
            #expect(EnvelopeFormat.plaintextLength(payloadLength: EnvelopeFormat.payloadLength(plaintextLength: size)) == size)
        }
    }
}
