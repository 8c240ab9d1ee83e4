import Foundation
import Testing

import SealedBidHPKE
import SealedBidPrimitives
import SealedBidTestSupport

/// Interoperability with an independent HPKE implementation (pyhpke, from
/// PyPI, run through ``PythonJudge``).
@Suite("HPKE interoperability with pyhpke")
struct HPKEInteropTests {
    let recipient = HPKE.PrivateKey()
    let info = Array("sealbid interop|tender-7|bidder-3|price".utf8)
    let aad = Array("header".utf8)

    @Test("pyhpke opens what SealedBid seals")
    func pyhpkeOpensOurs() throws {
        let bidKey = SecureRandom.bytes(count: 32)
        let (enc, ciphertext) = try HPKE.seal(bidKey, to: recipient.publicKey, info: info, authenticating: aad)
        guard
            let result = try PythonJudge.hpke([
                "open", recipient.rawRepresentation.hexString, enc.rawRepresentation.hexString, info.hexString,
                aad.hexString, ciphertext.hexString,
            ])
        else { return }
        #expect(result["pt"] == bidKey.hexString)
    }

    @Test("SealedBid opens what pyhpke seals, directly and from an external DH value")
    func weOpenPyhpke() throws {
        let bidKey = SecureRandom.bytes(count: 32)
        guard
            let result = try PythonJudge.hpke([
                "seal", recipient.publicKey.rawRepresentation.hexString, info.hexString, aad.hexString, bidKey.hexString,
            ])
        else { return }
        let enc = try HPKE.EncapsulatedKey(rawRepresentation: Hex.decode(try #require(result["enc"])))
        let ciphertext = try Hex.decode(try #require(result["ct"]))
        #expect(try HPKE.open(ciphertext, encapsulatedKey: enc, with: recipient, info: info, authenticating: aad) == bidKey)
        let dh = try enc.publicKey.point.sharedSecret(privateScalar: recipient.scalar)
        var external = try HPKE.Recipient(encapsulatedKey: enc, recipientKey: recipient.publicKey, sharedDH: dh, info: info)
        #expect(try external.open(ciphertext, authenticating: aad) == bidKey)
    }
}
