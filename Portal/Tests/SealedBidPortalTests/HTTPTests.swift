import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidKeyFiles
import SealedBidLog
import SealedBidMerkle
import PortalLoad
import SealedBidPortal
import SealedBidPrimitives
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A tender (2-of-3 committee per stage, in-process DKG; ``LoadTender``), its files, and
/// `sealbid-portal serve` processes over it: the real binary, on loopback, with the file store or
/// the test PostgreSQL.
final class PortalFixture: @unchecked Sendable {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-portal-\(UUID())").path
    let load: LoadTender
    var tender: Tender { load.tender }
    var keys: [String: Ed25519PrivateKey] { load.keys }
    private var servers: [ServeProcess] = []
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/sealbid-portal").path

    init(bidders: Int, deadline: Date = Date().addingTimeInterval(3600), grace: Int = 0, maxBidBytes: UInt64 = 1 << 30) throws {
        load = try LoadTender(dir: dir, bidders: bidders, deadline: deadline, grace: grace, maxBidBytes: maxBidBytes)
    }

    /// Over a tender made elsewhere (with witnesses or an authority).
    init(load: LoadTender) {
        self.load = load
    }

    func stopServers() {
        for server in servers { server.stop() }
        servers = []
    }

    deinit {
        for server in servers { server.stop() }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Starts `sealbid-portal serve` with its own data folder (or `dataDir`); returns its base URL.
    func serve(
        database: String, name: String, dataDir: String? = nil, uploads: String? = nil, witnesses: [(key: CosignerVerifier, url: String)] = [],
        timestampAuthority: String? = nil
    ) async throws -> URL {
        let server = try await ServeProcess.start(
            binary: Self.binary,
            config: try load.writeConfig(
                name: name, database: database, dataDir: dataDir, uploads: uploads, witnesses: witnesses, timestampAuthority: timestampAuthority))
        servers.append(server)
        return server.url
    }

    /// A sealed bid of `bidder` (signed by `signer`, by default its registered key), as bytes.
    func seal(_ bidder: String, signer: Ed25519PrivateKey? = nil, for other: Tender? = nil, size: Int = 20000) throws -> [UInt8] {
        let path = try load.seal(bidder, signer: signer, for: other, size: size)
        defer { unlink(path) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

struct HTTPAnswer {
    let status: Int
    let body: [UInt8]
    var code: String? {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: String])?["code"]
    }
}

func http(_ method: String, _ url: URL, _ path: String, body: [UInt8]? = nil, bidder: String? = nil) async throws -> HTTPAnswer {
    var request = URLRequest(url: url.appendingPathComponent(path))
    request.httpMethod = method
    if let bidder { request.setValue(bidder, forHTTPHeaderField: "Sealedbid-Bidder") }
    let (data, response) =
        if let body { try await URLSession.shared.upload(for: request, from: Data(body)) } else { try await URLSession.shared.data(for: request) }
    return HTTPAnswer(status: (response as! HTTPURLResponse).statusCode, body: Array(data))
}

/// Reads the whole log through the tiles (each hash tile checked against its entries) and
/// returns its entries and root.
func readLogThroughTiles(_ url: URL, size: UInt64) async throws -> (entries: [[UInt8]], root: [UInt8]) {
    let entries = try await PortalLoad.readLogThroughTiles(size: size) { path in
        let answer = try await http("GET", url, path)
        return (answer.status, answer.body)
    }
    return (entries, try prefixRoots(entries, sizes: [size])[size]!)
}

@Suite("The portal over HTTP: a real sealbid-portal process", .serialized)
struct HTTPTests {
    @Test("upload, receipt, duplicate, refusals with their codes, tiles consistent with the checkpoint", arguments: ["file", "postgres"])
    func endToEnd(database: String) async throws {
        let f = try PortalFixture(bidders: 3, maxBidBytes: 200_000)
        let url = try await f.serve(database: database == "file" ? "file" : try TestDatabase.url, name: "one")
        #expect(try await http("GET", url, "health").status == 200)
        #expect(try await http("GET", url, "tender").body == f.tender.encoded)

        let bid = try f.seal("BIDDER-1")
        let first = try await http("POST", url, "bids", body: bid, bidder: "BIDDER-1")
        #expect(first.status == 200)
        let verified = try f.tender.verify(receipt: Receipt(encoded: first.body))
        #expect(verified.entry.bidder == "BIDDER-1")
        // The same file again: the same entry (a retry after a lost answer is safe).
        let again = try await http("POST", url, "bids", body: bid, bidder: "BIDDER-1")
        #expect(again.status == 200)
        let retried = try f.tender.verify(receipt: Receipt(encoded: again.body))
        #expect(retried.index == verified.index)
        #expect(retried.entry == verified.entry)
        // GET by digest.
        let byDigest = try await http("GET", url, "receipts/\(verified.entry.bidDigest.hexString)")
        #expect(byDigest.status == 200)
        #expect(try f.tender.verify(receipt: Receipt(encoded: byDigest.body)).index == verified.index)

        // Refusals: status, stable code, nothing logged.
        let other = try PortalFixture(bidders: 1)
        let refusals: [(String, [UInt8], String, Int, String)] = [
            // Sealed for another tender (and to its committee's keys): the tender is checked first.
            ("wrong tender", try other.seal("BIDDER-1", signer: f.keys["BIDDER-1"], for: other.tender), "BIDDER-1", 422, "wrong-tender"),
            ("unregistered bidder", try f.seal("MALLORY"), "MALLORY", 422, "untrusted-signer"),
            ("someone else's key", try f.seal("BIDDER-2", signer: f.keys["BIDDER-3"]), "BIDDER-2", 422, "untrusted-signer"),
            ("malformed", Array("not a bid".utf8), "BIDDER-2", 422, "not-a-bid"),
            ("oversized", try f.seal("BIDDER-2", size: 300_000), "BIDDER-2", 413, "bid-too-large"),
            // The uploader's registered keys did not sign it.
            ("uploader is not the bid's bidder", try f.seal("BIDDER-2"), "BIDDER-3", 422, "untrusted-signer"),
        ]
        for (what, body, bidder, status, code) in refusals {
            let answer = try await http("POST", url, "bids", body: body, bidder: bidder)
            #expect(answer.status == status, "\(what)")
            #expect(answer.code == code, "\(what): \(String(decoding: answer.body, as: UTF8.self))")
        }
        let missing = try await http("POST", url, "bids", body: try f.seal("BIDDER-2"))
        #expect(missing.status == 400 && missing.code == "missing-bidder")
        #expect(try await http("GET", url, "receipts/\(String(repeating: "ab", count: 32))").code == "not-logged")
        #expect(try await http("GET", url, "bids/\(verified.entry.bidDigest.hexString)").status == 403)  // before the closing

        let second = try await http("POST", url, "bids", body: try f.seal("BIDDER-2"), bidder: "BIDDER-2")
        #expect(second.status == 200)
        let checkpointText = String(decoding: try await http("GET", url, "checkpoint").body, as: UTF8.self)
        let checkpoint = try SignedCheckpoint(serialized: checkpointText)
        _ = try checkpoint.note.verify(with: [f.tender.log])
        #expect(checkpoint.checkpoint.size == 2)  // nothing refused was logged
        let log = try await readLogThroughTiles(url, size: checkpoint.checkpoint.size)
        #expect(log.root == checkpoint.checkpoint.rootHash)
        #expect(log.entries[0] == verified.entry.encoded)
        #expect(try await http("GET", url, "tile/0/001").status == 404)
        #expect(try await http("GET", url, "tile/0/x000/001").status == 404)  // not canonical
        // Indices whose leaves overflow 64 bits: refused as no tile, never a trap.
        for path in ["tile/0/x018/x446/x744/x073/x709/x551/999", "tile/0/x100/x000/x000/x000/x000/000", "tile/entries/x072/x057/x594/x037/x927/x935/.p/7"] {
            #expect(try await http("GET", url, path).status == 404, "\(path)")
        }
        // The largest tile index whose leaves fit in 64 bits parses; the next one does not.
        #expect(Tiles.parse(["0", "x072", "x057", "x594", "x037", "x927", "934"])?.index == 72_057_594_037_927_934)
        #expect(Tiles.parse(["0", "x072", "x057", "x594", "x037", "x927", "935"]) == nil)
        #expect(Tiles.parse(["0", "x018", "x446", "x744", "x073", "x709", "x551", "999"]) == nil)
        // Nothing refused was stored: the bids folder holds the two accepted bids only.
        let stored = try FileManager.default.contentsOfDirectory(atPath: "\(f.dir)/data-one/bids").filter { !$0.hasPrefix(".") }
        #expect(stored.count == 2)
    }

    @Test("two serve processes on one database, bids uploaded to both at once: one log, no index twice, every receipt in the closing checkpoint")
    func twoInstances() async throws {
        let bidders = 24
        let f = try PortalFixture(bidders: bidders, deadline: Date().addingTimeInterval(40))
        let database = try TestDatabase.url
        // One database, one shared folder for bid files (docs/deployment.md: a shared file system).
        let urls = [try await f.serve(database: database, name: "a", dataDir: "shared"), try await f.serve(database: database, name: "b", dataDir: "shared")]
        let bids = try (1...bidders).map { try f.seal("BIDDER-\($0)") }
        let receipts = try await withThrowingTaskGroup(of: (Int, HTTPAnswer).self) { group in
            for i in 0..<bidders {
                group.addTask { (i, try await http("POST", urls[i % 2], "bids", body: bids[i], bidder: "BIDDER-\(i + 1)")) }
            }
            return try await group.reduce(into: [Int: HTTPAnswer]()) { $0[$1.0] = $1.1 }
        }
        var indices: [UInt64: Int] = [:]
        var verifiedReceipts: [VerifiedReceipt] = []
        for (i, answer) in receipts {
            #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
            let verified = try f.tender.verify(receipt: Receipt(encoded: answer.body))
            #expect(indices[verified.index] == nil, "index \(verified.index) handed out twice")
            indices[verified.index] = i
            verifiedReceipts.append(verified)
        }
        #expect(Set(indices.keys) == Set(0..<UInt64(bidders)))
        // A retry on the other instance gets the same receipt.
        let retry = try await http("POST", urls[1], "bids", body: bids[0], bidder: "BIDDER-1")
        #expect(retry.status == 200)
        #expect(try f.tender.verify(receipt: Receipt(encoded: retry.body)).entry == f.tender.verify(receipt: Receipt(encoded: receipts[0]!.body)).entry)

        // After the deadline, either instance closes; both give the same closing checkpoint.
        while Date() < f.tender.deadline.addingTimeInterval(1) { try await Task.sleep(for: .milliseconds(200)) }
        let late = try await http("POST", urls[0], "bids", body: try f.seal("BIDDER-1"), bidder: "BIDDER-1")
        #expect(late.status == 403 && late.code == "log-closed")
        let closingA = try await http("GET", urls[0], "closing"), closingB = try await http("GET", urls[1], "closing")
        #expect(closingA.status == 200)
        #expect(closingA.body == closingB.body)
        let closing = try SignedCheckpoint(serialized: String(decoding: closingA.body, as: UTF8.self))
        _ = try closing.note.verify(with: [f.tender.log])
        #expect(closing.checkpoint.size == UInt64(bidders))
        for url in urls {
            let log = try await readLogThroughTiles(url, size: closing.checkpoint.size)
            #expect(log.root == closing.checkpoint.rootHash)
            for receipt in verifiedReceipts { #expect(log.entries[Int(receipt.index)] == receipt.entry.encoded) }
        }
        // After the closing the committee fetches every bid, from either instance, byte for byte.
        for (i, answer) in receipts {
            let digest = try Receipt(encoded: answer.body).verify(log: f.tender.log, origin: f.tender.origin).entry.bidDigest
            let fetched = try await http("GET", urls[(i + 1) % 2], "bids/\(digest.hexString)")
            #expect(fetched.status == 200)
            #expect(fetched.body == bids[i])
        }
    }
}
