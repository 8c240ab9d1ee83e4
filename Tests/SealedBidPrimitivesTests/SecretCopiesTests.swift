import Foundation
import SealedBidTestSupport
import Testing

@testable import SealedBidPrimitives

/// Issue 17: PEM private keys (the bidder's ECDSA key, the test time-stamp authority's key) are
/// read into guarded memory and decoded by OpenSSL from there; afterwards neither the PEM text
/// nor the private scalar may be found anywhere else in the process's memory (``MemoryScan``).
@Suite("PEM private keys leave no copy in memory", .serialized, .enabled(if: MemoryScan.worksHere))
struct SecretCopiesTests {
    /// A fresh P-256 key made by the `openssl` command (the test process never held it) in SEC1
    /// (`EC PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`) form, with a self-signed certificate.
    static func makeKey(pkcs8: Bool) throws -> (directory: URL, key: String, certificate: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-pem-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if pkcs8 {
            try TestPKI.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem"], in: dir)
        } else {
            try TestPKI.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "k.pem"], in: dir)
        }
        try TestPKI.openssl(
            ["req", "-new", "-x509", "-key", "k.pem", "-subj", "/CN=scan", "-days", "2", "-out", "c.pem",
             "-addext", "extendedKeyUsage=critical,timeStamping"], in: dir)
        return (dir, dir.appendingPathComponent("k.pem").path, dir.appendingPathComponent("c.pem").path)
    }

    /// Needles in the scanner's own memory: the base64 lines of the PEM body that encode bytes
    /// of the private scalar (the others carry the public key, which the certificate repeats),
    /// and the scalar itself (the 32 bytes after `02 01 01 04 20` in both SEC1 and PKCS#8).
    static func needles(_ pem: SecureBytes, _ scan: MemoryScan) -> (lines: [UnsafeRawBufferPointer], scalar: UnsafeRawBufferPointer) {
        pem.withUnsafeBytes { text in
            var lines: [Range<Int>] = []
            var start = 0
            for i in 0..<text.count where text[i] == UInt8(ascii: "\n") {
                if i > start, text[start] != UInt8(ascii: "-") { lines.append(start..<i) }
                start = i + 1
            }
            let der = scan.needle(count: 512) { out in
                var bits = 0, value = 0, n = 0
                for r in lines {
                    for c in text[r] {
                        let v: Int? =
                            switch c {
                            case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(c) - 65
                            case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(c) - 71
                            case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(c) + 4
                            case UInt8(ascii: "+"): 62
                            case UInt8(ascii: "/"): 63
                            default: nil
                            }
                        guard let v else { continue }
                        value = (value << 6 | v) & 0xFFFF
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            out[n] = UInt8((value >> bits) & 0xFF)
                            n += 1
                        }
                    }
                }
            }
            let marker: [UInt8] = [0x02, 0x01, 0x01, 0x04, 0x20]
            let at = (0..<(der.count - 37)).first { i in marker.indices.allSatisfy { der[i + $0] == marker[$0] } } ?? 0
            let secret = (at + 5)..<(at + 37)
            // A 64-character line holds DER bytes [48k, 48k + 48).
            let lineNeedles = lines.enumerated().filter { k, _ in secret.overlaps((48 * k)..<(48 * k + 48)) }.map { _, r in
                scan.needle(count: r.count) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: text[r])) }
            }
            return (lineNeedles, UnsafeRawBufferPointer(rebasing: der[secret]))
        }
    }

    @Test("ECDSA signing key from a PEM file", arguments: [false, true])
    func ecdsaKey(pkcs8: Bool) throws {
        let made = try Self.makeKey(pkcs8: pkcs8)
        defer { try? FileManager.default.removeItem(at: made.directory) }
        let scan = MemoryScan()
        let pem = try SecureBytes(contentsOfFile: made.key)
        let (lines, scalar) = Self.needles(pem, scan)
        #expect(lines.count >= 1)
        let key = try ECDSAP256SigningKey(pem: pem)
        _ = try key.signature(for: [1, 2, 3] as [UInt8])
        let file = pem.withUnsafeBytes { $0 }
        for line in lines { #expect(scan.occurrences(of: line, excluding: [file]).isEmpty, "a copy of the PEM text") }
        #expect(scan.occurrences(of: scalar).isEmpty, "a big-endian copy of the private scalar")
        withExtendedLifetime((pem, key)) {}
    }

    @Test("time-stamp authority key from a PEM file")
    func authorityKey() throws {
        let made = try Self.makeKey(pkcs8: true)
        defer { try? FileManager.default.removeItem(at: made.directory) }
        let scan = MemoryScan()
        let pem = try SecureBytes(contentsOfFile: made.key)
        let (lines, scalar) = Self.needles(pem, scan)
        let authority = try TimestampAuthority(
            certificatePEM: String(contentsOfFile: made.certificate, encoding: .utf8), keyPEM: pem)
        let request = try TimestampRequest(digest: SHA256.hash([1] as [UInt8]))
        _ = try TimestampToken(response: authority.respond(to: request.derRepresentation, serial: 1))
        let file = pem.withUnsafeBytes { $0 }
        for line in lines { #expect(scan.occurrences(of: line, excluding: [file]).isEmpty, "a copy of the PEM text") }
        #expect(scan.occurrences(of: scalar).isEmpty, "a big-endian copy of the private scalar")
        withExtendedLifetime(pem) {}
    }

    @Test("OpenSSL wipes what it frees and keeps private keys in its secure heap; locking failures are reported")
    func processMemory() {
        #expect(SecureMemory.openSSLWipesFreedMemory)
        // Where RLIMIT_MEMLOCK is too small for the test process (CI), locking fails, and says so.
        let warning = SecureMemory.lockingWarning()
        #expect((warning == nil) == (SecureMemory.unlockedAllocations == 0))
        if warning == nil { #expect(SecureMemory.openSSLSecureHeapLocked) }
    }

    @Test("encrypted and foreign PEM are refused with a typed error")
    func badPEM() throws {
        let made = try Self.makeKey(pkcs8: true)
        defer { try? FileManager.default.removeItem(at: made.directory) }
        try TestPKI.openssl(["pkey", "-in", "k.pem", "-aes256", "-passout", "pass:x", "-out", "enc.pem"], in: made.directory)
        let encrypted = try SecureBytes(contentsOfFile: made.directory.appendingPathComponent("enc.pem").path)
        #expect(throws: CryptoError.self) { try ECDSAP256SigningKey(pem: encrypted) }
        try TestPKI.openssl(["genpkey", "-algorithm", "ED25519", "-out", "ed.pem"], in: made.directory)
        let ed = try SecureBytes(contentsOfFile: made.directory.appendingPathComponent("ed.pem").path)
        #expect(throws: CryptoError.unsupportedKey(reason: "not a P-256 private key")) { try ECDSAP256SigningKey(pem: ed) }
        #expect(throws: CryptoError.self) { try ECDSAP256SigningKey(pem: SecureBytes(copying: Array("not pem".utf8))) }
        #expect(throws: SecureBytes.FileError.self) { try SecureBytes(contentsOfFile: made.directory.path) }
    }
}
