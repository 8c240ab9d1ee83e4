import Foundation
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidLog
import SealedBidPrimitives

/// The record of one stage's opening (`docs/spec/report-v1.md`): what was
/// opened, against which tender and closing checkpoint, each bidder's result,
/// the members whose shares were used and any culprits. Its bytes are
/// canonical JSON; members sign those exact bytes with detached
/// ``ReportSignature``s, which can be made in parallel and merged.
public struct OpeningReport: Sendable, Equatable {
    /// What happened to one bidder's entry (report-v1, "Lines").
    public enum Result: String, Sendable, CaseIterable {
        /// Every envelope byte of this stage authenticated and was delivered.
        case opened
        /// The bidder's own bid could not be opened (its code in `reason`): void for good.
        case failed
        /// Not decrypted in this stage, by the tender's rules (`not-qualified`, `committed-never-uploaded`).
        case notOpened = "not-opened"
        /// The bidder withdrew with a signed statement.
        case withdrawn
        /// The entry cannot count: its file is missing or unsigned, or its time is not proven
        /// before the deadline. The portal answers for it.
        case void
    }

    public struct Line: Sendable, Equatable {
        public let bidder: String
        public let logIndex: UInt64
        /// Hex `bid_digest` (or withdrawal digest) of the bidder's entry.
        public let bidDigest: String
        public let result: Result
        /// A code from report-v1's closed lists; nil when opened or withdrawn.
        public let reason: String?
        public let plaintextLength: UInt64?
        public let plaintextSHA256: String?

        public init(
            bidder: String, logIndex: UInt64, bidDigest: String, result: Result, reason: String? = nil, plaintextLength: UInt64? = nil,
            plaintextSHA256: String? = nil
        ) {
            self.bidder = bidder
            self.logIndex = logIndex
            self.bidDigest = bidDigest
            self.result = result
            self.reason = reason
            self.plaintextLength = plaintextLength
            self.plaintextSHA256 = plaintextSHA256
        }
    }

    /// A log entry that changes nothing: a replay of an earlier digest, or a withdrawal of a bid
    /// that was no longer the bidder's live one.
    public struct IgnoredEntry: Sendable, Equatable {
        public let bidder: String
        public let logIndex: UInt64
        public let reason: String
    }

    public enum Mode: String, Sendable, CaseIterable {
        case thresholdDecryption = "threshold-decryption"
        case reconstruction
        /// Nothing to decrypt in this stage: no member was asked for anything.
        case none
    }

    public static let format = "sealbid-opening-report-v1"
    public static let maximumSize = 256 << 20

    public let tender: String
    public let tenderDigest: [UInt8]
    public let stage: String
    public let envelope: String
    public let openingID: [UInt8]
    /// The closing checkpoint as the log signed it (a C2SP signed note).
    public let closingNote: String
    public let timestamps: String
    /// For later stages, the bidders whose envelopes were opened; nil: every live bid.
    public let qualified: [String]?
    public let mode: Mode
    public let participants: [UInt16]
    public let culprits: [UInt16]
    public let lines: [Line]
    public let ignoredEntries: [IgnoredEntry]

    public init(
        tender: String, tenderDigest: [UInt8], stage: String, envelope: String, openingID: [UInt8], closingNote: String,
        timestamps: String, qualified: [String]?, mode: Mode, participants: [UInt16], culprits: [UInt16], lines: [Line],
        ignoredEntries: [IgnoredEntry]
    ) {
        self.tender = tender
        self.tenderDigest = tenderDigest
        self.stage = stage
        self.envelope = envelope
        self.openingID = openingID
        self.closingNote = closingNote
        self.timestamps = timestamps
        self.qualified = qualified
        self.mode = mode
        self.participants = participants
        self.culprits = culprits
        self.lines = lines
        self.ignoredEntries = ignoredEntries
    }

    // MARK: Canonical form

