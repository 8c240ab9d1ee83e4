import ArgumentParser
import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// Until the end-to-end tender exists, the demo is a real round trip through
/// the primitives and HPKE: a committee key seals a bid key, the bidder
/// signs, the opener checks the signature, unwraps the key with the HPKE
/// recipient both directly and through an externally computed DH value
/// (the path threshold decryption will take), and decrypts the document.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a sealed-bid round trip with timings (the main job).")

    @Option(help: "Size of the demo bid document in bytes.")
    var bidSize: Int = 1 << 20

    @Option(help: "How many bids to seal and open.")
    var bidders: Int = 20

    func validate() throws {
        guard bidSize >= 0, bidSize <= 1 << 30 else { throw ValidationError("--bid-size must be 0...1073741824") }
        guard bidders > 0, bidders <= 10_000 else { throw ValidationError("--bidders must be 1...10000") }
    }

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let tender = "LPSE-2026-0042"
        let committee = HPKE.PrivateKey()
        print("committee key  \(committee.publicKey.rawRepresentation.prefix(8).hexString)… (P-256, HPKE 0x0010/0x0001/0x0002)")

        struct SealedBid {
            let bidder: String
            let bidderKey: Ed25519PublicKey
            let enc: HPKE.EncapsulatedKey
            let wrappedKey: [UInt8]
            let document: [UInt8]
            let signature: Ed25519Signature
            let plaintextDigest: [UInt8]
        }

        var sealed: [SealedBid] = []
        let sealStart = clock.now
        for index in 0..<bidders {
            let bidder = "bidder-\(index + 1)"
            let signer = Ed25519PrivateKey()
            let document = SecureRandom.bytes(count: bidSize)
            let info = Array("sealbid demo v0|\(tender)|\(bidder)|technical".utf8)
            let bidKey = SecureBytes.random(count: AESGCM.keyByteCount)
            let nonce = [UInt8](repeating: 0, count: AESGCM.nonceByteCount)  // one message per fresh key
            let ciphertext = try AESGCM(key: bidKey).seal(nonce: nonce, plaintext: document, authenticating: info)
            let (enc, wrapped) = try HPKE.seal(bidKey, to: committee.publicKey, info: info)
            let signed = enc.rawRepresentation + wrapped + SHA256.hash(ciphertext)
            sealed.append(
                SealedBid(
                    bidder: bidder, bidderKey: signer.publicKey, enc: enc, wrappedKey: wrapped, document: ciphertext,
                    signature: signer.signature(for: signed), plaintextDigest: SHA256.hash(document)))
        }
        let sealTime = clock.now - sealStart

        let openStart = clock.now
        var opened = 0
        for (index, bid) in sealed.enumerated() {
            let info = Array("sealbid demo v0|\(tender)|\(bid.bidder)|technical".utf8)
            try bid.bidderKey.verify(bid.signature, for: bid.enc.rawRepresentation + bid.wrappedKey + SHA256.hash(bid.document))
            // Alternate the two recipient paths: direct, and from a DH value computed outside HPKE.
            let bidKey: [UInt8]
            if index % 2 == 0 {
                bidKey = try HPKE.open(bid.wrappedKey, encapsulatedKey: bid.enc, with: committee, info: info)
            } else {
                let dh = try bid.enc.publicKey.point.sharedSecret(privateScalar: committee.scalar)
                var recipient = try HPKE.Recipient(
                    encapsulatedKey: bid.enc, recipientKey: committee.publicKey, sharedDH: dh, info: info)
                bidKey = try recipient.open(bid.wrappedKey)
            }
            let nonce = [UInt8](repeating: 0, count: AESGCM.nonceByteCount)
            let document = try AESGCM(key: SecureBytes(copying: bidKey)).open(
                nonce: nonce, ciphertextAndTag: bid.document, authenticating: info)
            guard SHA256.hash(document) == bid.plaintextDigest else {
                throw ValidationError("bid \(bid.bidder) decrypted to different bytes")
            }
            opened += 1
        }
        let openTime = clock.now - openStart

        // A tampered bid must be refused without releasing plaintext.
        var tampered = sealed[0].document
        tampered[tampered.count - 1] ^= 1
        let refused = (try? AESGCM(key: SecureBytes.random(count: 32)).open(
            nonce: [UInt8](repeating: 0, count: 12), ciphertextAndTag: tampered,
            authenticating: [UInt8]())) == nil

        let megabytes = Double(bidders * bidSize) / 1_048_576
        print("sealed         \(bidders) bids × \(bidSize) bytes in \(format(sealTime)) (\(rate(megabytes, sealTime)))")
        print("opened         \(opened)/\(bidders) bids, every signature and digest checked, in \(format(openTime)) (\(rate(megabytes, openTime)))")
        print("tampered bid   \(refused ? "refused" : "ACCEPTED (bug)")")
        print("total          \(format(clock.now - start))")
        guard refused, opened == bidders else { throw ExitCode.failure }
    }

    private func format(_ d: Duration) -> String {
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return String(format: "%.3f s", seconds)
    }

    private func rate(_ megabytes: Double, _ d: Duration) -> String {
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return seconds > 0 ? String(format: "%.0f MiB/s", megabytes / seconds) : "-"
    }
}
