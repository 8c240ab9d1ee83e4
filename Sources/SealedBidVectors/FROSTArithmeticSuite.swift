import Foundation
import SealedBidPrimitives

/// The P-256 arithmetic in RFC 9591's FROST(P-256, SHA-256) vector
/// (Appendix E): the group key, the dealer's Shamir shares, Lagrange
/// interpolation at zero, the H3 nonce derivation (hash_to_field with
/// expand_message_xmd) and the nonce commitments. The signing protocol
/// itself is not SealedBid's; only the arithmetic it shares is checked.
enum FROSTArithmeticSuite {
    struct File: Decodable {
        struct Inputs: Decodable {
            struct Share: Decodable {
                let identifier: UInt64
                let participant_share: String
            }
            let participant_list: [UInt64]
            let group_secret_key: String
            let group_public_key: String
            let share_polynomial_coefficients: [String]
            let participant_shares: [Share]
        }
        struct RoundOne: Decodable {
            struct Output: Decodable {
                let identifier: UInt64
                let hiding_nonce_randomness: String
                let binding_nonce_randomness: String
                let hiding_nonce: String
                let binding_nonce: String
                let hiding_nonce_commitment: String
                let binding_nonce_commitment: String
            }
            let outputs: [Output]
        }
        let inputs: Inputs
        let round_one_outputs: RoundOne
    }

    static let nonceDST = Array("FROST-P256-SHA256-v1nonce".utf8)

    static func run(_ url: URL, into report: inout SuiteReport) throws {
        let file = try VectorFiles.decode(File.self, from: url)
        let secret = try P256Scalar(bytes: hex(file.inputs.group_secret_key, "group_secret_key"))
        let groupKey = try P256Point.generatorMultiple(secret)
        report.record(
            groupKey.compressedRepresentation == (try hex(file.inputs.group_public_key, "group_public_key")),
            "group public key differs")

        // f(x) = secret + sum(c_k x^k); shares are f(identifier).
        let coefficients = try [secret]
            + file.inputs.share_polynomial_coefficients.map { try P256Scalar(bytes: hex($0, "coefficient")) }
        var shares: [UInt64: P256Scalar] = [:]
        for share in file.inputs.participant_shares {
            let x = P256Scalar(share.identifier)
            var value = P256Scalar.zero
            for c in coefficients.reversed() { value = value * x + c }  // Horner
            shares[share.identifier] = value
            report.record(
                value == (try P256Scalar(bytes: hex(share.participant_share, "participant_share"))),
                "share \(share.identifier) differs")
        }

        // Lagrange interpolation at zero over the signing set recovers the secret.
        var recovered = P256Scalar.zero
        for i in file.inputs.participant_list {
            var lambda = P256Scalar.one
            for j in file.inputs.participant_list where j != i {
                lambda = lambda * P256Scalar(j) * (try (P256Scalar(j) - P256Scalar(i)).inverse())
            }
            guard let share = shares[i] else { throw VectorFormatError("no share for participant \(i)") }
            recovered = recovered + lambda * share
        }
        report.record(recovered == secret, "Lagrange interpolation at zero did not recover the secret")

        for output in file.round_one_outputs.outputs {
            guard let share = shares[output.identifier] else { throw VectorFormatError("no share \(output.identifier)") }
            for (randomness, nonce, commitment) in [
                (output.hiding_nonce_randomness, output.hiding_nonce, output.hiding_nonce_commitment),
                (output.binding_nonce_randomness, output.binding_nonce, output.binding_nonce_commitment),
            ] {
                // nonce = H3(random_bytes || SerializeScalar(secret_share)).
                let derived = try P256Scalar.hash(try hex(randomness, "randomness") + share.rawRepresentation, domain: nonceDST)
                let ok =
                    try derived == P256Scalar(bytes: hex(nonce, "nonce"))
                    && P256Point.generatorMultiple(derived).compressedRepresentation == hex(commitment, "commitment")
                report.record(ok, "participant \(output.identifier): nonce or commitment differs")
            }
        }
    }
}