    var json: CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "format": .string(Self.format), "tender": .string(tender), "tenderDigest": .string(tenderDigest.hexString),
            "stage": .string(stage), "envelope": .string(envelope), "openingID": .string(openingID.hexString),
            "closingNote": .string(Data(closingNote.utf8).base64EncodedString()), "timestamps": .string(timestamps),
            "mode": .string(mode.rawValue), "participants": .array(participants.map { .integer(UInt64($0)) }),
            "culprits": .array(culprits.map { .integer(UInt64($0)) }),
            "lines": .array(lines.map(Self.json(line:))),
            "ignoredEntries": .array(
                ignoredEntries.map {
                    .object(["bidder": .string($0.bidder), "logIndex": .integer($0.logIndex), "reason": .string($0.reason)])
                }),
        ]
        if let qualified { members["qualified"] = .array(qualified.map { .string($0) }) }
        return .object(members)
    }

    static func json(line: Line) -> CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "bidder": .string(line.bidder), "logIndex": .integer(line.logIndex), "bidDigest": .string(line.bidDigest),
            "result": .string(line.result.rawValue),
        ]
        if let reason = line.reason { members["reason"] = .string(reason) }
        if let length = line.plaintextLength { members["plaintextLength"] = .integer(length) }
        if let digest = line.plaintextSHA256 { members["plaintextSHA256"] = .string(digest) }
        return .object(members)
    }

    /// The report's bytes: canonical JSON (report-v1), what members sign.
    public var encoded: [UInt8] { json.encoded }

    /// `SHA-256(report bytes)`.
    public var digest: [UInt8] { SHA256.hash(encoded) }

    /// Parses a report: the bytes must be canonical, every key known, every value of its type.
    /// Checking it against the tender and the signatures is ``verify(tender:signatures:)``.
    /// - Throws: ``ReportError/malformed(_:)``.
    public init(encoded bytes: [UInt8]) throws(ReportError) {
        guard bytes.count <= Self.maximumSize else { throw .malformed("larger than 256 MiB") }
        let json: CanonicalJSON
        do { json = try CanonicalJSON(parsing: bytes) } catch { throw .malformed("byte \(error.offset): \(error.reason)") }
        var r = try JSONFields(json, keys: [
            "format", "tender", "tenderDigest", "stage", "envelope", "openingID", "closingNote", "timestamps", "mode", "participants",
            "culprits", "lines", "ignoredEntries",
        ], optional: ["qualified"])
        guard try r.string("format") == Self.format else { throw .malformed("not a \(Self.format) report") }
        tender = try r.string("tender")
        tenderDigest = try r.hex("tenderDigest", count: 32)
        stage = try r.string("stage")
        envelope = try r.string("envelope")
        openingID = try r.hex("openingID", count: 32)
        guard let note = Data(base64Encoded: try r.string("closingNote")), let text = String(data: note, encoding: .utf8),
            Data(text.utf8).base64EncodedString() == (try r.string("closingNote"))
        else { throw .malformed("closingNote is not base64 of a UTF-8 note") }
        closingNote = text
        timestamps = try r.string("timestamps")
        guard let mode = Mode(rawValue: try r.string("mode")) else { throw .malformed("unknown mode") }
        self.mode = mode
        participants = try r.members("participants")
        culprits = try r.members("culprits")
        qualified = try r.optionalArray("qualified").map { items throws(ReportError) in
            try items.map { item throws(ReportError) in
                guard case .string(let s) = item else { throw .malformed("qualified: not a string") }
                return s
            }
        }
        lines = try r.array("lines").map { item throws(ReportError) in
            var l = try JSONFields(item, keys: ["bidder", "logIndex", "bidDigest", "result"], optional: ["reason", "plaintextLength", "plaintextSHA256"])
            guard let result = Result(rawValue: try l.string("result")) else { throw .malformed("unknown result") }
            return Line(
                bidder: try l.string("bidder"), logIndex: try l.integer("logIndex"), bidDigest: try l.hex("bidDigest", count: 32).hexString,
                result: result, reason: try l.optionalString("reason"), plaintextLength: try l.optionalInteger("plaintextLength"),
                plaintextSHA256: try l.optionalHex("plaintextSHA256", count: 32)?.hexString)
        }
        ignoredEntries = try r.array("ignoredEntries").map { item throws(ReportError) in
            var l = try JSONFields(item, keys: ["bidder", "logIndex", "reason"], optional: [])
            return IgnoredEntry(bidder: try l.string("bidder"), logIndex: try l.integer("logIndex"), reason: try l.string("reason"))
        }
        // Every value decoded back to the same bytes (hex case, base64 form).
        guard encoded == bytes else { throw .malformed("not in canonical form") }
    }

    public func line(for bidder: String) -> Line? { lines.first { $0.bidder == bidder } }

    // MARK: Verification

    /// A report whose content checked against the tender and that at least t members signed.
    public struct Verified: Sendable {
        public let report: OpeningReport
        public let closing: SignedCheckpoint
        /// The members whose signatures verified, sorted.
        public let signers: [UInt16]
        /// Signature lines that did not count: another report, an unknown member, a bad signature.
        public let ignoredSignatures: Int
    }

    /// Checks everything report-v1 requires of a report: its tender and stage, the closing
    /// checkpoint's signature, origin and time, the opening id, the participants and culprits
    /// against the stage's roster and mode, every line and ignored entry against the closed lists,
    /// and signatures of at least t distinct roster members over these exact bytes.
    /// - Throws: ``ReportError``.
    public func verify(tender: Tender, signatures: [ReportSignature], now: Date = Date()) throws(ReportError) -> Verified {
        guard self.tender == tender.id.value, ConstantTime.equals(tenderDigest, tender.digest) else {
            throw .wrongTender("the report is for another tender or descriptor")
        }
        guard let stageName = try? StageName(stage), let key = try? tender.stageKey(stageName),
            (try? tender.envelope(for: stageName))?.value == envelope
        else { throw .invalid("the tender has no stage '\(stage)' opening envelope '\(envelope)'") }
        guard timestamps == tender.timestamps.rawValue else { throw .invalid("timestamps differs from the tender's") }
        let closing: SignedCheckpoint
        let closedAt: UInt64
        do {
            closing = try SignedCheckpoint(serialized: closingNote)
            closedAt = try tender.verifyClosing(closing)
        } catch {
            throw .invalid("the closing note does not verify against the tender (log key, origin, witnesses): \(error)")
        }
        let end = UInt64(tender.deadline.addingTimeInterval(TimeInterval(tender.grace)).timeIntervalSince1970 * 1000)
        guard closedAt >= end else { throw .invalid("the closing checkpoint is not a closing at or after the end of the grace window") }
        guard closedAt <= UInt64(now.timeIntervalSince1970 * 1000) + 300_000 else {
            throw .invalid("the closing claims a time in this machine's future")
        }
        let qualifiedIDs: [BidderID]?
        do { qualifiedIDs = try qualified.map { try $0.map { try BidderID($0) } } } catch { throw .invalid("qualified: not bidder ids") }
        if let qualified, qualified != qualified.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) || Set(qualified).count != qualified.count {
            throw .invalid("qualified: not sorted and distinct")
        }
        // The opening id binds the bids whose envelope was decrypted: the lines opened, or failed
        // at decryption. A report that moves a bid in or out of that set is not this opening's.
        let decrypted = lines.filter { $0.result == .opened || ($0.result == .failed && FailReason.decryptionPhase.contains($0.reason ?? "")) }
        let bound = decrypted.compactMap { line in (try? Hex.decode(line.bidDigest)).map { (line.logIndex, $0) } }
        let expectedID = StageOpening.openingID(
            tender: tender, stage: stageName, closing: closing.checkpoint, qualified: qualifiedIDs.map(Set.init), decrypted: bound)
        guard openingID == expectedID else { throw .invalid("the opening id is not this opening's") }
        try checkMembers(roster: key.roster)
        try checkLines(size: closing.checkpoint.size)
        let digest = self.digest
        var signers: Set<UInt16> = []
        var ignored = 0
        for signature in signatures {
            guard signature.reportDigest == digest, let id = try? MemberID(signature.member), let card = try? key.roster.card(id),
                signature.isValid(for: digest, roster: key.roster, key: card.signingKey)
            else {
                ignored += 1
                continue
            }
            signers.insert(signature.member)
        }
        guard signers.count >= key.roster.threshold else {
            throw .tooFewSignatures(have: signers.count, need: key.roster.threshold)
        }
        return Verified(report: self, closing: closing, signers: signers.sorted(), ignoredSignatures: ignored)
    }

    /// The members' published share files, from which a report's participants and culprits follow.
    public enum ShareFiles: Sendable {
        /// Threshold decryption: the decryption-share files, as they arrived (undecodable ones too).
        case decryptionShares([[UInt8]])
        /// Reconstruction: the released shares.
        case released([ReleasedShare])
    }

    /// What a member checks before signing (and any verifier holding the public files can): the
    /// report says exactly what `opening` — derived by the checker from the descriptor, the
    /// closing, the log and the bid files — says, except the outcome of each decryption, which
    /// must be `opened` (with the plaintext length the bid's header gives) or a failure at
    /// decryption. With `shares`, the mode, participants and culprits must be what those files
    /// give (a coordinator cannot name an honest member, or claim members who took no part);
    /// without them, those three are not checked.
    /// - Throws: ``ReportError/mismatch(_:)`` naming the first difference.
    public func check(against opening: StageOpening, shares: ShareFiles?) throws(ReportError) {
        guard tender == opening.tender.id.value, tenderDigest == opening.tender.digest, stage == opening.stage.value,
            envelope == opening.envelopeName.value, timestamps == opening.tender.timestamps.rawValue
        else { throw .mismatch("the report is for another tender, stage or envelope than the public files give") }
        guard let note = try? SignedCheckpoint(serialized: closingNote), note.checkpoint == opening.closing.checkpoint else {
            throw .mismatch("the report has another closing checkpoint than the public files give")
        }
        let expectedQualified = opening.qualified.map { $0.map(\.value).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } }
        guard qualified == expectedQualified else { throw .mismatch("the report has another list of qualified bidders than the one given") }
        guard openingID == opening.openingID else { throw .mismatch("the report has another opening id than the public files give: it decrypted another set of bids") }
        guard ignoredEntries == opening.ignoredEntries else { throw .mismatch("the report ignores other entries than the public files give") }
        guard lines.count == opening.otherLines.count + opening.bids.count else { throw .mismatch("the report has another number of lines than the public files give") }
        for expected in opening.otherLines {
            guard line(for: expected.bidder) == expected else { throw .mismatch("the line of \(expected.bidder) is not what the public files give") }
        }
        for bid in opening.bids {
            guard let found = line(for: bid.entry.bidder), found.logIndex == bid.index, found.bidDigest == bid.entry.bidDigest.hexString
            else { throw .mismatch("the line of \(bid.entry.bidder) is not what the public files give") }
            switch found.result {
            case .opened:
                guard found.plaintextLength == EnvelopeFormat.plaintextLength(payloadLength: bid.envelope.payloadLength) else {
                    throw .mismatch("the plaintext length of \(bid.entry.bidder): its header gives another")
                }
            case .failed where FailReason.decryptionPhase.contains(found.reason ?? ""):
                break
            default:
                throw .mismatch("the line of \(bid.entry.bidder): a decrypted bid is opened or failed at decryption")
            }
        }
        guard (mode == .none) == opening.bids.isEmpty else {
            throw .mismatch("the mode: '\(mode.rawValue)' for a stage that decrypts \(opening.bids.count) bid(s)")
        }
        guard let shares, mode != .none else { return }
        let outcome: ThresholdCombiner.Outcome
        do {
            switch (mode, shares) {
            case (.thresholdDecryption, .decryptionShares(let files)): outcome = try opening.outcome(ofEncodedShares: files)
            case (.reconstruction, .released(let released)): outcome = try opening.outcome(ofReleased: released)
            default: throw ReportError.mismatch("the mode: the report says '\(mode.rawValue)', the files given are of the other mode")
            }
        } catch let error as ReportError {
            throw error
        } catch {
            throw .mismatch("the share files given do not open this stage: \(error)")
        }
        guard participants == outcome.participants.map(\.value) else {
            throw .mismatch("the participants: the share files give members \(outcome.participants.map(\.value))")
        }
        guard culprits == outcome.culprits.map(\.value) else {
            throw .mismatch("the culprits: the share files give members \(outcome.culprits.map(\.value))")
        }
    }

    private func checkMembers(roster: CommitteeRoster) throws(ReportError) {
        let ids = Set(roster.ids.map(\.value))
        for (name, list) in [("participants", participants), ("culprits", culprits)] {
            guard list == list.sorted(), Set(list).count == list.count, list.allSatisfy(ids.contains) else {
                throw .invalid("\(name): not sorted, distinct roster members")
            }
        }
        guard Set(participants).isDisjoint(with: culprits) else { throw .invalid("a member is both a participant and a culprit") }
        switch mode {
        case .thresholdDecryption:
            guard participants.count == roster.threshold else { throw .invalid("threshold decryption combines exactly t members' shares") }
        case .reconstruction:
            guard participants.count == roster.threshold else { throw .invalid("a reconstruction uses exactly t shares") }
        case .none:
            guard participants.isEmpty, culprits.isEmpty else { throw .invalid("no decryption, yet participants or culprits") }
            guard !lines.contains(where: { $0.result == .opened }) else {
                throw .invalid("no decryption, yet an envelope opened")
            }
        }
    }

    private func checkLines(size: UInt64) throws(ReportError) {
        var previous: UInt64?
        var bidders: Set<String> = []
        for line in lines {
            guard previous.map({ $0 < line.logIndex }) ?? true, line.logIndex < size else {
                throw .invalid("lines: not in log order, or past the closing")
            }
            previous = line.logIndex
            guard bidders.insert(line.bidder).inserted, (try? BidderID(line.bidder)) != nil else {
                throw .invalid("lines: a bidder twice, or not a bidder id")
            }
            guard Self.reasons(for: line.result).contains(line.reason ?? "") else {
                throw .invalid("lines: '\(line.reason ?? "")' is not a reason of result '\(line.result.rawValue)'")
            }
            guard (line.plaintextLength != nil) == (line.result == .opened), line.plaintextSHA256 == nil || line.result == .opened else {
                throw .invalid("lines: plaintext fields belong to opened lines only")
            }
        }
        previous = nil
        for entry in ignoredEntries {
            guard previous.map({ $0 < entry.logIndex }) ?? true, entry.logIndex < size, IgnoreReason(rawValue: entry.reason) != nil,
                (try? BidderID(entry.bidder)) != nil
            else { throw .invalid("ignoredEntries: out of order, past the closing, or an unknown reason") }
            previous = entry.logIndex
        }
    }

    /// The closed list of reasons of each result ("" stands for no reason).
    static func reasons(for result: Result) -> Set<String> {
        switch result {
        case .opened, .withdrawn: [""]
        case .failed: Set(FailReason.allCases.map(\.rawValue))
        case .notOpened: ["not-qualified", "committed-never-uploaded"]
        case .void: Set(VoidReason.allCases.map(\.rawValue))
        }
    }

    // MARK: Rendering

    /// A Markdown rendering for people; `signers` are the members whose signatures verified.
    public func markdown(signers: [UInt16]) -> String {
        let closing = try? SignedCheckpoint(serialized: closingNote).checkpoint
        var out = "# Opening report: \(tender), stage \(stage) (envelope \(envelope))\n\n"
        out += "- Tender descriptor SHA-256: `\(tenderDigest.hexString)`\n"
        if let closing {
            out += "- Closing checkpoint: `\(closing.origin)`, size \(closing.size), root `\(closing.rootHash.hexString)`"
            out += closing.closedAt(tender: tender).map { ", closed at \(Date(timeIntervalSince1970: Double($0) / 1000))\n" } ?? "\n"
        }
        if timestamps == Tender.TimestampPolicy.testAuthority.rawValue {
            out += "- **Time-stamps from a TEST authority held by the portal: they prove nothing against the portal.**\n"
        }
        if let qualified { out += "- Qualified bidders: \(qualified.joined(separator: ", "))\n" }
        out += "- Mode: \(mode.rawValue); shares used from members: \(participants.map(String.init).joined(separator: ", "))"
        out += culprits.isEmpty ? "\n" : "; **culprits: \(culprits.map(String.init).joined(separator: ", "))**\n"
        out += "- Signed by members: \(signers.isEmpty ? "nobody yet" : signers.map(String.init).joined(separator: ", "))\n\n"
        out += "| bidder | log index | result | reason | bytes | plaintext SHA-256 |\n|---|---|---|---|---|---|\n"
        for l in lines {
            out += "| \(l.bidder) | \(l.logIndex) | \(l.result.rawValue) | \(l.reason ?? "") | \(l.plaintextLength.map(String.init) ?? "") | "
            out += "\(l.plaintextSHA256.map { "`\($0.prefix(16))…`" } ?? "") |\n"
        }
        if !ignoredEntries.isEmpty {
            out += "\nLog entries that changed nothing:\n\n"
            for e in ignoredEntries { out += "- entry \(e.logIndex) (\(e.bidder)): \(e.reason)\n" }
        }
        return out
    }
}

