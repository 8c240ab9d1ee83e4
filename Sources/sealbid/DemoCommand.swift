import ArgumentParser
import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidPrimitives

/// The main job: a complete tender on the embedded store, from the
/// committee's key generation to the signed opening reports.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a complete tender end to end (the main job).",
        discussion: """
            An n-member committee runs the DKG for two stages; bidders seal two-envelope bids; \
            the portal issues receipts with RFC 3161 tokens from a test authority; a late bid is \
            refused; the deadline closes the log; t members open the technical stage (one absent, \
            one sending a bad decryption share, named in the report); only qualified bidders' \
            price envelopes are opened; both reports are signed by the members and verified.
            """)

    @Option(help: "Number of bidders.") var bidders: Int = 20
    @Option(help: "Committee members (n).") var members: Int = 5
    @Option(help: "Threshold t: the smallest number of members who can open.") var threshold: Int = 3
    @Option(help: "Size of each technical document in bytes.") var bidSize: Int = 1 << 20
    @Option(help: "Working directory (default: a new temporary one).") var workdir: String?

    func validate() throws {
        guard (1...10_000).contains(bidders) else { throw ValidationError("--bidders must be 1...10000") }
        guard (1...255).contains(members) else { throw ValidationError("--members must be 1...255") }
        guard threshold >= 1, threshold <= members else { throw ValidationError("--threshold must be 1...members") }
        guard bidSize >= 0, bidSize <= 1 << 32 else { throw ValidationError("--bid-size must be 0...4 GiB") }
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
        let tenderID = try TenderID("LPSE-2026-0042")
        let technical = try StageName("technical"), price = try StageName("price")
        let technicalEnvelope = try EnvelopeName("technical"), priceEnvelope = try EnvelopeName("price")

        // 1. The committee generates one key per stage without a dealer.
        let committee = (1...members).map { MemberKeys(id: MemberID(integerLiteral: UInt16($0))) }
        let (technicalKey, technicalShares) = try await step("DKG, technical stage") { try runDKG(committee, stage: technical.value, threshold: threshold) }
        let (priceKey, priceShares) = try await step("DKG, price stage") { try runDKG(committee, stage: price.value, threshold: threshold) }
        for (name, key) in [("technical", technicalKey), ("price", priceKey)] {
            try writeFresh(key.roster.encoded, to: "\(dir)/roster-\(name).bin")
            try writeFresh(key.encoded, to: "\(dir)/stage-key-\(name).bin")
        }
        let tender = try Tender(
            id: tenderID, deadline: Date().addingTimeInterval(3600), stages: [technicalKey, priceKey],
            envelopes: [(technicalEnvelope, technical), (priceEnvelope, price)])

        // 2. The portal, with a test time-stamp authority.
        let tsa = try? TestAuthority.make(in: "\(dir)/tsa")
        let virtualTime = ManualClock(Date())
        let portalKey = try NoteSigner(name: "lpse.example.go.id/portal", key: Ed25519PrivateKey())
        let origin = "lpse.example.go.id/portal/\(tenderID)"
        let portal = try PortalService(
            tender: tenderID, directory: "\(dir)/portal", origin: origin, deadline: tender.deadline, grace: 600, signer: portalKey,
            clock: { virtualTime.now }, timestamper: tsa?.timestamper)

        // 3. Bidders seal two-envelope bids; the portal verifies and logs each one.
        try FileManager.default.createDirectory(atPath: "\(dir)/bidders", withIntermediateDirectories: true)
        var bidDigests: [String: [UInt8]] = [:]
        var registered: [String: Ed25519PublicKey] = [:]
        let receipts: [Receipt] = try await step("seal and submit \(bidders) bids") {
            var receipts: [Receipt] = []
            for i in 1...bidders {
                let bidder = try BidderID(String(format: "BIDDER-%04d", i))
                let technicalFile = "\(dir)/bidders/\(bidder).technical.pdf", priceFile = "\(dir)/bidders/\(bidder).price.txt"
                try writeRandom(bytes: bidSize, to: technicalFile)
                try Data("IDR \(1_000_000_000 + i * 7_919_000)\n".utf8).write(to: URL(fileURLWithPath: priceFile))
                let bidPath = "\(dir)/bidders/\(bidder).sbid"
                // Each bidder registered its signing key with the portal beforehand.
                let signingKey = Ed25519PrivateKey()
                registered[bidder.value] = signingKey.publicKey
                let summary = try tender.seal(
                    bidder: bidder, signer: .ed25519(signingKey),
                    files: [technicalEnvelope: technicalFile, priceEnvelope: priceFile], escrowKey: HPKE.PrivateKey().publicKey,
                    to: bidPath)
                bidDigests[bidder.value] = summary.bidDigest
                let receipt = try await portal.accept(
                    bidAt: bidPath, from: bidder, policy: SignerPolicy(ed25519Keys: [signingKey.publicKey]))
                try writeFresh(receipt.encoded, to: "\(dir)/bidders/\(bidder).receipt")
                receipts.append(receipt)
                virtualTime.advance(3000.0 / Double(bidders))  // every bid well before the deadline
            }
            return receipts
        }
        let verifier = await portal.verifier
        let roots = tsa.map { [$0.root] }
        for receipt in receipts { _ = try receipt.verify(log: verifier, origin: origin, timestampRoots: roots) }

        // 4. The deadline passes: a late bid is refused and the log closes.
        virtualTime.set(tender.deadline.addingTimeInterval(1))
        let lateFile = "\(dir)/bidders/LATE.technical.pdf"
        try writeRandom(bytes: 1000, to: lateFile)
        let lateBid = "\(dir)/bidders/LATE.sbid"
        let lateKey = Ed25519PrivateKey()
        _ = try tender.seal(
            bidder: BidderID("BIDDER-LATE"), signer: .ed25519(lateKey),
            files: [technicalEnvelope: lateFile, priceEnvelope: lateFile], to: lateBid)
        var lateRefusal = "ACCEPTED (bug)"
        do {
            _ = try await portal.accept(bidAt: lateBid, from: BidderID("BIDDER-LATE"), policy: SignerPolicy(ed25519Keys: [lateKey.publicKey]))
        } catch let error as LogError {
            lateRefusal = "refused (\(error.code))"
        }
        let closing = try await portal.close()
        try writeFresh(Array(closing.note.serialized.utf8), to: "\(dir)/closing.note")
        let entries = try await portal.closedEntries()

        // 5. Technical stage: member n is absent, member 1 sends a bad share.
        let absent = committee.count >= threshold + 1 ? [committee.last!.id] : []
        let present = committee.filter { !absent.contains($0.id) }
        let cheater = present.count >= threshold + 1 ? present.first?.id : nil
        let technicalOpening = try StageOpening(
            tender: tender, stage: technical, closing: closing, logKey: verifier, origin: origin, entries: entries,
            bidPath: { portal.storedPath(bidDigest: $0) },
            policy: { bidder in SignerPolicy(ed25519Keys: registered[bidder].map { [$0] } ?? []) })
        var technicalReport = try await step("open technical stage (\(technicalOpening.bids.count) envelopes)") {
            let shares = try present.map { member in
                let share = try DecryptionShares.create(
                    share: technicalShares[member.id]!, stageKey: technicalKey, encapsulatedKeys: technicalOpening.encapsulatedKeys)
                return member.id == cheater ? corrupted(share) : share
            }
            return try technicalOpening.open(with: shares, into: "\(dir)/opened/technical", progress: progressBar("technical"))
        }
        for member in present { try technicalReport.sign(with: member) }
        try technicalReport.verify(roster: technicalKey.roster)

        // 6. Technical evaluation: every fifth bidder is disqualified; only qualified price envelopes open.
        let qualified = Set(technicalReport.lines.filter { $0.result == "opened" }.map(\.bidder).enumerated().filter { ($0.offset + 1) % 5 != 0 }.map(\.element))
        let priceOpening = try StageOpening(
            tender: tender, stage: price, closing: closing, logKey: verifier, origin: origin, entries: entries,
            bidPath: { portal.storedPath(bidDigest: $0) }, qualified: qualified,
            policy: { bidder in SignerPolicy(ed25519Keys: registered[bidder].map { [$0] } ?? []) })
        var priceReport = try await step("open price stage (\(priceOpening.bids.count) envelopes)") {
            let shares = try present.map { member in
                try DecryptionShares.create(share: priceShares[member.id]!, stageKey: priceKey, encapsulatedKeys: priceOpening.encapsulatedKeys)
            }
            return try priceOpening.open(with: shares, into: "\(dir)/opened/price", progress: progressBar("price"))
        }
        for member in present { try priceReport.sign(with: member) }
        try priceReport.verify(roster: priceKey.roster)
        let neverDecrypted = priceReport.lines.filter { $0.result.hasPrefix("not opened: not qualified") }.count

        // 7. Reports, and a bidder's own check of its line.
        for (name, report) in [("technical", technicalReport), ("price", priceReport)] {
            try report.json.write(to: URL(fileURLWithPath: "\(dir)/report-\(name).json"))
            try Data(report.markdown.utf8).write(to: URL(fileURLWithPath: "\(dir)/report-\(name).md"))
        }
        let firstBidder = String(format: "BIDDER-%04d", 1)
        let ownLineOK = technicalReport.line(for: firstBidder)?.bidDigest == bidDigests[firstBidder]?.hexString

        let opened = technicalReport.lines.filter { $0.result == "opened" }.count
        let culprits = technicalReport.culprits.map { "member \($0)" }.joined(separator: ", ")
        print("SealedBid demo: tender \(tenderID), \(bidders) bidders, \(threshold)-of-\(members) committee, bids of \(bidSize) bytes")
        print("  committee      DKG for 2 stages, transcripts signed by all \(members) members")
        print("  receipts       \(receipts.count) issued, all verified offline\(tsa == nil ? " (no openssl: no RFC 3161 tokens)" : ", each with an RFC 3161 token")")
        print("  late bid       \(lateRefusal)")
        print("  closing        checkpoint of \(closing.checkpoint.size) entries signed")
        print("  technical      \(opened)/\(technicalOpening.bids.count) opened by members \(technicalReport.participants.map(String.init).joined(separator: ", "))\(absent.isEmpty ? "" : "; absent: member \(absent[0].value)")\(culprits.isEmpty ? "" : "; bad share named: \(culprits)")")
        print("  price          \(priceReport.lines.filter { $0.result == "opened" }.count) opened for qualified bidders; \(neverDecrypted) disqualified never decrypted")
        print("  reports        signed by \(technicalReport.signatures.count) members and verified; bidder's own line \(ownLineOK ? "matches" : "DOES NOT MATCH")")
        for (name, duration) in timings { print("  time           \(name): \(format(duration))") }
        print("  total          \(format(clock.now - began)); files in \(dir)")
        guard lateRefusal.hasPrefix("refused"), ownLineOK, opened == technicalOpening.bids.count, cheater == nil || !culprits.isEmpty else {
            throw ExitCode.failure
        }
    }

    private func format(_ d: Duration) -> String {
        String(format: "%.2f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
}

/// An in-process DKG for one stage; returns the stage key and each member's share.
func runDKG(_ committee: [MemberKeys], stage: String, threshold: Int) throws -> (StageKey, [MemberID: SecretShare]) {
    let roster = try CommitteeRoster(committee: "LPSE-2026-0042", stage: stage, threshold: threshold, members: committee.map(\.card))
    var secrets: [DKG.Round1Secret] = [], packages: [DKG.Round1Package] = []
    for member in committee {
        let (secret, package) = try DKG.round1(roster: roster, keys: member)
        secrets.append(secret)
        packages.append(package)
    }
    var sealed: [SealedShare] = []
    for secret in secrets { sealed += try DKG.round2(secret, packages: packages) }
    var shares: [MemberID: SecretShare] = [:]
    var stageKey: StageKey?
    for secret in secrets {
        let (share, key) = try DKG.finish(secret, packages: packages, shares: sealed)
        shares[share.id] = share
        stageKey = key
    }
    guard let stageKey else { throw ValidationError("empty committee") }
    try DKG.confirm(stageKey: stageKey, signatures: committee.map { TranscriptSignature(stageKey: stageKey, keys: $0) })
    return (stageKey, shares)
}

/// A decryption-share batch with its first share moved: its proof no longer verifies.
func corrupted(_ shares: DecryptionShares) -> DecryptionShares {
    var bytes = shares.encoded
    // Replace D_1 by D_1 + G (still a valid point, wrong value).
    let at = 5 + 32 + 2 + 4 + 65
    if let point = try? P256Point(sec1: bytes[at..<(at + 65)]), let moved = try? point.adding(.generator) {
        bytes.replaceSubrange(at..<(at + 65), with: moved.uncompressedRepresentation)
    }
    return (try? DecryptionShares(encoded: bytes)) ?? shares
}

func writeRandom(bytes count: Int, to path: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil) else { throw ValidationError("cannot create \(path)") }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var remaining = count
    while remaining > 0 {
        let n = min(remaining, 1 << 20)
        try handle.write(contentsOf: SecureRandom.bytes(count: n))
        remaining -= n
    }
}

