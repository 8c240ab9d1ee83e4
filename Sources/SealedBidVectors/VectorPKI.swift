import Foundation
import SealedBidPrimitives

/// DER encoding, for the certificates of the envelope vectors.
enum DER {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { [tag] + length(content.count) + content }

    static func length(_ count: Int) -> [UInt8] {
        switch count {
        case ..<0x80: [UInt8(count)]
        case ..<0x100: [0x81, UInt8(count)]
        default: [0x82, UInt8(count >> 8), UInt8(count & 0xFF)]
        }
    }

    static func sequence(_ parts: [UInt8]...) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }

    /// A non-negative INTEGER from big-endian bytes, minimal.
    static func integer(_ bytes: [UInt8]) -> [UInt8] {
        var digits = Array(bytes.drop { $0 == 0 })
        if digits.isEmpty || digits[0] & 0x80 != 0 { digits.insert(0, at: 0) }
        return tlv(0x02, digits)
    }

    static func oid(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").map { UInt64($0)! }
        var content: [UInt8] = []
        for arc in [arcs[0] * 40 + arcs[1]] + arcs.dropFirst(2) {
            var chunk = [UInt8(arc & 0x7F)]
            var rest = arc >> 7
            while rest > 0 {
                chunk.insert(UInt8(rest & 0x7F) | 0x80, at: 0)
                rest >>= 7
            }
            content += chunk
        }
        return tlv(0x06, content)
    }

    static func utf8(_ text: String) -> [UInt8] { tlv(0x0C, Array(text.utf8)) }
    static func printable(_ text: String) -> [UInt8] { tlv(0x13, Array(text.utf8)) }
    static func octetString(_ bytes: [UInt8]) -> [UInt8] { tlv(0x04, bytes) }
    static func bitString(_ bytes: [UInt8], unusedBits: UInt8 = 0) -> [UInt8] { tlv(0x03, [unusedBits] + bytes) }
    static let trueBoolean: [UInt8] = [0x01, 0x01, 0xFF]

    /// A `Name`: each inner array one RDN of (attribute OID, value DER); a SET's members in DER order.
    static func name(_ rdns: [[(String, [UInt8])]]) -> [UInt8] {
        tlv(0x30, rdns.flatMap { rdn in
            tlv(0x31, rdn.map { sequence(oid($0.0), $0.1) }.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 })
        })
    }
}

/// An ECDSA P-256 key whose signatures are deterministic (the nonce is a hash of the key and the
/// message digest), so the vector generator writes the same bytes on every run. OpenSSL's
/// signatures are randomised; vector files need reproducible ones.
struct VectorECDSAKey {
    let scalar: P256Scalar
    let publicKey: ECDSAP256PublicKey

    init(seed: String) throws {
        scalar = try P256Scalar.hash(Array(seed.utf8), domain: Array("sealbid envelope vectors ecdsa key".utf8))
        publicKey = ECDSAP256PublicKey(point: try P256Point.generatorMultiple(scalar))
    }

    /// The same key for ``BidSealer`` (SEC1 `ECPrivateKey`, DER).
    func signingKey() throws -> ECDSAP256SigningKey {
        let sec1 = DER.sequence(
            DER.integer([1]), DER.octetString(scalar.rawRepresentation), DER.tlv(0xA0, DER.oid("1.2.840.10045.3.1.7")))
        return try ECDSAP256SigningKey(derRepresentation: SecureBytes(copying: sec1))
    }

    /// `r || s` over SHA-256(`message`), with `k` derived from the key and the digest.
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        let digest = SHA256.hash(message)
        let k = try P256Scalar.hash(scalar.rawRepresentation + digest, domain: Array("sealbid envelope vectors ecdsa nonce".utf8))
        let x = try P256Point.generatorMultiple(k).xCoordinate
        let r = try x.withUnsafeBytes { try P256Scalar.reducing(bigEndian: $0) }
        let e = try digest.withUnsafeBytes { try P256Scalar.reducing(bigEndian: $0) }
        let s = try k.inverse() * (e + r * scalar)
        guard !r.isZero, !s.isZero else { throw VectorFormatError("degenerate ECDSA signature") }
        let signature = r.rawRepresentation + s.rawRepresentation
        try publicKey.verify(try ECDSAP256Signature(rawRepresentation: signature), for: message)
        return signature
    }
}

