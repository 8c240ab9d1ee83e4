import Foundation
import Testing

@testable import SealedBidPrimitives

@Suite("Secret memory, randomness, constant time")
struct SecureBytesTests {
    @Test func secretsNeverPrint() {
        let secret = SecureBytes(copying: Array("correct horse battery staple".utf8))
        #expect(secret.description == "<redacted>")
        #expect("\(secret)" == "<redacted>")
        #expect(!String(reflecting: secret).contains("horse"))
        #expect(P256Scalar.random().description == "P256Scalar(<redacted>)")
        #expect(Ed25519PrivateKey().description.contains("<redacted>"))
    }

    @Test func equalityIsByContent() {
        let a = SecureBytes(copying: [1, 2, 3] as [UInt8])
        #expect(a == SecureBytes(copying: [1, 2, 3] as [UInt8]))
        #expect(a != SecureBytes(copying: [1, 2, 4] as [UInt8]))
        #expect(a != SecureBytes(copying: [1, 2] as [UInt8]))
        #expect(SecureBytes(count: 0) { _ in } == SecureBytes(count: 0) { _ in })
    }

    @Test func constantTimeHelpers() {
        #expect(ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
        var bytes: [UInt8] = [9, 9, 9]
        ConstantTime.wipe(&bytes)
        #expect(bytes == [0, 0, 0])
    }

    @Test func randomBytesDiffer() {
        let a = SecureBytes.random(count: 32), b = SecureBytes.random(count: 32)
        #expect(a.count == 32)
        #expect(a != b)
        #expect(SecureRandom.bytes(count: 16) != SecureRandom.bytes(count: 16))
    }

    @Test func failedInitialiserReleasesMemory() {
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            _ = try SecureBytes(count: 8) { (_: UnsafeMutableRawBufferPointer) throws(Boom) in throw Boom() }
        }
    }
}

@Suite("SHA-256, HMAC, HKDF")
struct HashingTests {
    @Test func sha256KnownAnswers() {
        #expect(SHA256.hash([UInt8]()).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash(Array("abc".utf8)).hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var hasher = SHA256Hasher()
        hasher.update(Array("a".utf8))
        hasher.update(Array("bc".utf8))
        #expect(hasher.finalize() == SHA256.hash(Array("abc".utf8)))
    }

    @Test func hmacRejectsWrongTags() throws {
        let key = Array("key".utf8), message = Array("The quick brown fox jumps over the lazy dog".utf8)
        let tag = HMACSHA256.authenticationCode(key: key, message: message)
        #expect(tag.hexString == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        try HMACSHA256.verify(tag: tag, key: key, message: message)
        #expect(throws: CryptoError.authenticationFailed) { try HMACSHA256.verify(tag: tag.prefix(16), key: key, message: message) }
        var bad = tag
        bad[31] ^= 1
        #expect(throws: CryptoError.authenticationFailed) { try HMACSHA256.verify(tag: bad, key: key, message: message) }
    }

    @Test func hkdfLimits() throws {
        let prk = HKDFSHA256.extract(salt: [UInt8](), ikm: [UInt8](repeating: 1, count: 32))
        #expect(try HKDFSHA256.expand(prk: prk, info: [UInt8](), length: 8160).count == 8160)
        #expect(throws: CryptoError.outputTooLong(requested: 8161, maximum: 8160)) {
            try HKDFSHA256.expand(prk: prk, info: [UInt8](), length: 8161)
        }
        #expect(throws: CryptoError.self) { try HKDFSHA256.expand(prk: prk, info: [UInt8](), length: 0) }
        #expect(throws: CryptoError.self) { try HKDFSHA256.expand(prk: [UInt8](repeating: 0, count: 16), info: [UInt8](), length: 32) }
    }

    @Test("expand_message_xmd matches RFC 9380 K.1")
    func expandMessageXMD() throws {
        let dst = Array("QUUX-V01-CS02-with-expander-SHA256-128".utf8)
        #expect(
            try P256Scalar.expandMessageXMD(message: [UInt8](), dst: dst, length: 0x20).hexString
                == "68a985b87eb6b46952128911f2a4412bbc302a9d759667f87f7a21d803f07235")
        #expect(
            try P256Scalar.expandMessageXMD(message: Array("abc".utf8), dst: dst, length: 0x20).hexString
                == "d8ccab23b5985ccea865c6c97b6e5b8350e794e603b4b97902f53a8a0d605615")
        #expect(throws: CryptoError.self) { try P256Scalar.hash([UInt8](), domain: [UInt8]()) }
        #expect(throws: CryptoError.self) { try P256Scalar.hash([UInt8](), domain: [UInt8](repeating: 65, count: 256)) }
    }
}

@Suite("AES-256-GCM")
struct AESGCMTests {
    let key = SecureBytes.random(count: 32)
    let nonce = [UInt8](repeating: 7, count: 12)

    @Test func roundTripAndSizes() throws {
        let cipher = try AESGCM(key: key)
        for size in [0, 1, 15, 16, 17, 16384, 16385] {
            let plaintext = SecureRandom.bytes(count: size)
            let sealed = try cipher.seal(nonce: nonce, plaintext: plaintext, authenticating: [1, 2, 3] as [UInt8])
            #expect(sealed.count == size + 16)
            #expect(try cipher.open(nonce: nonce, ciphertextAndTag: sealed, authenticating: [1, 2, 3] as [UInt8]) == plaintext)
        }
    }

    @Test func rejectsBadParameters() throws {
        #expect(throws: CryptoError.invalidLength(what: "AES-256-GCM key", expected: "32", actual: 16)) {
            try AESGCM(key: [UInt8](repeating: 0, count: 16))
        }
        let cipher = try AESGCM(key: key)
        #expect(throws: CryptoError.self) { try cipher.seal(nonce: [UInt8](repeating: 0, count: 16), plaintext: [UInt8](), authenticating: [UInt8]()) }
        #expect(throws: CryptoError.authenticationFailed) {
            try cipher.open(nonce: nonce, ciphertextAndTag: [UInt8](repeating: 0, count: 15), authenticating: [UInt8]())
        }
    }

    @Test("a forged ciphertext releases no plaintext")
    func forgeryZeroesOutput() throws {
        let cipher = try AESGCM(key: key)
        let plaintext = [UInt8](repeating: 0xAB, count: 64)
        var sealed = try cipher.seal(nonce: nonce, plaintext: plaintext, authenticating: [UInt8]())
        sealed[sealed.count - 1] ^= 1
        var output = [UInt8](repeating: 0xFF, count: 64)
        #expect(throws: CryptoError.authenticationFailed) {
            try sealed.withUnsafeBytes { c in
                try nonce.withUnsafeBytes { n in
                    try output.withUnsafeMutableBytes { o in
                        try cipher.open(nonce: n, ciphertextAndTag: c, authenticating: UnsafeRawBufferPointer(start: nil, count: 0), into: o)
                    }
                }
            }
        }
        #expect(output.allSatisfy { $0 == 0 })
        // Wrong associated data fails the same way.
        sealed[sealed.count - 1] ^= 1
        #expect(throws: CryptoError.authenticationFailed) { try cipher.open(nonce: nonce, ciphertextAndTag: sealed, authenticating: [1] as [UInt8]) }
    }
}