func writeFresh(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// A progress bar on standard error.
func progressBar(_ label: String) -> @Sendable (Int, Int) -> Void {
    { done, total in
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r  opening \(label) [\(bar)] \(done)/\(total)\(done == total ? "\n" : "")".utf8))
    }
}

/// A throwaway RFC 3161 authority for the demo: a CA and a TSA certificate made
/// with the `openssl` command, signing with OpenSSL's TS functions.
struct TestAuthority {
    let root: X509Certificate
    let authority: TimestampAuthority

    var timestamper: @Sendable ([UInt8]) throws -> [UInt8] {
        let authority = self.authority
        return { digest in
            let request = try TimestampRequest(digest: digest)
            let serial = UInt64(Date().timeIntervalSince1970 * 1_000_000)
            return try TimestampToken(response: authority.respond(to: request.derRepresentation, serial: serial)).derRepresentation
        }
    }

    static func make(in directory: String) throws -> TestAuthority {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try """
        [ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        [tsa]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature,nonRepudiation
        extendedKeyUsage = critical,timeStamping
        """.write(toFile: "\(directory)/ext.cnf", atomically: true, encoding: .utf8)
        func openssl(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ValidationError("openssl \(arguments.first ?? "") failed") }
        }
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"])
        try openssl(["req", "-new", "-x509", "-key", "ca.key", "-subj", "/CN=Demo TSA Root", "-days", "30", "-sha256",
                     "-extensions", "ca", "-config", "ext.cnf", "-out", "ca.pem"])
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "tsa.key"])
        try openssl(["req", "-new", "-key", "tsa.key", "-subj", "/CN=Demo TSA", "-out", "tsa.csr"])
        try openssl(["x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "30",
                     "-sha256", "-extfile", "ext.cnf", "-extensions", "tsa", "-out", "tsa.pem"])
        guard let root = try X509Certificate.certificates(pem: String(contentsOfFile: "\(directory)/ca.pem", encoding: .utf8)).first else {
            throw ValidationError("no demo CA certificate")
        }
        return TestAuthority(
            root: root,
            authority: try TimestampAuthority(
                certificatePEM: try String(contentsOfFile: "\(directory)/tsa.pem", encoding: .utf8),
                keyPEM: SecureBytes(contentsOfFile: "\(directory)/tsa.key")))
    }
}