/// The test PKI of the `sig_alg 0x02` vectors: certificates built field by field and signed
/// with ``VectorECDSAKey``, valid over fixed dates (the vectors carry the time they are checked at).
enum VectorPKI {
    static let ecdsaWithSHA256 = DER.sequence(DER.oid("1.2.840.10045.4.3.2"))

    /// Key usage bits as DER BIT STRINGs (named-bit lists without trailing zero bits).
    static let digitalSignature = DER.bitString([0x80], unusedBits: 7)
    static let nonRepudiation = DER.bitString([0x40], unusedBits: 6)
    static let keyAgreement = DER.bitString([0x08], unusedBits: 3)
    static let certificateSigning = DER.bitString([0x06], unusedBits: 1)

    static func keyIdentifier(_ spki: [UInt8]) -> [UInt8] { Array(SHA256.hash(spki).prefix(20)) }

    static func extensionField(_ oid: String, critical: Bool, _ value: [UInt8]) -> [UInt8] {
        DER.sequence(DER.oid(oid), critical ? DER.trueBoolean : [], DER.octetString(value))
    }

    /// What one certificate says; ``certificate(_:)`` encodes and signs it.
    struct Profile {
        var serial: UInt8
        var issuer: [UInt8]
        var subject: [UInt8]
        /// UTCTime text, `YYMMDDHHMMSSZ`.
        var notBefore: String
        var notAfter: String
        var spki: [UInt8]
        var isCA: Bool
        /// nil: no keyUsage extension.
        var keyUsage: [UInt8]?
        var extendedKeyUsage: [String]? = nil
        /// The issuer's SubjectPublicKeyInfo, for the authority key identifier (nil: self-signed, none).
        var issuerSPKI: [UInt8]?
        /// Set to 0x01 to write the critical flag of basicConstraints as BER TRUE (not DER).
        var criticalByte: UInt8 = 0xFF
    }

    static func certificate(_ profile: Profile, signedBy key: VectorECDSAKey) throws -> [UInt8] {
        var extensions: [[UInt8]] = []
        var basic = extensionField("2.5.29.19", critical: true, DER.sequence(profile.isCA ? DER.trueBoolean : []))
        if profile.criticalByte != 0xFF, let at = basic.firstIndex(of: 0xFF) { basic[at] = profile.criticalByte }
        extensions.append(basic)
        if let usage = profile.keyUsage { extensions.append(extensionField("2.5.29.15", critical: true, usage)) }
        if let purposes = profile.extendedKeyUsage {
            extensions.append(extensionField("2.5.29.37", critical: false, DER.tlv(0x30, purposes.flatMap(DER.oid))))
        }
        if profile.isCA { extensions.append(extensionField("2.5.29.14", critical: false, DER.octetString(keyIdentifier(profile.spki)))) }
        if let issuerSPKI = profile.issuerSPKI {
            extensions.append(extensionField("2.5.29.35", critical: false, DER.sequence(DER.tlv(0x80, keyIdentifier(issuerSPKI)))))
        }
        let tbs = DER.sequence(
            DER.tlv(0xA0, DER.integer([2])), DER.integer([profile.serial]), ecdsaWithSHA256, profile.issuer,
            DER.sequence(DER.tlv(0x17, Array(profile.notBefore.utf8)), DER.tlv(0x17, Array(profile.notAfter.utf8))),
            profile.subject, profile.spki, DER.tlv(0xA3, DER.tlv(0x30, extensions.flatMap { $0 })))
        let signature = try ECDSAP256Signature(rawRepresentation: key.sign(tbs)).derRepresentation
        return DER.sequence(tbs, ecdsaWithSHA256, DER.bitString(signature))
    }

