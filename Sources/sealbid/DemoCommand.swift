import ArgumentParser
import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidHTTP
import SealedBidLog
import SealedBidPrimitives

/// The main job: a complete tender on the embedded store, from the
/// committee's key generation to the signed opening reports, leaving every
/// published artefact in the working directory so that anyone can verify it
/// with the CLI alone, from the descriptor.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a complete tender end to end (the main job).",
        discussion: """
            An n-member committee runs the DKG for two stages; the tender descriptor is published; \
            bidders seal two-envelope bids and the portal issues receipts with RFC 3161 tokens from \
            a test authority (marked as such in the descriptor); one bidder replaces its bid, one \
            withdraws with a signed statement, one commits before the deadline and uploads in the \
            grace window after it, before the closing; a late bid is refused; t members open the \
            technical stage, each checking everything itself (one absent, one signing a bad \
            decryption share, named in the report); only qualified bidders' price envelopes are \
            opened; members sign both reports in parallel and the merged signatures are verified. \
            The last lines print the CLI commands that verify the published artefacts.

            Example:
              sealbid demo
              sealbid demo --bidders 200 --members 5 --threshold 3 --workdir demo
            """)

    @Option(help: "Number of bidders.") var bidders: Int = 20
    @Option(help: "Committee members (n).") var members: Int = 5
    @Option(help: "Threshold t: the smallest number of members who can open.") var threshold: Int = 3
    @Option(help: "Size of each technical document in bytes.") var bidSize: Int = 1 << 20
    @Option(help: "Working directory (default: a new temporary one).") var workdir: String?
    @Option(help: "An outside RFC 3161 authority's URL (scripts/demo starts one: openssl ts behind scripts/loopback-tsa). The tender then runs in real time, with a deadline a few seconds ahead, instead of on a test authority and a simulated clock.")
    var tsaUrl: String?
    @Option(help: "With --tsa-url: the PEM file of that authority's root.") var tsaRoot: String?

    func validate() throws {
        guard (3...10_000).contains(bidders) else { throw ValidationError("--bidders must be 3...10000") }
        guard (1...255).contains(members) else { throw ValidationError("--members must be 1...255") }
        guard threshold >= 1, threshold <= members else { throw ValidationError("--threshold must be 1...members") }
        guard bidSize >= 0, bidSize <= 1 << 32 else { throw ValidationError("--bid-size must be 0...4 GiB") }
        guard (tsaUrl == nil) == (tsaRoot == nil) else { throw ValidationError("--tsa-url and --tsa-root go together") }
        guard tsaUrl.map({ URL(string: $0)?.scheme == "http" || URL(string: $0)?.scheme == "https" }) ?? true else {
            throw ValidationError("--tsa-url must be an http(s) URL")
        }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        var timings: [(String, Duration)] = []
        func step<T>(_ name: String, _ body: () async throws -> T) async rethrows -> T {
            let start = clock.now
            let value = try await body()
            timings.append((name, clock.now - start))
            return value
        }
        let dir = workdir ?? FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-demo-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(dir)/bidders", withIntermediateDirectories: true)
        let tenderID = try TenderID("LPSE-2026-0042")
        let technical = try StageName("technical"), price = try StageName("price")
        let technicalEnvelope = try EnvelopeName("technical"), priceEnvelope = try EnvelopeName("price")

        // 1. Bidders register their signing keys; the time-stamp authority is a test one.
        let names = (1...bidders).map { String(format: "BIDDER-%04d", $0) }
        var signingKeys: [String: Ed25519PrivateKey] = [:]
        for name in names + ["BIDDER-LATE"] { signingKeys[name] = Ed25519PrivateKey() }
        let registry = try BidderRegistry(
            (names + ["BIDDER-LATE"]).map { BidderRegistry.Identity(bidder: try BidderID($0), kind: .ed25519(signingKeys[$0]!.publicKey)) })
        // The rehearsal's clock: whole seconds, two hours ago, so that the tender (an hour for bids,
        // ten minutes of grace) is over by this machine's clock when the members open it and anyone
        // verifies the published files. The test authority's certificates cover that past.
        // With an outside authority, the tender runs in real time (the authority's clock is the
        // real one): a deadline some seconds ahead, enough to seal and submit every bid, and a
        // short grace window. Otherwise on a simulated clock, two hours ago, with a test authority.
        let outside = try tsaUrl.flatMap(URL.init(string:)).map { url in
            RFC3161Client(url: url, roots: try X509Certificate.certificates(pem: readText(tsaRoot ?? "")))
        }
        let realTime = outside != nil
        let secondsToBid = max(20, Int(Double(bidders) * (Double(bidSize) / 40e6 + 0.02) * 2) + 10)
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - (realTime ? 0 : 7200)).rounded(.down))
        let tsa = realTime ? nil : try? TestAuthority.make(in: "\(dir)/tsa", validFrom: start.addingTimeInterval(-86400))
        let virtualTime = DemoClock(start, realTime: realTime)
        let deadline = start.addingTimeInterval(realTime ? TimeInterval(secondsToBid) : 3600), grace = realTime ? 5 : 600

        // Two witnesses (C2SP tlog-witness, in this process), both required: every checkpoint the
        // portal hands out is cosigned by both, after each checked it extends what it saw before.
        let cosigners = try (1...2).map { try Cosigner(name: "witness-\($0).example.org/sealbid", key: Ed25519PrivateKey()) }
        let witnessPolicy = try WitnessPolicy(witnesses: cosigners.map(\.verifier), quorum: 2)

        // 2. The committee generates one key per stage without a dealer; the descriptor is published.
        let rehearsal = try await step("DKG for 2 stages, descriptor") {
            try Rehearsal.make(
                id: tenderID, stages: [("technical", "technical"), ("price", "price")], members: members, threshold: threshold,
                deadline: deadline, grace: grace, registry: registry, witnesses: witnessPolicy,
                timestamps: outside != nil ? .required : tsa == nil ? .none : .testAuthority,
                tsaRoots: outside?.roots ?? tsa.map { [$0.root] } ?? [])
        }
        let witnesses = try cosigners.enumerated().map { n, cosigner in
            (cosigner.verifier, try Witness(cosigner: cosigner, logs: [rehearsal.tender.log], directory: "\(dir)/witness-\(n + 1)") as any WitnessTransport)
        }
        let tender = rehearsal.tender
        try writeNew(tender.encoded, to: "\(dir)/tender.txt")
        try writeNew(Array("\(tender.digest.hexString)  tender.txt\n".utf8), to: "\(dir)/tender.txt.sha256")

        // 3. The portal, with the test authority on the same clock.
        let portal = try await PortalService.create(
            tender: tender, directory: "\(dir)/portal", signer: rehearsal.logSigner, clock: { virtualTime.now },
            timestamper: outside?.timestamper ?? tsa?.timestamper(clock: { virtualTime.now }), witnesses: witnesses)

        // 4. Bidders seal two-envelope bids (with an escrow copy, self-checked) and submit them.
        let replacer = names[0], withdrawer = names[1], committer = names[names.count - 1]
        var finalDigests: [String: [UInt8]] = [:]
        var committedBid = ""
        let receipts: Int = try await step("seal, self-check and submit \(bidders) bids") {
            var count = 0
            for (i, name) in names.enumerated() {
                let bidder = try BidderID(name)
                let technicalFile = "\(dir)/bidders/\(name).technical.pdf", priceFile = "\(dir)/bidders/\(name).price.txt"
                try writeRandom(bytes: bidSize, to: technicalFile)
                try Data("IDR \(1_000_000_000 + i * 7_919_000)\n".utf8).write(to: URL(fileURLWithPath: priceFile))
                let escrow = HPKE.PrivateKey()
                var rounds = name == replacer ? 2 : 1
                while rounds > 0 {
                    rounds -= 1
                    let bidPath = "\(dir)/bidders/\(name)\(rounds > 0 ? ".first" : "").sbid"
                    let summary = try tender.seal(
                        bidder: bidder, signer: .ed25519(signingKeys[name]!),
                        files: [technicalEnvelope: technicalFile, priceEnvelope: priceFile], escrowKey: escrow.publicKey, to: bidPath)
                    // The bidder's self-check: the escrow copy opens, and recomputes the committee's wrap.
                    let check = try BidOpener(path: bidPath, policy: .signatureOnly())
                    _ = try check.unlock(technicalEnvelope, with: .escrowKey(escrow)).read(0..<0)
                    finalDigests[name] = summary.bidDigest
                    let receipt: Receipt
                    if name == committer {
                        let statement = try Commitment(
                            tender: tenderID, bidder: bidder, committing: summary.bidDigest, signer: .ed25519(signingKeys[name]!))
                        receipt = try await portal.commit(bidAt: bidPath, statement: statement.encoded, from: bidder)  // the upload will follow
                        committedBid = bidPath
                    } else {
                        receipt = try await portal.accept(bidAt: bidPath, from: bidder)
                    }
                    try writeNew(receipt.encoded, to: "\(dir)/bidders/\(name)\(rounds > 0 ? ".first" : "").receipt")
                    count += 1
                    virtualTime.advance(3000.0 / Double(bidders + 2))  // every bid well before the deadline
                }
                if name == withdrawer {
                    let statement = try Withdrawal(
                        tender: tenderID, bidder: bidder, withdrawing: finalDigests[name]!, signer: .ed25519(signingKeys[name]!))
                    try writeNew(statement.encoded, to: "\(dir)/bidders/\(name).withdrawal")
                    let receipt = try await portal.withdraw(statement: statement.encoded, from: bidder)
                    try writeNew(receipt.encoded, to: "\(dir)/bidders/\(name).withdrawal.receipt")
                    count += 1
                }
            }
            return count
        }

        // 5. The deadline passes: a late bid is refused, the committed bid is uploaded in the grace
        // window, and the log closes when the window ends.
        try await virtualTime.wait(until: tender.deadline.addingTimeInterval(1))
        let lateFile = "\(dir)/bidders/LATE.technical.pdf"
        try writeRandom(bytes: 1000, to: lateFile)
        let lateBid = "\(dir)/bidders/BIDDER-LATE.sbid"
        _ = try tender.seal(
            bidder: BidderID("BIDDER-LATE"), signer: .ed25519(signingKeys["BIDDER-LATE"]!),
            files: [technicalEnvelope: lateFile, priceEnvelope: lateFile], to: lateBid)
        var lateRefusal = "ACCEPTED (bug)"
        do {
            _ = try await portal.accept(bidAt: lateBid, from: BidderID("BIDDER-LATE"))
        } catch let error as LogError {
            lateRefusal = "refused (\(error.code))"
        }
        virtualTime.advance(30)
        _ = try await portal.upload(bidAt: committedBid, from: BidderID(committer))
        try await virtualTime.wait(until: tender.deadline.addingTimeInterval(TimeInterval(tender.grace)))
        let closing = try await portal.close()
        try writeNew(Array(closing.note.serialized.utf8), to: "\(dir)/closing.note")
        let records = try FileLogStore.records(atPath: "\(dir)/portal/log.bin")
        let bidStore = BidStore(directory: "\(dir)/portal/bids")

        // 6. Technical stage: member n is absent, member 1 signs a bad decryption share. Each member
        // builds its own opening from the published files before computing anything.
        let absent = members >= threshold + 1 ? [rehearsal.members.last!.id] : []
        let present = rehearsal.members.filter { !absent.contains($0.id) }
        let cheater = present.count >= threshold + 1 ? present.first?.id : nil
        // Each member's signed shares are published (shares/<stage>-<member>.bin): anyone can check
        // a report's participants and culprits against them.
        try FileManager.default.createDirectory(atPath: "\(dir)/shares", withIntermediateDirectories: true)
        func memberShares(_ stage: StageName, qualified: Set<BidderID>? = nil, previous: OpeningReport.Verified? = nil) throws
            -> [DecryptionShares]
        {
            try present.compactMap { member in
                let own = try StageOpening(
                    tender: tender, stage: stage, closing: closing, records: records, bids: bidStore, qualified: qualified, previous: previous)
                guard let honest = try own.decryptionShares(share: rehearsal.shares[stage.value]![member.id]!, keys: member) else { return nil }
                let shares = member.id == cheater ? try honest.dishonest(keys: member) : honest
                try writeNew(shares.encoded, to: "\(dir)/shares/\(stage)-\(member.id.value).bin")
                return shares
            }
        }
        // Members sign a report after checking it against their own opening and the share files;
        // the signatures are merged and verified.
        var signers: [String: [UInt16]] = [:]
        func sign(_ name: String, _ report: OpeningReport, opening: StageOpening, shares: [DecryptionShares], key: StageKey) throws
            -> OpeningReport.Verified
        {
            try report.check(against: opening, shares: .decryptionShares(shares.map(\.encoded)))
            let signatures = try present.map { try ReportSignature(report: report, roster: key.roster, keys: $0) }
            try writeNew(report.encoded, to: "\(dir)/report-\(name).json")
            try writeNew(Array(signatures.map { $0.line + "\n" }.joined().utf8), to: "\(dir)/report-\(name).sig")
            let verified = try report.verify(tender: tender, signatures: signatures)
            try writeNew(Array(report.markdown(signers: verified.signers).utf8), to: "\(dir)/report-\(name).md")
            signers[name] = verified.signers
            return verified
        }
        let technicalOpening = try StageOpening(tender: tender, stage: technical, closing: closing, records: records, bids: bidStore)
        let technicalShares = try memberShares(technical)
        let technicalReport = try await step("open technical stage (\(technicalOpening.bids.count) envelopes)") {
            try technicalOpening.open(with: technicalShares, to: .directory("\(dir)/opened/technical"), progress: progressBar("technical"))
        }
        let technicalVerified = try sign("technical", technicalReport, opening: technicalOpening, shares: technicalShares, key: rehearsal.stageKeys[0])

        // 7. Technical evaluation: every fifth opened bidder is disqualified; only qualified price
        // envelopes open, on the closing of the technical report, after it.
        let opened = technicalReport.lines.filter { $0.result == .opened }.map(\.bidder)
        let qualified = Set(try opened.enumerated().filter { ($0.offset + 1) % 5 != 0 }.map { try BidderID($0.element) })
        let priceOpening = try StageOpening(
            tender: tender, stage: price, closing: closing, records: records, bids: bidStore, qualified: qualified,
            previous: technicalVerified)
        let priceShares = try memberShares(price, qualified: qualified, previous: technicalVerified)
        let priceReport = try await step("open price stage (\(priceOpening.bids.count) envelopes)") {
            try priceOpening.open(with: priceShares, to: .directory("\(dir)/opened/price"), progress: progressBar("price"))
        }
        _ = try sign("price", priceReport, opening: priceOpening, shares: priceShares, key: rehearsal.stageKeys[1])

        // 9. The bidders' own checks of their lines.
        let ownLineOK = technicalReport.line(for: names[2])?.bidDigest == finalDigests[names[2]]?.hexString
        let replacedOK = technicalReport.line(for: replacer)?.bidDigest == finalDigests[replacer]?.hexString
        let withdrawnOK = technicalReport.line(for: withdrawer)?.result == .withdrawn
        let committedOK = technicalReport.line(for: committer)?.result == .opened
        let technicalOpened = technicalReport.lines.filter { $0.result == .opened }.count
        let culprits = technicalReport.culprits.map { "member \($0)" }.joined(separator: ", ")
        print("SealedBid demo: tender \(tenderID), \(bidders) bidders, \(threshold)-of-\(members) committee, bids of \(bidSize) bytes")
        print("  descriptor     tender.txt, SHA-256 \(tender.digest.hexString.prefix(16))…, timestamps \(tender.timestamps.rawValue)")
        print("  committee      DKG for 2 stages, stage keys signed by all \(members) members")
        let tokens =
            outside.map { ", each with an RFC 3161 token from the outside authority at \($0.url.absoluteString)" }
            ?? (tsa == nil ? " (no openssl: no RFC 3161 tokens)" : ", each with an RFC 3161 token from the TEST authority")
        print("  receipts       \(receipts) issued, each checkpoint cosigned by both witnesses\(tokens)")
        print("  replace        \(replacer): \(replacedOK ? "the replacement counts" : "WRONG BID COUNTS")")
        print("  withdraw       \(withdrawer): \(withdrawnOK ? "withdrawn by its signed statement" : "NOT WITHDRAWN")")
        print("  commit         \(committer): committed before the deadline, uploaded in the grace window, \(committedOK ? "opened" : "NOT OPENED")")
        print("  late bid       \(lateRefusal)")
        print("  closing        checkpoint of \(closing.checkpoint.size) entries signed, cosigned by \(try witnessPolicy.cosignatures(on: closing.note).count) of 2 witnesses (C2SP tlog-witness, each checked it extends what it cosigned before)")
        print("  technical      \(technicalOpened)/\(technicalOpening.bids.count) opened by members \(technicalReport.participants.map(String.init).joined(separator: ", "))\(absent.isEmpty ? "" : "; absent: member \(absent[0].value)")\(culprits.isEmpty ? "" : "; bad share named: \(culprits)")")
        print("  price          \(priceReport.lines.filter { $0.result == .opened }.count) opened for qualified bidders; \(priceReport.lines.filter { $0.reason == "not-qualified" }.count) disqualified never decrypted")
        print("  reports        signed by members \(signers["technical"]!.map(String.init).joined(separator: ", ")) and verified; a bidder's own line \(ownLineOK ? "matches" : "DOES NOT MATCH")")
        for (name, duration) in timings { print("  time           \(name): \(format(duration))") }
        print("  total          \(format(clock.now - began)); files in \(dir)")
        print("  verify it yourself (only the descriptor is trusted):")
        print("    sealbid tender show --tender \(dir)/tender.txt --tender-digest \(tender.digest.hexString)")
        print("    sealbid receipt verify \(dir)/bidders/\(names[2]).receipt --tender \(dir)/tender.txt")
        print("    sealbid opening prepare --tender \(dir)/tender.txt --stage technical --closing \(dir)/closing.note --log \(dir)/portal/log.bin --bids \(dir)/portal/bids")
        print("    sealbid report verify \(dir)/report-technical.json --tender \(dir)/tender.txt --tender-digest \(tender.digest.hexString) --signatures \(dir)/report-technical.sig --log \(dir)/portal/log.bin --bids \(dir)/portal/bids --dshare \(dir)/shares/technical-*.bin --bidder \(names[2]) --bid \(dir)/bidders/\(names[2]).sbid --receipt \(dir)/bidders/\(names[2]).receipt")
        guard lateRefusal.hasPrefix("refused"), ownLineOK, replacedOK, withdrawnOK, committedOK,
            technicalOpened == technicalOpening.bids.count, cheater == nil || !culprits.isEmpty
        else {
            throw ExitCode.failure
        }
    }

    private func format(_ d: Duration) -> String {
        String(format: "%.2f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
}

/// The demo's clock: simulated (moved by hand, the tender two hours ago) or, with an outside
/// time-stamp authority, the real one (moving it means waiting).
final class DemoClock: @unchecked Sendable {
    private let simulated: ManualClock
    let realTime: Bool

    init(_ start: Date, realTime: Bool) {
        simulated = ManualClock(start)
        self.realTime = realTime
    }

    var now: Date { realTime ? Date() : simulated.now }

    /// Simulated time moves on; real time is not moved.
    func advance(_ seconds: TimeInterval) { if !realTime { simulated.advance(seconds) } }

    /// Simulated time is set to `date`; real time is waited for.
    func wait(until date: Date) async throws {
        if realTime {
            let wait = date.timeIntervalSinceNow
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int64(wait * 1000) + 50)) }
        } else {
            simulated.set(date)
        }
    }
}
