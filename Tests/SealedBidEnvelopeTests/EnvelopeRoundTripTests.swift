import Foundation
import Testing

import SealedBidEnvelope
import SealedBidHPKE
import SealedBidPrimitives
import SealedBidTestSupport

@Suite("Bid envelopes: round trips")
struct EnvelopeRoundTripTests {
    let f = Fixture()

    @Test("sizes around the chunk and block boundaries", arguments: [0, 1, 16383, 16384, 16385, 3 * 16384, (1 << 20) + 123])
    func roundTrip(size: Int) throws {
        let technical = SecureRandom.bytes(count: size)
        let price = SecureRandom.bytes(count: 100)
        let (bytes, summary) = try f.seal(technical: technical, price: price)
        #expect(UInt64(bytes.count) == summary.fileLength)
        #expect(summary.header.envelopes[0].payloadLength == EnvelopeFormat.payloadLength(plaintextLength: UInt64(size)))
        #expect(try f.openTechnical(bytes) == technical)
        let opener = try f.opener(bytes)
        #expect(try opener.unlock(f.price, with: .committeeKey(f.priceCommittee, stage: f.priceStage)).decryptToMemory() == price)
        try opener.verifyPayloadDigests(workers: 2)
        #expect(opener.header.bidDigest == summary.bidDigest)
    }

    @Test("every key path opens: committee key, escrow, envelope key, external DH")
    func keyPaths() throws {
        let technical = SecureRandom.bytes(count: 40000)
        let (bytes, _) = try f.seal(technical: technical, price: [1, 2, 3])
        let opener = try f.opener(bytes)
        let unlocked = try opener.unlock(f.technical, with: .committeeKey(f.technicalCommittee, stage: f.technicalStage))
        #expect(try opener.unlock(f.technical, with: .escrowKey(f.escrow)).decryptToMemory() == technical)
        #expect(try opener.unlock(f.technical, with: .envelopeKey(unlocked.key)).decryptToMemory() == technical)
        let enc = opener.header.envelopes[0].encapsulatedKey
        let dh = try enc.publicKey.point.sharedSecret(privateScalar: f.technicalCommittee.scalar)
        let viaDH = try opener.unlock(
            f.technical, with: .sharedDH(dh, committeeKey: f.technicalCommittee.publicKey, stage: f.technicalStage))
        #expect(try viaDH.decryptToMemory() == technical)
        // The price envelope has no escrow copy.
        #expect(errorCode { _ = try opener.unlock(f.price, with: .escrowKey(f.escrow)) } == "wrong-recipient")
    }

    @Test("parallel decryption to a file equals the plaintext; random access reads")
    func parallelAndRandomAccess() throws {
        let technical = SecureRandom.bytes(count: 3 * (1 << 20) + 5000)
        let (bytes, _) = try f.seal(technical: technical, price: [])
        let unlocked = try f.opener(bytes).unlock(f.technical, with: .committeeKey(f.technicalCommittee, stage: f.technicalStage))
        for workers in [1, 2, 4] {
            let path = temporaryPath("plain-\(workers)")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try unlocked.decrypt(toFile: path, workers: workers)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(technical))
        }
        #expect(unlocked.plaintextLength == UInt64(technical.count))
        for range: Range<UInt64> in [0..<0, 0..<1, 16380..<16390, 1_000_000..<1_100_000, UInt64(technical.count - 3)..<UInt64(technical.count)] {
            #expect(try unlocked.read(range) == Array(technical[Int(range.lowerBound)..<Int(range.upperBound)]))
        }
        #expect(errorCode { _ = try unlocked.read(0..<UInt64(technical.count + 1)) } == "invalid-input")
    }

    @Test("sealing from a file and from an async sequence")
    func otherSources() async throws {
        let content = SecureRandom.bytes(count: 50000)
        let path = temporaryPath("source")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(content).write(to: URL(fileURLWithPath: path))
        let output = temporaryPath("bid")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let sink = try FileSink(path: output)
        var sealer = try BidSealer(tender: f.tender, bidder: f.bidder, signer: .ed25519(f.signer), envelopes: f.recipes, to: sink)
        try sealer.append(contentsOfFile: path)
        try sealer.nextEnvelope()
        try await sealer.append(contentsOf: AsyncStream<UInt8> { continuation in
            for byte in content.prefix(20000) { continuation.yield(byte) }
            continuation.finish()
        })
        _ = try sealer.finish()
        try sink.commit()
        let opener = try BidOpener(path: output, tender: f.tender, policy: .signatureOnly())
        #expect(try opener.unlock(f.technical, with: .committeeKey(f.technicalCommittee, stage: f.technicalStage)).decryptToMemory() == content)
        #expect(try opener.unlock(f.price, with: .committeeKey(f.priceCommittee, stage: f.priceStage)).decryptToMemory() == Array(content.prefix(20000)))
    }

    @Test("ECDSA P-256 signer with an X.509 chain")
    func x509Signer() throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let key = try ECDSAP256SigningKey(pem: pki.leafKeyPEM)
        let (bytes, _) = try f.seal(technical: [42], price: [7], signer: .ecdsaP256(key, chain: [pki.leaf, pki.intermediate]))
        let trusted = SignerPolicy(x509Roots: [pki.root], verificationTime: Date())
        let opener = try BidOpener(source: MemorySource(bytes), policy: trusted)
        #expect(try opener.unlock(f.price, with: .committeeKey(f.priceCommittee, stage: f.priceStage)).decryptToMemory() == [7])
        #expect(errorCode { _ = try BidOpener(source: MemorySource(bytes), policy: .signatureOnly()) } == "untrusted-signer")
        #expect(errorCode { _ = try BidOpener(source: MemorySource(bytes), policy: SignerPolicy(x509Roots: [pki.otherRoot])) } == "untrusted-signer")
        // Pinning the bidder's registered certificate subject: theirs passes, another's does not,
        // and the registered-identities policy accepts no Ed25519 key when none is registered.
        #expect(pki.leaf.subject == "CN=PT Contoh Bidder")
        let pinned = SignerPolicy.registered(x509Roots: [pki.root], x509Subjects: ["CN=PT Contoh Bidder"])
        #expect(throws: Never.self) { _ = try BidOpener(source: MemorySource(bytes), policy: pinned) }
        let otherSubject = SignerPolicy.registered(x509Roots: [pki.root], x509Subjects: ["CN=PT Lain"])
        #expect(errorCode { _ = try BidOpener(source: MemorySource(bytes), policy: otherSubject) } == "untrusted-signer")
        let (ed25519Bid, _) = try f.seal(technical: [1], price: [2])
        #expect(errorCode { _ = try BidOpener(source: MemorySource(ed25519Bid), policy: pinned) } == "untrusted-signer")
        // A chain whose leaf is not the signing key is refused when sealing.
        #expect(errorCode { _ = try f.seal(technical: [], price: [], signer: .ecdsaP256(key, chain: [pki.intermediate])) } == "invalid-input")
    }

    @Test("a registered-key policy refuses other Ed25519 keys")
    func registeredKeys() throws {
        let (bytes, _) = try f.seal(technical: [1], price: [2])
        _ = try BidOpener(source: MemorySource(bytes), policy: SignerPolicy(ed25519Keys: [f.signer.publicKey]))
        #expect(errorCode {
            _ = try BidOpener(source: MemorySource(bytes), policy: SignerPolicy(ed25519Keys: [Ed25519PrivateKey().publicKey]))
        } == "untrusted-signer")
    }
}
