import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// The DER and PEM the library hands to OpenSSL: certificates, time-stamp
/// tokens and responses, ECDSA keys and signatures.
enum CertificateHarness {
    static let rfc3161 = World.vectors.appendingPathComponent("rfc3161-local-openssl")

    /// Trust anchors: the world's root and the upstream local TSA's root.
    static let roots: [X509Certificate] = {
        var roots = World.pki.map { [$0.root] } ?? []
        if let pem = try? String(contentsOf: rfc3161.appendingPathComponent("ca.crt"), encoding: .utf8) {
            roots += (try? X509Certificate.certificates(pem: pem)) ?? []
        }
        return roots
    }()

    static let verificationTime = World.pki?.time ?? Date(timeIntervalSince1970: 1_800_000_000)

    // MARK: X.509

    static func x509(_ bytes: [UInt8]) {
        guard let certificate = try? X509Certificate(derRepresentation: bytes) else { return }
        Fuzz.require(certificate.derRepresentation == bytes, "a certificate keeps its DER")
        _ = (certificate.subject, certificate.validity)
        let spki = certificate.subjectPublicKeyInfo
        _ = try? ECDSAP256PublicKey(subjectPublicKeyInfo: spki)
        _ = try? X509ChainVerifier.verify(leaf: certificate, roots: roots, at: verificationTime)
        _ = try? X509ChainVerifier.verify(leaf: certificate, roots: [certificate], at: verificationTime)
        if let pki = World.pki {
            // As an intermediate, and as a root.
            _ = try? X509ChainVerifier.verify(leaf: pki.leaf, intermediates: [certificate], roots: [pki.root], at: pki.time)
            _ = try? X509ChainVerifier.verify(leaf: pki.leaf, intermediates: [pki.intermediate], roots: [certificate], at: pki.time)
        }
    }

    static func x509Seeds() -> [[UInt8]] {
        pemTexts().flatMap { ((try? X509Certificate.certificates(pem: String(decoding: $0, as: UTF8.self))) ?? []).map(\.derRepresentation) }
    }

    static func pem(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let certificates = try? X509Certificate.certificates(pem: text) {
            for certificate in certificates { _ = (certificate.subject, certificate.subjectPublicKeyInfo) }
        }
        if let key = try? ECDSAP256SigningKey(pem: text) {
            if let signature = try? key.signature(for: bytes) {
                Fuzz.require((try? key.publicKey.verify(signature, for: bytes)) != nil, "a key verifies its own signature")
            }
        }
    }

    static func pemSeeds() throws -> [[UInt8]] {
        var seeds = pemTexts()
        if seeds.count > 1 { seeds.append(seeds[0] + seeds[1]) }
        let pkiDirectory = World.directory.appendingPathComponent("pki")
        for name in ["leaf.key", "tsa.key", "leaf.raw"] {
            if let data = try? Data(contentsOf: pkiDirectory.appendingPathComponent(name)) { seeds.append([UInt8](data)) }
        }
        return seeds
    }

    private static func pemTexts() -> [[UInt8]] {
        let pki = World.directory.appendingPathComponent("pki")
        let extras = ((try? FileManager.default.contentsOfDirectory(atPath: pki.path)) ?? []).filter {
            $0.hasPrefix("extra-") && $0.hasSuffix(".pem")
        }
        var files = (["root.pem", "inter.pem", "leaf.pem", "tsa.pem"] + extras.sorted()).map { pki.appendingPathComponent($0) }
        files += ["ca.crt", "tsa.crt"].map { rfc3161.appendingPathComponent($0) }
        return files.compactMap { try? Data(contentsOf: $0) }.map { [UInt8]($0) }
    }

    // MARK: Time-stamp tokens

    /// The imprint the tokens are checked against: SHA-256 of the upstream `data.bin`.
    static let imprint: [UInt8] = {
        if let data = try? Data(contentsOf: rfc3161.appendingPathComponent("data.bin")) { return SHA256.hash([UInt8](data)) }
        return World.bytes("imprint")
    }()

