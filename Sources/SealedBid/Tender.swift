import Foundation
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidPrimitives

/// A tender, as its descriptor fixes it before bidding opens
/// (`docs/spec/tender-v1.md`): the id and deadline, the log's verifier key
/// (whose name is the log's origin), the time-stamp policy and roots, the
/// committee key of every stage, which envelope opens in which stage, and the
/// bidder registry. Every party pins it by ``digest`` and takes every anchor
/// from it.
///
/// ```swift
/// // Bidder: seal a two-envelope bid to the committee's stage keys.
/// let tender = try Tender(encoded: descriptorBytes, expectedDigest: publishedDigest)
/// let summary = try tender.seal(bidder: id, signer: .ed25519(key), files: [technical: "proposal.pdf", price: "price.xlsx"],
///                               to: "acme.sbid")
/// // Portal: verify, log and return a receipt; close once the deadline and grace window have passed.
/// let receipt = try await portal.accept(bidAt: "acme.sbid", from: id)
/// // Committee: check everything against the tender, compute shares, open one stage, sign the report.
/// let opening = try StageOpening(tender: tender, stage: technical, closing: closing, log: records, bids: store)
/// ```
public struct Tender: Sendable {
    /// How submission times are attested (tender-v1, `timestamps`).
    public enum TimestampPolicy: String, Sendable, CaseIterable {
        /// The log's `received_at` is the portal's claim alone.
        case none
        /// Every entry carries an RFC 3161 token from an outside authority.
        case required
        /// As `required`, but the portal holds the authority's key: tests and rehearsals only.
        case testAuthority = "test-authority"

        /// Whether tokens must be present and valid.
        public var requiresTokens: Bool { self != .none }
    }

    public static let magic = "sealbid-tender-v1"
    public static let maximumSize = 64 << 20
    public static let maximumGrace = 604_800
    public static let maximumBidBytes: UInt64 = 1 << 50

    public let id: TenderID
    /// Whole seconds, UTC.
    public let deadline: Date
    /// Seconds after the deadline during which committed bids may still be uploaded.
    public let grace: Int
    public let maxBidBytes: UInt64
    /// The log's verifier key; its name is the log's origin.
    public let log: NoteVerifier
    /// The witnesses that must cosign every checkpoint a party relies on, and their quorum.
    public let witnesses: WitnessPolicy
    public let timestamps: TimestampPolicy
    public let tsaRoots: [X509Certificate]
    public let x509Roots: [X509Certificate]
    /// The committee key of every opening stage, in opening order.
    public let stages: [StageKey]
    /// Which envelope of a bid opens in which stage.
    public let envelopes: [(name: EnvelopeName, stage: StageName)]
    public let bidders: BidderRegistry
    /// The descriptor's bytes (canonical).
    public let encoded: [UInt8]

    /// The log's origin, `<prefix>/<tender id>`.
    public var origin: String { log.name }

    /// `SHA-256(descriptor bytes)`, the value every party pins.
    public var digest: [UInt8] { SHA256.hash(encoded) }