/// Why a bidder's own bid failed (report-v1): the envelope-v1 codes from step 8 on, and the
/// combination's.
enum FailReason: String, CaseIterable {
    case noSuchEnvelope = "no-such-envelope"
    case wrongStage = "wrong-stage"
    case wrongRecipient = "wrong-recipient"
    case badWrapProof = "bad-wrap-proof"
    case duplicateEnc = "duplicate-enc"
    case keyUnwrapFailed = "key-unwrap-failed"
    case wrapMismatch = "wrap-mismatch"
    case headerMACInvalid = "header-mac-invalid"
    case payloadCommitmentMismatch = "payload-commitment-mismatch"
    case payloadAuthenticationFailed = "payload-authentication-failed"
    case payloadDigestMismatch = "payload-digest-mismatch"
    case ioError = "io-error"

    /// Failures at decryption (step 6), after members computed shares: the others come from the
    /// checks before (step 4).
    static let decryptionPhase: Set<String> = Set(
        [FailReason.keyUnwrapFailed, .wrapMismatch, .headerMACInvalid, .payloadCommitmentMismatch, .payloadAuthenticationFailed,
         .payloadDigestMismatch, .ioError].map(\.rawValue))
}

/// Why an entry is void (report-v1).
enum VoidReason: String, CaseIterable {
    case fileMissing = "file-missing"
    case fileMismatch = "file-mismatch"
    case malformed
    case badSignature = "bad-signature"
    case untrustedSigner = "untrusted-signer"
    case wrongTender = "wrong-tender"
    case wrongBidder = "wrong-bidder"
    case late
    case tooLarge = "too-large"
    case noTimestamp = "no-timestamp"
    case timestampInvalid = "timestamp-invalid"
    case timestampLate = "timestamp-late"
    case timestampMismatch = "timestamp-mismatch"
}

