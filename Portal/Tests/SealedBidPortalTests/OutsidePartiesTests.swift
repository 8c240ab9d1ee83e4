import Foundation
import PortalLoad
import SealedBid
import SealedBidEnvelope
import SealedBidHTTP
import SealedBidKeyFiles
import SealedBidLog
import SealedBidMerkle
import SealedBidPortal
import SealedBidPrimitives
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The parties outside the portal, as real processes on loopback: two `sealbid-witness serve`
/// (C2SP tlog-witness) and an RFC 3161 authority that is not this library (`openssl ts -reply`
/// behind `scripts/loopback-tsa`).
final class OutsideParties: @unchecked Sendable {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-outside-\(UUID())").path
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let witnessBinary = root.appendingPathComponent("Portal/.build/debug/sealbid-witness").path
    let witnessKeys = [Ed25519PrivateKey(), Ed25519PrivateKey(), Ed25519PrivateKey()]
    var cosigners: [CosignerVerifier] { witnessKeys.enumerated().map { try! CosignerVerifier(name: "witness.example/w\($0.offset + 1)", publicKey: $0.element.publicKey) } }
    private(set) var witnesses: [ServeProcess?] = [nil, nil, nil]
    private var tsa: ServeProcess?
    private(set) var tsaURL = ""
    private(set) var tsaRoots: [X509Certificate] = []