    /// Builds a descriptor (the tender's organiser does this once, before bidding opens).
    /// - Throws: ``TenderError`` when a rule of tender-v1 does not hold.
    public init(
        id: TenderID, deadline: Date, grace: Int = 0, maxBidBytes: UInt64 = 1 << 30, log: NoteVerifier,
        witnesses: WitnessPolicy = .none, timestamps: TimestampPolicy = .none, tsaRoots: [X509Certificate] = [], x509Roots: [X509Certificate] = [],
        stages: [StageKey], envelopes: [(name: EnvelopeName, stage: StageName)], bidders: BidderRegistry
    ) throws(TenderError) {
        let seconds = deadline.timeIntervalSince1970
        guard seconds.rounded(.down) == seconds, let text = TenderTime.format(Int64(seconds)) else {
            throw .invalid("the deadline is whole seconds between the years 2000 and 9999")
        }
        guard (0...Self.maximumGrace).contains(grace) else { throw .invalid("grace is 0 to \(Self.maximumGrace) seconds") }
        guard (1...Self.maximumBidBytes).contains(maxBidBytes) else { throw .invalid("max-bid-bytes is 1 to 2^50") }
        guard log.name.hasSuffix("/" + id.value), log.name.count > id.value.count + 1 else {
            throw .invalid("the log's key name (its origin) must be <prefix>/\(id)")
        }
        guard !witnesses.witnesses.contains(where: { $0.publicKey == log.publicKey || $0.name == log.name }) else {
            throw .invalid("a witness has the log's key or name: a log cannot witness itself")
        }
        guard timestamps.requiresTokens != tsaRoots.isEmpty else {
            throw .invalid(timestamps.requiresTokens ? "time-stamps need at least one tsa-root" : "tsa-root lines need time-stamps")
        }
        guard !stages.isEmpty else { throw .invalid("a tender has at least one stage") }
        var stageNames: Set<String> = []
        for stage in stages {
            guard stage.roster.committee == id.value else {
                throw .invalid("the key of stage '\(stage.roster.stage)' belongs to committee '\(stage.roster.committee)'")
            }
            guard stageNames.insert(stage.roster.stage).inserted else { throw .invalid("stage '\(stage.roster.stage)' twice") }
        }
        guard Set(envelopes.map(\.name)).count == envelopes.count else { throw .invalid("an envelope name twice") }
        for envelope in envelopes where !stageNames.contains(envelope.stage.value) {
            throw .invalid("envelope '\(envelope.name)' opens in stage '\(envelope.stage)', which has no key")
        }
        for stage in stageNames where envelopes.filter({ $0.stage.value == stage }).count != 1 {
            throw .invalid("stage '\(stage)' must open exactly one envelope")
        }
        self.id = id
        self.deadline = deadline
        self.grace = grace
        self.maxBidBytes = maxBidBytes
        self.log = log
        self.witnesses = witnesses
        self.timestamps = timestamps
        self.tsaRoots = tsaRoots
        self.x509Roots = x509Roots
        self.stages = stages
        self.envelopes = envelopes
        self.bidders = bidders
        var lines = [Self.magic, "tender \(id)", "deadline \(text)", "grace \(grace)", "max-bid-bytes \(maxBidBytes)"]
        lines.append("log \(log.verifierKey)")
        lines += witnesses.witnesses.map { "witness \($0.verifierKey)" }
        if witnesses.quorum > 0 { lines.append("witness-quorum \(witnesses.quorum)") }
        lines.append("timestamps \(timestamps.rawValue)")
        lines += tsaRoots.map { "tsa-root \(Data($0.derRepresentation).base64EncodedString())" }
        lines += x509Roots.map { "x509-root \(Data($0.derRepresentation).base64EncodedString())" }
        lines += stages.map {
            "stage \($0.roster.stage) \(Data($0.roster.encoded).base64EncodedString()) \(Data($0.encoded).base64EncodedString())"
        }
        lines += envelopes.map { "envelope \($0.name) \($0.stage)" }
        lines += bidders.identities.map { "bidder \($0.line)" }
        encoded = Array(lines.map { $0 + "\n" }.joined().utf8)
        guard encoded.count <= Self.maximumSize else { throw .invalid("the descriptor would exceed 64 MiB") }
    }

