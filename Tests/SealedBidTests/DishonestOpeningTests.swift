import Foundation
import Testing

@testable import SealedBid
@testable import SealedBidCommittee
import SealedBidEnvelope
@testable import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives
import SealedBidTestSupport

/// The opening against a dishonest coordinator, member or portal: the attacks of the
/// independent review (docs/threat-model.md, table F), each with the check that stops it.
@Suite("Dishonest coordinator, members and portal at the opening")
struct DishonestOpeningTests {
    func entries(_ run: TenderRun) throws -> [LogEntry] {
        try run.records.compactMap { record in
            guard case .entry(let bytes, _) = record else { return nil }
            return try LogEntry(encoded: bytes)
        }
    }

    func code(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch let error as any SealedBidError {
            return error.code
        } catch {
            return "other: \(error)"
        }
    }

    @Test("a coordinator who leaves a bid out of the decryption gets no usable shares, and members will not sign its report")
    func droppedBid() async throws {
        let run = try await TenderRun(bidders: 3)
        let closing = try await run.close()
        let honest = try run.opening(run.technical, closing: closing)
        let shares = try run.memberShares(run.technical, closing: closing)
        // The coordinator "loses" BIDDER-2's file, so that in its own opening that bid is void.
        let victim = try entries(run)[1]
        let path = run.store.path(of: victim.bidDigest, .bid)
        let saved = try Data(contentsOf: URL(fileURLWithPath: path))
        try FileManager.default.removeItem(atPath: path)
        let coordinator = try run.opening(run.technical, closing: closing)
        #expect(coordinator.bids.count == honest.bids.count - 1)
        // The opening id binds the bids decrypted: the members' shares are for another opening.
        #expect(coordinator.openingID != honest.openingID)
        #expect(code { _ = try coordinator.open(with: shares, to: .discard) } == "too-few-shares")
        try saved.write(to: URL(fileURLWithPath: path))
        // Nor can it publish the honest opening with that bid shown void: a member checks the
        // report against its own opening before signing, and a verifier recomputes the id.
        let report = try honest.open(with: shares, to: .discard)
        #expect(code { try report.check(against: honest, shares: .decryptionShares(shares.map(\.encoded))) } == "no error")
        let forged = OpeningReport(
            tender: report.tender, tenderDigest: report.tenderDigest, stage: report.stage, envelope: report.envelope,
            openingID: report.openingID, closingNote: report.closingNote, timestamps: report.timestamps, qualified: report.qualified,
            mode: report.mode, participants: report.participants, culprits: report.culprits,
            lines: report.lines.map { line in
                line.bidder == victim.bidder
                    ? .init(bidder: line.bidder, logIndex: line.logIndex, bidDigest: line.bidDigest, result: .void, reason: "file-missing")
                    : line
            }, ignoredEntries: report.ignoredEntries)
        #expect(code { try forged.check(against: honest, shares: nil) } == "report-mismatch")
        let roster = run.stageKeys["technical"]!.roster
        let signatures = try run.members.map { try ReportSignature(report: forged, roster: roster, keys: $0) }
        #expect(code { _ = try forged.verify(tender: run.tender, signatures: signatures, now: run.openingTime) } == "invalid-report")
    }

    @Test("a member whose shares cover part of the opening is named; it cannot choose which bids open")
    func partialShares() async throws {
        let run = try await TenderRun(bidders: 3)
        let closing = try await run.close()
        let opening = try run.opening(run.technical, closing: closing)
        let full = try run.memberShares(run.technical, closing: closing)
        let member3 = run.members[2]
        let partial = try DecryptionShares.create(
            share: run.shares["technical"]![member3.id]!, keys: member3, stageKey: run.stageKeys["technical"]!,
            openingID: opening.openingID, encapsulatedKeys: Array(opening.encapsulatedKeys.dropLast()))
        // With one honest member, the partial one does not make up the threshold for the bids it covers.
        #expect(code { _ = try opening.open(with: [full[0], partial], to: .discard) } == "too-few-shares")
        let report = try opening.open(with: full + [partial], to: .discard)
        #expect(report.culprits == [3] && report.participants == [1, 2])
        #expect(report.lines.allSatisfy { $0.result == .opened })
    }