/// Why an entry changed nothing (report-v1).
enum IgnoreReason: String, CaseIterable {
    case replay
    case staleWithdrawal = "stale-withdrawal"
    case unmatchedUpload = "unmatched-upload"
}

/// A member's detached signature on a report (report-v1, "Signatures"): one line
/// `sealbid-report-signature-v1 <hex report digest> <member> <hex signature>`. Members sign in
/// parallel; signature files are merged by concatenating their lines.
public struct ReportSignature: Sendable, Hashable {
    public static let magic = "sealbid-report-signature-v1"
    public let reportDigest: [UInt8]
    public let member: UInt16
    public let signature: Ed25519Signature

    static func message(reportDigest: [UInt8], roster: CommitteeRoster, member: UInt16) -> [UInt8] {
        Array("sealbid/opening-report-v1 signature".utf8) + [0] + roster.digest + [UInt8(member >> 8), UInt8(member & 0xFF)]
            + reportDigest
    }

    /// A member signs `report` with its roster signing key.
    public init(report: OpeningReport, roster: CommitteeRoster, keys: MemberKeys) throws(ReportError) {
        guard (try? roster.card(keys.id)) == keys.card else { throw .invalid("these keys are not \(keys.id)'s roster card") }
        reportDigest = report.digest
        member = keys.id.value
        signature = keys.signingKey.signature(for: Self.message(reportDigest: reportDigest, roster: roster, member: member))
    }

