import Foundation
import SealedBid
import SealedBidEnvelope
import SealedBidLog
import SealedBidPortal
import SealedBidPrimitives
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

func http(_ method: String, _ url: URL, _ path: String, body: [UInt8], bidder: String, headers: [String: String]) async throws -> HTTPAnswer {
    var request = URLRequest(url: url.appendingPathComponent(path))
    request.httpMethod = method
    request.setValue(bidder, forHTTPHeaderField: "Sealedbid-Bidder")
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let (data, response) = try await URLSession.shared.upload(for: request, from: Data(body))
    return HTTPAnswer(status: (response as! HTTPURLResponse).statusCode, body: Array(data))
}

extension PortalFixture {
    func header(of bid: [UInt8]) throws -> BidHeader { try BidHeader.read(from: MemorySource(bid)) }

    func commitment(_ bidder: String, for bid: [UInt8]) throws -> [UInt8] {
        try Commitment(tender: tender.id, bidder: BidderID(bidder), committing: header(of: bid).bidDigest, signer: .ed25519(keys[bidder]!)).encoded
    }

    func withdrawal(_ bidder: String, of bid: [UInt8]) throws -> [UInt8] {
        try Withdrawal(tender: tender.id, bidder: BidderID(bidder), withdrawing: header(of: bid).bidDigest, signer: .ed25519(keys[bidder]!)).encoded
    }
}

