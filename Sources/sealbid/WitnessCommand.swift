import ArgumentParser
import Foundation
import SealedBidKeyFiles
import SealedBidLog

/// What a tender organiser needs of a witness: its verifier key for the descriptor. The witness
/// service itself is `sealbid-witness serve` (Portal/, the services package).
struct WitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Witness keys (C2SP tlog-cosignature v1) for tender descriptors.",
        discussion: """
            A witness cosigns a log's checkpoints only when each extends the last one it cosigned, \
            so that a portal cannot show different bidders different logs. The tender descriptor \
            names the witnesses (sealbid tender create --witness VKEY --witness-quorum N); the \
            witness runs as 'sealbid-witness serve' from the services package (Portal/).

            Example:
              sealbid keygen ed25519 witness.key
              sealbid witness key --name witness.example.org/w1 \\
                --public-key witness.key.pub
            """,
        subcommands: [Key.self])

    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a witness's cosignature/v1 verifier key: name+keyid+base64(0x04 || Ed25519 key).",
            discussion: """
                Example:
                  sealbid witness key --name witness.example.org/w1 \\
                    --public-key witness.key.pub
                """)
        @Option(help: "The witness's name, a schema-less URL (no spaces, no '+').") var name: String
        @Option(help: "The witness's Ed25519 public key file (sealbid keygen ed25519 PATH writes PATH.pub).") var publicKey: String

        func run() throws {
            let key = try KeyFile.ed25519PublicKey(publicKey)
            let verifier: CosignerVerifier
            do { verifier = try CosignerVerifier(name: name, publicKey: key) } catch { throw ValidationError("--name: \(error)") }
            print(verifier.verifierKey)
        }
    }
}
