import Foundation
import Testing

import SealedBidPrimitives

/// Inputs the fuzzers (`scripts/fuzz`, `Fuzz/`) found, each refused with its typed error.
@Suite("Primitives: fuzzing findings")
struct PrimitivesFuzzFindingTests {
    /// SEC1 `ECPrivateKey` on prime256v1 with private scalar `d` and the public key `publicKey`.
    func sec1(d: UInt64, publicKey: [UInt8]) -> [UInt8] {
        let scalar = [UInt8](repeating: 0, count: 24) + withUnsafeBytes(of: d.bigEndian) { Array($0) }
        return [0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20] + scalar
            + [0xA0, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
            + [0xA1, 0x44, 0x03, 0x42, 0x00] + publicKey
    }

    @Test("fuzz pem: a private key file whose public key is not its own is refused")
    func signingKeyWithForeignPublicKey() throws {
        // Found as a mutated PEM `EC PRIVATE KEY`: OpenSSL kept the file's public key as written,
        // so the key's `publicKey` did not verify the key's own signatures.
        let twoG = try P256Point.generatorMultiple(P256Scalar(2)).uncompressedRepresentation
        let oneG = try P256Point.generatorMultiple(P256Scalar(1)).uncompressedRepresentation
        let error = #expect(throws: CryptoError.self) {
            try ECDSAP256SigningKey(derRepresentation: SecureBytes(copying: sec1(d: 1, publicKey: twoG)))
        }
        #expect(error?.code == "unsupported-key")
        let key = try ECDSAP256SigningKey(derRepresentation: SecureBytes(copying: sec1(d: 1, publicKey: oneG)))
        let message = Array("bid".utf8)
        try key.publicKey.verify(try key.signature(for: message), for: message)
    }

    @Test("fuzz timestamp: a TimeStampResp whose token does not parse is refused by init(response:)")
    func responseWithUnreadableToken() throws {
        // Found as a granted response whose TSTInfo genTime was mutated into an invalid date:
        // init(response:) returned a token that init(derRepresentation:) (and every verifier) refuses.
        let dir = ProcessInfo.processInfo.environment["SEALEDBID_VECTORS"].map { URL(fileURLWithPath: $0) }
            ?? TimestampTests.fixtures.deletingLastPathComponent()
        guard let data = try? Data(contentsOf: dir.appendingPathComponent("rfc3161-local-openssl/resp.tsr")) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("RFC 3161 fixtures missing in \(dir.path)") }
            return
        }
        var response = [UInt8](data)
        // genTime: GeneralizedTime (0x18), 15 bytes "YYYYMMDDhhmmssZ"; make the day 64.
        let start = try #require(response.indices.first { i in
            i + 17 <= response.count && response[i] == 0x18 && response[i + 1] == 0x0F && response[i + 16] == UInt8(ascii: "Z")
        })
        _ = try TimestampToken(response: response)
        response[start + 8] = UInt8(ascii: "6")
        response[start + 9] = UInt8(ascii: "4")
        #expect(throws: CryptoError.timestampInvalid(reason: "malformed token, or not SHA-256")) { try TimestampToken(response: response) }
    }
}
