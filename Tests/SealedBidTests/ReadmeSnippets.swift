import Foundation
import SealedBidHPKE
import SealedBidPrimitives
import Testing

// The README's code, compiled here: `ReadmeTests` checks that the README shows exactly the lines
// between each `// README begin` and `// README end`, so the README cannot drift from an API
// that compiles. The parameters stand for what an integrator has at hand.

import SealedBid

func readmeFacade(
    deadline: Date, logKey: Ed25519PrivateKey, technicalKey: StageKey, priceKey: StageKey, registryText: String,
    descriptorBytes: [UInt8], publishedDigest: [UInt8], signingKey: Ed25519PrivateKey, technical: EnvelopeName, price: EnvelopeName,
    myShare: SecretShare, myKeys: MemberKeys, allShares: [DecryptionShares], signatures: [ReportSignature]
) async throws {
    // README begin: facade
    // The organiser builds the descriptor once (after the committee's DKG) and publishes it with its digest.
    let tender = try Tender(id: TenderID("LPSE-2026-0042"), deadline: deadline, grace: 600,
                            log: NoteVerifier(name: "lpse.example.go.id/portal/LPSE-2026-0042", publicKey: logKey.publicKey),
                            stages: [technicalKey, priceKey],
                            envelopes: [(EnvelopeName("technical"), StageName("technical")),
                                        (EnvelopeName("price"), StageName("price"))],
                            bidders: try BidderRegistry(text: registryText))
    // Everyone else reads it and pins the published digest.
    let pinned = try Tender(encoded: descriptorBytes, expectedDigest: publishedDigest)
    // Bidder: seal (streams each file, constant memory).
    let summary = try pinned.seal(bidder: BidderID("ACME"), signer: .ed25519(signingKey),
                                  files: [technical: "proposal.pdf", price: "price.xlsx"], to: "acme.sbid")
    // Portal: verify against the registry, store, log, return a receipt; close once deadline + grace has passed.
    let portal = try await PortalService.create(tender: pinned, directory: "portal", signer: NoteSigner(name: pinned.origin, key: logKey))
    let receipt = try await portal.accept(bidAt: "acme.sbid", from: BidderID("ACME"))
    let closing = try await portal.close()
    // Each member, on its own copies of the public files: check everything, then compute shares.
    let opening = try StageOpening(tender: pinned, stage: StageName("technical"), closing: closing,
                                   records: try FileLogStore.records(atPath: "portal/log.bin"),
                                   bids: BidStore(directory: "portal/bids"))
    let shares = try opening.decryptionShares(share: myShare, keys: myKeys)
    // The coordinator combines t members' shares and decrypts; each member checks the report
    // against its own opening and the share files, then signs; at least t signatures make it valid.
    let report = try opening.open(withEncodedShares: allShares.map(\.encoded), to: .directory("opened/technical"))
    try report.check(against: opening, shares: .decryptionShares(allShares.map(\.encoded)))
    let signature = try ReportSignature(report: report, roster: technicalKey.roster, keys: myKeys)
    let verified = try OpeningReport(encoded: report.encoded).verify(tender: pinned, signatures: signatures)
    // README end
    _ = (tender, summary, receipt, shares, signature, verified)
}

func readmeHPKE(bidKey: SecureBytes) throws {
    // README begin: hpke
    let committee = HPKE.PrivateKey()                      // in production: threshold-shared
    let info = Array("tender|bidder|envelope".utf8)
    let (enc, wrapped) = try HPKE.seal(bidKey, to: committee.publicKey, info: info)
    let opened = try HPKE.open(wrapped, encapsulatedKey: enc, with: committee, info: info)
    // README end
    _ = opened
}

@Suite("README")
struct ReadmeTests {
    /// The README's Swift blocks, in order, as lines.
    static func readmeBlocks() throws -> [[String]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        var blocks: [[String]] = []
        var current: [String]?
        for line in text.components(separatedBy: "\n") {
            if current == nil, line == "```swift" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!)
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return blocks
    }

    /// The compiled snippets of this file, dedented, without their markers.
    static func compiledSnippets() throws -> [String: [String]] {
        let text = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        var snippets: [String: [String]] = [:]
        var name: String?
        for line in text.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// README begin: ") {
                name = String(trimmed.dropFirst("// README begin: ".count))
                snippets[name!] = []
            } else if trimmed == "// README end" {
                name = nil
            } else if let current = name {
                snippets[current]!.append(line.hasPrefix("    ") ? String(line.dropFirst(4)) : line)
            }
        }
        return snippets
    }

    @Test("the README's Swift code is the compiled code of this file, line for line")
    func readmeCompiles() throws {
        let blocks = try Self.readmeBlocks()
        let snippets = try Self.compiledSnippets()
        #expect(blocks.count == 2)
        #expect(blocks.first == ["import SealedBid", ""] + (snippets["facade"] ?? []))
        #expect(blocks.last == ["import SealedBidHPKE", ""] + (snippets["hpke"] ?? []))
    }
}
