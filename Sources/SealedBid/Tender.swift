import Foundation
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidPrimitives

/// SealedBid: the few calls most integrators need.
///
/// ```swift
/// // Bidder: seal a two-envelope bid to the committee's stage keys.
/// let summary = try tender.seal(bidder: id, signer: .ed25519(key),
///                               envelopes: [(technical, proposalPath), (price, pricePath)], to: bidPath)
/// // Portal: verify, log, and return a receipt; close at the deadline.
/// let receipt = try await portal.accept(bidAt: bidPath)
/// let closing = try await portal.close()
/// // Committee: check the bids against the closing checkpoint, collect decryption
/// // shares from members, open every envelope of one stage, write the report.
/// let opening = try StageOpening(tender: tender, stage: technical, ...)
/// let report = try opening.open(with: shares, into: outputDirectory)
/// ```
public struct Tender: Sendable {
    public let id: TenderID
    public let deadline: Date
    /// The committee key of every opening stage, in opening order.
    public let stages: [StageKey]
    /// Which envelope of a bid belongs to which stage.
    public let envelopes: [(name: EnvelopeName, stage: StageName)]

    public init(id: TenderID, deadline: Date, stages: [StageKey], envelopes: [(name: EnvelopeName, stage: StageName)]) throws {
        for envelope in envelopes where !stages.contains(where: { $0.roster.stage == envelope.stage.value }) {
            throw EnvelopeError.invalidInput("no committee key for stage '\(envelope.stage)'")
        }
        for stage in stages where stage.roster.committee != id.value {
            throw EnvelopeError.invalidInput("the key of stage '\(stage.roster.stage)' belongs to committee '\(stage.roster.committee)'")
        }
        self.id = id
        self.deadline = deadline
        self.stages = stages
        self.envelopes = envelopes
    }

    public func stageKey(_ stage: StageName) throws(EnvelopeError) -> StageKey {
        guard let key = stages.first(where: { $0.roster.stage == stage.value }) else {
            throw .invalidInput("no committee key for stage '\(stage)'")
        }
        return key
    }

    /// Seals a bid with one file per envelope of the tender, streaming each file.
    public func seal(
        bidder: BidderID, signer: BidSigner, files: [EnvelopeName: String], escrowKey: HPKE.PublicKey? = nil, to path: String
    ) throws -> SealedBidSummary {
        let recipes = try envelopes.map { envelope in
            EnvelopeRecipe(
                name: envelope.name, stage: envelope.stage, committeeKey: try stageKey(envelope.stage).publicKey, escrowKey: escrowKey)
        }
        let sink = try FileSink(path: path)
        do {
            var sealer = try BidSealer(tender: id, bidder: bidder, signer: signer, envelopes: recipes, to: sink)
            for (index, envelope) in envelopes.enumerated() {
                if index > 0 { try sealer.nextEnvelope() }
                guard let file = files[envelope.name] else { throw EnvelopeError.invalidInput("no file for envelope '\(envelope.name)'") }
                try sealer.append(contentsOfFile: file)
            }
            let summary = try sealer.finish()
            try sink.commit()
            return summary
        } catch {
            sink.discard()
            throw error
        }
    }
}