    @Test("members refuse to open before the grace window ends, or on a closing dated before it or in their future")
    func openingTime() async throws {
        let run = try await TenderRun(bidders: 2, grace: 60)
        let closing = try await run.close()
        let end = run.tender.deadline.addingTimeInterval(60)
        func opening(_ closing: SignedCheckpoint, now: Date) throws {
            _ = try StageOpening(tender: run.tender, stage: run.technical, closing: closing, records: try run.records, bids: run.store, now: now)
        }
        #expect(code { try opening(closing, now: end.addingTimeInterval(-1)) } == "too-early")
        #expect(code { try opening(closing, now: end) } == "no error")
        let records = try run.records
        // The portal signs a closing inside the grace window (before an upload could arrive)...
        #expect(code { try opening(try run.forgedClosing(records, at: end.addingTimeInterval(-1)), now: run.openingTime) } == "bad-closing")
        // ...or dated a day ahead, so that entries it logs "before the closing" tomorrow count.
        let future = try run.forgedClosing(records, at: run.openingTime.addingTimeInterval(86400))
        #expect(code { try opening(future, now: run.openingTime) } == "bad-closing")
        // A report verifier applies the same rules with its own clock.
        let report = try run.open(run.technical, closing: closing)
        let roster = run.stageKeys["technical"]!.roster
        let signatures = try run.members.map { try ReportSignature(report: report, roster: roster, keys: $0) }
        #expect(code { _ = try report.verify(tender: run.tender, signatures: signatures, now: end) } == "no error")
        #expect(code { _ = try report.verify(tender: run.tender, signatures: signatures, now: end.addingTimeInterval(-3600)) } == "invalid-report")
    }

    @Test("uploads count only right after their commitment and within the grace window; a commitment alone never opens")
    func uploads() async throws {
        let run = try await TenderRun(bidders: 3, submit: false, grace: 60)
        try await run.submit("BIDDER-1")
        let second = try run.seal("BIDDER-2"), third = try run.seal("BIDDER-3"), other = try run.seal("BIDDER-3", tag: "-other")
        _ = try await run.commit(second, "BIDDER-2")
        _ = try await run.commit(third, "BIDDER-3")
        // The portal has BIDDER-2's whole file too, but never logs its upload.
        let secondDigest = try BidHeader.read(from: FileSource(path: second)).bidDigest
        try run.store.store(copyOf: second, as: .bid) { _ in secondDigest }
        let thirdHeader = try BidHeader.read(from: FileSource(path: third))
        try run.store.store(copyOf: third, as: .bid) { _ in thirdHeader.bidDigest }
        let firstEntry = try entries(run)[0]
        let otherDigest = try BidHeader.read(from: FileSource(path: other)).bidDigest
        let all = try run.records + [
            // An "upload" of a bid that was submitted whole, and one of a digest never committed.
            try run.forgedEntry(.upload, bidder: "BIDDER-1", digest: firstEntry.bidDigest, length: firstEntry.bidLength),
            try run.forgedEntry(.upload, bidder: "BIDDER-3", digest: otherDigest, length: thirdHeader.expectedFileLength),
            // The committed bid, uploaded after the grace window.
            try run.forgedEntry(
                .upload, bidder: "BIDDER-3", digest: thirdHeader.bidDigest, length: thirdHeader.expectedFileLength,
                at: run.tender.deadline.addingTimeInterval(61)),
        ]
        let closing = try run.forgedClosing(all, at: run.tender.deadline.addingTimeInterval(62))
        let report = try run.open(run.technical, closing: closing, records: all)
        #expect(report.result("BIDDER-1") == "opened")
        #expect(report.result("BIDDER-2") == "not-opened: committed-never-uploaded")
        #expect(report.result("BIDDER-3") == "void: late")
        #expect(report.ignoredEntries.map(\.reason) == ["unmatched-upload", "unmatched-upload"])
    }

    @Test("a share file its member signed but that does not decode names the member; an unsigned one names nobody")
    func undecodableShares() async throws {
        let run = try await TenderRun(bidders: 2)
        let closing = try await run.close()
        let opening = try run.opening(run.technical, closing: closing)
        let shares = try run.members.compactMap { try opening.decryptionShares(share: run.shares["technical"]![$0.id]!, keys: $0) }
        let report = try opening.open(withEncodedShares: shares.map(\.encoded), to: .discard)
        #expect(report.participants == [1, 2] && report.culprits.isEmpty)  // the t smallest valid
        // Garbage bytes in member 1's name, unsigned: ignored, and the others open.
        var garbage = shares[0].encoded
        garbage[garbage.count / 2] ^= 0xFF
        let ignored = try opening.open(withEncodedShares: [garbage, shares[1].encoded, shares[2].encoded], to: .discard)
        #expect(ignored.culprits.isEmpty && ignored.participants == [2, 3])
        // Member 1 signs a contribution that does not decode (a count of zero): its fault.
        let body = Array(shares[0].encoded.prefix(5 + 32 + 32 + 2)) + [0, 0, 0, 0]
        let signed = body + CommitteeFormat.sign(body, with: run.members[0].signingKey).rawRepresentation
        let named = try opening.open(withEncodedShares: [signed, shares[1].encoded, shares[2].encoded], to: .discard)
        #expect(named.culprits == [1] && named.participants == [2, 3])
        // And named in the error when too few are left.
        var failure: CommitteeError?
        do {
            _ = try opening.open(withEncodedShares: [signed, shares[1].encoded], to: .discard)
        } catch {
            if case .combination(let inner) = error { failure = inner }
        }
        #expect(failure == .tooFewShares(have: 1, need: 2, culprits: [run.members[0].id]))
        #expect(named.lines.allSatisfy { $0.result == .opened })
    }

