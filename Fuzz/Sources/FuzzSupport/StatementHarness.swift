import Foundation
import SealedBid
import SealedBidEnvelope
import SealedBidLog
import SealedBidPrimitives

/// What the harness uses of a bidder's signed statement (envelope-v1, "Bidder statements").
protocol SignedStatement {
    static var name: String { get }
    /// The world log's entry kind that logs it.
    static var entry: LogEntry.Kind { get }
    init(encoded bytes: [UInt8]) throws(EnvelopeError)
    /// The statement for these fields, signed by `signer`.
    init(tender: TenderID, bidder: BidderID, digest: [UInt8], signer: BidSigner) throws(EnvelopeError)
    var tender: TenderID { get }
    var bidder: BidderID { get }
    /// The bid it withdraws or commits to.
    var statedDigest: [UInt8] { get }
    var signer: SignerIdentity { get }
    var encoded: [UInt8] { get }
    func verify(tender: TenderID, bidder: BidderID, policy: SignerPolicy) throws(EnvelopeError)
}

extension Withdrawal: SignedStatement {
    static let name = "withdrawal", entry = LogEntry.Kind.withdraw
    var statedDigest: [UInt8] { withdrawnDigest }
    init(tender: TenderID, bidder: BidderID, digest: [UInt8], signer: BidSigner) throws(EnvelopeError) {
        try self.init(tender: tender, bidder: bidder, withdrawing: digest, signer: signer)
    }
}

extension Commitment: SignedStatement {
    static let name = "commitment", entry = LogEntry.Kind.commit
    var statedDigest: [UInt8] { bidDigest }
    init(tender: TenderID, bidder: BidderID, digest: [UInt8], signer: BidSigner) throws(EnvelopeError) {
        try self.init(tender: tender, bidder: bidder, committing: digest, signer: signer)
    }
}

/// Withdrawals and commitments, parsed and verified against the world tender's bidder registry.
enum StatementHarness {
    /// Parses a statement (it must re-encode to its input), then verifies it with the world
    /// registry's policy of every bidder. A statement verifies only for the bidder it names
    /// and the world's tender, signed by one of that bidder's registered identities; an
    /// Ed25519 statement only with the exact (deterministic) signature its key makes.
    static func run<Statement: SignedStatement>(_ kind: Statement.Type, _ bytes: [UInt8]) {
        guard let statement = try? Statement(encoded: bytes) else { return }
        Fuzz.require(statement.encoded == bytes, "a \(kind.name) re-encodes to its input")
        let world = World.opened
        for bidder in world.tender.bidders.bidders.sorted() + [statement.bidder] {
            let policy = world.tender.signerPolicy(for: bidder, at: world.tender.deadline)
            guard (try? statement.verify(tender: world.tender.id, bidder: bidder, policy: policy)) != nil else { continue }
            Fuzz.require(bidder == statement.bidder && statement.tender == world.tender.id, "a \(kind.name) verified for another bidder or tender")
            switch statement.signer {
            case .ed25519(let key):
                let registered = world.tender.bidders.identities.contains { $0.bidder == bidder && $0.kind == .ed25519(key) }
                let own = TenderWorld.bidderKeys.first { $0.1.publicKey == key }.map {
                    try? Statement(tender: statement.tender, bidder: statement.bidder, digest: statement.statedDigest, signer: .ed25519($0.1))
                }
                Fuzz.require(registered && own??.encoded == bytes, "an Ed25519 \(kind.name) verifies only as its key signs it")
            case .x509(let chain):
                let subject = chain.first?.subject ?? ""
                Fuzz.require(
                    world.tender.bidders.identities.contains { $0.bidder == bidder && $0.kind == .x509Subject(subject) },
                    "an X.509 \(kind.name) verifies only with a registered subject")
            }
        }
    }

    /// The world's statements, and statements of every registered identity (Ed25519 and
    /// X.509) and of an unregistered key, for the world's and another tender.
    static func seeds<Statement: SignedStatement>(_ kind: Statement.Type) throws -> [[UInt8]] {
        let world = World.opened
        var seeds = kind.entry == .withdraw ? world.withdrawals : world.commitments
        var signers: [(BidderID, BidSigner)] = TenderWorld.bidderKeys.map { ($0.0, .ed25519($0.1)) }
        if let pki = World.pki { signers.append((TenderWorld.x509Bidder, .ecdsaP256(pki.leafKey, chain: [pki.leaf, pki.intermediate]))) }
        signers.append((World.bidder, .ed25519(World.ed25519Key("unregistered"))))
        for (bidder, signer) in signers {
            let live = world.entries.last { $0.bidder == bidder.value }?.bidDigest ?? World.bytes("no bid")
            seeds.append(try Statement(tender: world.tender.id, bidder: bidder, digest: live, signer: signer).encoded)
        }
        seeds.append(try Statement(tender: try TenderID("OTHER-TENDER"), bidder: World.bidder, digest: World.bytes("other"), signer: .ed25519(World.bidderKey)).encoded)
        return seeds
    }
}