@Suite("Commit-then-upload, withdrawal and the deadline over HTTP: a real sealbid-portal process", .serialized)
struct LifecycleTests {
    @Test(
        "commit before the deadline and upload in the grace window; withdrawal; uploads racing the deadline: every accepted bid received before it, every later one log-closed",
        arguments: ["file", "postgres"])
    func deadlineRush(database: String) async throws {
        let racers = 8, rounds = 6
        let f = try PortalFixture(bidders: 3 + racers, deadline: Date().addingTimeInterval(30), grace: 15, maxBidBytes: 200_000)
        // Sealed before serving, so that the race is about HTTP and the log only.
        let committed = try f.seal("BIDDER-1"), withdrawn = try f.seal("BIDDER-2"), uncommitted = try f.seal("BIDDER-3")
        let raceBids = try (0..<racers).map { r in try (0..<rounds).map { _ in try f.seal("BIDDER-\(4 + r)", size: 2000) } }
        let url = try await f.serve(database: database == "file" ? "file" : try TestDatabase.url, name: "life")
        var receipts: [VerifiedReceipt] = []

        // Commit: the header alone and the signed statement.
        let header = try f.header(of: committed)
        let statement = try f.commitment("BIDDER-1", for: committed)
        let commit = try await http(
            "POST", url, "commitments", body: header.bytes, bidder: "BIDDER-1",
            headers: ["Sealedbid-Statement": Data(statement).base64EncodedString()])
        #expect(commit.status == 200, "\(String(decoding: commit.body, as: UTF8.self))")
        let commitReceipt = try f.tender.verify(receipt: Receipt(encoded: commit.body))
        #expect(commitReceipt.entry.kind == .commit)
        #expect(commitReceipt.entry.bidDigest == header.bidDigest)
        receipts.append(commitReceipt)
        // A statement for another bid, or none, is refused.
        let mismatch = try await http(
            "POST", url, "commitments", body: header.bytes, bidder: "BIDDER-1",
            headers: ["Sealedbid-Statement": Data(try f.commitment("BIDDER-1", for: withdrawn)).base64EncodedString()])
        #expect(mismatch.status == 409 && mismatch.code == "commitment-mismatch")
        let noStatement = try await http("POST", url, "commitments", body: header.bytes, bidder: "BIDDER-1")
        #expect(noStatement.status == 400 && noStatement.code == "missing-statement")
        // An upload without a commitment.
        let orphan = try await http("POST", url, "uploads", body: uncommitted, bidder: "BIDDER-3")
        #expect(orphan.status == 409 && orphan.code == "no-commitment")

        // Submit, then withdraw; the retried withdrawal gets the same entry; a withdrawal of a bid
        // that is no longer live is stale.
        let submitted = try await http("POST", url, "bids", body: withdrawn, bidder: "BIDDER-2")
        #expect(submitted.status == 200)
        receipts.append(try f.tender.verify(receipt: Receipt(encoded: submitted.body)))
        let withdrawal = try f.withdrawal("BIDDER-2", of: withdrawn)
        let withdraw = try await http("POST", url, "withdrawals", body: withdrawal, bidder: "BIDDER-2")
        #expect(withdraw.status == 200, "\(String(decoding: withdraw.body, as: UTF8.self))")
        let withdrawReceipt = try f.tender.verify(receipt: Receipt(encoded: withdraw.body))
        #expect(withdrawReceipt.entry.kind == .withdraw)
        receipts.append(withdrawReceipt)
        let retried = try await http("POST", url, "withdrawals", body: withdrawal, bidder: "BIDDER-2")
        #expect(retried.status == 200)
        #expect(try f.tender.verify(receipt: Receipt(encoded: retried.body)).index == withdrawReceipt.index)
        let stale = try await http("POST", url, "withdrawals", body: try f.withdrawal("BIDDER-3", of: uncommitted), bidder: "BIDDER-3")
        #expect(stale.status == 409 && stale.code == "stale-withdrawal")
        let notStatement = try await http("POST", url, "withdrawals", body: Array("withdraw".utf8), bidder: "BIDDER-2")
        #expect(notStatement.status == 422)

        // The race: every racer sends its bids (each replacing the last) one after another from
        // shortly before the deadline until shortly after it (the deadline leaves the set-up above
        // ample time, even on a loaded machine).
        let deadline = f.tender.deadline
        let deadlineMs = UInt64(deadline.timeIntervalSince1970 * 1000)
        while Date() < deadline.addingTimeInterval(-1.2) { try await Task.sleep(for: .milliseconds(20)) }
        let outcomes = try await withThrowingTaskGroup(of: [(sent: Date, answer: HTTPAnswer)].self) { group in
            for r in 0..<racers {
                group.addTask {
                    var out: [(sent: Date, answer: HTTPAnswer)] = []
                    for bid in raceBids[r] {
                        let sent = Date()
                        // Until one is sent after the deadline (and a little longer).
                        if sent > deadline.addingTimeInterval(0.6), out.contains(where: { $0.sent >= deadline }) { break }
                        out.append((sent, try await http("POST", url, "bids", body: bid, bidder: "BIDDER-\(4 + r)")))
                        try await Task.sleep(for: .milliseconds(350))
                    }
                    return out
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        var accepted = 0, closed = 0
        for (sent, answer) in outcomes {
            if answer.status == 200 {
                let receipt = try f.tender.verify(receipt: Receipt(encoded: answer.body))
                #expect(receipt.entry.receivedAt < deadlineMs, "accepted at \(receipt.entry.receivedAt), deadline \(deadlineMs)")
                receipts.append(receipt)
                accepted += 1
            } else {
                #expect(answer.status == 403 && answer.code == "log-closed", "\(answer.status) \(answer.code ?? "")")
                closed += 1
            }
            if sent >= deadline { #expect(answer.status == 403, "sent after the deadline and accepted") }
        }
        // Every racer sends until after the deadline, so some are refused (and, unless the machine
        // stalled for a second, some accepted: not asserted, it is timing).
        #expect(closed > 0, "\(accepted) accepted, \(closed) refused")

        // In the grace window: a new bid or commitment is refused, the committed upload succeeds.
        while Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let late = try await http("POST", url, "bids", body: uncommitted, bidder: "BIDDER-3")
        #expect(late.status == 403 && late.code == "log-closed")
        let lateCommit = try await http(
            "POST", url, "commitments", body: try f.header(of: uncommitted).bytes, bidder: "BIDDER-3",
            headers: ["Sealedbid-Statement": Data(try f.commitment("BIDDER-3", for: uncommitted)).base64EncodedString()])
        #expect(lateCommit.status == 403 && lateCommit.code == "log-closed")
        let lateWithdrawal = try await http("POST", url, "withdrawals", body: try f.withdrawal("BIDDER-4", of: raceBids[0][0]), bidder: "BIDDER-4")
        #expect(lateWithdrawal.status == 403 && lateWithdrawal.code == "log-closed")
        let upload = try await http("POST", url, "uploads", body: committed, bidder: "BIDDER-1")
        #expect(upload.status == 200, "\(String(decoding: upload.body, as: UTF8.self))")
        let uploadReceipt = try f.tender.verify(receipt: Receipt(encoded: upload.body))
        #expect(uploadReceipt.entry.kind == .upload)
        #expect(uploadReceipt.entry.bidDigest == header.bidDigest)
        #expect(uploadReceipt.entry.receivedAt >= deadlineMs)
        receipts.append(uploadReceipt)
        // Sent again: the same entry.
        let again = try await http("POST", url, "uploads", body: committed, bidder: "BIDDER-1")
        #expect(try f.tender.verify(receipt: Receipt(encoded: again.body)).index == uploadReceipt.index)

        // After the grace window: uploads are refused, and the closing holds every receipt.
        while Date() < deadline.addingTimeInterval(Double(f.tender.grace) + 0.2) { try await Task.sleep(for: .milliseconds(50)) }
        let closingAnswer = try await http("GET", url, "closing")
        #expect(closingAnswer.status == 200)
        let closing = try SignedCheckpoint(serialized: String(decoding: closingAnswer.body, as: UTF8.self))
        _ = try closing.note.verify(with: [f.tender.log])
        let tooLate = try await http("POST", url, "uploads", body: committed, bidder: "BIDDER-1")
        #expect(tooLate.status == 200)  // the same upload again: its receipt, nothing new logged
        #expect(closing.checkpoint.size == UInt64(receipts.count))
        let log = try await readLogThroughTiles(url, size: closing.checkpoint.size)
        #expect(log.root == closing.checkpoint.rootHash)
        for receipt in receipts { #expect(log.entries[Int(receipt.index)] == receipt.entry.encoded) }
        #expect(Set(receipts.map(\.index)).count == receipts.count)
        // The committee reads the uploaded bid after the closing.
        let fetched = try await http("GET", url, "bids/\(header.bidDigest.hexString)")
        #expect(fetched.status == 200 && fetched.body == committed)
    }

    @Test("an entry bundle refuses an entry of 64 KiB or more with a typed error, not a trap")
    func oversizedEntry() throws {
        #expect(try Tiles.bundle([[1, 2], [3]]) == [0, 2, 1, 2, 0, 1, 3])
        #expect(try Tiles.bundle([[UInt8](repeating: 7, count: 0xFFFF)]).count == 0xFFFF + 2)
        #expect(throws: TileError.entryTooLarge(index: 257, length: 0x10000)) {
            try Tiles.bundle([[1], [UInt8](repeating: 0, count: 0x10000)], firstIndex: 256)
        }
        #expect(TileError.entryTooLarge(index: 1, length: 0x10000).code == "entry-too-large")
    }
}