    @Test("a portal that appends after its closing is caught by anyone holding the closing and a later checkpoint")
    func appendAfterClosing() async throws {
        let run = try await TenderRun(bidders: 2)
        let closing = try await run.close()
        var tree = MerkleTree()
        for entry in try entries(run) { tree.append(leafHash: entry.leafHash) }
        let extra = try LogEntry(
            kind: .submit, tender: "T-42", bidder: "BIDDER-2", receivedAt: UInt64(run.tender.deadline.timeIntervalSince1970 * 1000) - 1,
            bidDigest: SHA256.hash([9]), bidLength: 10)
        tree.append(leafHash: extra.leafHash)
        let body = try Checkpoint(origin: run.tender.origin, size: tree.size, rootHash: try tree.root(), extensions: [])
        let later = try SignedCheckpoint(note: SignedNote(text: body.text, signers: [run.signer]))
        let proof = try tree.consistencyProof(size1: closing.checkpoint.size, size2: tree.size)
        // The log itself is consistent (an append), but a closed log must never grow.
        try closing.verifyConsistency(to: later, proof: proof, log: run.tender.log, origin: run.tender.origin)
        #expect(code { try run.tender.verifyConsistency(from: closing, to: later, proof: proof) } == "closed-log-changed")
        try run.tender.verifyConsistency(from: closing, to: closing, proof: [])
    }

    @Test("an honest report verifies whatever the log order of the decrypted bids (a replacement after another bidder's bid)")
    func logOrder() async throws {
        let run = try await TenderRun(bidders: 3)
        try await run.submit("BIDDER-1", tag: "-v2")
        let closing = try await run.close()
        let opening = try run.opening(run.technical, closing: closing)
        #expect(opening.bids.map(\.index) == [1, 2, 3])
        let report = try run.open(run.technical, closing: closing)
        let roster = run.stageKeys["technical"]!.roster
        let signatures = try run.members.map { try ReportSignature(report: report, roster: roster, keys: $0) }
        #expect(try report.verify(tender: run.tender, signatures: signatures, now: run.openingTime).signers == [1, 2, 3])
        try report.check(against: opening, shares: .decryptionShares(try run.memberShares(run.technical, closing: closing).map(\.encoded)))
    }

    @Test("an upload does not revive a void commitment (logged after the deadline by the portal)")
    func uploadOfVoidCommitment() async throws {
        let run = try await TenderRun(bidders: 2, submit: false, grace: 60)
        try await run.submit("BIDDER-1")
        let late = try run.seal("BIDDER-2")
        let header = try BidHeader.read(from: FileSource(path: late))
        try run.store.store(copyOf: late, as: .bid) { _ in header.bidDigest }
        let all = try run.records + [
            try run.forgedEntry(
                .commit, bidder: "BIDDER-2", digest: header.bidDigest, length: header.expectedFileLength,
                at: run.tender.deadline.addingTimeInterval(5)),
            try run.forgedEntry(
                .upload, bidder: "BIDDER-2", digest: header.bidDigest, length: header.expectedFileLength,
                at: run.tender.deadline.addingTimeInterval(10)),
        ]
        let closing = try run.forgedClosing(all, at: run.tender.deadline.addingTimeInterval(60))
        let report = try run.open(run.technical, closing: closing, records: all)
        #expect(report.result("BIDDER-2") == "void: late")
        #expect(report.line(for: "BIDDER-2")?.logIndex == 1)
        #expect(report.ignoredEntries.map(\.reason) == ["unmatched-upload"])
    }

    /// `report` with some fields replaced (everything else as it is).
    func altered(
        _ report: OpeningReport, mode: OpeningReport.Mode? = nil, participants: [UInt16]? = nil, culprits: [UInt16]? = nil,
        lines: [OpeningReport.Line]? = nil
    ) -> OpeningReport {
        OpeningReport(
            tender: report.tender, tenderDigest: report.tenderDigest, stage: report.stage, envelope: report.envelope,
            openingID: report.openingID, closingNote: report.closingNote, timestamps: report.timestamps, qualified: report.qualified,
            mode: mode ?? report.mode, participants: participants ?? report.participants, culprits: culprits ?? report.culprits,
            lines: lines ?? report.lines, ignoredEntries: report.ignoredEntries)
    }

