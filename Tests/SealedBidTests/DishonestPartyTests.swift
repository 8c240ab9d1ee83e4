import Foundation
import Testing

@testable import SealedBid
import SealedBidCommittee
@testable import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives
import SealedBidTestSupport

/// Each party of a tender playing dishonestly against the opening
/// (docs/threat-model.md). The portal holds the log key and the storage, so
/// these tests let it write any log and sign any closing; what they check is
/// that the opening, anchored in the descriptor, shows what it did.
@Suite("Dishonest parties against the opening")
struct DishonestPartyTests {
    /// The log records with `extra` appended.
    func records(_ run: TenderRun, plus extra: [LogRecord]) throws -> [LogRecord] {
        try run.records.filter { if case .entry = $0 { true } else { false } } + extra
    }

    func entries(_ run: TenderRun) throws -> [LogEntry] {
        try run.records.compactMap { record in
            guard case .entry(let bytes, _) = record else { return nil }
            return try LogEntry(encoded: bytes)
        }
    }

    @Test("a portal that logs a bid received after the deadline gets it void, not opened (late)")
    func lateEntryIsVoid() async throws {
        let run = try await TenderRun(bidders: 3, submit: false)
        for i in 1...2 { try await run.submit("BIDDER-\(i)") }
        // Bidder 3 hands its bid in 30 s after the deadline; the portal stores and logs it anyway.
        let late = try run.seal("BIDDER-3")
        let digest = try BidHeader.read(from: FileSource(path: late)).bidDigest
        try run.store.store(copyOf: late, as: .bid) { _ in digest }
        let forged = try run.forgedEntry(
            .submit, bidder: "BIDDER-3", digest: digest, length: try FileSource(path: late).length,
            at: run.tender.deadline.addingTimeInterval(30))
        let all = try records(run, plus: [forged])
        let closing = try run.forgedClosing(all, at: run.tender.deadline.addingTimeInterval(60))
        let report = try run.open(run.technical, closing: closing, records: all)
        #expect(report.result("BIDDER-3") == "void: late")
        #expect(report.result("BIDDER-1") == "opened")
    }

    @Test("a withdrawal the bidder did not sign does not withdraw it: the portal's forgery is void and shown")
    func forgedWithdrawal() async throws {
        let run = try await TenderRun(bidders: 2)
        let victim = try entries(run)[0]
        // The portal signs a statement with a key of its own and logs it in the bidder's name.
        let statement = try Withdrawal(
            tender: run.tender.id, bidder: BidderID(victim.bidder), withdrawing: victim.bidDigest, signer: .ed25519(Ed25519PrivateKey()))
        await #expect(throws: EnvelopeError.self) { _ = try await run.portal.withdraw(statement: statement.encoded, from: BidderID(victim.bidder)) }
        try run.store.store(statement.encoded, digest: statement.digest, as: .withdrawal)
        let forged = try run.forgedEntry(.withdraw, bidder: victim.bidder, digest: statement.digest, length: UInt64(statement.encoded.count))
        let all = try records(run, plus: [forged])
        let report = try run.open(run.technical, closing: try run.forgedClosing(all), records: all)
        #expect(report.result(victim.bidder) == "void: untrusted-signer")
        // A statement with no file at all is void too, never "withdrawn".
        let missing = try run.forgedEntry(.withdraw, bidder: "BIDDER-2", digest: SHA256.hash([1]), length: 100)
        let all2 = try records(run, plus: [missing])
        #expect(try run.open(run.technical, closing: try run.forgedClosing(all2), records: all2).result("BIDDER-2") == "void: file-missing")
    }

