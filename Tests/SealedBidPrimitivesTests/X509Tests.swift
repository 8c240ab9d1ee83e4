import Foundation
import Testing

@testable import SealedBidPrimitives

/// Certificates are made at test time with the `openssl` command (a fixture
/// committed to git would carry the clock of the machine that made it).
@Suite("X.509 chains and ECDSA from a national-PKI-like hierarchy")
struct X509Tests {
    struct PKI {
        let directory: URL
        let root: X509Certificate
        let intermediate: X509Certificate
        let leaf: X509Certificate
        let otherRoot: X509Certificate
    }

    static func openssl(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " "))"])
        }
    }

    static func makePKI() throws -> PKI {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-pki-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        [ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        [leaf]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        """.write(to: dir.appendingPathComponent("ext.cnf"), atomically: true, encoding: .utf8)
        for name in ["root", "inter", "leaf", "other"] {
            try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "\(name).key"], in: dir)
        }
        for (name, subject) in [("root", "/CN=Test National Root"), ("other", "/CN=Unrelated Root")] {
            try openssl(
                ["req", "-new", "-x509", "-key", "\(name).key", "-subj", subject, "-days", "30", "-sha256",
                 "-extensions", "ca", "-config", "ext.cnf", "-out", "\(name).pem", "-outform", "PEM"], in: dir)
        }
        try openssl(["req", "-new", "-key", "inter.key", "-subj", "/CN=Test Issuing CA", "-out", "inter.csr"], in: dir)
        try openssl(
            ["x509", "-req", "-in", "inter.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial", "-days", "20",
             "-sha256", "-extfile", "ext.cnf", "-extensions", "ca", "-out", "inter.pem"], in: dir)
        try openssl(["req", "-new", "-key", "leaf.key", "-subj", "/CN=PT Contoh Bidder", "-out", "leaf.csr"], in: dir)
        try openssl(
            ["x509", "-req", "-in", "leaf.csr", "-CA", "inter.pem", "-CAkey", "inter.key", "-CAcreateserial", "-days", "10",
             "-sha256", "-extfile", "ext.cnf", "-extensions", "leaf", "-out", "leaf.pem"], in: dir)
        func load(_ name: String) throws -> X509Certificate {
            let pem = try String(contentsOf: dir.appendingPathComponent("\(name).pem"), encoding: .utf8)
            return try #require(try X509Certificate.certificates(pem: pem).first)
        }
        return PKI(directory: dir, root: try load("root"), intermediate: try load("inter"), leaf: try load("leaf"), otherRoot: try load("other"))
    }

    @Test func chainVerifiesAndSignatureChecks() throws {
        let pki = try Self.makePKI()
        defer { try? FileManager.default.removeItem(at: pki.directory) }
        let key = try X509ChainVerifier.verify(leaf: pki.leaf, intermediates: [pki.intermediate], roots: [pki.root], at: Date())

        // A signature made by OpenSSL with the leaf key verifies with the key from the chain.
        let message = Array("price envelope digest".utf8)
        try Data(message).write(to: pki.directory.appendingPathComponent("msg.bin"))
        try Self.openssl(["dgst", "-sha256", "-sign", "leaf.key", "-out", "msg.sig", "msg.bin"], in: pki.directory)
        let der = try Data(contentsOf: pki.directory.appendingPathComponent("msg.sig"))
        let signature = try ECDSAP256Signature(derRepresentation: der)
        try key.verify(signature, for: message)
        #expect(throws: CryptoError.invalidSignature) { try key.verify(signature, for: message + [1]) }
        // The same signature in r||s form verifies too.
        try key.verify(ECDSAP256Signature(rawRepresentation: signature.rawRepresentation), for: message)
    }

    @Test func chainFailures() throws {
        let pki = try Self.makePKI()
        defer { try? FileManager.default.removeItem(at: pki.directory) }
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
        let pki = try Self.makePKI()
        defer { try? FileManager.default.removeItem(at: pki.directory) }
        let der = pki.leaf.derRepresentation
        #expect(throws: CryptoError.self) { try X509Certificate(derRepresentation: der + [0]) }
        #expect(throws: CryptoError.self) { try X509Certificate(derRepresentation: der.dropLast(10)) }
        #expect(throws: CryptoError.self) { try X509Certificate.certificates(pem: "-----BEGIN CERTIFICATE-----\nAAAA") }
    }
}