    @Test("a coordinator cannot name an honest member as culprit, claim other participants or another mode, or change a plaintext length")
    func framedMember() async throws {
        let run = try await TenderRun(bidders: 2)
        let closing = try await run.close()
        let opening = try run.opening(run.technical, closing: closing)
        let files = try run.members.compactMap { try opening.decryptionShares(share: run.shares["technical"]![$0.id]!, keys: $0) }.map(\.encoded)
        let report = try opening.open(withEncodedShares: files, to: .discard)
        try report.check(against: opening, shares: .decryptionShares(files))
        let roster = run.stageKeys["technical"]!.roster
        let forgeries: [(String, OpeningReport)] = [
            ("an honest member named", altered(report, participants: [1, 2], culprits: [3])),
            ("other participants", altered(report, participants: [2, 3])),
            ("another mode", altered(report, mode: .reconstruction)),
            (
                "another plaintext length",
                altered(
                    report,
                    lines: report.lines.map {
                        .init(bidder: $0.bidder, logIndex: $0.logIndex, bidDigest: $0.bidDigest, result: $0.result, reason: $0.reason,
                              plaintextLength: 999_999, plaintextSHA256: $0.plaintextSHA256)
                    })
            ),
        ]
        for (what, forged) in forgeries {
            // Each is a well-formed report t members could sign...
            let signatures = try run.members.map { try ReportSignature(report: forged, roster: roster, keys: $0) }
            _ = try? forged.verify(tender: run.tender, signatures: signatures, now: run.openingTime)
            // ...but a member checking it against the public files and the share files refuses.
            #expect(code { try forged.check(against: opening, shares: .decryptionShares(files)) } == "report-mismatch", "\(what)")
        }
        // Released shares given for a threshold report: refused too.
        let released = try run.members.map { try opening.releaseShare(share: run.shares["technical"]![$0.id]!, keys: $0) }
        #expect(code { try report.check(against: opening, shares: .released(released)) } == "report-mismatch")
        let reconstructed = try opening.open(with: released, to: .discard)
        try reconstructed.check(against: opening, shares: .released(released))
    }

