import SealedBidHPKE
import SealedBidPrimitives

/// Where the sealer's randomness comes from. Production always uses the
/// CSPRNG; the deterministic stream exists only so the test-vector generator
/// can reproduce its files byte for byte (package access, not public).
enum SealRandomness {
    case system
    case deterministic(DeterministicRandom)

    func secret(count: Int) -> SecureBytes {
        switch self {
        case .system: SecureBytes.random(count: count)
        case .deterministic(let stream): SecureBytes(copying: stream.bytes(count))
        }
    }

    func bytes(count: Int) -> [UInt8] {
        switch self {
        case .system: SecureRandom.bytes(count: count)
        case .deterministic(let stream): stream.bytes(count)
        }
    }

    /// A non-zero scalar for a Schnorr nonce.
    func nonceScalar() throws(CryptoError) -> P256Scalar {
        switch self {
        case .system: return P256Scalar.random()
        case .deterministic(let stream):
            let scalar = try P256Scalar.hash(stream.bytes(32), domain: Array("sealbid test-vector nonce".utf8))
            guard !scalar.isZero else { throw .zeroScalar }
            return scalar
        }
    }
}

/// A reproducible byte stream: block i = SHA-256(seed || I2OSP(i, 8)).
/// Not a CSPRNG for production: test vectors only.
package final class DeterministicRandom: @unchecked Sendable {
    // Used from one thread by the vector generator.
    private let seed: [UInt8]
    private var counter: UInt64 = 0
    private var pending: [UInt8] = []

    package init(seed: String) { self.seed = Array(seed.utf8) }

    package func bytes(_ count: Int) -> [UInt8] {
        while pending.count < count {
            pending += SHA256.hash(seed + withUnsafeBytes(of: counter.bigEndian) { Array($0) })
            counter += 1
        }
        defer { pending.removeFirst(count) }
        return Array(pending.prefix(count))
    }
}

/// Hooks the vector generator uses to build well-signed but otherwise
/// broken bids (a wrap that does not open, a MAC that does not verify, a
/// digest that does not match). Package access only.
package struct SealTampering: Sendable {
    /// Applied to `core` (same length) before MACs and signature are computed.
    package var core: (@Sendable ([UInt8]) -> [UInt8])?
    /// Applied to the MACs before signing.
    package var macs: (@Sendable ([[UInt8]]) -> [[UInt8]])?
    /// Replaces the first envelope's committee wrap (the proof is made for the replacement).
    package var committeeWrap: WrapTampering?
    /// Replaces the first envelope's escrow wrap.
    package var escrowWrap: WrapTampering?

    package init(
        core: (@Sendable ([UInt8]) -> [UInt8])? = nil, macs: (@Sendable ([[UInt8]]) -> [[UInt8]])? = nil,
        committeeWrap: WrapTampering? = nil, escrowWrap: WrapTampering? = nil
    ) {
        self.core = core
        self.macs = macs
        self.committeeWrap = committeeWrap
        self.escrowWrap = escrowWrap
    }
}

/// Broken committee (or escrow) wraps a dishonest sealer could make.
package enum WrapTampering: Sendable {
    /// Another key wrapped, correctly derived from that key (for the committee wrap, the escrow
    /// copy keeps the real one: the "free option" of envelope-v1's "Void envelopes").
    case otherKey
    /// The real key, wrapped with an ephemeral key that is not derived from it.
    case randomEphemeral
    /// The real key, wrapped with the ephemeral key derived from `ikm`: colluding bidders who
    /// share one ephemeral key get the same `enc`, each with a valid proof.
    case sharedEphemeral(ikm: [UInt8])

    func apply(
        _ wrap: EnvelopeBinding.Wrap = .committee, binding: EnvelopeBinding, key: SecureBytes, recipient: HPKE.PublicKey,
        randomness: SealRandomness
    ) throws(CryptoError) -> (enc: HPKE.EncapsulatedKey, ciphertext: [UInt8], ephemeral: HPKE.PrivateKey) {
        switch self {
        case .otherKey:
            return try binding.seal(wrap, envelopeKey: randomness.secret(count: 32), to: recipient)
        case .randomEphemeral, .sharedEphemeral:
            var ikm = randomness.bytes(count: 32)
            if case .sharedEphemeral(let shared) = self { ikm = shared }
            let ephemeral = try HPKE.PrivateKey.derive(fromIKM: ikm)
            var sender = try HPKE.Sender(recipientKey: recipient, info: binding[keyPath: wrap.info], ephemeralKey: ephemeral)
            return (sender.encapsulatedKey, try sender.seal(key), ephemeral)
        }
    }
}
