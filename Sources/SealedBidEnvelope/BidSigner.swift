import Foundation
import SealedBidPrimitives

/// How the bidder signs (`docs/spec/envelope-v1.md`, `signer`).
public enum BidSigner: Sendable {
    /// `sig_alg = 0x01`.
    case ed25519(Ed25519PrivateKey)
    /// `sig_alg = 0x02`: a national-PKI key with its certificate chain, leaf first
    /// (up to 4 certificates). The leaf's key must be the signing key.
    case ecdsaP256(ECDSAP256SigningKey, chain: [X509Certificate])

    var identity: SignerIdentity {
        switch self {
        case .ed25519(let key): .ed25519(key.publicKey)
        case .ecdsaP256(_, let chain): .x509(chain: chain)
        }
    }

    func check() throws(EnvelopeError) {
        guard case .ecdsaP256(let key, let chain) = self else { return }
        guard (1...EnvelopeFormat.maximumCertificates).contains(chain.count) else {
            throw .invalidInput("a certificate chain of 1 to 4 certificates is required")
        }
        guard chain.allSatisfy({ (1...EnvelopeFormat.maximumCertificateLength).contains($0.derRepresentation.count) }) else {
            throw .invalidInput("each certificate must be 1 to 16384 bytes of DER")
        }
        guard (try? ECDSAP256PublicKey(subjectPublicKeyInfo: chain[0].subjectPublicKeyInfo)) == key.publicKey else {
            throw .invalidInput("the leaf certificate does not carry the signing key")
        }
    }

    /// Whether what this signer signs would pass `policy` (the bidder's registered identities,
    /// certificate chains at the policy's time), checked by signing and verifying a probe: a
    /// bidder's tool refuses to seal or sign a statement with a key the opening would not accept.
    /// - Throws: ``EnvelopeError/untrustedSigner(_:)``, ``EnvelopeError/badSignature``, ``EnvelopeError/invalidInput(_:)``.
    public func check(against policy: SignerPolicy) throws(EnvelopeError) {
        try check()
        let probe = Array("sealbid/signer-check".utf8) + [0]
        try SignatureCheck.verify(signer: identity, signature: sign(probe), message: probe, policy: policy)
    }

    /// A 64-byte signature over `message`.
    func sign(_ message: [UInt8]) throws(EnvelopeError) -> [UInt8] {
        switch self {
        case .ed25519(let key):
            return key.signature(for: message).rawRepresentation
        case .ecdsaP256(let key, _):
            return try lift { () throws(CryptoError) in try key.signature(for: message).rawRepresentation }
        }
    }
}

/// What the verifier accepts as a bidder's signing identity.
public struct SignerPolicy: Sendable {
    /// Trust anchors for `sig_alg = 0x02` chains. Empty: X.509 signers are untrusted.
    public var x509Roots: [X509Certificate]
    /// The time at which chains must be valid (normally the receipt's time).
    public var verificationTime: Date
    /// When set, only these Ed25519 keys are accepted (for example from bidder registration);
    /// an empty set accepts no Ed25519 signer at all.
    public var ed25519Keys: Set<Ed25519PublicKey>?
    /// When set, an X.509 signer is accepted only if its leaf certificate's subject, in its
    /// canonical text (``X509Certificate/subject``; envelope-v1, "Certificate subjects"), is one
    /// of these, byte for byte: the bidder's registered identity in the national PKI. Without it,
    /// anyone the roots certify is accepted.
    public var x509Subjects: Set<String>?

    public init(
        x509Roots: [X509Certificate] = [], verificationTime: Date = Date(), ed25519Keys: Set<Ed25519PublicKey>? = nil,
        x509Subjects: Set<String>? = nil
    ) {
        self.x509Roots = x509Roots
        self.verificationTime = verificationTime
        self.ed25519Keys = ed25519Keys
        self.x509Subjects = x509Subjects
    }

    /// A bidder's registered identities: only bids signed by one of them are accepted.
    /// Pass the Ed25519 keys, or the PKI roots with the certificate subjects, or both.
    public static func registered(
        ed25519Keys: Set<Ed25519PublicKey> = [], x509Roots: [X509Certificate] = [], x509Subjects: Set<String> = [],
        at time: Date = Date()
    ) -> SignerPolicy {
        SignerPolicy(x509Roots: x509Roots, verificationTime: time, ed25519Keys: ed25519Keys, x509Subjects: x509Subjects)
    }

    /// Any Ed25519 key, and X.509 chains to `roots`: the signature is checked,
    /// the identity is left to the caller (it is in ``BidHeader/signer``).
    public static func signatureOnly(x509Roots: [X509Certificate] = [], at time: Date = Date()) -> SignerPolicy {
        SignerPolicy(x509Roots: x509Roots, verificationTime: time)
    }
}