    static func timestamp(_ bytes: [UInt8]) {
        var tokens: [TimestampToken] = []
        if let token = try? TimestampToken(derRepresentation: bytes) { tokens.append(token) }
        if let token = try? TimestampToken(response: bytes) {
            tokens.append(token)
            Fuzz.require((try? TimestampToken(derRepresentation: token.derRepresentation)) != nil, "a response's token parses")
        }
        for token in tokens {
            _ = try? token.verify(digest: imprint, roots: roots)
            _ = try? token.verify(digest: imprint, nonce: 7, roots: roots, intermediates: roots)
        }
    }

    static func timestampSeeds() throws -> [[UInt8]] {
        var seeds = ["token.der", "resp.tsr", "resp_with_chain_unsorted.tsr", "req.tsq"].compactMap {
            try? Data(contentsOf: rfc3161.appendingPathComponent($0))
        }.map { [UInt8]($0) }
        if let pki = World.pki {
            for nonce: UInt64 in [7, 1 << 63] {
                let request = try TimestampRequest(digest: imprint, nonce: nonce)
                let response = try pki.tsa.respond(to: request.derRepresentation, at: pki.time, serial: nonce)
                seeds += [response, try TimestampToken(response: response).derRepresentation]
            }
        }
        return seeds
    }

    // MARK: ECDSA

    static let message = Array("sealbid fuzz message".utf8)

    /// The input as every ECDSA encoding: SubjectPublicKeyInfo, DER and
    /// P1363 signatures, SEC1 points, a PKCS#8 / SEC1 private key.
    static func ecdsa(_ bytes: [UInt8]) {
        var keys: [ECDSAP256PublicKey] = World.pki.map { [$0.leafKey.publicKey] } ?? []
        if let key = try? ECDSAP256PublicKey(subjectPublicKeyInfo: bytes) {
            keys.append(key)
            Fuzz.require((try? ECDSAP256PublicKey(subjectPublicKeyInfo: key.point.subjectPublicKeyInfo)) == key, "SPKI round trip")
        }
        if let key = try? ECDSAP256PublicKey(sec1: bytes) { keys.append(key) }
        _ = try? HPKE.PublicKey(rawRepresentation: bytes)
        var signatures: [ECDSAP256Signature] = []
        if let signature = try? ECDSAP256Signature(derRepresentation: bytes) {
            Fuzz.require(signature.derRepresentation == bytes, "an accepted DER signature is strict DER")
            signatures.append(signature)
        }
        if let signature = try? ECDSAP256Signature(rawRepresentation: bytes) { signatures.append(signature) }
        for key in keys { for signature in signatures { _ = try? key.verify(signature, for: message) } }
        if let key = try? ECDSAP256SigningKey(derRepresentation: SecureBytes(copying: bytes)), let signature = try? key.signature(for: message) {
            Fuzz.require((try? key.publicKey.verify(signature, for: message)) != nil, "a key verifies its own signature")
        }
    }

    static func ecdsaSeeds() throws -> [[UInt8]] {
        var seeds: [[UInt8]] = []
        let wycheproof = World.vectors.appendingPathComponent("wycheproof")
        if let suite = Vectors.object(at: wycheproof.appendingPathComponent("ecdsa_secp256r1_sha256_test.json")) {
            for group in suite["testGroups"] as? [[String: Any]] ?? [] {
                if let der = group["publicKeyDer"] as? String, let bytes = try? Hex.decode(der) { seeds.append(bytes) }
                for test in (group["tests"] as? [[String: Any]] ?? []).prefix(60) {
                    if let sig = test["sig"] as? String, let bytes = try? Hex.decode(sig) { seeds.append(bytes) }
                }
            }
        }
        if let suite = Vectors.object(at: wycheproof.appendingPathComponent("ecdh_secp256r1_test.json")) {
            for group in suite["testGroups"] as? [[String: Any]] ?? [] {
                for test in (group["tests"] as? [[String: Any]] ?? []).prefix(120) {
                    if let key = test["public"] as? String, let bytes = try? Hex.decode(key) { seeds.append(bytes) }
                }
            }
        }
        // The public keys of every world certificate, P-256 or not.
        seeds += x509Seeds().compactMap { try? X509Certificate(derRepresentation: $0).subjectPublicKeyInfo }
        if let pki = World.pki {
            seeds.append(pki.leafKey.publicKey.point.subjectPublicKeyInfo)
            let signature = try pki.leafKey.signature(for: message)
            seeds += [signature.derRepresentation, signature.rawRepresentation]
        }
        return seeds
    }
}