    @Test("an old bid logged again after its replacement changes nothing (replay ignored)")
    func replayedBidAfterReplacement() async throws {
        let run = try await TenderRun(bidders: 2)
        let first = try entries(run)[0]
        let replacement = try await run.submit("BIDDER-1", tag: "-v2")
        // The portal does not log the old file again: it answers with the old receipt, logging nothing.
        let size = try entries(run).count
        let again = try await run.portal.accept(bidAt: run.store.path(of: first.bidDigest, .bid), from: BidderID("BIDDER-1"))
        #expect(try again.verify(log: run.tender.log, origin: run.tender.origin).index == 0)
        #expect(try entries(run).count == size)
        // Another bidder cannot log it either.
        await #expect(throws: LogError.self) {
            _ = try await run.portal.accept(bidAt: run.store.path(of: first.bidDigest, .bid), from: BidderID("BIDDER-2"))
        }
        // ...and if it logs it anyway, the opening ignores the replay.
        let replay = try run.forgedEntry(.replace, bidder: "BIDDER-1", digest: first.bidDigest, length: first.bidLength)
        let all = try records(run, plus: [replay])
        let report = try run.open(run.technical, closing: try run.forgedClosing(all), records: all)
        let expected = try replacement.verify(log: run.tender.log, origin: run.tender.origin).entry.bidDigest.hexString
        #expect(report.line(for: "BIDDER-1")?.bidDigest == expected)
        #expect(report.ignoredEntries.map(\.reason) == ["replay"])
    }

    @Test("destroying the newest bid's file does not revive the bid it replaced")
    func corruptedNewestDoesNotReviveOlder() async throws {
        let run = try await TenderRun(bidders: 1)
        try await run.submit("BIDDER-1", tag: "-v2")
        let newest = try entries(run)[1]
        try Data("not a bid".utf8).write(to: URL(fileURLWithPath: run.store.path(of: newest.bidDigest, .bid)))
        let closing = try await run.close()
        let report = try run.open(run.technical, closing: closing)
        #expect(report.result("BIDDER-1") == "void: malformed")
        #expect(report.line(for: "BIDDER-1")?.logIndex == 1)
        try FileManager.default.removeItem(atPath: run.store.path(of: newest.bidDigest, .bid))
        #expect(try run.open(run.technical, closing: closing).result("BIDDER-1") == "void: file-missing")
    }

    @Test("a bid signed by someone other than the registered bidder is refused at upload and void if logged anyway")
    func impersonatedBidder() async throws {
        let run = try await TenderRun(bidders: 2)
        let impostor = try run.seal("BIDDER-2", signer: Ed25519PrivateKey(), tag: "-fake")
        await #expect(throws: EnvelopeError.self) { _ = try await run.portal.accept(bidAt: impostor, from: BidderID("BIDDER-2")) }
        let header = try BidHeader.read(from: FileSource(path: impostor))
        try run.store.store(copyOf: impostor, as: .bid) { _ in header.bidDigest }
        let forged = try run.forgedEntry(.replace, bidder: "BIDDER-2", digest: header.bidDigest, length: header.expectedFileLength)
        let all = try records(run, plus: [forged])
        #expect(try run.open(run.technical, closing: try run.forgedClosing(all), records: all).result("BIDDER-2") == "void: untrusted-signer")
    }

    @Test("a closing signed before the deadline, or over other entries, stops the opening")
    func badClosings() async throws {
        let run = try await TenderRun(bidders: 2)
        let all = try run.records
        #expect(throws: OpeningError.self) {
            _ = try run.opening(run.technical, closing: try run.forgedClosing(all, at: run.tender.deadline.addingTimeInterval(-1)))
        }
        let closing = try await run.close()
        // The coordinator drops an entry from the log it hands the members.
        let dropped = Array(all.dropFirst())
        #expect(throws: OpeningError.self) { _ = try run.opening(run.technical, closing: closing, records: dropped) }
        // A closing of another log (another key) is refused.
        let other = try NoteSigner(name: run.tender.origin, key: Ed25519PrivateKey())
        let note = try SignedNote(text: closing.checkpoint.text, signers: [other])
        #expect(throws: OpeningError.self) { _ = try run.opening(run.technical, closing: try SignedCheckpoint(note: note)) }
    }

    @Test("an envelope whose enc is a multiple of another bid's never reaches the members", arguments: [1, -1, 2])
    func multipliedEnc(k: Int) async throws {
        let run = try await TenderRun(bidders: 3, submit: false)
        try await run.submit("BIDDER-1")
        let victim = try BidHeader.read(from: FileSource(path: run.store.path(of: entries(run)[0].bidDigest, .bid)))
        let victimPoint = victim.envelopes[1].encapsulatedKey.publicKey.point
        let scalar = k < 0 ? -P256Scalar(UInt64(-k)) : P256Scalar(UInt64(k))
        let forgedEnc = try victimPoint.multiplied(by: scalar).uncompressedRepresentation
        let copierPath = "\(run.dir)/copier.sbid"
        let sink = try FileSink(path: copierPath)
        let recipes = try run.tender.envelopes.map {
            EnvelopeRecipe(name: $0.name, stage: $0.stage, committeeKey: try run.tender.stageKey($0.stage).publicKey)
        }
        var sealer = try BidSealer(
            tender: run.tender.id, bidder: BidderID("BIDDER-2"), signer: .ed25519(run.keys["BIDDER-2"]!), envelopes: recipes, to: sink,
            deterministic: DeterministicRandom(seed: "copier \(k)"),
            tampering: SealTampering(core: { core in
                var c = core
                // The price envelope's enc: after the last "price" (the stage name) and the recipient key.
                let marker = Array("price".utf8)
                if let at = (0...(c.count - marker.count)).last(where: { Array(c[$0..<($0 + marker.count)]) == marker }) {
                    c.replaceSubrange((at + marker.count + 65)..<(at + marker.count + 130), with: forgedEnc)
                }
                return c
            }))
        try sealer.append([1, 2, 3])
        try sealer.nextEnvelope()
        try sealer.append([4, 5, 6])
        _ = try sealer.finish()
        try sink.commit()
        // The portal refuses it; a portal that logs it anyway gets it reported, and members never see the enc.
        await #expect(throws: EnvelopeError.badWrapProof(envelope: "price")) {
            _ = try await run.portal.accept(bidAt: copierPath, from: BidderID("BIDDER-2"))
        }
        let header = try BidHeader.read(from: FileSource(path: copierPath))
        try run.store.store(copyOf: copierPath, as: .bid) { _ in header.bidDigest }
        let forged = try run.forgedEntry(.submit, bidder: "BIDDER-2", digest: header.bidDigest, length: header.expectedFileLength)
        let all = try records(run, plus: [forged])
        let price = try run.opening(run.price, closing: try run.forgedClosing(all), records: all)
        #expect(price.encapsulatedKeys.map(\.publicKey.point) == [victimPoint])
        let report = try price.open(with: try run.memberShares(run.price, closing: try run.forgedClosing(all), records: all), to: .discard)
        #expect(report.result("BIDDER-2") == "failed: bad-wrap-proof")
    }

    @Test("a member's signed bad decryption share names it; a forged one in its name is ignored")
    func dishonestAndForgedShares() async throws {
        let run = try await TenderRun(bidders: 2)
        let closing = try await run.close()
        let opening = try run.opening(run.technical, closing: closing)
        let honest = try run.members.map { try opening.decryptionShares(share: run.shares["technical"]![$0.id]!, keys: $0)! }
        // Member 1 signs a wrong share: named, and 2 and 3 open.
        let bad = try honest[0].dishonest(keys: run.members[0])
        let report = try opening.open(with: [bad, honest[1], honest[2]], to: .discard)
        #expect(report.culprits == [1] && report.participants == [2, 3])
        // Someone else places a wrong share claiming to be member 2's: ignored, member 2 is not named.
        let forged = try honest[1].dishonest(keys: MemberKeys(id: 2))
        let report2 = try opening.open(with: [forged, honest[1], honest[2]], to: .discard)
        #expect(report2.culprits.isEmpty && report2.lines.allSatisfy { $0.result == .opened })
    }

    @Test("with required time-stamps, an entry without a token, a late token or a backdated received_at is void")
    func timestampAttacks() async throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let authority = TimestampAuthority(certificatePEM: try pki.pem("tsa.pem"), keyPEM: try pki.pem("tsa.key"))
        @Sendable func stamp(_ digest: [UInt8], at time: Date) throws -> [UInt8] {
            let request = try TimestampRequest(digest: digest)
            return try TimestampToken(response: authority.respond(to: request.derRepresentation, at: time, serial: 7)).derRepresentation
        }
        let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.up) + 1)
        let run = try await TenderRun(
            bidders: 5, submit: false, timestamps: .testAuthority, tsaRoots: [pki.root], start: start,
            timestamper: { clock in { digest in try stamp(digest, at: clock.now) } })
        try await run.submit("BIDDER-1")
        var extra: [LogRecord] = []
        for (bidder, received, tokenTime) in [
            ("BIDDER-2", run.tender.deadline.addingTimeInterval(-1800), nil as Date?),  // no token
            ("BIDDER-3", run.tender.deadline.addingTimeInterval(-1800), run.tender.deadline.addingTimeInterval(10)),  // token after the deadline
            ("BIDDER-4", run.tender.deadline.addingTimeInterval(-1800), run.tender.deadline.addingTimeInterval(-600)),  // backdated by 20 min
            ("BIDDER-5", run.tender.deadline.addingTimeInterval(-1800), run.tender.deadline.addingTimeInterval(-1790)),  // honest: 10 s later
        ] {
            let path = try run.seal(bidder)
            let header = try BidHeader.read(from: FileSource(path: path))
            try run.store.store(copyOf: path, as: .bid) { _ in header.bidDigest }
            let unstamped = try run.forgedEntry(.submit, bidder: bidder, digest: header.bidDigest, length: header.expectedFileLength, at: received)
            guard case .entry(let bytes, _) = unstamped else { continue }
            extra.append(.entry(bytes, token: try tokenTime.map { try stamp(SHA256.hash(bytes), at: $0) } ?? []))
        }
        let all = try records(run, plus: extra)
        let report = try run.open(run.technical, closing: try run.forgedClosing(all), records: all)
        #expect(report.result("BIDDER-1") == "opened")
        #expect(report.result("BIDDER-2") == "void: no-timestamp")
        #expect(report.result("BIDDER-3") == "void: timestamp-late")
        #expect(report.result("BIDDER-4") == "void: timestamp-mismatch")
        #expect(report.result("BIDDER-5") == "opened")
        // Without the token check the backdated entry would have opened: received_at alone is before the deadline.
        #expect(try LogEntry(encoded: { if case .entry(let b, _) = extra[2] { return b } else { return [] } }()).receivedAt
            < UInt64(run.tender.deadline.timeIntervalSince1970 * 1000))
    }
}