    static func name(_ commonName: String) -> [UInt8] {
        DER.name([[("2.5.4.6", DER.printable("ID"))], [("2.5.4.10", DER.utf8("SealedBid Test PKI"))], [("2.5.4.3", DER.utf8(commonName))]])
    }

    /// The bidder's subject: an escaped comma, a multi-valued RDN, an attribute type without a
    /// name, a leading `#`, quotes and a non-ASCII letter.
    static let bidderSubject = DER.name([
        [("2.5.4.6", DER.printable("ID"))],
        [("2.5.4.10", DER.utf8("PT Maju, Jaya"))],
        [("2.5.4.11", DER.utf8("Pengadaan")), ("2.5.4.5", DER.printable("NPWP 01.234.567.8-901.000"))],
        [("1.3.6.1.4.1.99999.1", DER.utf8("x"))],
        [("2.5.4.3", DER.utf8("#Budi \"Santoso\" Ñ"))],
    ])
    /// Its canonical text (envelope-v1, "Certificate subjects"), written out here rather than
    /// computed, so that the vectors check the library's canonical form.
    static let bidderSubjectText =
        "CN=\\#Budi \\\"Santoso\\\" Ñ,1.3.6.1.4.1.99999.1=#0C0178,serialNumber=NPWP 01.234.567.8-901.000+OU=Pengadaan,"
        + "O=PT Maju\\, Jaya,C=ID"
    /// The same name in another valid RFC 4514 spelling (hex escapes): not the canonical text.
    static let bidderSubjectOtherSpelling =
        "CN=\\23Budi \\22Santoso\\22 Ñ,1.3.6.1.4.1.99999.1=#0C0178,serialNumber=NPWP 01.234.567.8-901.000+OU=Pengadaan,"
        + "O=PT Maju\\2C Jaya,C=ID"

