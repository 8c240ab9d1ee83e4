import Foundation
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// Opening one stage of a closed tender (`docs/spec/report-v1.md`).
///
/// Everything is checked against the ``Tender`` before anything is decrypted:
/// the closing checkpoint (the log's signature, origin, closing time), that the
/// log's entries are exactly those of the closing (the root is recomputed), and
/// each entry's signed file and time. The live state of every bidder follows
/// report-v1's rules (an entry whose file or time cannot be shown is void and
/// revives nothing older; replays and stale withdrawals change nothing). Members
/// then see only ``encapsulatedKeys``: the `enc` of the envelopes this stage
/// opens, each with a verified key-wrap proof.
///
/// A member computes its shares with ``decryptionShares(share:keys:)`` — the only
/// public way to compute decryption shares — after building this value from its
/// own copies of the tender, the closing, the log and the bid files.
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
    public let envelopeName: EnvelopeName
    public let stageKey: StageKey
    public let closing: SignedCheckpoint
    public let qualified: Set<BidderID>?
    /// Names this opening in every member message (report-v1, "Opening id").
    public let openingID: [UInt8]
    /// The bids whose envelope this stage decrypts, in log order.
    public let bids: [Bid]
    /// Report lines of the bidders whose envelope is not decrypted, with the reason.
    public let otherLines: [OpeningReport.Line]
    /// Entries that changed nothing (replays, stale withdrawals).
    public let ignoredEntries: [OpeningReport.IgnoredEntry]

    /// - Parameters:
    ///   - records: the log's records as its store holds them (``FileLogStore/records(atPath:)``),
    ///     entries with their time-stamp tokens.
    ///   - bids: a copy of the portal's bid files.
    ///   - qualified: for a stage after the first, the bidders whose envelopes may be opened (each
    ///     opened in the previous stage); nil opens every live bid. The first stage takes none.
    ///   - previous: for a stage after the first (in the descriptor's order), the verified report
    ///     of the stage before it: the closing must be its closing — a closed log never changes,
    ///     so no later stage can be opened on another — and the qualified bidders must be among
    ///     those it opened.
    /// - Throws: ``OpeningError`` when the closing or the log does not check: then no bid can be
    ///   shown to be exactly the bids submitted, and nothing is opened.
    public init(
        tender: Tender, stage: StageName, closing: SignedCheckpoint, records: [LogRecord], bids store: BidStore,
        qualified: Set<BidderID>? = nil, previous: OpeningReport.Verified? = nil, now: Date = Date()
    ) throws(OpeningError) {
        let stageKey: StageKey, envelopeName: EnvelopeName
        do {
            stageKey = try tender.stageKey(stage)
            envelopeName = try tender.envelope(for: stage)
        } catch {
            throw .invalidInput("\(error)")
        }
        // A later stage without a list opens only the bidders its previous stage opened.
        let qualified = try Self.checkStageOrder(tender: tender, stage: stage, closing: closing, qualified: qualified, previous: previous)
        // 0. Not before the end of the grace window, by the opener's own clock: the closing's time
        // is the portal's claim.
        let end = tender.deadline.addingTimeInterval(TimeInterval(tender.grace))
        guard now >= end else { throw .tooEarly("the deadline and grace window end at \(TenderTime.format(end) ?? "?"), by this machine's clock") }
        // 1. The closing checkpoint: the log's key and origin from the tender, the witnesses'
        // quorum, one closing line, not early, not in the future.
        let checkpoint = closing.checkpoint
        // Cosigned by the witnesses' quorum: no member computes a share on a closing that
        // witnesses did not see extend what they cosigned before (no fork, no dropped entry).
        let closedAt: UInt64
        do { closedAt = try tender.verifyClosing(closing) } catch { throw .badClosing("\(error)") }
        guard closedAt >= Self.milliseconds(end) else { throw .badClosing("the log was closed before the end of the grace window") }
        guard closedAt <= Self.milliseconds(now) + 300_000 else { throw .badClosing("the closing claims a time in this machine's future") }
        // 2. The entries are exactly those of the closing checkpoint.
        // The store's own closing record, when the copy has one, is the last record and says what
        // the closing checkpoint says.
        var logged: [(entry: LogEntry, token: [UInt8])] = []
        for (position, record) in records.enumerated() {
            switch record {
            case .entry(let bytes, let token):
                do { logged.append((try LogEntry(encoded: bytes), token)) } catch { throw .logMismatch("entry \(logged.count): \(error)") }
            case .closed(let size, let at):
                guard position == records.count - 1, size == checkpoint.size, at == closedAt else {
                    throw .logMismatch("the store's closing record (size \(size), time \(at)) is not the last record or not the closing checkpoint's")
                }
            }
        }
        // Times never decrease along the log: entries reordered, or stamped in advance and
        // appended later, show as a time going back.
        for (i, (earlier, later)) in zip(logged, logged.dropFirst()).enumerated() where later.entry.receivedAt < earlier.entry.receivedAt {
            throw .logMismatch("entry \(i + 1) was received before entry \(i): the portal reordered or backdated entries")
        }
        guard checkpoint.size == UInt64(logged.count) else {
            // Fewer: entries are missing. More: entries logged after the closing, or a closing that
            // leaves out entries received before it — either way not the log that was closed.
            throw .logMismatch("the closing checkpoint has \(checkpoint.size) entries, the log \(logged.count)")
        }
        var tree = MerkleTree()
        for item in logged { tree.append(leafHash: item.entry.leafHash) }
        guard (try? tree.root()) == checkpoint.rootHash else {
            throw .logMismatch("the entries given are not the entries of the closing checkpoint")
        }
        // 3. Each entry's file and time, on all cores; then the live state in log order.
        // An upload's signer is judged when its commitment was logged, as the portal judged it:
        // the bidder signed the header then (a certificate may expire in the grace window).
        var commitments: [String: (digest: [UInt8], at: UInt64)] = [:]
        var signerTimes = logged.map(\.entry.receivedAt)
        for (i, item) in logged.enumerated() {
            let entry = item.entry
            if entry.kind == .commit { commitments[entry.bidder] = (entry.bidDigest, entry.receivedAt) }
            if entry.kind == .upload, let commitment = commitments[entry.bidder], commitment.digest == entry.bidDigest {
                signerTimes[i] = commitment.at
            }
        }
        let checks = Parallel.map(logged.count) { (i) -> EntryCheck in
            Self.examine(logged[i].entry, token: logged[i].token, signerTime: signerTimes[i], tender: tender, store: store)
        }
        var states: [String: (index: UInt64, entry: LogEntry, check: EntryCheck)] = [:]
        var order: [String] = []
        // Every entry that took effect (became its bidder's current entry, valid or void), as
        // lp8(bidder) || domain || digest, the domain 0 for bids (submit, replace, commit) and 1 for
        // withdrawal statements.
        var counted: Set<[UInt8]> = []
        var ignored: [OpeningReport.IgnoredEntry] = []
        for (position, item) in logged.enumerated() {
            let index = UInt64(position), entry = item.entry
            guard entry.tender == tender.id.value else { throw .logMismatch("entry \(index) is for tender \(entry.tender)") }
            if entry.kind == .upload {
                // An upload counts only right after the bidder's commitment of the same digest, and
                // only when that commitment is itself valid: an upload never revives a void one
                // (late, unsigned, without its time-stamp), whose line then stands.
                guard let current = states[entry.bidder], current.entry.kind == .commit, current.entry.bidDigest == entry.bidDigest,
                    case .committedHeader = current.check
                else {
                    ignored.append(.init(bidder: entry.bidder, logIndex: index, reason: IgnoreReason.unmatchedUpload.rawValue))
                    continue
                }
                states[entry.bidder] = (index, entry, checks[position])
                continue
            }
            // A digest counts once per bidder: logging a bid again would revive it after its bidder
            // replaced it. Only the bidder's own earlier entries of the same domain that took effect
            // count here: an entry in another bidder's name is that bidder's; an ignored entry (a
            // stale withdrawal logged ahead with a digest the portal predicted) changed nothing; and
            // a bid entry never collides with a withdrawal statement's digest (another domain).
            let domain: UInt8 = entry.kind == .withdraw ? 1 : 0
            let key = [UInt8(entry.bidder.utf8.count)] + Array(entry.bidder.utf8) + [domain] + entry.bidDigest
            guard !counted.contains(key) else {
                ignored.append(.init(bidder: entry.bidder, logIndex: index, reason: IgnoreReason.replay.rawValue))
                continue
            }
            if case .withdrawal(let statement) = checks[position] {
                // A withdrawal withdraws the bid it names, which must be the live one.
                guard let current = states[entry.bidder], current.entry.kind != .withdraw,
                    current.entry.bidDigest == statement.withdrawnDigest
                else {
                    ignored.append(.init(bidder: entry.bidder, logIndex: index, reason: IgnoreReason.staleWithdrawal.rawValue))
                    continue
                }
            }
            if states[entry.bidder] == nil { order.append(entry.bidder) }
            states[entry.bidder] = (index, entry, checks[position])
            counted.insert(key)
        }
        // 4. The stage's checks on each bidder's live bid.
        var toOpen: [Bid] = []
        var lines: [OpeningReport.Line] = []
        for bidder in order {
            let (index, entry, check) = states[bidder]!
            func line(_ result: OpeningReport.Result, _ reason: String? = nil) -> OpeningReport.Line {
                .init(bidder: bidder, logIndex: index, bidDigest: entry.bidDigest.hexString, result: result, reason: reason)
            }
            switch check {
            case .void(let reason): lines.append(line(.void, reason.rawValue))
            case .withdrawal: lines.append(line(.withdrawn))
            case .committedHeader:
                let qualifies = qualified.map { set in (try? BidderID(bidder)).map(set.contains) ?? false } ?? true
                lines.append(line(.notOpened, qualifies ? "committed-never-uploaded" : "not-qualified"))
            case .bid(let opener, let path):
                if let qualified, let id = try? BidderID(bidder), !qualified.contains(id) {
                    lines.append(line(.notOpened, "not-qualified"))
                    continue
                }
                guard let envelope = opener.header.envelopes.first(where: { $0.name == envelopeName }) else {
                    lines.append(line(.failed, FailReason.noSuchEnvelope.rawValue))
                    continue
                }
                guard envelope.stage == stage else {
                    lines.append(line(.failed, FailReason.wrongStage.rawValue))
                    continue
                }
                guard envelope.recipientKey == stageKey.publicKey else {
                    lines.append(line(.failed, FailReason.wrongRecipient.rawValue))
                    continue
                }
                toOpen.append(Bid(entry: entry, index: index, path: path, opener: opener, envelope: envelope))
            }
        }
        // Members compute s·enc only for an enc whose sealer proved knowledge of its discrete
        // log (envelope-v1, "Key-wrap proof"): a copied or multiplied wrap never reaches them.
        let proofs = Parallel.map(toOpen.count) { (i) -> Bool in (try? toOpen[i].opener.checkWrapProof(toOpen[i].envelope.name)) != nil }
        for (bid, valid) in zip(toOpen, proofs) where !valid {
            lines.append(
                .init(
                    bidder: bid.entry.bidder, logIndex: bid.index, bidDigest: bid.entry.bidDigest.hexString, result: .failed,
                    reason: FailReason.badWrapProof.rawValue))
        }
        // In log order: the opening id and the report list the decrypted bids by log index. An
        // enc already taken by an earlier bid of this batch (colluding bidders sharing an
        // ephemeral key, each with a valid proof) fails the later bid: one batch never asks for
        // the same enc twice, so a copied wrap cannot stop the opening.
        var opened: [Bid] = []
        var encs: Set<[UInt8]> = []
        for bid in zip(toOpen, proofs).filter(\.1).map(\.0).sorted(by: { $0.index < $1.index }) {
            guard encs.insert(bid.envelope.encapsulatedKey.rawRepresentation).inserted else {
                lines.append(
                    .init(
                        bidder: bid.entry.bidder, logIndex: bid.index, bidDigest: bid.entry.bidDigest.hexString, result: .failed,
                        reason: FailReason.duplicateEnc.rawValue))
                continue
            }
            opened.append(bid)
        }
        if let previous {
            try Self.checkSameLiveSet(previous: previous.report, lines: lines, bids: opened, ignored: ignored)
        }
        self.tender = tender
        self.stage = stage
        self.envelopeName = envelopeName
        self.stageKey = stageKey
        self.closing = closing
        self.qualified = qualified
        self.openingID = Self.openingID(
            tender: tender, stage: stage, closing: checkpoint, qualified: qualified,
            decrypted: opened.map { ($0.index, $0.entry.bidDigest) })
        self.bids = opened
        self.otherLines = lines
        self.ignoredEntries = ignored
    }

    /// The same closing gives every stage the same live entries: each bidder's line counts the
    /// same entry (index and digest) as in the previous stage, void, withdrawn or never uploaded
    /// there exactly when here, and the same entries are ignored. A difference means the files
    /// given are not those the previous stage was opened on (a bid file left out of one copy).
    static func checkSameLiveSet(
        previous: OpeningReport, lines: [OpeningReport.Line], bids: [Bid], ignored: [OpeningReport.IgnoredEntry]
    ) throws(OpeningError) {
        func standing(_ result: OpeningReport.Result, _ reason: String?) -> String {
            switch result {
            case .void, .withdrawn: "\(result.rawValue) \(reason ?? "")"
            case .notOpened where reason == "committed-never-uploaded": "committed-never-uploaded"
            default: "live"
            }
        }
        var here: [String: (index: UInt64, digest: String, standing: String)] = [:]
        for line in lines { here[line.bidder] = (line.logIndex, line.bidDigest, standing(line.result, line.reason)) }
        for bid in bids { here[bid.entry.bidder] = (bid.index, bid.entry.bidDigest.hexString, "live") }
        guard Set(here.keys) == Set(previous.lines.map(\.bidder)), ignored == previous.ignoredEntries else {
            throw .logMismatch("the live entries differ from the previous stage's report: not the files it was opened on")
        }
        for line in previous.lines {
            guard let now = here[line.bidder], now.index == line.logIndex, now.digest == line.bidDigest,
                now.standing == standing(line.result, line.reason)
            else {
                throw .logMismatch("\(line.bidder)'s entry stands otherwise than in the previous stage's report: not the files it was opened on")
            }
        }
    }

    /// Stages open in the descriptor's order, each after the one before it, on the same closing.
    /// Returns the qualification of this opening: none for the first stage; for a later stage the
    /// list given, or without one every bidder the previous stage opened.
    @discardableResult
    static func checkStageOrder(
        tender: Tender, stage: StageName, closing: SignedCheckpoint, qualified: Set<BidderID>?, previous: OpeningReport.Verified?
    ) throws(OpeningError) -> Set<BidderID>? {
        let order = tender.stages.map(\.roster.stage)
        guard let position = order.firstIndex(of: stage.value) else { throw .invalidInput("the tender has no stage '\(stage)'") }
        guard position > 0 else {
            guard qualified == nil, previous == nil else {
                throw .invalidInput("'\(stage)' is the first stage: it opens every live bid, with no qualification and no previous report")
            }
            return nil
        }
        let before = order[position - 1]
        guard let previous else {
            throw .invalidInput("stage '\(stage)' opens after '\(before)': give the verified report of '\(before)'")
        }
        guard previous.report.tender == tender.id.value, ConstantTime.equals(previous.report.tenderDigest, tender.digest),
            previous.report.stage == before
        else { throw .invalidInput("the previous report is not the '\(before)' report of this tender") }
        // Byte for byte, signature lines included: the later report carries the same closing note.
        guard previous.closing.note.serialized.hasSameUTF8(as: closing.note.serialized) else {
            throw .badClosing("closed-log-changed: stage '\(before)' was opened on another closing; a closed log never changes")
        }
        for id in qualified ?? [] where previous.report.line(for: id.value)?.result != .opened {
            throw .invalidInput("\(id) is qualified but did not open in stage '\(before)'")
        }
        if let qualified { return qualified }
        return Set(previous.report.lines.filter { $0.result == .opened }.compactMap { try? BidderID($0.bidder) })
    }

    static func milliseconds(_ date: Date) -> UInt64 { UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down))) }

    /// `SHA-256("sealbid/opening-v1 id" || 0x00 || tender digest || lp8(stage) || u32(len(body)) || body
    /// || qualification || u32(m) || m × (u64(log index) || bid digest))` with the closing
    /// checkpoint's body (its signed text, without signatures), `qualification = 0x00` (every live
    /// bid) or `0x01 || u32(k) || k × lp8(bidder)` sorted, and the bids whose envelope this stage
    /// decrypts, in log order (report-v1, "Opening id"). Members who saw another set of bids compute
    /// another id, so their shares are set aside rather than blamed.
    public static func openingID(
        tender: Tender, stage: StageName, closing: Checkpoint, qualified: Set<BidderID>?, decrypted: [(index: UInt64, digest: [UInt8])]
    ) -> [UInt8] {
        let body = Array(closing.text.utf8)
        var message = Array("sealbid/opening-v1 id".utf8) + [0] + tender.digest + [UInt8(stage.value.utf8.count)] + Array(stage.value.utf8)
        message += withUnsafeBytes(of: UInt32(body.count).bigEndian) { Array($0) } + body
        if let qualified {
            let sorted = qualified.map { Array($0.value.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
            message += [1] + withUnsafeBytes(of: UInt32(sorted.count).bigEndian) { Array($0) }
            for id in sorted { message += [UInt8(id.count)] + id }
        } else {
            message += [0]
        }
        message += withUnsafeBytes(of: UInt32(decrypted.count).bigEndian) { Array($0) }
        for bid in decrypted { message += withUnsafeBytes(of: bid.index.bigEndian) { Array($0) } + bid.digest }
        return SHA256.hash(message)
    }

    /// What one entry's file and time show (report-v1, "Live bids").
    enum EntryCheck: Sendable {
        case bid(BidOpener, path: String)
        case committedHeader(BidHeader)
        case withdrawal(Withdrawal)
        case void(VoidReason)
    }

    /// - Parameter signerTime: when the signer's identity is judged (milliseconds): the entry's
    ///   `received_at`, or for an upload its commitment's.
    static func examine(_ entry: LogEntry, token: [UInt8], signerTime: UInt64, tender: Tender, store: BidStore) -> EntryCheck {
        // Uploads of committed bids until the end of the grace window, everything else until the deadline.
        let limit = entry.kind == .upload ? tender.deadline.addingTimeInterval(TimeInterval(tender.grace)) : tender.deadline
        guard entry.receivedAt < milliseconds(limit) else { return .void(.late) }
        if tender.timestamps.requiresTokens {
            if let reason = timestampProblem(entry, token: token, tender: tender, limit: limit) { return .void(reason) }
        }
        guard let bidder = try? BidderID(entry.bidder) else { return .void(.malformed) }
        // The portal refuses a bid over the descriptor's limit (bid-too-large): one in the log was
        // admitted for this bidder while others were refused.
        if entry.kind != .withdraw, entry.bidLength > tender.maxBidBytes { return .void(.tooLarge) }
        // Chains are checked at the time the log received the entry (an upload: its commitment), not today.
        let policy = tender.signerPolicy(for: bidder, at: Date(timeIntervalSince1970: Double(signerTime) / 1000))
        switch entry.kind {
        case .submit, .replace, .upload:
            let full = store.path(of: entry.bidDigest, .bid)
            if FileManager.default.fileExists(atPath: full) {
                do {
                    let opener = try BidOpener(path: full, tender: tender.id, bidder: bidder, policy: policy)
                    guard opener.header.bidDigest == entry.bidDigest, opener.header.expectedFileLength == entry.bidLength else {
                        return .void(.fileMismatch)
                    }
                    return .bid(opener, path: full)
                } catch {
                    return .void(voidReason(error))
                }
            }
            return .void(.fileMissing)
        case .commit:
            // A commitment alone never opens, even if its bid's file is there: only an upload entry,
            // logged before the closing, decides that (its header and the bidder's commitment
            // statement are all that is checked here). Without the statement the portal could
            // have logged a whole submission as a commitment: void.
            do {
                let full = store.path(of: entry.bidDigest, .bid)
                let bytes =
                    FileManager.default.fileExists(atPath: full)
                    ? try BidHeader.read(from: FileSource(path: full)).bytes
                    : try store.contents(of: entry.bidDigest, .header, limit: EnvelopeFormat.maximumHeaderLength)
                let header = try BidHeader.parse(bytes)
                try header.verify(tender: tender.id, bidder: bidder, policy: policy)
                guard header.bidDigest == entry.bidDigest, header.expectedFileLength == entry.bidLength else {
                    return .void(.fileMismatch)
                }
                let statement = try Commitment(encoded: store.contents(of: entry.bidDigest, .commitment, limit: Commitment.maximumSize))
                guard statement.bidDigest == entry.bidDigest else { return .void(.fileMismatch) }
                try statement.verify(tender: tender.id, bidder: bidder, policy: policy)
                return .committedHeader(header)
            } catch let error as EnvelopeError {
                return .void(voidReason(error))
            } catch {
                return .void(.fileMissing)
            }
        case .withdraw:
            do {
                let bytes = try store.contents(of: entry.bidDigest, .withdrawal, limit: Withdrawal.maximumSize)
                let statement = try Withdrawal(encoded: bytes)
                guard statement.digest == entry.bidDigest, UInt64(bytes.count) == entry.bidLength else { return .void(.fileMismatch) }
                try statement.verify(tender: tender.id, bidder: bidder, policy: policy)
                return .withdrawal(statement)
            } catch let error as EnvelopeError {
                return .void(voidReason(error))
            } catch {
                return .void(.fileMissing)
            }
        }
    }

    static func voidReason(_ error: EnvelopeError) -> VoidReason {
        switch error {
        case .badSignature: .badSignature
        case .untrustedSigner: .untrustedSigner
        case .wrongTender: .wrongTender
        case .wrongBidder: .wrongBidder
        case .io: .fileMissing
        default: .malformed
        }
    }

    /// The rules of report-v1, "Time-stamps": a token over SHA-256(entry) from the tender's
    /// authority, dated before the deadline, and within 60 s plus its accuracy of `received_at`.
    static func timestampProblem(_ entry: LogEntry, token: [UInt8], tender: Tender, limit: Date) -> VoidReason? {
        guard !token.isEmpty else { return .noTimestamp }
        guard let parsed = try? TimestampToken(derRepresentation: token),
            let verified = try? parsed.verify(digest: SHA256.hash(entry.encoded), roots: tender.tsaRoots)
        else { return .timestampInvalid }
        let time = milliseconds(verified.time)
        guard time < milliseconds(limit) else { return .timestampLate }
        let allowed = UInt64(60_000 + ((verified.accuracy ?? 0) * 1000).rounded(.up))
        let gap = time > entry.receivedAt ? time - entry.receivedAt : entry.receivedAt - time
        return gap <= allowed ? nil : .timestampMismatch
    }

    /// What each member is asked to decrypt: one `enc` per bid opened in this stage.
    public var encapsulatedKeys: [HPKE.EncapsulatedKey] { bids.map(\.envelope.encapsulatedKey) }

    /// A member's decryption shares for exactly the envelopes this opening checked, signed and
    /// bound to ``openingID``; nil when this stage has nothing to decrypt.
    public func decryptionShares(share: SecretShare, keys: MemberKeys) throws(CommitteeError) -> DecryptionShares? {
        guard !bids.isEmpty else { return nil }
        return try DecryptionShares.create(
            share: share, keys: keys, stageKey: stageKey, openingID: openingID, encapsulatedKeys: encapsulatedKeys)
    }

    /// A member releases its share for this opening (reconstruction mode).
    public func releaseShare(share: SecretShare, keys: MemberKeys) throws(CommitteeError) -> ReleasedShare {
        try ReleasedShare.release(share: share, keys: keys, roster: stageKey.roster, openingID: openingID)
    }

    /// Where the plaintexts of an opening go.
    public enum PlaintextDestination: Sendable {
        /// One file per envelope, `entry-<log index>.<envelope>`, each appearing only once it
        /// has authenticated completely.
        case directory(String)
        /// Authenticated and then dropped: checks that every envelope opens (and measures
        /// the opening) without writing any plaintext.
        case discard
    }

    /// Threshold mode: combines the members' decryption shares (naming members whose signed
    /// shares are wrong, ignoring unsigned ones) and decrypts every envelope.
    /// - Parameter plaintextDigests: also hash each plaintext (SHA-256) for the report. It costs a
    ///   second hash over the data; the report's `bidDigest` already fixes every plaintext byte.
    public func open(
        with shares: [DecryptionShares], to destination: PlaintextDestination,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, plaintextDigests: Bool = false,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(OpeningError) -> OpeningReport {
        guard !bids.isEmpty else { return report(lines: [], mode: .none, participants: [], culprits: []) }
        let combined: ThresholdCombiner.Result
        do {
            combined = try ThresholdCombiner.combine(
                stageKey: stageKey, openingID: openingID, encapsulatedKeys: encapsulatedKeys, contributions: shares)
        } catch {
            throw .combination(error)
        }
        let accesses = combined.sharedSecrets.map { KeyAccess.sharedDH($0, committeeKey: stageKey.publicKey, stage: stage) }
        let lines = decrypt(accesses: accesses, to: destination, workers: workers, plaintextDigests: plaintextDigests, progress: progress)
        return report(
            lines: lines, mode: .thresholdDecryption, participants: combined.participants.map(\.value),
            culprits: combined.culprits.map(\.value))
    }

    /// Threshold mode from the members' files as they arrived: a file that does not decode is
    /// skipped, and named as its member's fault when that member signed it.
    public func open(
        withEncodedShares files: [[UInt8]], to destination: PlaintextDestination,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, plaintextDigests: Bool = false,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(OpeningError) -> OpeningReport {
        let (usable, signedGarbage) = decode(files)
        let report: OpeningReport
        do {
            report = try open(with: usable, to: destination, workers: workers, plaintextDigests: plaintextDigests, progress: progress)
        } catch .combination(.tooFewShares(let have, let need, let culprits)) {
            throw .combination(.tooFewShares(have: have, need: need, culprits: Set(culprits).union(signedGarbage).sorted()))
        }
        guard !signedGarbage.isEmpty, report.mode != .none else { return report }
        return OpeningReport(
            tender: report.tender, tenderDigest: report.tenderDigest, stage: report.stage, envelope: report.envelope,
            openingID: report.openingID, closingNote: report.closingNote, timestamps: report.timestamps, qualified: report.qualified,
            mode: report.mode, participants: report.participants,
            culprits: Set(report.culprits.compactMap { try? MemberID($0) }).union(signedGarbage).map(\.value).sorted(),
            lines: report.lines, ignoredEntries: report.ignoredEntries)
    }

    /// What combining these files gives, without decrypting anything: the participants and the
    /// culprits, exactly as ``open(withEncodedShares:to:workers:plaintextDigests:progress:)``
    /// reports them. A member checks a report's claims with it before signing (report-v1).
    /// - Throws: ``OpeningError/combination(_:)`` as the opening would.
    public func outcome(ofEncodedShares files: [[UInt8]]) throws(OpeningError) -> ThresholdCombiner.Outcome {
        guard !bids.isEmpty else { throw .invalidInput("this stage decrypts nothing: there is nothing to combine") }
        let (usable, signedGarbage) = decode(files)
        do {
            let outcome = try ThresholdCombiner.outcome(
                stageKey: stageKey, openingID: openingID, encapsulatedKeys: encapsulatedKeys, contributions: usable)
            return .init(
                participants: outcome.participants, culprits: Set(outcome.culprits).union(signedGarbage).sorted(),
                ignored: outcome.ignored)
        } catch .tooFewShares(let have, let need, let culprits) {
            throw .combination(.tooFewShares(have: have, need: need, culprits: Set(culprits).union(signedGarbage).sorted()))
        } catch {
            throw .combination(error)
        }
    }

    /// What reconstruction from these released shares gives: the participants and the culprits,
    /// as ``open(with:to:workers:plaintextDigests:progress:)`` in reconstruct mode reports them,
    /// without interpolating the key (whoever holds t released shares can, though: report-v1,
    /// residual risk R8).
    public func outcome(ofReleased released: [ReleasedShare]) throws(OpeningError) -> ThresholdCombiner.Outcome {
        guard !bids.isEmpty else { throw .invalidInput("this stage decrypts nothing: there is nothing to reconstruct") }
        do {
            return try Reconstruction.outcome(stageKey: stageKey, openingID: openingID, released: released)
        } catch {
            throw .combination(error)
        }
    }

    /// The contributions that decode, and the members who signed a file for this opening that
    /// does not (their fault: none of their contributions is used).
    private func decode(_ files: [[UInt8]]) -> (usable: [DecryptionShares], signedGarbage: Set<MemberID>) {
        let sorted = DecryptionShares.sort(files: files, roster: stageKey.roster, openingID: openingID)
        return (sorted.usable, Set(sorted.signedUndecodable))
    }

    /// Reconstruct mode: the stage key is interpolated from released shares.
    public func open(
        with released: [ReleasedShare], to destination: PlaintextDestination,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, plaintextDigests: Bool = false,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(OpeningError) -> OpeningReport {
        guard !bids.isEmpty else { return report(lines: [], mode: .none, participants: [], culprits: []) }
        let reconstruction: Reconstruction.Result
        do {
            reconstruction = try Reconstruction.reconstruct(stageKey: stageKey, openingID: openingID, released: released)
        } catch {
            throw .combination(error)
        }
        let accesses = bids.map { _ in KeyAccess.committeeKey(reconstruction.privateKey, stage: stage) }
        let lines = decrypt(accesses: accesses, to: destination, workers: workers, plaintextDigests: plaintextDigests, progress: progress)
        return report(
            lines: lines, mode: .reconstruction, participants: reconstruction.participants.map(\.value),
            culprits: reconstruction.culprits.map(\.value))
    }

    private func report(lines: [OpeningReport.Line], mode: OpeningReport.Mode, participants: [UInt16], culprits: [UInt16])
        -> OpeningReport
    {
        OpeningReport(
            tender: tender.id.value, tenderDigest: tender.digest, stage: stage.value, envelope: envelopeName.value, openingID: openingID,
            closingNote: closing.note.serialized, timestamps: tender.timestamps.rawValue,
            qualified: qualified.map { $0.map(\.value).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } },
            mode: mode, participants: participants, culprits: culprits,
            lines: (lines + otherLines).sorted { $0.logIndex < $1.logIndex }, ignoredEntries: ignoredEntries)
    }

    /// Decrypts the bids in parallel, each in constant memory: one bid per
    /// worker at a time, and when there are fewer bids than workers, several
    /// workers inside each bid. A failing bid is reported and the others go on.
    private func decrypt(
        accesses: [KeyAccess], to destination: PlaintextDestination, workers: Int, plaintextDigests: Bool,
        progress: (@Sendable (Int, Int) -> Void)?
    ) -> [OpeningReport.Line] {
        if case .directory(let directory) = destination {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let done = SharedCounter()
        let bids = self.bids
        let total = bids.count
        let outer = max(1, min(workers, total))
        // A plaintext digest needs the chunks in order: one worker per bid then.
        let inner = plaintextDigests ? 1 : max(1, workers / outer)
        return Parallel.map(total, workers: outer) { (index) -> OpeningReport.Line in
            let bid = bids[index]
            var result = OpeningReport.Result.opened, reason: String?, digest: String?, length: UInt64?
            let access = accesses[index]
            do throws(EnvelopeError) {
                let unlocked = try bid.opener.unlock(bid.envelope.name, with: access, wrapProofChecked: true)
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
                result = .failed
                reason = FailReason(rawValue: error.code)?.rawValue ?? FailReason.ioError.rawValue
            }
            progress?(done.increment(), total)
            return OpeningReport.Line(
                bidder: bid.entry.bidder, logIndex: bid.index, bidDigest: bid.entry.bidDigest.hexString, result: result, reason: reason,
                plaintextLength: length, plaintextSHA256: digest)
        }
    }
}

/// Why an opening could not go on.
public enum OpeningError: SealedBidError, Sendable {
    /// The closing checkpoint does not verify with the tender's log key and origin, is not a
    /// closing, or closed before the deadline.
    case badClosing(String)
    /// The log's entries are not those of the closing checkpoint.
    case logMismatch(String)
    /// The deadline (and grace window) has not passed by the opener's own clock.
    case tooEarly(String)
    /// The members' shares could not be combined (too few, with the culprits named).
    case combination(CommitteeError)
    case invalidInput(String)

    public var code: String {
        switch self {
        case .badClosing: "bad-closing"
        case .logMismatch: "log-mismatch"
        case .tooEarly: "too-early"
        case .combination(let error): error.code
        case .invalidInput: "invalid-input"
        }
    }

    public var description: String {
        switch self {
        case .badClosing(let why), .logMismatch(let why), .tooEarly(let why), .invalidInput(let why): "\(code): \(why)"
        case .combination(let error): error.description
        }
    }
}
