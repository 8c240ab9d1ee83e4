import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// RFC 9180 test vectors (the official test-vectors.json). Only the
/// SealedBid suite applies: mode_base, KEM 0x0010, KDF 0x0001, AEAD 0x0002.
/// Every intermediate value of the key schedule, every encryption (sequence
/// numbers 0..256) and every export is compared, on the sender, on the
/// recipient and on a recipient set up from an externally computed DH value.
enum HPKESuite {
    struct Vector: Decodable {
        let mode: Int
        let kem_id: Int
        let kdf_id: Int
        let aead_id: Int
        let info: String
        let ikmR: String
        let ikmE: String
        let skRm: String
        let skEm: String
        let pkRm: String
        let pkEm: String
        let enc: String
        let shared_secret: String
        let key_schedule_context: String
        let key: String
        let base_nonce: String
        let exporter_secret: String
        let encryptions: [Encryption]
        let exports: [Export]
    }

    struct Encryption: Decodable {
        let aad: String
        let ct: String
        let nonce: String
        let pt: String
    }

    struct Export: Decodable {
        let exporter_context: String
        let L: Int
        let exported_value: String
    }

    static func run(_ url: URL, into report: inout SuiteReport) throws {
        let vectors = try VectorFiles.decode([Vector].self, from: url)
        for v in vectors
        where v.kem_id == Int(HPKE.kemID) && v.kdf_id == Int(HPKE.kdfID) && v.aead_id == Int(HPKE.aeadID) {
            guard v.mode == Int(HPKE.modeBase) else {
                report.skip("HPKE mode \(v.mode) (SealedBid uses mode_base only)")
                continue
            }
            try check(v, into: &report)
        }
    }

    static func check(_ v: Vector, into report: inout SuiteReport) throws {
        let info = try hex(v.info, "info")
        let skR = try HPKE.PrivateKey.derive(fromIKM: hex(v.ikmR, "ikmR"))
        let skE = try HPKE.PrivateKey.derive(fromIKM: hex(v.ikmE, "ikmE"))
        let pkR = try HPKE.PublicKey(rawRepresentation: hex(v.pkRm, "pkRm"))
        let enc = try HPKE.EncapsulatedKey(rawRepresentation: hex(v.enc, "enc"))

        // DeriveKeyPair, serialization, Encap/Decap and the key schedule.
        var sender = try HPKE.Sender(recipientKey: pkR, info: info, ephemeralKey: skE)
        let sharedSecret = try HPKE.testingSharedSecret(enc: enc, privateKey: skR)
        let schedule = try KeySchedule(sharedSecret: sharedSecret, info: info)
        let setupOK =
            try skR.rawRepresentation == hex(v.skRm, "skRm") && skE.rawRepresentation == hex(v.skEm, "skEm")
            && skR.publicKey == pkR && skE.publicKey.rawRepresentation == hex(v.pkEm, "pkEm")
            && sender.encapsulatedKey == enc
            && sharedSecret.unsafeCopy() == hex(v.shared_secret, "shared_secret")
            && schedule.keyScheduleContext == hex(v.key_schedule_context, "key_schedule_context")
            && schedule.key.unsafeCopy() == hex(v.key, "key")
            && schedule.baseNonce.unsafeCopy() == hex(v.base_nonce, "base_nonce")
            && schedule.exporterSecret.unsafeCopy() == hex(v.exporter_secret, "exporter_secret")
        report.record(setupOK, "info \(v.info.prefix(16))…: key derivation or key schedule differs")

        var recipient = try HPKE.Recipient(encapsulatedKey: enc, privateKey: skR, info: info)
        let dh = try enc.publicKey.point.sharedSecret(privateScalar: skR.scalar)
        var external = try HPKE.Recipient(encapsulatedKey: enc, recipientKey: pkR, sharedDH: dh, info: info)
        for (seq, e) in v.encryptions.enumerated() {
            let aad = try hex(e.aad, "aad"), pt = try hex(e.pt, "pt"), ct = try hex(e.ct, "ct")
            let sealed = try? sender.seal(pt, authenticating: aad)
            let opened = try? recipient.open(ct, authenticating: aad)
            let openedExternally = try? external.open(ct, authenticating: aad)
            report.record(
                sealed == ct && opened == pt && openedExternally == pt,
                "encryption seq \(seq): sender, recipient or external-DH recipient disagrees")
        }
        for x in v.exports {
            let context = try hex(x.exporter_context, "exporter_context")
            let expected = try hex(x.exported_value, "exported_value")
            let ok =
                try sender.exportSecret(context: context, length: x.L).unsafeCopy() == expected
                && recipient.exportSecret(context: context, length: x.L).unsafeCopy() == expected
                && external.exportSecret(context: context, length: x.L).unsafeCopy() == expected
            report.record(ok, "export L=\(x.L) context \(x.exporter_context): differs")
        }
    }
}
