import Foundation
import SealedBidPrimitives

extension HPKE {
    /// A DHKEM(P-256) public key. Serialized as the 65-byte SEC1 uncompressed
    /// point (RFC 9180 §7.1.1); deserialization accepts nothing else.
    public struct PublicKey: Sendable, Hashable {
        public let point: P256Point

        public init(point: P256Point) { self.point = point }

        /// DeserializePublicKey.
        /// - Throws: ``CryptoError/invalidLength(what:expected:actual:)`` unless 65 bytes,
        ///   ``CryptoError/invalidPointEncoding``, ``CryptoError/pointNotOnCurve``.
        public init(rawRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
            let raw = bytes.withUnsafeBytes { Array($0) }
            guard raw.count == HPKE.nPk else { throw .length("HPKE public key", expected: HPKE.nPk, actual: raw.count) }
            guard raw[0] == 0x04 else { throw .invalidPointEncoding }
            self.point = try P256Point(sec1: raw)
        }

        /// SerializePublicKey: `04 || X || Y`.
        public var rawRepresentation: [UInt8] { point.uncompressedRepresentation }
    }

    /// A DHKEM(P-256) private key: a scalar in [1, n-1] in secure memory.
    public struct PrivateKey: Sendable, CustomStringConvertible {
        public let scalar: P256Scalar
        public let publicKey: PublicKey

        /// A fresh key pair from the CSPRNG (GenerateKeyPair).
        public init() {
            let scalar = P256Scalar.random()
            // A non-zero scalar times G is never the identity.
            self.init(validScalar: scalar)
        }

        /// From a scalar (for instance a reconstructed committee key).
        /// - Throws: ``CryptoError/zeroScalar``.
        public init(scalar: P256Scalar) throws(CryptoError) {
            guard !scalar.isZero else { throw .zeroScalar }
            self.init(validScalar: scalar)
        }

        private init(validScalar scalar: P256Scalar) {
            self.scalar = scalar
            do {
                self.publicKey = PublicKey(point: try P256Point.generatorMultiple(scalar))
            } catch {
                fatalError("scalar multiplication of a non-zero scalar failed: \(error)")
            }
        }

        /// DeserializePrivateKey: 32 big-endian bytes in [1, n-1].
        /// - Throws: ``CryptoError/invalidLength(what:expected:actual:)``,
        ///   ``CryptoError/nonCanonicalScalar``, ``CryptoError/zeroScalar``.
        public init(rawRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
            try self.init(scalar: P256Scalar(bytes: bytes))
        }

        /// DeriveKeyPair(ikm) (RFC 9180 §7.1.3): deterministic, for key
        /// derivation from a seed. `ikm` must hold at least 32 bytes of entropy.
        /// - Throws: ``CryptoError/invalidParameter(_:)`` if `ikm` is shorter than 32 bytes.
        public static func derive(fromIKM ikm: some ContiguousBytes) throws(CryptoError) -> PrivateKey {
            let count = ikm.withUnsafeBytes { $0.count }
            guard count >= HPKE.nSk else { throw .invalidParameter("DeriveKeyPair needs at least 32 bytes of IKM") }
            let prk = Labeled.extract(salt: [], label: "dkp_prk", ikm: SecureBytes(copying: ikm), suiteID: HPKE.kemSuiteID)
            for counter in 0...255 {
                let candidate = try Labeled.expand(
                    prk: prk, label: "candidate", info: [UInt8(counter)], length: HPKE.nSk, suiteID: HPKE.kemSuiteID)
                // bitmask 0xFF for P-256: nothing to clear.
                if let scalar = try? P256Scalar(bytes: candidate), !scalar.isZero {
                    return PrivateKey(validScalar: scalar)
                }
            }
            throw .invalidParameter("DeriveKeyPair found no valid candidate")
        }

        /// SerializePrivateKey. The caller must wipe the copy.
        public var rawRepresentation: [UInt8] { scalar.rawRepresentation }

        public var description: String { "HPKE.PrivateKey(<redacted>)" }
    }

    /// The encapsulated key `enc`: the sender's ephemeral public key, 65 bytes.
    public struct EncapsulatedKey: Sendable, Hashable {
        public let publicKey: PublicKey

        /// - Throws: as ``PublicKey/init(rawRepresentation:)``.
        public init(rawRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
            self.publicKey = try PublicKey(rawRepresentation: bytes)
        }

        /// The encapsulated key is the ephemeral public key itself.
        public init(publicKey: PublicKey) { self.publicKey = publicKey }

        public var rawRepresentation: [UInt8] { publicKey.rawRepresentation }
    }
}
