import Foundation
import Testing

@testable import SealedBidHPKE
import SealedBidPrimitives

@Suite("HPKE (RFC 9180 profile)")
struct HPKETests {
    let recipient = HPKE.PrivateKey()
    let info = Array("tender=42|bidder=7|envelope=price".utf8)

    @Test func singleShotRoundTrip() throws {
        let message = SecureRandom.bytes(count: 32)
        let (enc, ciphertext) = try HPKE.seal(message, to: recipient.publicKey, info: info, authenticating: [9] as [UInt8])
        #expect(enc.rawRepresentation.count == 65)
        #expect(ciphertext.count == 48)
        #expect(try HPKE.open(ciphertext, encapsulatedKey: enc, with: recipient, info: info, authenticating: [9] as [UInt8]) == message)
        // Every binding input matters, and failure is one undifferentiated error.
        #expect(throws: CryptoError.authenticationFailed) {
            try HPKE.open(ciphertext, encapsulatedKey: enc, with: recipient, info: info + [0], authenticating: [9] as [UInt8])
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try HPKE.open(ciphertext, encapsulatedKey: enc, with: HPKE.PrivateKey(), info: info, authenticating: [9] as [UInt8])
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try HPKE.open(ciphertext, encapsulatedKey: enc, with: recipient, info: info)
        }
        let otherEnc = try HPKE.seal(message, to: recipient.publicKey, info: info).encapsulatedKey
        #expect(throws: CryptoError.authenticationFailed) {
            try HPKE.open(ciphertext, encapsulatedKey: otherEnc, with: recipient, info: info, authenticating: [9] as [UInt8])
        }
    }

    @Test func contextSequenceAndExport() throws {
        var sender = try HPKE.Sender(recipientKey: recipient.publicKey, info: info)
        var receiver = try HPKE.Recipient(encapsulatedKey: sender.encapsulatedKey, privateKey: recipient, info: info)
        let first = try sender.seal([1] as [UInt8]), second = try sender.seal([2] as [UInt8])
        #expect(sender.sequenceNumber == 2)
        // Out of order fails and does not advance the recipient.
        #expect(throws: CryptoError.authenticationFailed) { try receiver.open(second) }
        #expect(receiver.sequenceNumber == 0)
        #expect(try receiver.open(first) == [1])
        #expect(try receiver.open(second) == [2])
        #expect(try sender.exportSecret(context: [7] as [UInt8], length: 32) == receiver.exportSecret(context: [7] as [UInt8], length: 32))
        #expect(throws: CryptoError.self) { try sender.exportSecret(context: [UInt8](), length: 8161) }
    }

    @Test("the sequence-number limit is enforced on both sides")
    func messageLimit() throws {
        var sender = try HPKE.Sender(recipientKey: recipient.publicKey, info: info)
        sender.forceSequenceNumber(UInt64.max - 1)
        let last = try sender.seal([1] as [UInt8])
        #expect(throws: CryptoError.messageLimitReached) { try sender.seal([2] as [UInt8]) }
        var receiver = try HPKE.Recipient(encapsulatedKey: sender.encapsulatedKey, privateKey: recipient, info: info)
        receiver.forceSequenceNumber(UInt64.max - 1)
        #expect(try receiver.open(last) == [1])
        #expect(throws: CryptoError.messageLimitReached) { try receiver.open(last) }
    }

    @Test("a DH value computed outside HPKE opens like the private key")
    func externalDecapsulation() throws {
        let (enc, ciphertext) = try HPKE.seal([42] as [UInt8], to: recipient.publicKey, info: info)
        // Split the key additively to show the DH value can be assembled without skR in one place.
        let share1 = P256Scalar.random()
        let share2 = recipient.scalar - share1
        let partial1 = try enc.publicKey.point.multiplied(by: share1)
        let partial2 = try enc.publicKey.point.multiplied(by: share2)
        let combined = try partial1.adding(partial2)
        let dh = SecureBytes(copying: combined.xCoordinate)
        var external = try HPKE.Recipient(encapsulatedKey: enc, recipientKey: recipient.publicKey, sharedDH: dh, info: info)
        #expect(try external.open(ciphertext) == [42])
        var wrong = try HPKE.Recipient(
            encapsulatedKey: enc, recipientKey: recipient.publicKey, sharedDH: SecureBytes.random(count: 32), info: info)
        #expect(throws: CryptoError.authenticationFailed) { try wrong.open(ciphertext) }
        #expect(throws: CryptoError.self) {
            _ = try HPKE.Recipient(encapsulatedKey: enc, recipientKey: recipient.publicKey, sharedDH: SecureBytes.random(count: 31), info: info)
        }
    }

    @Test func keyEncodingsAreStrict() throws {
        let pk = recipient.publicKey
        #expect(try HPKE.PublicKey(rawRepresentation: pk.rawRepresentation) == pk)
        // RFC 9180 §7.1.1: uncompressed only.
        #expect(throws: CryptoError.self) { try HPKE.PublicKey(rawRepresentation: pk.point.compressedRepresentation) }
        var offCurve = pk.rawRepresentation
        offCurve[64] ^= 1
        #expect(throws: CryptoError.pointNotOnCurve) { try HPKE.EncapsulatedKey(rawRepresentation: offCurve) }
        #expect(throws: CryptoError.zeroScalar) { try HPKE.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: CryptoError.nonCanonicalScalar) { try HPKE.PrivateKey(rawRepresentation: [UInt8](repeating: 0xFF, count: 32)) }
        #expect(throws: CryptoError.self) { try HPKE.PrivateKey.derive(fromIKM: [UInt8](repeating: 1, count: 31)) }
        let derived = try HPKE.PrivateKey.derive(fromIKM: [UInt8](repeating: 1, count: 32))
        #expect(try HPKE.PrivateKey.derive(fromIKM: [UInt8](repeating: 1, count: 32)).publicKey == derived.publicKey)
        #expect(try HPKE.PrivateKey(rawRepresentation: derived.rawRepresentation).publicKey == derived.publicKey)
        #expect(recipient.description == "HPKE.PrivateKey(<redacted>)")
    }
}