    /// Reads a descriptor, checking it against the published digest when given.
    /// - Throws: ``TenderError/digestMismatch`` or ``TenderError/malformed(line:_:)``.
    public init(encoded bytes: [UInt8], expectedDigest: [UInt8]? = nil) throws(TenderError) {
        if let expectedDigest, !ConstantTime.equals(SHA256.hash(bytes), expectedDigest) { throw .digestMismatch }
        guard bytes.count <= Self.maximumSize else { throw .malformed(line: 0, "larger than 64 MiB") }
        guard bytes.last == 0x0A else { throw .malformed(line: 0, "the last line does not end in LF") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed(line: 0, "not UTF-8") }
        var reader = TenderLineReader(lines: text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        guard try reader.next(nil) == Self.magic else { throw .malformed(line: 1, "not a \(Self.magic) descriptor") }
        // Each keyword is read outside `try?`: a missing or misplaced line names its own number.
        let tenderValue = try reader.value("tender")
        guard let id = try? TenderID(tenderValue) else { throw reader.error("not a tender id") }
        guard let deadline = TenderTime.parse(try reader.value("deadline")) else { throw reader.error("deadline: YYYY-MM-DDTHH:MM:SSZ") }
        guard let grace = Int(try reader.value("grace")) else { throw reader.error("grace: decimal seconds") }
        guard let maxBid = UInt64(try reader.value("max-bid-bytes")) else { throw reader.error("max-bid-bytes: decimal") }
        let logValue = try reader.value("log")
        guard let log = try? NoteVerifier(verifierKey: logValue) else { throw reader.error("not a verifier key") }
        let witnessKeys = try reader.repeated("witness") { (value, line) throws(TenderError) -> CosignerVerifier in
            guard let key = try? CosignerVerifier(verifierKey: value) else {
                throw .malformed(line: line, "witness <name+keyid+base64(0x04 || Ed25519 key)>, a cosignature/v1 key")
            }
            return key
        }
        var quorum = 0
        if !witnessKeys.isEmpty {
            guard let value = Int(try reader.value("witness-quorum")) else { throw reader.error("witness-quorum: decimal") }
            quorum = value
        }
        let witnesses: WitnessPolicy
        do { witnesses = try WitnessPolicy(witnesses: witnessKeys, quorum: quorum) } catch { throw reader.error("\(error)") }
        guard let policy = TimestampPolicy(rawValue: try reader.value("timestamps")) else {
            throw reader.error("timestamps: none, required or test-authority")
        }
        let tsaRoots = try reader.repeated("tsa-root") { (value, line) throws(TenderError) in try Self.certificate(value, line) }
        let x509Roots = try reader.repeated("x509-root") { (value, line) throws(TenderError) in try Self.certificate(value, line) }
        let stages = try reader.repeated("stage") { (value, line) throws(TenderError) -> StageKey in
            let parts = value.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, let rosterBytes = Data(base64Encoded: String(parts[1])),
                let keyBytes = Data(base64Encoded: String(parts[2])),
                let roster = try? CommitteeRoster(encoded: [UInt8](rosterBytes)),
                let key = try? StageKey(encoded: [UInt8](keyBytes), roster: roster), roster.stage == parts[0]
            else { throw .malformed(line: line, "stage <name> <base64 roster> <base64 stage key>, the roster of that stage") }
            return key
        }
        let envelopes = try reader.repeated("envelope") { (value, line) throws(TenderError) -> (name: EnvelopeName, stage: StageName) in
            let parts = value.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, let name = try? EnvelopeName(String(parts[0])), let stage = try? StageName(String(parts[1])) else {
                throw .malformed(line: line, "envelope <envelope name> <stage name>")
            }
            return (name, stage)
        }
        var bidderLines: [Int] = []
        let identities = try reader.repeated("bidder") { (value, line) throws(TenderError) -> BidderRegistry.Identity in
            bidderLines.append(line)
            do { return try BidderRegistry.identity(line: value, number: line) } catch { throw .malformed(line: line, "\(error)") }
        }
        // The first line no rule took: a misplaced or unknown keyword, a blank line, a comment.
        guard reader.atEnd else { throw .malformed(line: reader.lineNumber + 1, "unexpected line") }
        let registry: BidderRegistry
        // A cross-rule of the descriptor (line 0); the message names the bidder line.
        do { registry = try BidderRegistry(identities, lineNumbers: bidderLines) } catch { throw .malformed(line: 0, "\(error)") }
        let parsed: Tender
        do {
            parsed = try Tender(
                id: id, deadline: deadline, grace: grace, maxBidBytes: maxBid, log: log, witnesses: witnesses, timestamps: policy,
                tsaRoots: tsaRoots,
                x509Roots: x509Roots, stages: stages, envelopes: envelopes, bidders: registry)
        } catch {
            if case .invalid(let why) = error { throw .malformed(line: 0, why) }
            throw .malformed(line: 0, "\(error)")
        }
        // One encoding per descriptor: two readers never see two tenders behind one digest.
        guard parsed.encoded == bytes else { throw .malformed(line: 0, "not in canonical form (leading zeros, base64 or hex forms)") }
        self = parsed
    }

    private static func certificate(_ value: String, _ line: Int) throws(TenderError) -> X509Certificate {
        guard let der = Data(base64Encoded: value), let certificate = try? X509Certificate(derRepresentation: [UInt8](der)) else {
            throw .malformed(line: line, "not a base64 DER certificate")
        }
        return certificate
    }

    public func stageKey(_ stage: StageName) throws(TenderError) -> StageKey {
        guard let key = stages.first(where: { $0.roster.stage == stage.value }) else { throw .noSuchStage(stage.value) }
        return key
    }

    /// The envelope that opens in `stage`.
    public func envelope(for stage: StageName) throws(TenderError) -> EnvelopeName {
        guard let envelope = envelopes.first(where: { $0.stage == stage }) else { throw .noSuchStage(stage.value) }
        return envelope.name
    }

    /// Only `bidder`'s registered identities, with certificate chains checked at `time`.
    public func signerPolicy(for bidder: BidderID, at time: Date) -> SignerPolicy {
        bidders.policy(for: bidder, x509Roots: x509Roots, at: time)
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

/// Why a descriptor could not be built or read.
public enum TenderError: SealedBidError, Equatable, Sendable {
    case malformed(line: Int, String)
    case invalid(String)
    case digestMismatch
    case noSuchStage(String)

    public var code: String {
        switch self {
        case .malformed, .invalid: "malformed-tender"
        case .digestMismatch: "tender-digest-mismatch"
        case .noSuchStage: "no-such-stage"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let line, let why): line > 0 ? "\(code): line \(line): \(why)" : "\(code): \(why)"
        case .invalid(let why): "\(code): \(why)"
        case .digestMismatch: "\(code): the descriptor is not the one with the published digest"
        case .noSuchStage(let stage): "\(code): the tender has no stage '\(stage)'"
        }
    }
}

/// Walks the descriptor's lines in their fixed order.
struct TenderLineReader {
    let lines: [String]
    private(set) var position = 0

    init(lines: [String]) { self.lines = lines }

    var lineNumber: Int { position }
    var atEnd: Bool { position == lines.count }

    func error(_ why: String) -> TenderError { .malformed(line: position, why) }

    /// The next line; with a keyword, only if it starts with `keyword SP`, returning the rest.
    mutating func next(_ keyword: String?) throws(TenderError) -> String {
        guard position < lines.count else { throw .malformed(line: position + 1, "missing line '\(keyword ?? "")'") }
        let line = lines[position]
        guard let keyword else {
            position += 1
            return line
        }
        guard line.hasPrefix(keyword + " ") else { throw .malformed(line: position + 1, "expected '\(keyword) ...'") }
        position += 1
        return String(line.dropFirst(keyword.count + 1))
    }

    mutating func value(_ keyword: String) throws(TenderError) -> String { try next(keyword) }

    /// Consecutive lines starting with `keyword SP`.
    mutating func repeated<T>(_ keyword: String, _ parse: (String, Int) throws(TenderError) -> T) throws(TenderError) -> [T] {
        var out: [T] = []
        while position < lines.count, lines[position].hasPrefix(keyword + " ") {
            position += 1
            out.append(try parse(String(lines[position - 1].dropFirst(keyword.count + 1)), position))
        }
        return out
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, UTC, years 2000 to 9999 (tender-v1 `deadline`), parsed without a
/// locale or a calendar that could be lenient.
public enum TenderTime {
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), (2000...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second < 60
        else { return nil }
        let seconds = Int64(daysFromCivil(year, month, day)) * 86400 + Int64(hour * 3600 + minute * 60 + second)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    public static func format(_ date: Date) -> String? {
        let seconds = date.timeIntervalSince1970
        return seconds.rounded(.down) == seconds ? format(Int64(seconds)) : nil
    }

    static func format(_ seconds: Int64) -> String? {
        guard seconds >= 946_684_800, seconds < 253_402_300_800 else { return nil }
        let days = Int(seconds / 86400), rest = Int(seconds % 86400)
        let (y, m, d) = civilFromDays(days)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, rest / 3600, rest / 60 % 60, rest % 60)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    // Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719468
        let era = z / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Tender {
    /// That checkpoint `new` of this tender's log extends `old` (RFC 9162 consistency, both signed
    /// with the descriptor's log key and origin and cosigned by its witnesses' quorum), and that a closed log never changed: once `old`
    /// is the closing, `new` must have its size and no other closing time (receipts-v1, "Closing").
    /// - Throws: ``LogError``; ``LogError/closedLogChanged(_:)`` when the portal appended after its closing.
    public func verifyConsistency(from old: SignedCheckpoint, to new: SignedCheckpoint, proof: [[UInt8]]) throws(LogError) {
        try old.verifyConsistency(to: new, proof: proof, log: log, origin: origin, witnesses: witnesses)
        // A closed log never grows, and is closed once: a larger checkpoint, or another closing
        // time, shows an append after the closing. A checkpoint of the same size (and so, by
        // consistency, the same root) without the closing line is one issued before it.
        guard let closedAt = old.checkpoint.closedAt(tender: id.value) else { return }
        let otherClosing = new.checkpoint.closedAt(tender: id.value).map { $0 != closedAt } ?? false
        if new.checkpoint.size != old.checkpoint.size || otherClosing {
            throw .closedLogChanged(
                "the log was closed at size \(old.checkpoint.size), and this checkpoint is another one (size \(new.checkpoint.size))")
        }
    }

    /// The closing checkpoint as every party checks it before relying on it: signed with the
    /// descriptor's log key, of its origin, cosigned by its witnesses' quorum, with exactly one
    /// extension line, `closed <tender> <ms>`. Returns the closing time (milliseconds).
    public func verifyClosing(_ closing: SignedCheckpoint) throws(LogError) -> UInt64 {
        try closing.verifySignatures(log: log, origin: origin, witnesses: witnesses)
        guard closing.checkpoint.extensions.count == 1, let closedAt = closing.checkpoint.closedAt(tender: id.value) else {
            throw .malformedCheckpoint("not a closing checkpoint of \(id) (exactly one line 'closed <tender> <ms>')")
        }
        return closedAt
    }

    /// What a receipt shows a bidder, checked against this tender (receipts-v1, "Receipts"): the
    /// log's signature and origin from the descriptor, the witnesses' quorum of cosignatures on
    /// its checkpoint, the entry's inclusion, the entry's tender,
    /// a checkpoint with no extension line but this tender's closing, and — when the tender
    /// requires time-stamps — the token under the opening's own rules (report-v1 step 2), so
    /// that a receipt whose entry the opening would void does not pass as valid.
    public func verify(receipt: Receipt) throws -> VerifiedReceipt {
        let verified = try receipt.verify(
            log: log, origin: origin, witnesses: witnesses, timestampRoots: timestamps.requiresTokens ? tsaRoots : nil)
        guard verified.entry.tender == id.value else { throw LogError.malformedEntry("the entry is for tender \(verified.entry.tender)") }
        let extensions = verified.checkpoint.checkpoint.extensions
        guard extensions.isEmpty || (extensions.count == 1 && verified.checkpoint.checkpoint.closedAt(tender: id.value) != nil) else {
            throw LogError.malformedCheckpoint("extension lines other than this tender's closing")
        }
        let kind = verified.entry.kind
        let limit = kind == .upload ? deadline.addingTimeInterval(TimeInterval(grace)) : deadline
        guard verified.entry.receivedAt < StageOpening.milliseconds(limit) else {
            throw LogError.closed("the entry was received after the \(kind == .upload ? "grace window" : "deadline"): it will not be opened")
        }
        if timestamps.requiresTokens,
            let problem = StageOpening.timestampProblem(verified.entry, token: verified.timestampToken ?? [], tender: self, limit: limit)
        {
            throw LogError.timestamp("\(problem.rawValue): the opening will void this entry")
        }
        return verified
    }
}
