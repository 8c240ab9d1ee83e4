import Foundation
import Testing

import SealedBidEnvelope
import SealedBidHPKE
import SealedBidPrimitives
import SealedBidTestSupport

/// Interoperability with `Tests/Interop/envelope_judge.py`, a second
/// implementation of envelope-v1 written in Python from the spec alone
/// (pyhpke for HPKE, pyca/cryptography for the rest), both ways.
@Suite("Bid envelopes: interoperability with an independent implementation")
struct EnvelopeInteropTests {
    let f = Fixture()

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-interop-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("the Python reader verifies and opens bids sealed here")
    func pythonOpensSwift() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let technical = SecureRandom.bytes(count: (1 << 20) + 40000)  // two digest blocks, many chunks
        let (bytes, summary) = try f.seal(technical: technical, price: [])
        let bid = dir.appendingPathComponent("bid.sbid")
        try Data(bytes).write(to: bid)
        guard let (verified, status) = try PythonJudge.run("envelope_judge.py", ["verify", bid.path]) else { return }
        #expect(status == 0)
        #expect(verified["bid_digest"] as? String == summary.bidDigest.hexString)
        for (key, escrow) in [(f.technicalCommittee, false), (f.escrow, true)] {
            let out = dir.appendingPathComponent("out-\(escrow)")
            guard
                let (opened, openStatus) = try PythonJudge.run(
                    "envelope_judge.py",
                    ["open", bid.path, "--envelope", "technical", "--stage", "technical", "--private-key",
                     key.rawRepresentation.hexString, "--tender", f.tender.value, "--bidder", f.bidder.value, "--out", out.path]
                        + (escrow ? ["--escrow"] : []))
            else { return }
            #expect(openStatus == 0, "\(opened)")
            #expect(opened["plaintext_sha256"] as? String == SHA256.hash(technical).hexString)
            #expect(try Data(contentsOf: out) == Data(technical))
        }
    }

    @Test("bids sealed by the Python writer open here")
    func swiftOpensPython() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let technical = SecureRandom.bytes(count: 16385), price = SecureRandom.bytes(count: 16384)
        try Data(technical).write(to: dir.appendingPathComponent("t.bin"))
        try Data(price).write(to: dir.appendingPathComponent("p.bin"))
        let bid = dir.appendingPathComponent("py.sbid")
        let seed = SecureRandom.bytes(count: 32)
        guard
            let (sealed, status) = try PythonJudge.run(
                "envelope_judge.py",
                ["seal", "--tender", f.tender.value, "--bidder", f.bidder.value, "--ed25519-seed", seed.hexString,
                 "--envelope", "technical:technical:\(f.technicalCommittee.publicKey.rawRepresentation.hexString):\(dir.path)/t.bin",
                 "--envelope", "price:price:\(f.priceCommittee.publicKey.rawRepresentation.hexString):\(dir.path)/p.bin",
                 "--escrow-key", f.escrow.publicKey.rawRepresentation.hexString, "--out", bid.path])
        else { return }
        #expect(status == 0, "\(sealed)")
        let opener = try BidOpener(path: bid.path, tender: f.tender, bidder: f.bidder, policy: .signatureOnly())
        #expect(opener.header.bidDigest.hexString == sealed["bid_digest"] as? String)
        try opener.verifyPayloadDigests()
        #expect(try opener.unlock(f.technical, with: .committeeKey(f.technicalCommittee, stage: f.technicalStage)).decryptToMemory() == technical)
        #expect(try opener.unlock(f.price, with: .committeeKey(f.priceCommittee, stage: f.priceStage)).decryptToMemory() == price)
        #expect(try opener.unlock(f.price, with: .escrowKey(f.escrow)).decryptToMemory() == price)
        #expect(errorCode { _ = try opener.unlock(f.price, with: .committeeKey(f.technicalCommittee, stage: f.technicalStage)) } == "wrong-stage")
    }

    @Test("the Python reader gives the expected result for every envelope vector it can run")
    func pythonAgreesWithVectors() throws {
        let directory = PythonJudge.packageRoot.appendingPathComponent("TestVectors/envelope")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var checked = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where name.hasSuffix(".json") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(name))) as? [String: Any])
            // The judge reads bids (not statements), accepts any Ed25519 signer and checks no
            // certificate chain (so no vector with a signer policy), and opens with HPKE keys only.
            guard let hexBid = object["bid"] as? String, object["policy"] == nil else { continue }
            let open = try #require(object["open"] as? [String: Any])
            let kind = try #require(open["key_kind"] as? String)
            guard kind != "envelope-key" else { continue }
            let bid = dir.appendingPathComponent(name + ".sbid")
            try Data(Hex.decode(hexBid)).write(to: bid)
            let out = dir.appendingPathComponent(name + ".out")
            // `--bidder=<id>`: an id may start with '-'.
            let ids = ["--tender=\(try #require(open["tender"] as? String))", "--bidder=\(try #require(open["bidder"] as? String))"]
            let arguments =
                kind == "none"
                ? ["verify", bid.path] + ids
                : ["open", bid.path, "--envelope", try #require(open["envelope"] as? String), "--private-key", try #require(open["key"] as? String)]
                    + ids + ["--out", out.path] + ((open["stage"] as? String).map { ["--stage", $0] } ?? [])
                    + (kind == "escrow" ? ["--escrow"] : [])
            guard let (result, _) = try PythonJudge.run("envelope_judge.py", arguments) else { return }
            let expect = try #require(object["expect"] as? String)
            let outcome = (result["ok"] as? Bool) == true ? "success" : (result["error"] as? String ?? "?")
            #expect(outcome == expect, "\(name): the Python reader says \(outcome), the vector expects \(expect)")
            if expect == "success", kind != "none" {
                #expect(result["plaintext_sha256"] as? String == object["plaintext_sha256"] as? String)
            }
            checked += 1
        }
        #expect(checked >= 100)
    }
}