    func isValid(for digest: [UInt8], roster: CommitteeRoster, key: Ed25519PublicKey) -> Bool {
        key.isValidSignature(signature, for: Self.message(reportDigest: digest, roster: roster, member: member))
    }

    public var line: String { "\(Self.magic) \(reportDigest.hexString) \(member) \(signature.rawRepresentation.hexString)" }

    /// Parses the lines of one or more merged signature files. Lines that are not signature lines
    /// (a stray CR, a comment, junk) are counted and skipped, not fatal: anyone who can add a line
    /// to the file must not be able to block the verification of the others.
    public static func parse(_ text: String) -> (signatures: [ReportSignature], skipped: Int) { parse(Array(text.utf8)) }

    /// As ``parse(_:)-(String)``, from the bytes of signature files as they arrived: a line that
    /// is not UTF-8 is skipped like any other line that does not parse, and spoils nothing else.
    public static func parse(_ bytes: [UInt8]) -> (signatures: [ReportSignature], skipped: Int) {
        var out: [ReportSignature] = []
        var skipped = 0
        for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
            guard let line = String(validating: raw, as: UTF8.self) else {
                skipped += 1
                continue
            }
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 4, fields[0] == magic, fields[1].utf8.count == 64, let digest = try? Hex.decode(fields[1]),
                let member = UInt16(fields[2]), String(member) == fields[2], fields[3].utf8.count == 128,
                let raw = try? Hex.decode(fields[3]), let signature = try? Ed25519Signature(rawRepresentation: raw),
                digest.hexString == fields[1], raw.hexString == fields[3]
            else {
                skipped += 1
                continue
            }
            out.append(ReportSignature(reportDigest: digest, member: member, signature: signature))
        }
        return (out, skipped)
    }

    init(reportDigest: [UInt8], member: UInt16, signature: Ed25519Signature) {
        self.reportDigest = reportDigest
        self.member = member
        self.signature = signature
    }
}