    /// secp256k1's generator as a SubjectPublicKeyInfo: an EC key on another curve.
    static let secp256k1SPKI = DER.sequence(
        DER.sequence(DER.oid("1.2.840.10045.2.1"), DER.oid("1.3.132.0.10")),
        DER.bitString(
            [0x04] + (try! Hex.decode(
                "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                    + "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"))))

    static func ed25519SPKI(_ key: [UInt8]) -> [UInt8] {
        DER.sequence(DER.sequence(DER.oid("1.3.101.112")), DER.bitString(key))
    }

    /// Root, issuing CA and bidder leaf, plus the variants the vectors need.
    struct Hierarchy {
        let rootKey: VectorECDSAKey, interKey: VectorECDSAKey, leafKey: VectorECDSAKey
        let root: [UInt8], inter: [UInt8], leaf: [UInt8]
        let otherRoot: [UInt8]
        /// An issuing CA certificate for the same key without CA:TRUE.
        let interNotCA: [UInt8]
        /// Leaves for the same key: keyUsage keyAgreement only, nonRepudiation only, none, and
        /// extendedKeyUsage serverAuth only.
        let leafKeyAgreement: [UInt8], leafNonRepudiation: [UInt8], leafNoKeyUsage: [UInt8], leafServerAuth: [UInt8]
        /// Leaves whose key is not P-256.
        let leafEd25519: [UInt8], leafSecp256k1: [UInt8]
        /// A leaf whose basicConstraints critical flag is BER TRUE (0x01): not DER.
        let leafBERBoolean: [UInt8]
        /// A root that expired on 2026-03-01 and a leaf it issued, valid 2025 to 2029.
        let shortRoot: [UInt8], shortRootLeaf: [UInt8]

        init() throws {
            rootKey = try VectorECDSAKey(seed: "root")
            interKey = try VectorECDSAKey(seed: "issuing CA")
            leafKey = try VectorECDSAKey(seed: "bidder leaf")
            let otherKey = try VectorECDSAKey(seed: "unrelated root")
            let shortKey = try VectorECDSAKey(seed: "short-lived root")
            let rootSPKI = rootKey.publicKey.point.subjectPublicKeyInfo
            let interSPKI = interKey.publicKey.point.subjectPublicKeyInfo
            let leafSPKI = leafKey.publicKey.point.subjectPublicKeyInfo
            let rootName = VectorPKI.name("Test National Root"), interName = VectorPKI.name("Test Issuing CA")
            func ca(_ serial: UInt8, _ name: [UInt8], _ spki: [UInt8], from: String, to: String) -> Profile {
                Profile(
                    serial: serial, issuer: name, subject: name, notBefore: from, notAfter: to, spki: spki, isCA: true,
                    keyUsage: VectorPKI.certificateSigning, issuerSPKI: nil)
            }
            root = try VectorPKI.certificate(ca(1, rootName, rootSPKI, from: "240101000000Z", to: "341231235959Z"), signedBy: rootKey)
            let otherSPKI = otherKey.publicKey.point.subjectPublicKeyInfo
            otherRoot = try VectorPKI.certificate(
                ca(1, VectorPKI.name("Unrelated Root"), otherSPKI, from: "240101000000Z", to: "341231235959Z"), signedBy: otherKey)
            var interProfile = ca(2, interName, interSPKI, from: "250101000000Z", to: "301231235959Z")
            interProfile.issuer = rootName
            interProfile.issuerSPKI = rootSPKI
            inter = try VectorPKI.certificate(interProfile, signedBy: rootKey)
            var notCA = interProfile
            notCA.serial = 3
            notCA.isCA = false
            notCA.keyUsage = VectorPKI.digitalSignature
            interNotCA = try VectorPKI.certificate(notCA, signedBy: rootKey)

            let leafProfile = Profile(
                serial: 10, issuer: interName, subject: VectorPKI.bidderSubject, notBefore: "260101000000Z",
                notAfter: "271231235959Z", spki: leafSPKI, isCA: false, keyUsage: VectorPKI.digitalSignature,
                issuerSPKI: interSPKI)
            let issuingKey = interKey
            func leafVariant(_ serial: UInt8, _ change: (inout Profile) -> Void) throws -> [UInt8] {
                var profile = leafProfile
                profile.serial = serial
                change(&profile)
                return try VectorPKI.certificate(profile, signedBy: issuingKey)
            }
            leaf = try VectorPKI.certificate(leafProfile, signedBy: interKey)
            leafKeyAgreement = try leafVariant(11) { $0.keyUsage = VectorPKI.keyAgreement }
            leafNonRepudiation = try leafVariant(12) { $0.keyUsage = VectorPKI.nonRepudiation }
            leafNoKeyUsage = try leafVariant(13) { $0.keyUsage = nil }
            leafServerAuth = try leafVariant(14) { $0.extendedKeyUsage = ["1.3.6.1.5.5.7.3.1"] }
            leafEd25519 = try leafVariant(15) { $0.spki = VectorPKI.ed25519SPKI(Array(SHA256.hash(Array("ed25519 leaf".utf8)))) }
            leafSecp256k1 = try leafVariant(16) { $0.spki = VectorPKI.secp256k1SPKI }
            leafBERBoolean = try leafVariant(17) { $0.criticalByte = 0x01 }

            let shortSPKI = shortKey.publicKey.point.subjectPublicKeyInfo
            let shortName = VectorPKI.name("Short-lived Root")
            shortRoot = try VectorPKI.certificate(ca(1, shortName, shortSPKI, from: "200101000000Z", to: "260301000000Z"), signedBy: shortKey)
            var shortLeaf = leafProfile
            shortLeaf.issuer = shortName
            shortLeaf.issuerSPKI = shortSPKI
            shortLeaf.notBefore = "250101000000Z"
            shortLeaf.notAfter = "291231235959Z"
            shortRootLeaf = try VectorPKI.certificate(shortLeaf, signedBy: shortKey)
        }
    }
}
