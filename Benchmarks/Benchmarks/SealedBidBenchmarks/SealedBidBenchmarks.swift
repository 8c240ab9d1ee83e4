import Benchmark
import Foundation
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidPrimitives

/// Primitive and protocol costs on the bulk-opening hot path. Timings are
/// machine-dependent: compare runs on one machine, never quote them as limits.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        maxDuration: .seconds(3), maxIterations: 10_000)

    let chunk = SecureRandom.bytes(count: 16384)
    let nonce = [UInt8](repeating: 1, count: 12)

    Benchmark("AES-256-GCM seal 16 KiB chunk (no allocation, as on the hot path)") { benchmark in
        let cipher = try AESGCM(key: SecureBytes.random(count: 32))
        var output = [UInt8](repeating: 0, count: 16384 + 16)
        try nonce.withUnsafeBytes { n in
            try chunk.withUnsafeBytes { p in
                try output.withUnsafeMutableBytes { o in
                    for _ in benchmark.scaledIterations {
                        try cipher.seal(nonce: n, plaintext: p, authenticating: UnsafeRawBufferPointer(start: nil, count: 0), into: o)
                    }
                }
            }
        }
        blackHole(output)
    }

    Benchmark("SHA-256 16 KiB") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(SHA256.hash(chunk)) }
    }

    Benchmark("P-256 ECDH (one scalar multiplication)") { benchmark in
        let point = try P256Point.generatorMultiple(.random())
        let scalar = P256Scalar.random()
        for _ in benchmark.scaledIterations { blackHole(try point.sharedSecret(privateScalar: scalar)) }
    }

    Benchmark("Ed25519 verify") { benchmark in
        let key = Ed25519PrivateKey()
        let message = SecureRandom.bytes(count: 256)
        let signature = key.signature(for: message)
        for _ in benchmark.scaledIterations { blackHole(key.publicKey.isValidSignature(signature, for: message)) }
    }

    Benchmark("HPKE seal + open of a 32-byte envelope key") { benchmark in
        let recipient = HPKE.PrivateKey()
        let info = Array("bench".utf8)
        for _ in benchmark.scaledIterations {
            let (enc, ct) = try HPKE.seal(SecureRandom.bytes(count: 32), to: recipient.publicKey, info: info)
            blackHole(try HPKE.open(ct, encapsulatedKey: enc, with: recipient, info: info))
        }
    }

    // Envelopes: seal and open a 1 MiB bid in memory (every check on).
    let tender = try! TenderID("T-1"), bidder = try! BidderID("B-1")
    let stage = try! StageName("technical"), name = try! EnvelopeName("technical")
    let committee = HPKE.PrivateKey(), signer = Ed25519PrivateKey()
    let document = SecureRandom.bytes(count: 1 << 20)
    func seal() throws -> [UInt8] {
        let sink = MemorySink()
        var sealer = try BidSealer(
            tender: tender, bidder: bidder, signer: .ed25519(signer),
            envelopes: [EnvelopeRecipe(name: name, stage: stage, committeeKey: committee.publicKey)], to: sink)
        try sealer.append(document)
        _ = try sealer.finish()
        return sink.bytes
    }
    let sealed = try! seal()

    Benchmark("envelope seal 1 MiB", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try seal()) }
    }

    Benchmark("envelope open 1 MiB (signature, unwrap, MAC, decrypt, digest)", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            let opener = try BidOpener(source: MemorySource(sealed), tender: tender, policy: .signatureOnly())
            blackHole(try opener.unlock(name, with: .committeeKey(committee, stage: stage)).decryptToMemory())
        }
    }

    // Threshold decryption: proofs one by one versus one batched proof per member.
    let members = (1...3).map { MemberKeys(id: MemberID(integerLiteral: UInt16($0))) }
    let roster = try! CommitteeRoster(committee: "T-1", stage: "technical", threshold: 3, members: members.map(\.card))
    let dealing = try! TrustedDealer.deal(roster: roster)
    let shares = dealing.shares.map { try! TrustedDealer.receive($0, stageKey: dealing.stageKey, keys: members[Int($0.recipient.value) - 1]) }
    let encs = (0..<100).map { _ in HPKE.EncapsulatedKey(publicKey: HPKE.PrivateKey().publicKey) }
    let batched = shares.map { try! DecryptionShares.create(share: $0, stageKey: dealing.stageKey, encapsulatedKeys: encs) }
    let single = encs.map { try! DecryptionShares.create(share: shares[0], stageKey: dealing.stageKey, encapsulatedKeys: [$0]) }

    Benchmark("decryption-share proofs: 100 envelopes, one proof each", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            for contribution in single { blackHole(try contribution.verify(stageKey: dealing.stageKey)) }
        }
    }

    Benchmark("decryption-share proofs: 100 envelopes, one batched proof", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try batched[0].verify(stageKey: dealing.stageKey)) }
    }

    Benchmark("threshold combine: 3 members x 100 envelopes", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ThresholdCombiner.combine(stageKey: dealing.stageKey, encapsulatedKeys: encs, contributions: batched))
        }
    }
}