public enum ReportError: SealedBidError, Equatable, Sendable {
    case malformed(String)
    case invalid(String)
    case wrongTender(String)
    case tooFewSignatures(have: Int, need: Int)
    /// The report differs from what the checker derived itself from the public files.
    case mismatch(String)

    public var code: String {
        switch self {
        case .malformed: "malformed-report"
        case .invalid: "invalid-report"
        case .wrongTender: "wrong-tender"
        case .tooFewSignatures: "too-few-signatures"
        case .mismatch: "report-mismatch"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let why), .invalid(let why), .wrongTender(let why): "\(code): \(why)"
        case .mismatch(let why): "\(code): \(why)"
        case .tooFewSignatures(let have, let need): "\(code): \(have) member signature(s) verify, the stage needs \(need)"
        }
    }
}

/// Reads an object's members by name, rejecting unknown and missing keys.
struct JSONFields {
    private var members: [String: CanonicalJSON]

    init(_ value: CanonicalJSON, keys: Set<String>, optional: Set<String>) throws(ReportError) {
        guard case .object(let members) = value else { throw .malformed("expected an object") }
        for key in members.keys where !keys.contains(key) && !optional.contains(key) { throw .malformed("unknown key '\(key)'") }
        for key in keys where members[key] == nil { throw .malformed("missing key '\(key)'") }
        self.members = members
    }

