internal import CSodium
import Foundation

/// An Ed25519 public key (RFC 8032), 32 bytes.
///
/// Verification follows the one policy of `docs/spec/primitives-v1.md`,
/// "Ed25519 verification policy": libsodium 1.0.18's strict
/// `crypto_sign_verify_detached` (canonical S, no small-order A or R, no
/// non-canonical A or R, cofactorless equation).
public struct Ed25519PublicKey: Sendable, Hashable {
    public static let byteCount = 32
    public let rawRepresentation: [UInt8]

    /// - Throws: ``CryptoError/invalidLength(what:expected:actual:)`` unless exactly 32 bytes.
    public init(rawRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
        let raw = bytes.withUnsafeBytes { Array($0) }
        guard raw.count == Self.byteCount else { throw .length("Ed25519 public key", expected: 32, actual: raw.count) }
        self.rawRepresentation = raw
    }

    /// Verifies `signature` over `message`.
    /// - Throws: ``CryptoError/invalidSignature`` when it does not verify under the policy.
    public func verify(_ signature: Ed25519Signature, for message: some ContiguousBytes) throws(CryptoError) {
        try Sodium.ensureInitialised()
        let ok = signature.rawRepresentation.withUnsafeBufferPointer { s in
            rawRepresentation.withUnsafeBufferPointer { k in
                message.withUnsafeBytes { m in
                    crypto_sign_verify_detached(s.baseAddress!, m.bytePointer, UInt64(m.count), k.baseAddress!) == 0
                }
            }
        }
        guard ok else { throw .invalidSignature }
    }

    /// Whether the key is a point of the prime-order subgroup, canonical and not of small order
    /// (libsodium's `crypto_core_ed25519_is_valid_point`): what every key made by key
    /// generation is. A registry refuses other keys (they could never sign under the policy).
    public var isValidPoint: Bool {
        (try? Sodium.ensureInitialised()) != nil
            && rawRepresentation.withUnsafeBufferPointer { crypto_core_ed25519_is_valid_point($0.baseAddress!) } == 1
    }

    /// `true` when `signature` verifies; prefer ``verify(_:for:)``, which cannot be ignored silently.
    public func isValidSignature(_ signature: Ed25519Signature, for message: some ContiguousBytes) -> Bool {
        (try? verify(signature, for: message)) != nil
    }
}

/// An Ed25519 signature `R || S`, 64 bytes.
public struct Ed25519Signature: Sendable, Hashable {
    public static let byteCount = 64
    public let rawRepresentation: [UInt8]

    /// - Throws: ``CryptoError/invalidSignatureEncoding`` unless exactly 64 bytes.
    public init(rawRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
        let raw = bytes.withUnsafeBytes { Array($0) }
        guard raw.count == Self.byteCount else { throw .invalidSignatureEncoding }
        self.rawRepresentation = raw
    }
}

/// An Ed25519 signing key. The 32-byte seed (and libsodium's expanded
/// 64-byte secret key) live in guarded memory.
public struct Ed25519PrivateKey: Sendable, CustomStringConvertible {
    public static let seedByteCount = 32

    private let secretKey: SecureBytes  // libsodium layout: seed || public key
    public let publicKey: Ed25519PublicKey

    /// A fresh key from the CSPRNG.
    public init() {
        try! self.init(seed: SecureBytes.random(count: Self.seedByteCount))
    }

    /// The key determined by a 32-byte seed (RFC 8032's private key).
    /// - Throws: ``CryptoError/invalidLength(what:expected:actual:)``.
    public init(seed: SecureBytes) throws(CryptoError) {
        guard seed.count == Self.seedByteCount else {
            throw .length("Ed25519 seed", expected: Self.seedByteCount, actual: seed.count)
        }
        try Sodium.ensureInitialised()
        var publicKey = [UInt8](repeating: 0, count: 32)
        let secretKey = try SecureBytes(count: 64) { (sk: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            let ok = seed.withUnsafeBytes { s in
                publicKey.withUnsafeMutableBufferPointer { pk in
                    crypto_sign_seed_keypair(pk.baseAddress!, sk.bytePointer, s.bytePointer) == 0
                }
            }
            guard ok else { throw .libraryFailure(operation: "crypto_sign_seed_keypair") }
        }
        self.secretKey = secretKey
        self.publicKey = try Ed25519PublicKey(rawRepresentation: publicKey)
    }

    /// The 32-byte seed, in guarded memory.
    public var seed: SecureBytes {
        secretKey.withUnsafeBytes { SecureBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<32])) }
    }

    /// A deterministic RFC 8032 signature over `message`.
    public func signature(for message: some ContiguousBytes) -> Ed25519Signature {
        var signature = [UInt8](repeating: 0, count: 64)
        let ok = secretKey.withUnsafeBytes { sk in
            message.withUnsafeBytes { m in
                signature.withUnsafeMutableBufferPointer { s in
                    crypto_sign_detached(s.baseAddress!, nil, m.bytePointer, UInt64(m.count), sk.bytePointer) == 0
                }
            }
        }
        // crypto_sign_detached has no failure mode for a well-formed key.
        precondition(ok, "crypto_sign_detached failed")
        return try! Ed25519Signature(rawRepresentation: signature)
    }

    public var description: String { "Ed25519PrivateKey(<redacted>, public: \(publicKey.rawRepresentation.hexString))" }
}
