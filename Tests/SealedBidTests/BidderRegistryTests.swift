import Foundation
import SealedBid
import SealedBidEnvelope
import SealedBidPrimitives
import Testing

@Suite("Bidder registry (report-v1): members pin each bidder's identities")
struct BidderRegistryTests {
    @Test("lines parse into per-bidder policies; an unregistered bidder has none")
    func parses() throws {
        let acme = Ed25519PrivateKey(), other = Ed25519PrivateKey()
        let text = """
            # sealbid bidder registry v1

            ACME ed25519 \(acme.publicKey.rawRepresentation.hexString)\r
            ACME x509-subject CN=PT Acme Jaya,serialNumber=NPWP 01.234,C=ID
            BETA ed25519 \(other.publicKey.rawRepresentation.hexString.uppercased())
            """
        let registry = try BidderRegistry(text: text)
        let acmePolicy = registry.policy(for: try BidderID("ACME"), x509Roots: [], at: Date())
        #expect(acmePolicy.ed25519Keys == [acme.publicKey])
        #expect(acmePolicy.x509Subjects == ["CN=PT Acme Jaya,serialNumber=NPWP 01.234,C=ID"])
        #expect(registry.policy(for: try BidderID("BETA"), x509Roots: [], at: Date()).ed25519Keys == [other.publicKey])
        let nobody = registry.policy(for: try BidderID("GAMMA"), x509Roots: [], at: Date())
        #expect(nobody.ed25519Keys == [] && nobody.x509Subjects == [])
        // The canonical lines (as the descriptor carries them) use lower-case hex.
        #expect(registry.identities[2].line == "BETA ed25519 \(other.publicKey.rawRepresentation.hexString)")
    }

    @Test("a bad line rejects the whole file, naming the line", arguments: [
        ("ACME ed25519", 1), ("ACME ed25519 abcd", 1), ("AC ME ed25519 " + String(repeating: "00", count: 32), 1),
        ("# ok\nACME rsa 00", 2), ("bad id! ed25519 " + String(repeating: "00", count: 32), 1), ("ACME x509-subject ", 1),
        ("ACME x509-subject CN=a\u{1}b", 1),
    ])
    func rejects(line: String, number: Int) {
        #expect(throws: RegistryError.self) { _ = try BidderRegistry(text: line) }
        do {
            _ = try BidderRegistry(text: line)
        } catch {
            #expect(error.description.hasPrefix("malformed-registry: line \(number):"))
        }
    }

    @Test("the same identity twice is refused")
    func duplicates() {
        let key = Ed25519PrivateKey().publicKey.rawRepresentation.hexString
        #expect(throws: RegistryError.self) { _ = try BidderRegistry(text: "ACME ed25519 \(key)\nACME ed25519 \(key)\n") }
        // The line where it comes again is named, counting comments and blank lines (it used to be
        // the identity's position among the identities).
        #expect(throws: RegistryError.malformedLine(4, "the same identity twice")) {
            _ = try BidderRegistry(text: "# registry\nACME ed25519 \(key)\n\nACME ed25519 \(key)\n")
        }
        #expect(throws: RegistryError.malformedLine(3, "this identity is already registered for ACME")) {
            _ = try BidderRegistry(text: "# registry\nACME ed25519 \(key)\nBETA ed25519 \(key)\n")
        }
    }
}
