import Foundation
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// Opening one stage of a closed tender (`docs/spec/report-v1.md`).
///
/// Construction checks, before anything is decrypted, that the bids are
/// exactly the live entries of the closing checkpoint (the closing root is
/// recomputed from every entry), and verifies each live bid's file: its
/// digest against the log, its signature, its tender and bidder, and that
/// its envelope for this stage is sealed to the stage's committee key. Bids
/// that fail are reported with the reason and never stop the others.
/// Members then see only ``encapsulatedKeys``: the `enc` of the envelopes
/// this stage opens (for the price stage, only those of qualified bidders).
public struct StageOpening: Sendable {
    public struct Bid: Sendable {
        public let entry: LogEntry
        public let index: UInt64
        public let path: String
        public let opener: BidOpener
        public let envelope: EnvelopeEntry
    }

    public let tender: Tender
    public let stage: StageName
    public let stageKey: StageKey
    public let closing: SignedCheckpoint
    /// The bids whose envelope this stage decrypts, in log order.
    public let bids: [Bid]
    /// Live bids that will not be decrypted, with the reason (report lines).
    public let notOpened: [OpeningReport.Line]

    /// - Parameters:
    ///   - entries: every log entry up to the closing (``PortalService/closedEntries()``).
    ///   - bidPath: where the bid file with a given `bid_digest` is.
    ///   - qualified: for later stages, the bidders whose envelopes may be opened; nil opens all.
    ///   - policy: each bidder's registered signing identities (default: any valid signature,
    ///     relying on the portal having checked the uploader's identity at acceptance).
    public init(
        tender: Tender, stage: StageName, closing: SignedCheckpoint, logKey: NoteVerifier, origin: String, entries: [LogEntry],
        bidPath: ([UInt8]) -> String, qualified: Set<String>? = nil,
        policy: (String) -> SignerPolicy = { _ in .signatureOnly() }
    ) throws {
        // The entries are exactly those of the closing checkpoint.
        let closingCheckpoint = closing.checkpoint
        guard let closedAt = closingCheckpoint.closedAt(tender: tender.id.value) else {
            throw LogError.malformedCheckpoint("not a closing checkpoint of \(tender.id)")
        }
        _ = try closing.note.verify(with: [logKey])
        guard closingCheckpoint.origin == origin else { throw LogError.wrongOrigin(expected: origin, found: closingCheckpoint.origin) }
        var tree = MerkleTree()
        for entry in entries { tree.append(leafHash: entry.leafHash) }
        guard tree.size == closingCheckpoint.size, try tree.root() == closingCheckpoint.rootHash else {
            throw LogError.proof("the entries given are not the entries of the closing checkpoint")
        }

        // The closing is at or after the tender's deadline: a log closed early would leave
        // out bids that were still allowed.
        guard Double(closedAt) >= (tender.deadline.timeIntervalSince1970 * 1000).rounded(.down) else {
            throw LogError.malformedCheckpoint("the log of \(tender.id) was closed before its deadline")
        }

        // Where each bid file was first logged: a later entry with the same digest replays an
        // earlier bid (perhaps one its bidder has since replaced) and is never opened.
        var firstLogged: [[UInt8]: UInt64] = [:]
        for (index, entry) in entries.enumerated() where entry.kind != .withdraw && firstLogged[entry.bidDigest] == nil {
            firstLogged[entry.bidDigest] = UInt64(index)
        }

        // Live bids: the latest entry per bidder, withdrawals removed.
        var latest: [String: (LogEntry, UInt64)] = [:]
        for (index, entry) in entries.enumerated() where entry.tender == tender.id.value { latest[entry.bidder] = (entry, UInt64(index)) }
        let live = latest.values.filter { $0.0.kind != .withdraw }.sorted { $0.1 < $1.1 }

        let stageKey = try tender.stageKey(stage)
        guard let envelopeName = tender.envelopes.first(where: { $0.stage == stage })?.name else {
            throw EnvelopeError.invalidInput("no envelope is opened in stage '\(stage)'")
        }
        // Each live bid is checked on its own (in parallel: signatures and key-wrap
        // proofs are the cost), then the results are assembled in log order.
        // Certificate chains are checked at the time the log received each bid, not today:
        // a certificate that expired between upload and opening still signed a valid bid.
        let policies = live.map { entry, _ in
            var bidderPolicy = policy(entry.bidder)
            bidderPolicy.verificationTime = Date(timeIntervalSince1970: Double(entry.receivedAt) / 1000)
            return bidderPolicy
        }
        let paths = live.map { bidPath($0.0.bidDigest) }
        let tenderID = tender.id
        let outcomes = Parallel.map(live.count) { (i) -> Outcome in
            let (entry, index) = live[i]
            func skip(_ signature: String, _ result: String) -> Outcome {
                .skipped(
                    OpeningReport.Line(
                        bidder: entry.bidder, logIndex: index, bidDigest: entry.bidDigest.hexString, signature: signature,
                        envelope: envelopeName.value, result: result, plaintextSHA256: nil, plaintextLength: nil))
            }
            if let qualified, !qualified.contains(entry.bidder) {
                return skip("not checked", "not opened: not qualified")
            }
            if let first = firstLogged[entry.bidDigest], first < index {
                return skip("not checked", "not opened: replays the bid logged at entry \(first)")
            }
            let path = paths[i]
            guard FileManager.default.fileExists(atPath: path) else {
                return skip("not checked", entry.kind == .commit ? "not opened: committed, never uploaded" : "not opened: bid file missing")
            }
            do throws(EnvelopeError) {
                let opener = try BidOpener(path: path, tender: tenderID, bidder: BidderID(entry.bidder), policy: policies[i])
                guard opener.header.bidDigest == entry.bidDigest, opener.header.expectedFileLength == entry.bidLength else {
                    return skip("valid", "not opened: the file is not the logged bid")
                }
                guard let envelope = opener.header.envelopes.first(where: { $0.name == envelopeName }) else {
                    return skip("valid", "not opened: no '\(envelopeName)' envelope")
                }
                guard envelope.stage == stage, envelope.recipientKey == stageKey.publicKey else {
                    return skip("valid", "not opened: envelope not sealed to this stage's committee key")
                }
                // Members compute s·enc only for an enc whose sealer proved knowledge of
                // its discrete log (envelope-v1, "Key-wrap proof"): a copied or multiplied
                // wrap of another bid never reaches them.
                try opener.checkWrapProof(envelope.name)
                return .toOpen(Bid(entry: entry, index: index, path: path, opener: opener, envelope: envelope))
            } catch {
                let signatureCodes = ["bad-signature", "untrusted-signer"]
                // Tender and bidder are checked after the signature; these codes come before it.
                let headerCodes = ["malformed-header", "truncated", "trailing-data", "not-a-bid", "unsupported-version",
                    "unsupported-suite", "unsupported-signature-algorithm"]
                let signature = signatureCodes.contains(error.code) ? error.code : headerCodes.contains(error.code) ? "not checked" : "valid"
                return skip(signature, "failed: \(error.code)")
            }
        }
        var bids: [Bid] = []
        var notOpened: [OpeningReport.Line] = []
        for outcome in outcomes {
            switch outcome {
            case .toOpen(let bid): bids.append(bid)
            case .skipped(let line): notOpened.append(line)
            }
        }
        self.tender = tender
        self.stage = stage
        self.stageKey = stageKey
        self.closing = closing
        self.bids = bids
        self.notOpened = notOpened
    }

