import Foundation
import Testing

@testable import SealedBidCommittee
import SealedBidHPKE
import SealedBidPrimitives
import SealedBidTestSupport

@Suite("Committee keys: interoperability with pyhpke")
struct CommitteeInteropTests {
    @Test("threshold decryption of pyhpke ciphertexts equals a whole-key HPKE recipient")
    func pyhpkeCiphertexts() throws {
        let committee = try Committee(t: 3, n: 5)
        let (results, _) = try runDKG(committee)
        let stageKey = results[0].stageKey
        let info = Array("sealbid/envelope-v1 key-wrap".utf8) + [0, 1, 2]
        let message = SecureRandom.bytes(count: 32)
        guard
            let sealed = try PythonJudge.hpke(["seal", stageKey.publicKey.rawRepresentation.hexString, info.hexString, "", message.hexString])
        else { return }
        let enc = try HPKE.EncapsulatedKey(rawRepresentation: Hex.decode(try #require(sealed["enc"])))
        let ciphertext = try Hex.decode(try #require(sealed["ct"]))

        // Members 2, 4 and 5 open by threshold decryption; the key is never rebuilt.
        let chosen = [results[1].share, results[3].share, results[4].share]
        let contributions = try committee.contributions(chosen, stageKey: stageKey, encs: [enc])
        let combined = try ThresholdCombiner.combine(stageKey: stageKey, openingID: openingID, encapsulatedKeys: [enc], contributions: contributions)
        let dh = combined.sharedSecrets[0]
        var threshold = try HPKE.Recipient(encapsulatedKey: enc, recipientKey: stageKey.publicKey, sharedDH: dh, info: info)
        #expect(try threshold.open(ciphertext) == message)

        // The same DH value a recipient holding the whole key computes, and pyhpke agrees with that key.
        let whole = try Reconstruction.reconstruct(stageKey: stageKey, openingID: openingID, released: committee.released(chosen)).privateKey
        #expect(try enc.publicKey.point.sharedSecret(privateScalar: whole.scalar) == dh)
        guard
            let opened = try PythonJudge.hpke([
                "open", whole.rawRepresentation.hexString, enc.rawRepresentation.hexString, info.hexString, "", ciphertext.hexString,
            ])
        else { return }
        #expect(opened["pt"] == message.hexString)
    }
}
