import SealedBidHPKE
import SealedBidPrimitives

/// Where the committee protocols draw their secret scalars. Production uses
/// the CSPRNG (`P256Scalar.random()`); a seeded stream exists only for the
/// deterministic test-vector generator (package access, never public).
package final class ScalarSource: @unchecked Sendable {
    // Used from one thread by the vector generator.
    private let seed: [UInt8]?
    private var counter: UInt64 = 0
    private var nonceCounter: UInt64 = 0

    /// The CSPRNG.
    package static let system = ScalarSource(seed: nil)

    private init(seed: [UInt8]?) { self.seed = seed }

    /// A reproducible stream: scalar i = hash_to_scalar(seed || I2OSP(i, 8)).
    package static func deterministic(seed: String) -> ScalarSource {
        ScalarSource(seed: Array("sealbid committee vectors v1|\(seed)".utf8))
    }

    package func next() -> P256Scalar {
        guard let seed else { return .random() }
        counter += 1
        let input = seed + withUnsafeBytes(of: counter.bigEndian) { Array($0) }
        // hash_to_scalar cannot fail with a fixed, valid DST.
        return (try? P256Scalar.hash(input, domain: Array("sealbid vectors".utf8))) ?? .one
    }

    /// A proof nonce drawn from a stream of its own (the CSPRNG in production), so that adding a
    /// proof to a message leaves every other value the vector generator draws unchanged.
    func nonce() -> P256Scalar {
        guard let seed else { return .random() }
        nonceCounter += 1
        let input = seed + Array("|nonce".utf8) + withUnsafeBytes(of: nonceCounter.bigEndian) { Array($0) }
        return (try? P256Scalar.hash(input, domain: Array("sealbid vectors".utf8))) ?? .one
    }

    /// An HPKE ephemeral key for sealing shares.
    func ephemeralKey() -> HPKE.PrivateKey {
        guard seed != nil else { return HPKE.PrivateKey() }
        var scalar = next()
        while scalar.isZero { scalar = next() }
        return (try? HPKE.PrivateKey(scalar: scalar)) ?? HPKE.PrivateKey()
    }
}
