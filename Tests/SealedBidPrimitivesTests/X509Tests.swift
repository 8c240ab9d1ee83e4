import Foundation
import Testing

@testable import SealedBidPrimitives
import SealedBidTestSupport

/// Certificates are made at test time with the `openssl` command (a fixture
/// committed to git would carry the clock of the machine that made it).
@Suite("X.509 chains and ECDSA from a national-PKI-like hierarchy")
struct X509Tests {
    @Test func chainVerifiesAndSignatureChecks() throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let key = try X509ChainVerifier.verify(leaf: pki.leaf, intermediates: [pki.intermediate], roots: [pki.root], at: Date())

        // A signature made by OpenSSL with the leaf key verifies with the key from the chain.
        let message = Array("price envelope digest".utf8)
        try Data(message).write(to: pki.directory.appendingPathComponent("msg.bin"))
        try TestPKI.openssl(["dgst", "-sha256", "-sign", "leaf.key", "-out", "msg.sig", "msg.bin"], in: pki.directory)
        let der = try Data(contentsOf: pki.directory.appendingPathComponent("msg.sig"))
        let signature = try ECDSAP256Signature(derRepresentation: der)
        try key.verify(signature, for: message)
        #expect(throws: CryptoError.invalidSignature) { try key.verify(signature, for: message + [1]) }
        // The same signature in r||s form verifies too.
        try key.verify(ECDSAP256Signature(rawRepresentation: signature.rawRepresentation), for: message)
    }

    @Test func chainFailures() throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let now = Date()
        // Wrong trust anchor, missing intermediate, no anchors at all.
        #expect(throws: CryptoError.self) {
            try X509ChainVerifier.verify(leaf: pki.leaf, intermediates: [pki.intermediate], roots: [pki.otherRoot], at: now)
        }
        #expect(throws: CryptoError.self) { try X509ChainVerifier.verify(leaf: pki.leaf, roots: [pki.root], at: now) }
        #expect(throws: CryptoError.certificateInvalid(reason: "no trust anchors given")) {
            try X509ChainVerifier.verify(leaf: pki.leaf, intermediates: [pki.intermediate], roots: [], at: now)
        }
        // Outside the validity window: after the leaf expires, and before it was issued.
        #expect(throws: CryptoError.self) {
            try X509ChainVerifier.verify(
                leaf: pki.leaf, intermediates: [pki.intermediate], roots: [pki.root], at: now.addingTimeInterval(15 * 86400))
        }
        #expect(throws: CryptoError.self) {
            try X509ChainVerifier.verify(
                leaf: pki.leaf, intermediates: [pki.intermediate], roots: [pki.root], at: now.addingTimeInterval(-86400))
        }
        #expect(pki.leaf.validity?.contains(now) == true)
    }

    @Test func malformedCertificates() throws {
        #expect(throws: CryptoError.self) { try X509Certificate(derRepresentation: [UInt8]()) }
        #expect(throws: CryptoError.self) { try X509Certificate(derRepresentation: [0x30, 0x03, 0x02, 0x01, 0x01] as [UInt8]) }
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let der = pki.leaf.derRepresentation
        #expect(throws: CryptoError.self) { try X509Certificate(derRepresentation: der + [0]) }
        #expect(throws: CryptoError.self) { try X509Certificate(derRepresentation: der.dropLast(10)) }
        #expect(throws: CryptoError.self) { try X509Certificate.certificates(pem: "-----BEGIN CERTIFICATE-----\nAAAA") }
    }
}
