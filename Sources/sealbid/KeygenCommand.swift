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
            to PATH.pub, and prints the public key file, the key, and its fingerprint: the \
            SHA-256 of the key's bytes, whose first 16 digits 'sealbid committee show' \
            prints for each member. Kinds: 'hpke' for committee stage keys and escrow keys, \
            'ed25519' for bidder, member and log signing keys.

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
        let publicKey: [UInt8]
        switch kind {
        case .hpke:
            let key = HPKE.PrivateKey()
            try KeyFile.writePair(hpke: key, to: path)
            publicKey = key.publicKey.rawRepresentation
        case .ed25519:
            let key = Ed25519PrivateKey()
            try KeyFile.writePair(ed25519: key, to: path)
            publicKey = key.publicKey.rawRepresentation
        }
        print("secret key   \(path) (mode 0600: keep it to yourself)")
        print("public key   \(path).pub (\(kind) \(publicKey.hexString))")
        print("fingerprint  SHA-256 \(SHA256.hash(publicKey).hexString)")
    }
}