    mutating func string(_ key: String) throws(ReportError) -> String {
        guard case .string(let s)? = members[key] else { throw .malformed("\(key): expected a string") }
        return s
    }

    mutating func optionalString(_ key: String) throws(ReportError) -> String? {
        members[key] == nil ? nil : try string(key)
    }

    mutating func integer(_ key: String) throws(ReportError) -> UInt64 {
        guard case .integer(let n)? = members[key] else { throw .malformed("\(key): expected an integer") }
        return n
    }

    mutating func optionalInteger(_ key: String) throws(ReportError) -> UInt64? {
        members[key] == nil ? nil : try integer(key)
    }

    mutating func hex(_ key: String, count: Int) throws(ReportError) -> [UInt8] {
        let text = try string(key)
        guard text.utf8.count == 2 * count, let bytes = try? Hex.decode(text), bytes.hexString == text else {
            throw .malformed("\(key): expected \(count) bytes of lower-case hex")
        }
        return bytes
    }

    mutating func optionalHex(_ key: String, count: Int) throws(ReportError) -> [UInt8]? {
        members[key] == nil ? nil : try hex(key, count: count)
    }

    mutating func array(_ key: String) throws(ReportError) -> [CanonicalJSON] {
        guard case .array(let items)? = members[key] else { throw .malformed("\(key): expected an array") }
        return items
    }

    mutating func optionalArray(_ key: String) throws(ReportError) -> [CanonicalJSON]? {
        members[key] == nil ? nil : try array(key)
    }

    mutating func members(_ key: String) throws(ReportError) -> [UInt16] {
        try array(key).map { item throws(ReportError) in
            guard case .integer(let n) = item, n >= 1, n <= UInt64(UInt16.max) else { throw .malformed("\(key): member identifiers") }
            return UInt16(n)
        }
    }
}
