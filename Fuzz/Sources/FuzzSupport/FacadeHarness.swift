import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidKeyFiles
import SealedBidPrimitives

/// Key files, opening reports and the bidder registry.
enum FacadeHarness {
    // MARK: Key files

    /// Key files are read from a path: the input is written to a scratch file
    /// and read as every kind, then through every typed helper.
    static func keyFile(_ bytes: [UInt8]) {
        let path = World.scratchPath
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { fatalError("cannot write \(path)") }
        defer { unlink(path) }
        for kind in KeyFile.Kind.allCases { _ = try? KeyFile.read(path, kind: kind) }
        _ = try? KeyFile.hpkePrivateKey(path)
        _ = try? KeyFile.hpkePublicKey(path)
        _ = try? KeyFile.ed25519PrivateKey(path)
        _ = try? KeyFile.ed25519PublicKey(path)
    }

    static func keyFileSeeds() throws -> [[UInt8]] {
        let directory = World.scratchPath + "-keys"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try KeyFile.writePair(hpke: World.committeeKey, to: directory + "/hpke")
        try KeyFile.writePair(ed25519: World.bidderKey, to: directory + "/ed25519")
        try KeyFile.write(World.envelopeKey, kind: .envelopeKey, to: directory + "/envelope")
        let world = World.committee
        try KeyFile.write(world.shares[0].fileRepresentation(roster: World.roster), kind: .committeeShare, to: directory + "/share")
        try KeyFile.write(World.opened.released[0].encoded, kind: .releasedShare, to: directory + "/released")
        try KeyFile.write(world.dkgSecret.fileRepresentation, kind: .dkgState, to: directory + "/dkg", comment: "a comment")
        return try FileManager.default.contentsOfDirectory(atPath: directory).sorted().map {
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0)))
        }
    }

    // MARK: Opening reports

    /// `OpeningReport(encoded:)`, then every check a report goes through: against the world's
    /// tender with its members' signatures, the member's own check against its opening and the
    /// published share files, and a bidder's check of its receipt.
    static func openingReport(_ bytes: [UInt8]) {
        guard let report = try? OpeningReport(encoded: bytes) else { return }
        Fuzz.require(report.encoded == bytes, "a report is canonical JSON: it re-encodes to its input")
        _ = report.markdown(signers: [1, 2])
        _ = report.line(for: World.bidder.value)
        let world = World.opened
        if let verified = try? report.verify(tender: world.tender, signatures: world.signatures, now: world.now) {
            Fuzz.require(world.reports.contains(report), "only the reports the members signed verify")
            Fuzz.require(verified.signers.count >= World.roster.threshold, "t members signed")
        }
        let files: OpeningReport.ShareFiles =
            report.mode == .reconstruction ? .released(world.released) : .decryptionShares(world.decryptionShares.map(\.encoded))
        _ = try? report.check(against: world.opening, shares: files)
        _ = try? report.checkReceipt(world.receipts[0], bidder: World.bidder.value, tender: world.tender, records: world.records)
    }

    static func openingReportSeeds() throws -> [[UInt8]] {
        let reports = World.opened.reports
        // Variants the members never signed: other modes, members and lists, still canonical.
        let variants = reports.map { r in
            OpeningReport(
                tender: r.tender, tenderDigest: r.tenderDigest, stage: r.stage, envelope: r.envelope, openingID: r.openingID,
                closingNote: r.closingNote, timestamps: r.timestamps, qualified: [World.bidder.value], mode: .none, participants: [],
                culprits: [3], lines: Array(r.lines.reversed()), ignoredEntries: r.ignoredEntries)
        }
        return (reports + variants).map(\.encoded)
    }

    // MARK: Report signatures

    /// `ReportSignature.parse` of signature files as they arrive, then the world's reports
    /// verified with the lines found: a line counts only if its member signed that report.
    static func reportSignature(_ bytes: [UInt8]) {
        let (signatures, skipped) = ReportSignature.parse(bytes)
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: true).map { Array($0) }
        Fuzz.require(signatures.count + skipped == lines.count, "every line is a signature or skipped")
        if let text = String(validating: bytes, as: UTF8.self) {
            let parsed = ReportSignature.parse(text)
            Fuzz.require(parsed.signatures == signatures && parsed.skipped == skipped, "text and bytes parse alike")
        }
        for signature in signatures { Fuzz.require(lines.contains(Array(signature.line.utf8)), "a signature line is canonical") }
        let world = World.opened
        for report in world.reports {
            // A report none of the lines names fails for too few signatures, after every other check: skipped.
            let digest = report.digest
            guard signatures.contains(where: { $0.reportDigest == digest }),
                let verified = try? report.verify(tender: world.tender, signatures: signatures, now: world.now)
            else { continue }
            let genuine = Set(world.signatureLines(of: report))
            let honest = try? report.verify(tender: world.tender, signatures: signatures.filter { genuine.contains($0.line) }, now: world.now)
            Fuzz.require(honest?.signers == verified.signers, "only the members' own signatures count")
        }
    }

    static func reportSignatureSeeds() throws -> [[UInt8]] {
        let lines = World.opened.signatures.map(\.line)
        var seeds = lines.map { Array($0.utf8) }
        seeds.append(Array(lines.joined(separator: "\n").utf8))
        seeds.append(Array(("# merged\r\n" + lines.joined(separator: "\r\n") + "\n" + lines[0].uppercased() + "\n").utf8))
        seeds.append(Array(lines[0].utf8) + [0x0A, 0xFF, 0xFE, 0x0A] + Array(lines[1].utf8))
        return seeds
    }

    // MARK: Tender descriptors

    /// `Tender(encoded:expectedDigest:)`: a pinned digest admits exactly its descriptor, and is
    /// checked before the bytes are parsed; then the parsed tender is put to work on the
    /// world's closed log, receipts and opening.
    static func tender(_ bytes: [UInt8]) {
        let world = World.opened
        do {
            _ = try Tender(encoded: bytes, expectedDigest: world.tender.digest)
            Fuzz.require(bytes == world.tender.encoded, "a pinned digest admits another descriptor")
        } catch {
            Fuzz.require(bytes != world.tender.encoded, "a pinned digest refuses its own descriptor: \(error)")
            Fuzz.require(error == .digestMismatch, "another descriptor than the pinned one fails as \(error), not digest-mismatch")
        }
        guard let tender = try? Tender(encoded: bytes) else { return }
        Fuzz.require(tender.encoded == bytes, "a descriptor is canonical")
        Fuzz.require((try? Tender(encoded: bytes, expectedDigest: tender.digest)) != nil, "a descriptor passes its own digest")
        for key in tender.stages {
            guard let stage = try? StageName(key.roster.stage) else { return Fuzz.require(false, "a stage key's stage is a stage name") }
            Fuzz.require((try? tender.stageKey(stage)) == key, "a stage's key")
            _ = try? tender.envelope(for: stage)
        }
        for bidder in tender.bidders.bidders { _ = tender.signerPolicy(for: bidder, at: world.now) }
        for receipt in [world.receipts[0], world.receipts[world.receipts.count - 1]] { _ = try? tender.verify(receipt: receipt) }
        let first = world.checkpoints[0]
        let proof = (try? world.tree.consistencyProof(size1: first.checkpoint.size, size2: world.closing.checkpoint.size)) ?? []
        _ = try? tender.verifyConsistency(from: first, to: world.closing, proof: proof)
        // The opening id binds the descriptor: another descriptor never opens the world's bids under its id.
        if let opening = try? StageOpening(
            tender: tender, stage: TenderWorld.technical, closing: world.closing, records: world.records, bids: world.bids,
            now: TenderWorld.openingTime(tender))
        {
            Fuzz.require((opening.openingID == world.openingID) == (tender.digest == world.tender.digest), "the opening id binds the descriptor")
        }
    }

    static func tenderSeeds() throws -> [[UInt8]] {
        let t = World.opened.tender
        // The world's descriptor, and others made from its parts: without time-stamps or X.509, one stage, no bidders.
        let others = [
            try Tender(
                id: t.id, deadline: t.deadline, grace: 0, maxBidBytes: t.maxBidBytes, log: t.log, stages: t.stages, envelopes: t.envelopes,
                bidders: t.bidders),
            try Tender(
                id: t.id, deadline: t.deadline, grace: t.grace, log: t.log, timestamps: t.timestamps, tsaRoots: t.tsaRoots,
                x509Roots: t.x509Roots, stages: [t.stages[0]], envelopes: [t.envelopes[0]], bidders: BidderRegistry()),
        ]
        return ([t] + others).map(\.encoded)
    }

    // MARK: Bidder registry

    static func bidderRegistry(_ bytes: [UInt8]) {
        guard let registry = try? BidderRegistry(text: String(decoding: bytes, as: UTF8.self)) else { return }
        // Its identities written as lines read back to the same registry.
        let text = registry.identities.map { $0.line + "\n" }.joined()
        Fuzz.require((try? BidderRegistry(text: text)) == registry, "a registry's lines read back to it")
        for bidder in registry.bidders {
            let policy = registry.policy(for: bidder, x509Roots: [], at: FixedLog.start)
            let keys = registry.identities.compactMap { identity -> Ed25519PublicKey? in
                guard identity.bidder == bidder, case .ed25519(let key) = identity.kind else { return nil }
                return key
            }
            Fuzz.require(policy.ed25519Keys == Set(keys) && policy.x509Subjects != nil, "a bidder's policy pins exactly its identities")
        }
    }

    static func bidderRegistrySeeds() throws -> [[UInt8]] {
        let text = """
            # sealbid bidder registry v1
            FUZZ-BIDDER ed25519 \(World.bidderKey.publicKey.rawRepresentation.hex)
            PT-MAJU x509-subject CN=PT Maju Jaya,serialNumber=NPWP 01.234.567.8,C=ID

            FUZZ-BIDDER x509-subject CN=Fuzz Bidder\r
            """
        return [Array(text.utf8), Array(World.opened.tender.bidders.identities.map { $0.line + "\n" }.joined().utf8)]
    }
}