    @Test("a portal that logs a whole submission as a commitment (no statement of the bidder's) gets it void, and cannot commit without one")
    func submissionLoggedAsCommitment() async throws {
        let run = try await TenderRun(bidders: 2, submit: false, grace: 60)
        try await run.submit("BIDDER-1")
        let bid = try run.seal("BIDDER-2")
        let header = try BidHeader.read(from: FileSource(path: bid))
        // The portal service refuses a commitment without the bidder's statement, or with one for another bid.
        let other = try BidHeader.read(from: FileSource(path: try run.seal("BIDDER-2", tag: "-other"))).bidDigest
        let wrong = try Commitment(tender: run.tender.id, bidder: BidderID("BIDDER-2"), committing: other, signer: .ed25519(run.keys["BIDDER-2"]!))
        await #expect(throws: LogError.commitmentMismatch) {
            _ = try await run.portal.commit(bidAt: bid, statement: wrong.encoded, from: BidderID("BIDDER-2"))
        }
        let forgedStatement = try Commitment(
            tender: run.tender.id, bidder: BidderID("BIDDER-2"), committing: header.bidDigest, signer: .ed25519(Ed25519PrivateKey()))
        await #expect(throws: EnvelopeError.self) {
            _ = try await run.portal.commit(bidAt: bid, statement: forgedStatement.encoded, from: BidderID("BIDDER-2"))
        }
        // Logged by hand as a commitment, with the whole file stored and no upload: void, not "committed".
        try run.store.store(copyOf: bid, as: .bid) { _ in header.bidDigest }
        try run.store.store(header.bytes, digest: header.bidDigest, as: .header)
        let all = try run.records + [
            try run.forgedEntry(.commit, bidder: "BIDDER-2", digest: header.bidDigest, length: header.expectedFileLength)
        ]
        let closing = try run.forgedClosing(all, at: run.tender.deadline.addingTimeInterval(60))
        #expect(try run.open(run.technical, closing: closing, records: all).result("BIDDER-2") == "void: file-missing")
        // With the portal's own forged statement stored: void as the signer is not the bidder's.
        try run.store.store(forgedStatement.encoded, digest: header.bidDigest, as: .commitment)
        #expect(try run.open(run.technical, closing: closing, records: all).result("BIDDER-2") == "void: untrusted-signer")
    }

    @Test("a portal that shows a bidder one log and closes another (a fork) is caught by the bidder's receipt")
    func forkedReceipt() async throws {
        let run = try await TenderRun(bidders: 2, submit: false)
        let receipt = try await run.submit("BIDDER-1")
        try await run.submit("BIDDER-2")
        // The closed log: BIDDER-1's entry rewritten as a commitment (same index, same digest).
        var records = try run.records.filter { if case .entry = $0 { true } else { false } }
        let original = try receipt.verify(log: run.tender.log, origin: run.tender.origin).entry
        records[0] = try run.forgedEntry(.commit, bidder: "BIDDER-1", digest: original.bidDigest, length: original.bidLength, at: Date(timeIntervalSince1970: Double(original.receivedAt) / 1000))
        let closing = try run.forgedClosing(records)
        let report = try run.open(run.technical, closing: closing, records: records)
        #expect(report.result("BIDDER-1").hasPrefix("void") || report.result("BIDDER-1").hasPrefix("not-opened"))
        #expect(code { _ = try report.checkReceipt(receipt, bidder: "BIDDER-1", tender: run.tender, records: records) } == "report-mismatch")
        // The honest closed log: the receipt's entry is the one counted.
        let honestClosing = try await run.close()
        let honest = try run.open(run.technical, closing: honestClosing)
        #expect(try honest.checkReceipt(receipt, bidder: "BIDDER-1", tender: run.tender, records: try run.records) == .counted)
    }

    @Test("two colluding bidders who share an ephemeral key (one enc, each with a valid proof) cannot stop the opening")
    func sharedEnc() async throws {
        let run = try await TenderRun(bidders: 3, submit: false)
        try await run.submit("BIDDER-1")
        for bidder in ["BIDDER-2", "BIDDER-3"] {
            let path = "\(run.dir)/\(bidder)-shared.sbid"
            let recipes = try run.tender.envelopes.map {
                EnvelopeRecipe(name: $0.name, stage: $0.stage, committeeKey: try run.tender.stageKey($0.stage).publicKey)
            }
            let sink = try FileSink(path: path)
            var sealer = try BidSealer(
                tender: run.tender.id, bidder: BidderID(bidder), signer: .ed25519(run.keys[bidder]!), envelopes: recipes, to: sink,
                deterministic: DeterministicRandom(seed: bidder),
                tampering: SealTampering(committeeWrap: .sharedEphemeral(ikm: [UInt8](repeating: 7, count: 32))))
            try sealer.append([1, 2, 3])
            try sealer.nextEnvelope()
            try sealer.append([4])
            _ = try sealer.finish()
            try sink.commit()
            _ = try await run.portal.accept(bidAt: path, from: BidderID(bidder))
        }
        let closing = try await run.close()
        let report = try run.open(run.technical, closing: closing)
        #expect(report.result("BIDDER-1") == "opened")
        // The earlier one reaches decryption (and fails: its wrap is not derived from its key); the later one never does.
        #expect(report.result("BIDDER-2") == "failed: wrap-mismatch")
        #expect(report.result("BIDDER-3") == "failed: duplicate-enc")
    }

    @Test("a store whose closing record is not the closing's, or whose times go back, is not the closed log")
    func storeClosingAndOrder() async throws {
        let run = try await TenderRun(bidders: 3)
        let closing = try await run.close()
        let entries = try run.records.filter { if case .entry = $0 { true } else { false } }
        let at = try #require(closing.checkpoint.closedAt(tender: "T-42"))
        // A closing record in the middle, or one with another size or time.
        for records in [
            [entries[0], .closed(size: 3, at: at)] + entries.dropFirst(),
            entries + [.closed(size: 2, at: at)],
            entries + [.closed(size: 3, at: at + 1)],
        ] {
            #expect(code { _ = try run.opening(run.technical, closing: closing, records: records) } == "log-mismatch")
        }
        #expect(code { _ = try run.opening(run.technical, closing: closing, records: entries + [.closed(size: 3, at: at)]) } == "no error")
        // An entry stamped earlier than the one before it.
        let late = try run.forgedEntry(.submit, bidder: "BIDDER-3", digest: SHA256.hash([5]), length: 10, at: Date(timeIntervalSince1970: 1_000_000_000))
        let reordered = entries + [late]
        #expect(code { _ = try run.opening(run.technical, closing: try run.forgedClosing(reordered), records: reordered) } == "log-mismatch")
    }

    @Test("an entry in another bidder's name with the victim's digest does not turn the victim's entries into ignored replays")
    func otherBidderReplay() async throws {
        let run = try await TenderRun(bidders: 3, submit: false)
        try await run.submit("BIDDER-1")
        let first = try entries(run)[0]
        // The portal logs the victim's replacement digest under a made-up bidder first, then the real replacement.
        let replacement = try run.seal("BIDDER-1", tag: "-v2")
        let header = try BidHeader.read(from: FileSource(path: replacement))
        try run.store.store(copyOf: replacement, as: .bid) { _ in header.bidDigest }
        var all = try run.records.filter { if case .entry = $0 { true } else { false } }
        all.append(try run.forgedEntry(.submit, bidder: "ZZZ", digest: header.bidDigest, length: header.expectedFileLength))
        all.append(try run.forgedEntry(.replace, bidder: "BIDDER-1", digest: header.bidDigest, length: header.expectedFileLength))
        let report = try run.open(run.technical, closing: try run.forgedClosing(all), records: all)
        // The replacement counts (not the replaced bid), and the made-up bidder's entry is void and shown.
        #expect(report.line(for: "BIDDER-1")?.bidDigest == header.bidDigest.hexString && report.line(for: "BIDDER-1")?.bidDigest != first.bidDigest.hexString)
        #expect(report.result("BIDDER-1") == "opened")
        #expect(report.result("ZZZ").hasPrefix("void"))
        #expect(report.ignoredEntries.isEmpty)
        // The bidder's own replay of its earlier bid is still ignored.
        all.append(try run.forgedEntry(.replace, bidder: "BIDDER-1", digest: first.bidDigest, length: first.bidLength))
        let replayed = try run.open(run.technical, closing: try run.forgedClosing(all), records: all)
        #expect(replayed.line(for: "BIDDER-1")?.bidDigest == header.bidDigest.hexString)
        #expect(replayed.ignoredEntries.map(\.reason) == ["replay"])
    }

    @Test("a later stage opens after the one before it, on its closing, with qualified bidders it opened")
    func laterStageOnAnotherClosing() async throws {
        let run = try await TenderRun(bidders: 3)
        let closing = try await run.close()
        let records = try run.records
        let previous = try #require(try run.previousReport(before: run.price, closing: closing))
        func price(_ closing: SignedCheckpoint, records: [LogRecord], qualified: Set<BidderID>? = nil, previous: OpeningReport.Verified?) -> String {
            code {
                _ = try StageOpening(
                    tender: run.tender, stage: run.price, closing: closing, records: records, bids: run.store, qualified: qualified,
                    previous: previous, now: run.openingTime)
            }
        }
        #expect(price(closing, records: records, previous: previous) == "no error")
        // Without the technical report, or on another closing signed later over fewer entries.
        #expect(price(closing, records: records, previous: nil) == "invalid-input")
        let entries = records.filter { if case .entry = $0 { true } else { false } }
        let shorter = Array(entries.dropLast())
        let second = try run.forgedClosing(shorter, at: run.tender.deadline.addingTimeInterval(3600))
        #expect(price(second, records: shorter, previous: previous) == "bad-closing")
        // The same closing with one more signature line (an unknown key's) is another note: the
        // later report would carry a closing note other than the first stage's.
        let unknownWitness = try Cosigner(name: "witness.example/w", key: Ed25519PrivateKey())
        let cosigned = try SignedCheckpoint(note: closing.note.adding([unknownWitness.cosign(closing.note.text, at: 1_700_000_000)]))
        #expect(cosigned.checkpoint == closing.checkpoint)
        #expect(price(cosigned, records: records, previous: previous) == "bad-closing")
        // A qualified bidder must have opened in the technical stage; the first stage takes no list.
        #expect(price(closing, records: records, qualified: [try BidderID("NOBODY")], previous: previous) == "invalid-input")
        #expect(code {
            _ = try StageOpening(
                tender: run.tender, stage: run.technical, closing: closing, records: records, bids: run.store,
                qualified: [try BidderID("BIDDER-1")], now: run.openingTime)
        } == "invalid-input")
        // A verifier of the price report without the public files checks the order too.
        let report = try run.open(run.price, closing: closing)
        let signatures = try run.members.map { try ReportSignature(report: report, roster: run.stageKeys["price"]!.roster, keys: $0) }
        let verified = try report.verify(tender: run.tender, signatures: signatures, now: run.openingTime)
        try verified.checkFollows(previous, tender: run.tender)
        #expect(code { try verified.checkFollows(nil, tender: run.tender) } == "report-mismatch")
    }

    @Test("a portal that logs a predicted withdrawal digest ahead (as a stale withdrawal or a void bid) cannot cancel the bidder's withdrawal")
    func preloggedWithdrawal() async throws {
        let run = try await TenderRun(bidders: 2, submit: false)
        let path = try run.seal("BIDDER-1")
        let header = try BidHeader.read(from: FileSource(path: path))
        let statement = try Withdrawal(
            tender: run.tender.id, bidder: BidderID("BIDDER-1"), withdrawing: header.bidDigest, signer: .ed25519(run.keys["BIDDER-1"]!))
        // Ahead of the bid: the statement's digest as a withdrawal (stale then) and as a void "bid".
        let ahead = [
            try run.forgedEntry(.withdraw, bidder: "BIDDER-1", digest: statement.digest, length: UInt64(statement.encoded.count)),
            try run.forgedEntry(.submit, bidder: "BIDDER-1", digest: statement.digest, length: 1000),
        ]
        _ = try await run.portal.accept(bidAt: path, from: BidderID("BIDDER-1"))
        try await run.submit("BIDDER-2")
        let withdrawal = try await run.portal.withdraw(statement: statement.encoded, from: BidderID("BIDDER-1"))
        let honest = try run.records.filter { if case .entry = $0 { true } else { false } }
        for prefix in [[ahead[0]], [ahead[1]], ahead] {
            let all = prefix + honest
            let closing = try run.forgedClosing(all)
            let report = try run.open(run.technical, closing: closing, records: all)
            #expect(report.result("BIDDER-1") == "withdrawn", "\(prefix.count)")
            #expect(report.result("BIDDER-2") == "opened")
            // The bidder's withdrawal receipt is not a prefix of this log (entries were put before it):
            // its check fails, and in the honest log it counts.
            #expect(code { _ = try report.checkReceipt(withdrawal, bidder: "BIDDER-1", tender: run.tender, records: all) } == "report-mismatch")
        }
        let closing = try await run.close()
        let report = try run.open(run.technical, closing: closing)
        #expect(try report.checkReceipt(withdrawal, bidder: "BIDDER-1", tender: run.tender, records: try run.records) == .counted)
    }

    @Test("a receipt for an entry the opening ignores, or whose checkpoint is another closing, fails the bidder's check")
    func ignoredOrSecondClosingReceipt() async throws {
        let run = try await TenderRun(bidders: 2)
        let first = try entries(run)[0]
        // The portal logs the bidder's old bid again after a replacement and gives it a receipt.
        try await run.submit("BIDDER-1", tag: "-v2")
        var all = try run.records.filter { if case .entry = $0 { true } else { false } }
        all.append(try run.forgedEntry(.replace, bidder: "BIDDER-1", digest: first.bidDigest, length: first.bidLength))
        var tree = MerkleTree()
        for case .entry(let bytes, _) in all { tree.append(leafHash: try LogEntry(encoded: bytes).leafHash) }
        let body = try Checkpoint(origin: run.tender.origin, size: tree.size, rootHash: try tree.root(), extensions: [])
        let signed = try SignedCheckpoint(note: SignedNote(text: body.text, signers: [run.signer]))
        let proof = try tree.inclusionProof(index: tree.size - 1, size: tree.size)
        guard case .entry(let lastBytes, _) = all.last! else { return }
        let replayReceipt = Receipt(entry: lastBytes, index: tree.size - 1, proof: proof, checkpoint: signed.note.serialized, timestampToken: [])
        let closing = try run.forgedClosing(all)
        let report = try run.open(run.technical, closing: closing, records: all)
        #expect(report.ignoredEntries.map(\.reason) == ["replay"])
        #expect(code { _ = try report.checkReceipt(replayReceipt, bidder: "BIDDER-1", tender: run.tender, records: all) } == "report-mismatch")
        // A receipt whose checkpoint is a closing other than the report's: the portal closed twice.
        let honestClosing = try await run.close()
        let honest = try run.open(run.technical, closing: honestClosing)
        var honestTree = MerkleTree()
        let honestEntries = try run.records.compactMap { record -> LogEntry? in
            guard case .entry(let bytes, _) = record else { return nil }
            return try LogEntry(encoded: bytes)
        }
        for entry in honestEntries { honestTree.append(leafHash: entry.leafHash) }
        let at = try #require(honestClosing.checkpoint.closedAt(tender: "T-42"))
        let other = try Checkpoint(
            origin: run.tender.origin, size: honestTree.size, rootHash: try honestTree.root(), extensions: ["closed T-42 \(at + 1000)"])
        let otherClosing = try SignedCheckpoint(note: SignedNote(text: other.text, signers: [run.signer]))
        let closedReceipt = Receipt(
            entry: honestEntries[0].encoded, index: 0, proof: try honestTree.inclusionProof(index: 0, size: honestTree.size),
            checkpoint: otherClosing.note.serialized, timestampToken: [])
        #expect(code { _ = try honest.checkReceipt(closedReceipt, bidder: "BIDDER-1", tender: run.tender, records: try run.records) } == "report-mismatch")
    }

    @Test("a portal that keeps a bid it refused and logs it after the bidder's next one fails the bidder's check of its receipts")
    func refusedBidLoggedLater() async throws {
        let run = try await TenderRun(bidders: 2)
        // BIDDER-1's bid X is "refused" (the portal answers with an error but keeps the file); the
        // bidder seals Y, and gets its receipt; the portal then logs X as a replacement.
        let kept = try run.seal("BIDDER-1", tag: "-x")
        let first = try await run.submit("BIDDER-1", tag: "-y")
        run.clock.advance(10)
        let swapped = try await run.portal.accept(bidAt: kept, from: BidderID("BIDDER-1"))
        let closing = try await run.close()
        let report = try run.open(run.technical, closing: closing)
        let records = try run.records
        let xDigest = try BidHeader.read(from: FileSource(path: kept)).bidDigest.hexString
        #expect(report.line(for: "BIDDER-1")?.bidDigest == xDigest)
        // Each receipt alone is in the closed log; but the counted entry is none of the bidder's receipts.
        #expect(try report.checkReceipt(first, bidder: "BIDDER-1", tender: run.tender, records: records) != .counted)
        #expect(code { _ = try report.checkReceipts([first], bidder: "BIDDER-1", tender: run.tender, records: records) } == "report-mismatch")
        // The bidder that did make both entries holds both receipts: its check passes on the later one.
        let counted = try report.checkReceipts([first, swapped], bidder: "BIDDER-1", tender: run.tender, records: records)
        #expect(counted == report.line(for: "BIDDER-1")?.logIndex)
        #expect(code { _ = try report.checkReceipts([], bidder: "BIDDER-1", tender: run.tender, records: records) } == "report-mismatch")
    }

    @Test("every receipt a bidder gives is checked, whatever its place: a dropped replacement is caught in either order")
    func everyReceiptChecked() async throws {
        let run = try await TenderRun(bidders: 2, submit: false)
        let first = try await run.submit("BIDDER-1")
        let other = try await run.submit("BIDDER-2")
        let replacement = try await run.submit("BIDDER-1", tag: "-v2")
        // The portal closes a log without the replacement: the first bid opens for BIDDER-1.
        let records = Array(try run.records.filter { if case .entry = $0 { true } else { false } }.prefix(2))
        let report = try run.open(run.technical, closing: try run.forgedClosing(records), records: records)
        #expect(try report.checkReceipt(first, bidder: "BIDDER-1", tender: run.tender, records: records) == .counted)
        for receipts in [[first, replacement], [replacement, first], [first, other], [first, first, replacement]] {
            #expect(code { _ = try report.checkReceipts(receipts, bidder: "BIDDER-1", tender: run.tender, records: records) } == "report-mismatch")
        }
        #expect(try report.checkReceipts([first, first], bidder: "BIDDER-1", tender: run.tender, records: records) == 0)
    }

    @Test("a bid over the descriptor's max-bid-bytes, admitted by the portal for one bidder, is void at the opening")
    func oversizedBidAdmitted() async throws {
        // Bids here are about 20 KB: a 15,000-byte limit makes the honest portal refuse them.
        let run = try await TenderRun(bidders: 2, submit: false, maxBidBytes: 15000)
        let bid = try run.seal("BIDDER-1")
        await #expect(throws: PortalError.self) { _ = try await run.portal.accept(bidAt: bid, from: BidderID("BIDDER-1")) }
        // The portal stores and logs it anyway, for this bidder alone.
        let header = try BidHeader.read(from: FileSource(path: bid))
        #expect(header.expectedFileLength > 15000)
        _ = try run.store.store(copyOf: bid, as: .bid) { _ in header.bidDigest }
        let all = [try run.forgedEntry(.submit, bidder: "BIDDER-1", digest: header.bidDigest, length: header.expectedFileLength)]
        let closing = try run.forgedClosing(all)
        let report = try run.open(run.technical, closing: closing, records: all)
        #expect(report.result("BIDDER-1") == "void: too-large")
        // The same bid under a limit it fits opens (the rule is the limit, nothing else).
        let roomy = try await TenderRun(bidders: 2, submit: false)
        let fits = try roomy.seal("BIDDER-1")
        _ = try await roomy.portal.accept(bidAt: fits, from: BidderID("BIDDER-1"))
        #expect(try roomy.open(roomy.technical, closing: try await roomy.close()).result("BIDDER-1") == "opened")
    }

    @Test("a later stage without a list opens only the bidders its previous stage opened, on the same bid files")
    func laterStageWithoutList() async throws {
        let run = try await TenderRun(bidders: 3)
        let closing = try await run.close()
        let records = try run.records
        // BIDDER-2's technical envelope fails (its wrap proof, in its technical envelope only): simulate
        // with a previous report in which BIDDER-2 did not open, by qualifying explicitly first.
        let previous = try #require(try run.previousReport(before: run.price, closing: closing))
        let price = try StageOpening(
            tender: run.tender, stage: run.price, closing: closing, records: records, bids: run.store, previous: previous, now: run.openingTime)
        #expect(price.qualified == Set(previous.report.lines.filter { $0.result == .opened }.map { try! BidderID($0.bidder) }))
        // A copy of the bid files without a bid that opened in the technical stage is not the same files.
        let entries = try entries(run)
        let path = run.store.path(of: entries[1].bidDigest, .bid)
        let saved = try Data(contentsOf: URL(fileURLWithPath: path))
        try FileManager.default.removeItem(atPath: path)
        defer { try? saved.write(to: URL(fileURLWithPath: path)) }
        #expect(code {
            _ = try StageOpening(
                tender: run.tender, stage: run.price, closing: closing, records: records, bids: run.store, previous: previous, now: run.openingTime)
        } == "log-mismatch")
    }
}
