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

    @Test("a BOOLEAN is 0x00 or 0xFF: OpenSSL writes back a BER TRUE unchanged, so the structure check refuses it")
    func berBoolean() throws {
        #expect(DERStructure.isStrict([0x30, 0x03, 0x01, 0x01, 0xFF]))
        #expect(DERStructure.isStrict([0x30, 0x03, 0x01, 0x01, 0x00]))
        #expect(!DERStructure.isStrict([0x30, 0x03, 0x01, 0x01, 0x01]))
        #expect(!DERStructure.isStrict([0x30, 0x04, 0x01, 0x02, 0x00, 0xFF]))
        // The leaf's basicConstraints extension is marked critical with 0xFF; 0x01 is BER.
        let pki = try TestPKI.make()
        defer { pki.remove() }
        var der = pki.leaf.derRepresentation
        let critical: [UInt8] = [0x06, 0x03, 0x55, 0x1D, 0x13, 0x01, 0x01, 0xFF]
        let at = try #require((0...(der.count - critical.count)).first { Array(der[$0..<($0 + critical.count)]) == critical })
        der[at + critical.count - 1] = 0x01
        #expect(throws: CryptoError.invalidDER(what: "the certificate is not DER (BER length or form)")) {
            try X509Certificate(derRepresentation: der)
        }
    }
}

/// The canonical subject text (envelope-v1, "Certificate subjects") is computed from the DER by
/// ``X509Name``; for the names PKIs issue it is byte for byte what OpenSSL prints with
/// `-nameopt RFC2253,-esc_msb`, so subjects registered from OpenSSL's output keep matching.
@Suite("Canonical subject text")
struct CanonicalSubjectTests {
    /// Makes a self-signed certificate with `openssl req -subj` and returns it with OpenSSL's
    /// RFC 2253 printing of its subject.
    static func certificate(subject: String) throws -> (X509Certificate, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-subject-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try TestPKI.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "k.pem"], in: dir)
        try TestPKI.openssl(
            ["req", "-new", "-x509", "-key", "k.pem", "-subj", subject, "-multivalue-rdn", "-utf8", "-days", "1", "-out", "c.pem"],
            in: dir)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "x509", "-in", "c.pem", "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb"]
        process.currentDirectoryURL = dir
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let pem = try String(contentsOf: dir.appendingPathComponent("c.pem"), encoding: .utf8)
        let certificate = try #require(try X509Certificate.certificates(pem: pem).first)
        return (certificate, String(printed.dropFirst("subject=".count).dropLast()))
    }

    @Test(
        "the canonical text is what OpenSSL prints, for every named attribute type and the escapes",
        arguments: [
            "/C=ID/O=PT Maju, Jaya/OU=Pengadaan+serialNumber=NPWP 01.234.567.8-901.000/CN=#Budi \"Santoso\" ",
            "/C=ID/O=PT Karya Ñusantara/CN=Ñoño <x>;y=z\\\\w",
            "/CN=a/SN=b/serialNumber=c/C=ID/L=d/ST=e/street=f/O=g/OU=h/title=i/description=j/businessCategory=k"
                + "/postalCode=l/name=m/GN=n/initials=o/generationQualifier=p/dnQualifier=q/pseudonym=r"
                + "/organizationIdentifier=s/emailAddress=t@example.org/UID=u/DC=v/jurisdictionL=w/jurisdictionST=x"
                + "/jurisdictionC=ID",
            "/CN= leading+OU=#one+O=plus\\+sign",
            "/CN=a\u{01}b\u{1F}c\u{7F}d",
        ])
    func matchesOpenSSL(subject: String) throws {
        let (certificate, printed) = try Self.certificate(subject: subject)
        #expect(certificate.subject == printed)
    }

    /// `Name` DER from (OID content, value DER) RDNs, one pair each.
    static func name(_ rdns: [([UInt8], [UInt8])]) -> [UInt8] {
        func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { [tag, UInt8(content.count)] + content }
        return tlv(0x30, rdns.flatMap { tlv(0x31, tlv(0x30, tlv(0x06, $0.0) + $0.1)) })
    }

    static func canonical(_ der: [UInt8]) -> String? {
        var cursor = DERCursor(der, 0..<der.count)
        return cursor.next().flatMap { X509Name.canonicalText(der, name: $0) }
    }

    @Test("types without a name, and values that are not strings, are hex dumps of their DER")
    func unnamedTypes() throws {
        let unknown: [UInt8] = [0x2B, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8D, 0x1F, 0x01]  // 1.3.6.1.4.1.99999.1
        let cn: [UInt8] = [0x55, 0x04, 0x03], o: [UInt8] = [0x55, 0x04, 0x0A]
        #expect(
            Self.canonical(Self.name([(unknown, [0x0C, 0x01, 0x58]), (cn, [0x0C, 0x01, 0x79]), (o, [0x02, 0x01, 0x05])]))
                == "O=#020105,CN=y,1.3.6.1.4.1.99999.1=#0C0158")
        // BMPString and UniversalString are UCS-2 and UCS-4; Teletex is ISO 8859-1.
        #expect(Self.canonical(Self.name([(cn, [0x1E, 0x02, 0x00, 0xD1])])) == "CN=Ñ")
        #expect(Self.canonical(Self.name([(cn, [0x1C, 0x04, 0x00, 0x00, 0x00, 0xD1])])) == "CN=Ñ")
        #expect(Self.canonical(Self.name([(cn, [0x14, 0x01, 0xD1])])) == "CN=Ñ")
        // No canonical text: invalid UTF-8, an odd-length BMPString, a surrogate, an empty RDN.
        #expect(Self.canonical(Self.name([(cn, [0x0C, 0x01, 0xFF])])) == nil)
        #expect(Self.canonical(Self.name([(cn, [0x1E, 0x01, 0x00])])) == nil)
        #expect(Self.canonical(Self.name([(cn, [0x1E, 0x02, 0xD8, 0x00])])) == nil)
        #expect(Self.canonical([0x30, 0x02, 0x31, 0x00]) == nil)
        #expect(Self.canonical([0x30, 0x00]) == "")
    }

    @Test("arbitrary bytes, and every truncation of a real name, never trap")
    func robust() throws {
        var state: UInt64 = 0x5EA1_B1D5
        func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let cn: [UInt8] = [0x55, 0x04, 0x03]
        let real = Self.name([(cn, [0x0C, 0x02, 0x41, 0x42]), ([0x55, 0x04, 0x06], [0x13, 0x02, 0x49, 0x44])])
        for cut in 0...real.count { _ = Self.canonical(Array(real.prefix(cut))) }
        for _ in 0..<20000 {
            var bytes = (0..<Int(next() % 40)).map { _ in next() }
            if bytes.count > 2, next() % 2 == 0 { bytes[0] = 0x30; bytes[1] = UInt8(bytes.count - 2) }
            _ = Self.canonical(bytes)
            _ = X509Name.subject(ofCertificate: bytes)
        }
    }
}
