import Foundation
import SealedBidCommittee
import SealedBidPrimitives

/// RFC 9497 (OPRF) P256-SHA256 vectors, modes 1 (VOPRF) and 2 (POPRF): their
/// DLEQ proofs are exactly SealedBid's decryption-share proofs with another
/// context string. Checked: the evaluation k*C, the proof generated with the
/// vector's r (byte for byte), its verification, and the rejection of a
/// proof with one bit changed. Batches of 1 and 2 are both covered.
enum DLEQSuite {
    struct SuiteFile: Decodable {
        let identifier: String
        let mode: Int
        let skSm: String
        let pkSm: String?
        let vectors: [Vector]
    }

    struct Vector: Decodable {
        struct Proof: Decodable {
            let proof: String
            let r: String
        }
        let Batch: Int
        let BlindedElement: String
        let EvaluationElement: String
        let Info: String?
        let Proof: Proof?
    }

    static func run(_ url: URL, into report: inout SuiteReport) throws {
        for suite in try VectorFiles.decode([SuiteFile].self, from: url) {
            guard suite.identifier == "P256-SHA256" else { continue }
            guard suite.mode == 1 || suite.mode == 2 else {
                for _ in suite.vectors { report.skip("OPRF mode \(suite.mode) has no proof") }
                continue
            }
            let context = Array("OPRFV1-".utf8) + [UInt8(suite.mode)] + Array("-P256-SHA256".utf8)
            let sk = try P256Scalar(bytes: hex(suite.skSm, "skSm"))
            let pk = try P256Point.generatorMultiple(sk)
            if let pkSm = suite.pkSm {
                report.record(pk.compressedRepresentation == (try hex(pkSm, "pkSm")), "mode \(suite.mode): pkSm differs")
            }
            for v in suite.vectors {
                guard let proofVector = v.Proof else { throw VectorFormatError("mode \(suite.mode) vector without a proof") }
                let blinded = try v.BlindedElement.split(separator: ",").map { try P256Point(sec1: hex(String($0), "BlindedElement")) }
                let evaluated = try v.EvaluationElement.split(separator: ",").map { try P256Point(sec1: hex(String($0), "EvaluationElement")) }
                guard blinded.count == v.Batch, evaluated.count == v.Batch else { throw VectorFormatError("batch size") }
                let r = try P256Scalar(bytes: hex(proofVector.r, "r"))
                let expected = try DLEQProof(rawRepresentation: hex(proofVector.proof, "proof"))
                let (key, publicKey, C, D): (P256Scalar, P256Point, [P256Point], [P256Point])
                if suite.mode == 1 {
                    (key, publicKey, C, D) = (sk, pk, blinded, evaluated)
                } else {
                    // POPRF: t = skS + HashToScalar("Info" || I2OSP(len(info), 2) || info); proof over (evaluated, blinded).
                    let info = try hex(v.Info ?? "", "Info")
                    let framed = Array("Info".utf8) + [UInt8(info.count >> 8), UInt8(info.count & 0xFF)] + info
                    let t = sk + (try P256Scalar.hash(framed, domain: Array("HashToScalar-".utf8) + context))
                    (key, publicKey, C, D) = (t, try P256Point.generatorMultiple(t), evaluated, blinded)
                }
                let evaluationOK = try zip(C, D).allSatisfy { c, d in try c.multiplied(by: key) == d }
                let generated = try DLEQ.prove(key: key, A: .generator, B: publicKey, C: C, D: D, context: context, nonce: r)
                let verifies = (try? DLEQ.verify(expected, A: .generator, B: publicKey, C: C, D: D, context: context)) != nil
                var tampered = expected.rawRepresentation
                tampered[63] ^= 1
                let tamperedProof = try? DLEQProof(rawRepresentation: tampered)
                let tamperedRejected =
                    tamperedProof.map { (try? DLEQ.verify($0, A: .generator, B: publicKey, C: C, D: D, context: context)) == nil }
                    ?? true
                report.record(
                    evaluationOK && generated == expected && verifies && tamperedRejected,
                    "mode \(suite.mode) batch \(v.Batch): evaluation, proof or verification differs")
            }
        }
    }
}