    /// What each member is asked to decrypt: one `enc` per bid opened in this stage.
    public var encapsulatedKeys: [HPKE.EncapsulatedKey] { bids.map(\.envelope.encapsulatedKey) }

    /// Where the plaintexts of an opening go.
    public enum PlaintextDestination: Sendable {
        /// One file per envelope, `entry-<log index>.<envelope>`, each appearing only once it
        /// has authenticated completely.
        case directory(String)
        /// Authenticated and then dropped: checks that every envelope opens (and measures
        /// the opening) without writing any plaintext.
        case discard
    }

    /// Threshold mode: combines the members' decryption shares (naming bad
    /// ones) and decrypts every envelope into `directory`.
    public func open(
        with shares: [DecryptionShares], into directory: String, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        plaintextDigests: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> OpeningReport {
        try open(with: shares, to: .directory(directory), workers: workers, plaintextDigests: plaintextDigests, progress: progress)
    }

    /// Threshold mode, with any destination.
    /// - Parameter plaintextDigests: also hash each plaintext (SHA-256) for the report. It costs a
    ///   second hash over the data; the report's `bidDigest` already fixes every plaintext byte
    ///   (the payload digest is over the ciphertext, and the payload encryption commits to its key).
    public func open(
        with shares: [DecryptionShares], to destination: PlaintextDestination,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, plaintextDigests: Bool = false,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> OpeningReport {
        let combined = try ThresholdCombiner.combine(stageKey: stageKey, encapsulatedKeys: encapsulatedKeys, contributions: shares)
        let accesses = combined.sharedSecrets.map { KeyAccess.sharedDH($0, committeeKey: stageKey.publicKey, stage: stage) }
        return try decrypt(
            accesses: accesses, to: destination, workers: workers, plaintextDigests: plaintextDigests, progress: progress,
            mode: "threshold decryption", participants: combined.participants.map(\.value), culprits: combined.culprits.map(\.value))
    }

    /// Reconstruct mode: the stage key was interpolated from released shares.
    public func open(
        with reconstruction: Reconstruction.Result, into directory: String,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, plaintextDigests: Bool = false,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> OpeningReport {
        try open(
            with: reconstruction, to: .directory(directory), workers: workers, plaintextDigests: plaintextDigests, progress: progress)
    }

    /// Reconstruct mode, with any destination.
    public func open(
        with reconstruction: Reconstruction.Result, to destination: PlaintextDestination,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, plaintextDigests: Bool = false,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> OpeningReport {
        let accesses = bids.map { _ in KeyAccess.committeeKey(reconstruction.privateKey, stage: stage) }
        return try decrypt(
            accesses: accesses, to: destination, workers: workers, plaintextDigests: plaintextDigests, progress: progress,
            mode: "reconstruction", participants: reconstruction.participants.map(\.value),
            culprits: reconstruction.culprits.map(\.value))
    }

    /// Decrypts the bids in parallel, each in constant memory: one bid per
    /// worker at a time, and when there are fewer bids than workers, several
    /// workers inside each bid. A failing bid is reported and the others go on.
    private func decrypt(
        accesses: [KeyAccess], to destination: PlaintextDestination, workers: Int, plaintextDigests: Bool,
        progress: (@Sendable (Int, Int) -> Void)?, mode: String, participants: [UInt16], culprits: [UInt16]
    ) throws -> OpeningReport {
        if case .directory(let directory) = destination {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let done = SharedCounter()
        let bids = self.bids
        let total = bids.count
        let outer = max(1, min(workers, total))
        // A plaintext digest needs the chunks in order: one worker per bid then.
        let inner = plaintextDigests ? 1 : max(1, workers / outer)
        let lines = Parallel.map(total, workers: outer) { (index) -> OpeningReport.Line in
            let bid = bids[index]
            var result = "opened", digest: String?, length: UInt64?
            do throws(EnvelopeError) {
                let unlocked = try bid.opener.unlock(bid.envelope.name, with: accesses[index], wrapProofChecked: true)
                switch destination {
                case .directory(let directory):
                    // Named by log index: bidder ids may contain '/' and '.', and must never reach a path.
                    let out = "\(directory)/entry-\(bid.index).\(bid.envelope.name)"
                    if plaintextDigests {
                        digest = try unlocked.decryptWithDigest(toFile: out).hexString
                    } else {
                        try unlocked.decrypt(toFile: out, workers: inner)
                    }
                case .discard:
                    if plaintextDigests {
                        digest = try unlocked.authenticateWithDigest().hexString
                    } else {
                        try unlocked.authenticate(workers: inner)
                    }
                }
                length = unlocked.plaintextLength
            } catch {
                result = "failed: \(error.code)"
            }
            progress?(done.increment(), total)
            return OpeningReport.Line(
                bidder: bid.entry.bidder, logIndex: bid.index, bidDigest: bid.entry.bidDigest.hexString, signature: "valid",
                envelope: bid.envelope.name.value, result: result, plaintextSHA256: digest, plaintextLength: length)
        }
        let checkpoint = closing.checkpoint
        return OpeningReport(
            tender: tender.id.value, stage: stage.value,
            closingCheckpoint: .init(origin: checkpoint.origin, size: checkpoint.size, rootHash: checkpoint.rootHash.hexString),
            mode: mode, participants: participants, culprits: culprits,
            lines: (lines + notOpened).sorted { $0.logIndex < $1.logIndex })
    }
}

/// What the checks decide for one live bid.
enum Outcome: Sendable {
    case toOpen(StageOpening.Bid)
    case skipped(OpeningReport.Line)
}