    init() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    deinit {
        for witness in witnesses { witness?.stop() }
        tsa?.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// `scripts/loopback-tsa init` and `serve` on a free port.
    func startAuthority() async throws {
        let script = Self.root.appendingPathComponent("scripts/loopback-tsa").path
        let initialise = Process()
        initialise.executableURL = URL(fileURLWithPath: script)
        initialise.arguments = ["init", "\(dir)/tsa"]
        initialise.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try initialise.run()
        initialise.waitUntilExit()
        #expect(initialise.terminationStatus == 0)
        tsa = try await ServeProcess.start(binary: script, config: "", arguments: ["serve", "\(dir)/tsa"])
        tsaURL = tsa!.url.absoluteString + "/"
        tsaRoots = try X509Certificate.certificates(pem: String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(dir)/tsa/root.pem")), as: UTF8.self))
    }

    /// Starts (or restarts, on its kept state) witness `n` for `log`.
    func startWitness(_ n: Int, log: NoteVerifier) async throws {
        let key = "\(dir)/w\(n).key"
        if !FileManager.default.fileExists(atPath: key) {
            try KeyFile.write(witnessKeys[n].seed, kind: .ed25519Private, to: key, comment: "test witness key")
        }
        let config = """
            {"name": "\(cosigners[n].name)", "key": "w\(n).key", "stateDir": "w\(n)-state", "logs": ["\(log.verifierKey)"], "listen": "127.0.0.1:0"}
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: "\(dir)/w\(n).json"))
        witnesses[n] = try await ServeProcess.start(binary: Self.witnessBinary, config: "\(dir)/w\(n).json")
    }

    func stopWitness(_ n: Int) {
        witnesses[n]?.stop()
        witnesses[n] = nil
    }

    func endpoints() -> [(key: CosignerVerifier, url: String)] {
        cosigners.enumerated().compactMap { n, key in witnesses[n].map { (key, $0.url.absoluteString) } }
    }
}

@Suite("Witnesses and an outside time-stamp authority, over HTTP", .serialized)
struct OutsidePartiesTests {
    @Test("a portal with two witnesses (quorum 2) and an outside RFC 3161 authority: every receipt and the closing carry the quorum and a token that openssl verifies; a fork is refused by a witness; a witness down refuses submissions until it is back")
    func witnessedTender() async throws {
        let outside = try OutsideParties()
        try await outside.startAuthority()
        let policy = try WitnessPolicy(witnesses: Array(outside.cosigners.prefix(2)), quorum: 2)
        let portal = try PortalFixture(load: LoadTender(
            dir: outside.dir + "/tender", bidders: 3, deadline: Date().addingTimeInterval(12), witnesses: policy, tsaRoots: outside.tsaRoots))
        for n in 0..<2 { try await outside.startWitness(n, log: portal.tender.log) }
        let url = try await portal.serve(
            database: "file", name: "a", witnesses: outside.endpoints(), timestampAuthority: outside.tsaURL)
        var receipts: [Receipt] = []
        for n in 1...2 {
            let answer = try await http("POST", url, "bids", body: try portal.seal("BIDDER-\(n)"), bidder: "BIDDER-\(n)")
            #expect(answer.status == 201 || answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
            receipts.append(try Receipt(encoded: answer.body))
        }
        for receipt in receipts {
            let verified = try portal.tender.verify(receipt: receipt)  // the quorum, the token, the deadline rules
            #expect(try policy.cosignatures(on: verified.checkpoint.note).count == 2)
            // openssl, not this library, verifies the authority's token over SHA-256(entry).
            let token = "\(outside.dir)/token-\(verified.index).der"
            try Data(try #require(verified.timestampToken)).write(to: URL(fileURLWithPath: token))
            #expect(try run("/usr/bin/openssl", ["ts", "-verify", "-token_in", "-in", token, "-digest", SHA256.hash(verified.entry.encoded).hexString,
                "-CAfile", "\(outside.dir)/tsa/root.pem"]).contains("Verification: OK"))
        }
        // Without the quorum a checkpoint is refused: the receipt's note with its cosignatures removed.
        let stripped = try portal.tender.verify(receipt: receipts[1]).checkpoint
        let logLines = stripped.note.signatures.filter { $0.name == portal.tender.origin }
        let logOnly = try SignedCheckpoint(note: SignedNote(parsing: stripped.note.text + "\n" + logLines.map {
            "— \($0.name) \(Data($0.keyID + $0.signature).base64EncodedString())\n" }.joined()))
        try logOnly.verifySignatures(log: portal.tender.log, origin: portal.tender.origin)
        #expect(throws: LogError.self) { try logOnly.verifySignatures(log: portal.tender.log, origin: portal.tender.origin, witnesses: policy) }

        // A fork: the portal's key signs another log of the same size; the witness refuses it (422).
        let fork = try SignedCheckpoint(note: SignedNote(
            text: try Checkpoint(origin: portal.tender.origin, size: stripped.checkpoint.size, rootHash: SHA256.hash(Array("fork".utf8))).text,
            signers: [NoteSigner(name: portal.tender.origin, key: KeyFile.ed25519PrivateKey(portal.load.dir + "/log.key"))]))
        let forkBody = Witness.addCheckpointBody(oldSize: stripped.checkpoint.size, proof: [], checkpoint: fork)
        let refused = try await HTTPWitness(url: outside.witnesses[0]!.url).addCheckpoint(forkBody)
        #expect(refused.status == 422)

        // A witness down: the quorum of 2 is not met; the submission is refused (503), nothing is acknowledged.
        outside.stopWitness(1)
        let bid3 = try portal.seal("BIDDER-3")
        let down = try await http("POST", url, "bids", body: bid3, bidder: "BIDDER-3")
        #expect(down.status == 503 && down.code == "quorum-not-met")
        // Back on its kept state (same port is not needed: the portal's configuration names a URL,
        // so restart the portal too with the new address).
        try await outside.startWitness(1, log: portal.tender.log)
        portal.stopServers()
        let again = try await portal.serve(database: "file", name: "a", witnesses: outside.endpoints(), timestampAuthority: outside.tsaURL)
        let bidPath = outside.dir + "/bid3.sbid"
        try Data(bid3).write(to: URL(fileURLWithPath: bidPath))
        let digest = try BidHeader.read(from: FileSource(path: bidPath)).bidDigest.hexString
        let retried = try await http("GET", again, "receipts/\(digest)")
        #expect(retried.status == 200)
        _ = try portal.tender.verify(receipt: try Receipt(encoded: retried.body))

        // The closing, once the deadline has passed, is cosigned by the quorum.
        try await Task.sleep(for: .seconds(max(0, portal.tender.deadline.timeIntervalSinceNow) + 1))
        var closing: HTTPAnswer?
        for _ in 0..<20 {
            closing = try await http("GET", again, "closing")
            if closing?.status == 200 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let note = try SignedCheckpoint(serialized: String(decoding: try #require(closing).body, as: UTF8.self))
        _ = try portal.tender.verifyClosing(note)
        #expect(note.checkpoint.size == 3)
    }

    @Test("two of three witnesses: the third answers after the quorum, and no submission, checkpoint or health probe ever waits for it (the round returns at the quorum and never cancels a request in flight)")
    func quorumOfThree() async throws {
        let outside = try OutsideParties()
        let policy = try WitnessPolicy(witnesses: outside.cosigners, quorum: 2)
        let portal = try PortalFixture(load: LoadTender(
            dir: outside.dir + "/tender", bidders: 2, deadline: Date().addingTimeInterval(3600), witnesses: policy))
        for n in 0..<3 { try await outside.startWitness(n, log: portal.tender.log) }
        let url = try await portal.serve(database: "file", name: "three", witnesses: outside.endpoints())
        let started = ContinuousClock.now
        for round in 0..<20 {
            for n in 1...2 {
                let answer = try await http("POST", url, "bids", body: try portal.seal("BIDDER-\(n)", size: 64), bidder: "BIDDER-\(n)")
                try #require(answer.status == 200, "\(round) \(n): \(String(decoding: answer.body, as: UTF8.self))")
                let receipt = try portal.tender.verify(receipt: try Receipt(encoded: answer.body))
                #expect(try policy.cosignatures(on: receipt.checkpoint.note).count >= 2)
            }
            #expect(try await http("GET", url, "checkpoint").status == 200)
            #expect(try await http("GET", url, "health").status == 200)
        }
        // 40 submissions, 20 checkpoints and 20 probes: seconds, not a minute-long hang.
        #expect(ContinuousClock.now - started < .seconds(50))
    }

    @Test("an independent implementation (Go, golang.org/x/mod sumdb/note and tlog) agrees on every cosigned checkpoint, proof and tile of a witnessed log of 300 entries")
    func independentJudge() async throws {
        let judge = try C2SPJudge()
        let outside = try OutsideParties()
        let policy = try WitnessPolicy(witnesses: Array(outside.cosigners.prefix(2)), quorum: 2)
        let portal = try PortalFixture(load: LoadTender(
            dir: outside.dir + "/tender", bidders: 3, deadline: Date().addingTimeInterval(3600), witnesses: policy))
        for n in 0..<2 { try await outside.startWitness(n, log: portal.tender.log) }
        let url = try await portal.serve(database: "file", name: "judge", witnesses: outside.endpoints())
        var receipts: [VerifiedReceipt] = []
        for round in 0..<100 {
            for n in 1...3 {
                let answer = try await http("POST", url, "bids", body: try portal.seal("BIDDER-\(n)", size: 64), bidder: "BIDDER-\(n)")
                try #require(answer.status == 200, "\(round) \(n): \(String(decoding: answer.body, as: UTF8.self))")
                if round % 33 == 0 { receipts.append(try portal.tender.verify(receipt: try Receipt(encoded: answer.body))) }
            }
        }
        let latest = try SignedCheckpoint(serialized: String(decoding: try await http("GET", url, "checkpoint").body, as: UTF8.self))
        #expect(latest.checkpoint.size == 300)
        let witnessArguments = outside.cosigners.prefix(2).flatMap { ["--witness-vkey", $0.verifierKey] }
        let (entries, root) = try await readLogThroughTiles(url, size: 300)
        var tree = MerkleTree()
        for entry in entries { tree.append(leafHash: MerkleTreeHash.leafHash(entry)) }
        for (n, receipt) in (receipts + [nil]).enumerated() {
            let checkpoint = receipt?.checkpoint ?? latest
            // The note: the log's signature and both cosignatures, by x/mod's note.Open.
            let note = try judge.file("note-\(n)", Array(checkpoint.note.serialized.utf8))
            let verdict = try judge.run(["note", "--log-vkey", portal.tender.log.verifierKey] + witnessArguments + ["--quorum", "2", note])
            #expect(verdict["ok"] as? Bool == true && (verdict["witnesses"] as? [String])?.count == 2, "\(verdict)")
            let rootBase64 = Data(checkpoint.checkpoint.rootHash).base64EncodedString()
            let size = checkpoint.checkpoint.size
            // Without the quorum, the same judge refuses: only the log's line kept.
            let logOnly = try judge.file("log-only-\(n)", Array((checkpoint.note.text + "\n" + checkpoint.note.serialized.split(separator: "\n")
                .filter { $0.hasPrefix("— \(portal.tender.origin) ") }.map { $0 + "\n" }.joined()).utf8))
            #expect(try judge.run(["note", "--log-vkey", portal.tender.log.verifierKey] + witnessArguments + ["--quorum", "1", logOnly])["ok"] as? Bool == false)
            guard let receipt else { continue }
            // The receipt's inclusion proof, by tlog.CheckRecord.
            let proof = try tree.inclusionProof(index: receipt.index, size: size)
            let proofFile = try judge.file("inclusion-\(n)", Array(proof.map { Data($0).base64EncodedString() + "\n" }.joined().utf8))
            #expect(try judge.run([
                "inclusion", "--leaf-hash", receipt.entry.leafHash.hexString, "--index", String(receipt.index), "--size", String(size),
                "--root", rootBase64, "--proof-file", proofFile,
            ])["ok"] as? Bool == true)
            // The receipt's tree is a prefix of the latest, by tlog.CheckTree.
            let consistency = try tree.consistencyProof(size1: size, size2: 300)
            let consistencyFile = try judge.file("consistency-\(n)", Array(consistency.map { Data($0).base64EncodedString() + "\n" }.joined().utf8))
            #expect(try judge.run([
                "consistency", "--old-size", String(size), "--old-root", rootBase64, "--size", "300",
                "--root", Data(latest.checkpoint.rootHash).base64EncodedString(), "--proof-file", consistencyFile,
            ])["ok"] as? Bool == true)
        }
        // The tiles as served, written out as files: the tree hash from x/mod's TileHashReader,
        // every leaf against its entry bundle, no full tile standing in for a partial one.
        let tiles = outside.dir + "/tiles"
        var level = 0
        var count: UInt64 = 300
        while count > 0 {
            for index in 0...(count - 1) / 256 {
                let width = min(256, count - index * 256)
                let suffix = Tiles.encode(index: index) + (width < 256 ? ".p/\(width)" : "")
                for path in (level == 0 ? ["tile/entries/\(suffix)"] : []) + ["tile/\(level)/\(suffix)"] {
                    let answer = try await http("GET", url, path)
                    try #require(answer.status == 200, "\(path)")
                    let file = "\(tiles)/\(path)"
                    try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: file).deletingLastPathComponent().path, withIntermediateDirectories: true)
                    try Data(answer.body).write(to: URL(fileURLWithPath: file))
                }
            }
            level += 1
            count >>= 8
        }
        let verdict = try judge.run(["tiles", "--dir", tiles, "--size", "300", "--root", Data(root).base64EncodedString()])
        #expect(verdict["ok"] as? Bool == true && (verdict["fallbacks"] as? [Any])?.isEmpty == true && verdict["entries"] as? Int == 300, "\(verdict)")
        #expect(root == latest.checkpoint.rootHash)
    }

    @Test("the file-based CLI portal with two sealbid-witness processes: receipts and the closing carry the quorum, a witness down refuses a submission, and a bidder proves its entry is in the closing")
    func cliPortal() async throws {
        let sealbid = OutsideParties.root.appendingPathComponent(".build/debug/sealbid").path
        try #require(FileManager.default.isExecutableFile(atPath: sealbid), "build the main package first (swift build)")
        func cli(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: sealbid)
            process.arguments = arguments
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let outside = try OutsideParties()
        // The witnesses' verifier keys as an organiser gets them: sealbid witness key.
        for n in 0..<2 {
            try KeyFile.writePair(ed25519: outside.witnessKeys[n], to: "\(outside.dir)/cli-w\(n).key")
            let printed = try cli(["witness", "key", "--name", outside.cosigners[n].name, "--public-key", "\(outside.dir)/cli-w\(n).key.pub"])
            #expect(printed.status == 0 && printed.output == outside.cosigners[n].verifierKey + "\n", "\(printed)")
        }
        let policy = try WitnessPolicy(witnesses: Array(outside.cosigners.prefix(2)), quorum: 2)
        let load = try LoadTender(dir: outside.dir + "/tender", bidders: 2, deadline: Date().addingTimeInterval(8), witnesses: policy)
        for n in 0..<2 { try await outside.startWitness(n, log: load.tender.log) }
        let tender = ["--tender", load.dir + "/tender.txt", "--tender-digest", load.tender.digest.hexString]
        let urls = outside.endpoints().flatMap { ["--witness-url", $0.url] }
        let dir = outside.dir + "/portal"
        // One URL per witness of the descriptor: fewer is a usage error, and nothing is created.
        #expect(try cli(["portal", "init", "--dir", dir, "--log-key", load.dir + "/log.key"] + tender + Array(urls.prefix(2))).status == 64)
        #expect(!FileManager.default.fileExists(atPath: dir))
        let initialised = try cli(["portal", "init", "--dir", dir, "--log-key", load.dir + "/log.key"] + tender + urls)
        try #require(initialised.status == 0, "\(initialised.output)")
        let bid1 = try load.seal("BIDDER-1", size: 100, to: outside.dir + "/b1.sbid")
        let submitted = try cli(["portal", "submit", "--dir", dir, "--bidder", "BIDDER-1", "--bid", bid1, "--receipt", outside.dir + "/r1"])
        try #require(submitted.status == 0, "\(submitted.output)")
        let verified = try cli(["receipt", "verify", outside.dir + "/r1"] + tender)
        #expect(verified.status == 0 && verified.output.contains("cosigned by 2 witness(es), quorum 2"), "\(verified.output)")
        // A witness down: refused with quorum-not-met; the entry is durable, and once the witness
        // is back the same file gets its receipt.
        outside.stopWitness(1)
        let bid2 = try load.seal("BIDDER-2", size: 100, to: outside.dir + "/b2.sbid")
        let refused = try cli(["portal", "submit", "--dir", dir, "--bidder", "BIDDER-2", "--bid", bid2, "--receipt", outside.dir + "/r2"])
        #expect(refused.status == 1 && refused.output.contains("quorum-not-met"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: outside.dir + "/r2"))
        try await outside.startWitness(1, log: load.tender.log)
        // Its new port: the portal's configuration names the witness URLs.
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/portal.json"))) as! [String: Any]
        config["witnessURLs"] = outside.endpoints().map(\.url)
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/portal.json"))
        let retried = try cli(["portal", "submit", "--dir", dir, "--bidder", "BIDDER-2", "--bid", bid2, "--receipt", outside.dir + "/r2"])
        #expect(retried.status == 0, "\(retried.output)")
        #expect(try cli(["receipt", "verify", outside.dir + "/r2"] + tender).status == 0)
        // The closing, cosigned; the bidder's end check with a consistency proof.
        try await Task.sleep(for: .seconds(max(0, load.tender.deadline.timeIntervalSinceNow) + 1))
        let closed = try cli(["portal", "close", "--dir", dir, "--out", outside.dir + "/closing.note"])
        try #require(closed.status == 0, "\(closed.output)")
        let closing = try SignedCheckpoint(serialized: String(decoding: try Data(contentsOf: URL(fileURLWithPath: outside.dir + "/closing.note")), as: UTF8.self))
        _ = try load.tender.verifyClosing(closing)
        let proved = try cli(["portal", "prove-consistency", "--log", dir + "/log.bin", "--from", "1", "--to", "2", "--out", outside.dir + "/p.bin"])
        try #require(proved.status == 0, "\(proved.output)")
        let end = try cli(["receipt", "verify", outside.dir + "/r1"] + tender + ["--closing", outside.dir + "/closing.note", "--proof", outside.dir + "/p.bin"])
        #expect(end.status == 0 && end.output.contains("in the closed log"), "\(end.output)")
        // A closing without the witnesses' lines (the log's signature alone) is refused.
        let logOnly = closing.note.text + "\n" + closing.note.serialized.split(separator: "\n")
            .filter { $0.hasPrefix("— \(load.tender.origin) ") }.map { $0 + "\n" }.joined()
        try Data(logOnly.utf8).write(to: URL(fileURLWithPath: outside.dir + "/bare.note"))
        let bare = try cli(["receipt", "verify", outside.dir + "/r1"] + tender + ["--closing", outside.dir + "/bare.note", "--proof", outside.dir + "/p.bin"])
        #expect(bare.status == 1 && bare.output.contains("quorum-not-met"), "\(bare.output)")
    }

    @Test("a portal that backdates received_at: the outside authority's token contradicts it, and the receipt fails")
    func backdating() async throws {
        let outside = try OutsideParties()
        try await outside.startAuthority()
        let load = try LoadTender(dir: outside.dir + "/tender", bidders: 1, deadline: Date().addingTimeInterval(7200), tsaRoots: outside.tsaRoots)
        let signer = try NoteSigner(name: load.tender.origin, key: KeyFile.ed25519PrivateKey(load.dir + "/log.key"))
        let authority = RFC3161Client(url: URL(string: outside.tsaURL)!, roots: outside.tsaRoots)
        func log(clockOffset: TimeInterval) throws -> SubmissionLog {
            // The dishonest portal skips the library's own check of the token against its clock.
            try SubmissionLog(
                origin: load.tender.origin, tender: load.tender.id.value, deadline: load.tender.deadline, signer: signer, store: MemoryLogStore(),
                clock: { Date().addingTimeInterval(clockOffset) }, timestamper: authority.timestamper, timestampsRequired: true)
        }
        let honest = try await log(clockOffset: 0).submit(kind: .submit, bidder: "BIDDER-1", bidDigest: SHA256.hash([1]), bidLength: 10)
        _ = try load.tender.verify(receipt: honest)
        // The authority's answer to this library's request, judged by rfc3161-client (PyPI) too.
        let python = try #require(ProcessInfo.processInfo.environment["SEALEDBID_PYTHON"], "SEALEDBID_PYTHON: run ./scripts/test, which prepares it")
        let digest = SHA256.hash(Array("judged by rfc3161-client".utf8))
        let query = try TimestampRequest(digest: digest)
        var request = URLRequest(url: URL(string: outside.tsaURL)!)
        request.httpMethod = "POST"
        request.setValue("application/timestamp-query", forHTTPHeaderField: "Content-Type")
        let (reply, _) = try await URLSession.shared.upload(for: request, from: Data(query.derRepresentation))
        try reply.write(to: URL(fileURLWithPath: "\(outside.dir)/reply.tsr"))
        _ = try TimestampToken(response: Array(reply)).verify(digest: digest, nonce: query.nonce, roots: outside.tsaRoots)
        let judge = OutsideParties.root.appendingPathComponent("Tests/Interop/timestamp_judge.py").path
        let verdict = try run(python, [judge, "\(outside.dir)/reply.tsr", digest.hexString, String(query.nonce), "\(outside.dir)/tsa/root.pem",
            "\(outside.dir)/tsa/tsa.pem"], stderr: false)
        #expect(verdict.contains("\"ok\": true"), "\(verdict)")
        let backdated = try await log(clockOffset: -3600).submit(kind: .submit, bidder: "BIDDER-1", bidDigest: SHA256.hash([2]), bidLength: 10)
        #expect(throws: LogError.self) { _ = try load.tender.verify(receipt: backdated) }
        do {
            _ = try load.tender.verify(receipt: backdated)
        } catch {
            #expect("\(error)".contains("timestamp-mismatch"), "\(error)")
        }
    }
}

/// The independent C2SP judge (`Tests/Interop/c2sp-judge`, Go against Debian's golang.org/x/mod),
/// built by `scripts/c2sp-judge`.
struct C2SPJudge {
    let binary: String
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-judge-\(UUID())").path

    init() throws {
        binary = try SealedBidPortalTests.run(OutsideParties.root.appendingPathComponent("scripts/c2sp-judge").path, [], stderr: false)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw LoadError("scripts/c2sp-judge did not build the judge") }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = "\(dir)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The judge's JSON verdict.
    func run(_ arguments: [String]) throws -> [String: Any] {
        let output = try SealedBidPortalTests.run(binary, arguments, stderr: false)
        guard let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw LoadError("the judge printed no JSON object: \(output)")
        }
        return object
    }
}

/// Runs a program and returns its standard output and error.
func run(_ program: String, _ arguments: [String], stderr: Bool = true) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = stderr ? out : FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
