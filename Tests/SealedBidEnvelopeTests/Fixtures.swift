import Foundation
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidPrimitives

/// A tender with two stages and a bidder with signing and escrow keys.
struct Fixture {
    let tender = try! TenderID("LPSE-2026-0042")
    let bidder = try! BidderID("NPWP:01.234.567.8-901.000")
    let technicalStage = try! StageName("technical")
    let priceStage = try! StageName("price")
    let technical = try! EnvelopeName("technical")
    let price = try! EnvelopeName("price")
    let technicalCommittee = HPKE.PrivateKey()
    let priceCommittee = HPKE.PrivateKey()
    let escrow = HPKE.PrivateKey()
    let signer = Ed25519PrivateKey()

    var recipes: [EnvelopeRecipe] {
        [
            EnvelopeRecipe(name: technical, stage: technicalStage, committeeKey: technicalCommittee.publicKey, escrowKey: escrow.publicKey),
            EnvelopeRecipe(name: price, stage: priceStage, committeeKey: priceCommittee.publicKey),
        ]
    }

    /// Seals two envelopes into memory.
    func seal(technical technicalBytes: [UInt8], price priceBytes: [UInt8], signer bidSigner: BidSigner? = nil) throws
        -> (bytes: [UInt8], summary: SealedBidSummary)
    {
        let sink = MemorySink()
        var sealer = try BidSealer(
            tender: tender, bidder: bidder, signer: bidSigner ?? .ed25519(signer), envelopes: recipes, to: sink)
        // Feed in uneven pieces to exercise buffering across chunk boundaries.
        var rest = technicalBytes[...]
        while !rest.isEmpty {
            let take = min(rest.count, 7919)
            try sealer.append(Array(rest.prefix(take)))
            rest = rest.dropFirst(take)
        }
        try sealer.nextEnvelope()
        try sealer.append(priceBytes)
        let summary = try sealer.finish()
        return (sink.bytes, summary)
    }

    func opener(_ bytes: [UInt8]) throws -> BidOpener {
        try BidOpener(source: MemorySource(bytes), tender: tender, bidder: bidder, policy: .signatureOnly())
    }

    func openTechnical(_ bytes: [UInt8]) throws -> [UInt8] {
        try opener(bytes).unlock(technical, with: .committeeKey(technicalCommittee, stage: technicalStage)).decryptToMemory()
    }
}

/// Runs `body` and returns the EnvelopeError code it threw, or "no error".
func errorCode(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "no error"
    } catch let error as EnvelopeError {
        return error.code
    } catch {
        return "other: \(error)"
    }
}

func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-\(UUID())-\(name)").path
}
