import ArgumentParser
import Foundation
import SealedBidHPKE
import SealedBidKeyFiles
import SealedBidPrimitives

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a key pair into key files (docs/spec/keyfiles-v1.md).",
        discussion: """
            Writes the private key to PATH (mode 0600, never overwriting) and the public key \
            to PATH.pub. Kinds: 'hpke' for committee stage keys and escrow keys, 'ed25519' \
            for bidder signing keys.

            Example:
              sealbid keygen hpke technical-committee.key
              sealbid keygen ed25519 bidder-signing.key
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case hpke, ed25519
    }

    @Argument(help: "Key kind: hpke or ed25519.")
    var kind: Kind

    @Argument(help: "Path of the private key file; the public key goes to PATH.pub.")
    var path: String

    func run() throws {
        switch kind {
        case .hpke:
            let key = HPKE.PrivateKey()
            try KeyFile.writePair(hpke: key, to: path)
            print("public key \(key.publicKey.rawRepresentation.hexString)")
        case .ed25519:
            let key = Ed25519PrivateKey()
            try KeyFile.writePair(ed25519: key, to: path)
            print("public key \(key.publicKey.rawRepresentation.hexString)")
        }
        print("wrote \(path) (secret, mode 0600) and \(path).pub")
    }
}
