import Foundation
import Testing

@testable import SealedBidPrimitives
import SealedBidTestSupport

@Suite("RFC 3161 time-stamps")
struct TimestampTests {
    static let fixtures = PythonJudge.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/vectors/rfc3161-local-openssl")

    @Test("tokens made by `openssl ts` verify at their own time; tampering is refused")
    func sharedFixtures() throws {
        let dir = ProcessInfo.processInfo.environment["SEALEDBID_VECTORS"].map { URL(fileURLWithPath: $0).appendingPathComponent("rfc3161-local-openssl") }
            ?? Self.fixtures
        guard FileManager.default.fileExists(atPath: dir.path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("RFC 3161 fixtures missing at \(dir.path)") }
            return
        }
        let data = try Data(contentsOf: dir.appendingPathComponent("data.bin"))
        let digest = SHA256.hash(data)
        let root = try X509Certificate.certificates(pem: String(contentsOf: dir.appendingPathComponent("ca.crt"), encoding: .utf8))
        let token = try TimestampToken(response: [UInt8](Data(contentsOf: dir.appendingPathComponent("resp.tsr"))))
        #expect(token == (try TimestampToken(derRepresentation: [UInt8](Data(contentsOf: dir.appendingPathComponent("token.der"))))))
        let verified = try token.verify(digest: digest, nonce: 0x6F3D_DE7B_1974_05A9, roots: root)
        #expect(verified.serial == 3)
        #expect(verified.nonce == 0x6F3D_DE7B_1974_05A9)
        #expect(throws: CryptoError.timestampInvalid(reason: "nonce mismatch")) { try token.verify(digest: digest, nonce: 1, roots: root) }
        #expect(throws: CryptoError.self) { try token.verify(digest: SHA256.hash(data + [0]), roots: root) }
        // A response whose certificates are not DER-sorted still carries a valid token.
        let unsorted = try TimestampToken(response: [UInt8](Data(contentsOf: dir.appendingPathComponent("resp_with_chain_unsorted.tsr"))))
        _ = try unsorted.verify(digest: digest, roots: root)
        #expect(throws: CryptoError.self) { try TimestampToken(response: [0x30, 0x03, 0x02, 0x01, 0x00]) }
    }

    @Test("the test authority's tokens verify here and with `openssl ts -verify`; bad authorities are refused")
    func ownAuthority() throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let authority = TimestampAuthority(certificatePEM: try pki.pem("tsa.pem"), keyPEM: try pki.pem("tsa.key"))
        let digest = SHA256.hash(Array("log entry".utf8))
        let request = try TimestampRequest(digest: digest)
        let now = Date()
        let response = try authority.respond(to: request.derRepresentation, at: now, serial: 42)
        let token = try TimestampToken(response: response)
        let verified = try token.verify(digest: digest, nonce: request.nonce, roots: [pki.root])
        #expect(verified.serial == 42)
        #expect(abs(verified.time.timeIntervalSince(now)) < 1)
        #expect(throws: CryptoError.self) { try token.verify(digest: digest, roots: [pki.otherRoot]) }

        // openssl ts -verify agrees.
        try Data(response).write(to: pki.directory.appendingPathComponent("resp.tsr"))
        try TestPKI.openssl(
            ["ts", "-verify", "-digest", digest.hexString, "-in", "resp.tsr", "-CAfile", "root.pem", "-untrusted", "tsa.pem"],
            in: pki.directory)

        // rfc3161-client (PyPI) agrees too.
        if let (result, status) = try PythonJudge.run(
            "timestamp_judge.py",
            [pki.directory.appendingPathComponent("resp.tsr").path, digest.hexString, String(request.nonce),
             pki.directory.appendingPathComponent("root.pem").path, pki.directory.appendingPathComponent("tsa.pem").path])
        {
            #expect(status == 0, "\(result)")
            let wrongNonce = try PythonJudge.run(
                "timestamp_judge.py",
                [pki.directory.appendingPathComponent("resp.tsr").path, digest.hexString, String(request.nonce ^ 1),
                 pki.directory.appendingPathComponent("root.pem").path, pki.directory.appendingPathComponent("tsa.pem").path])
            #expect(wrongNonce?.status == 1)
        }

        // A stamp outside the TSA certificate's validity does not verify (the chain is checked at the token's time).
        let late = try TimestampToken(response: authority.respond(to: request.derRepresentation, at: now.addingTimeInterval(30 * 86400), serial: 43))
        #expect(throws: CryptoError.self) { try late.verify(digest: digest, roots: [pki.root]) }
        // A certificate whose timeStamping EKU is not critical cannot act as an authority
        // (OpenSSL refuses to sign with it, and TS_VFY_SIGNER refuses such signers).
        let lax = TimestampAuthority(certificatePEM: try pki.pem("tsa2.pem"), keyPEM: try pki.pem("tsa2.key"))
        #expect(throws: CryptoError.self) { try lax.respond(to: request.derRepresentation, at: now, serial: 44) }
        #expect(throws: CryptoError.self) { try TimestampRequest(digest: [1, 2, 3]) }
        // A key that is not the certificate's is refused when the authority is made, not at verification.
        let mismatched = try pki.pem("tsa.key")
        #expect(throws: CryptoError.unsupportedKey(reason: "the authority's private key is not the key of its certificate")) {
            try TimestampAuthority(certificatePEM: try pki.pem("tsa2.pem"), keyPEM: SecureBytes(copying: Array(mismatched.utf8)))
        }
        let wrongPair = TimestampAuthority(certificatePEM: try pki.pem("tsa.pem"), keyPEM: try pki.pem("root.key"))
        #expect(throws: CryptoError.self) { try wrongPair.respond(to: request.derRepresentation, at: now, serial: 45) }
    }
}
