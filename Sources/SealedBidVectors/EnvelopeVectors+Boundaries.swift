import Foundation
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidPrimitives

/// Byte surgery on sealed bids, for the vectors that break one rule of the format.
extension EnvelopeVectors {
    /// `"sealbid/envelope-v1 signature" || 0x00`, as the spec writes it.
    static let signatureLabel = Array("sealbid/envelope-v1 signature".utf8) + [0]

    static func headerLength(_ bid: [UInt8]) -> Int { bid[12..<16].reduce(0) { $0 << 8 | Int($1) } }

    static func settingHeaderLength(_ bid: [UInt8], _ length: Int) -> [UInt8] {
        var copy = bid
        copy.replaceSubrange(12..<16, with: withUnsafeBytes(of: UInt32(length).bigEndian) { Array($0) })
        return copy
    }

    /// `bid` with `range` (inside the header) replaced by `bytes`, and `header_length` adjusted.
    static func replacing(_ bid: [UInt8], _ range: Range<Int>, with bytes: [UInt8]) -> [UInt8] {
        var copy = bid
        copy.replaceSubrange(range, with: bytes)
        return settingHeaderLength(copy, headerLength(bid) + bytes.count - range.count)
    }

    /// Where the `signer` field lies in a header (after magic, version, suite, length and the ids).
    static func signerRange(_ bid: [UInt8]) -> Range<Int> {
        let start = 16 + 1 + Int(bid[16]) + 1 + Int(bid[17 + Int(bid[16])])
        guard bid[start] == 0x02 else { return start..<(start + 33) }
        var end = start + 2
        for _ in 0..<Int(bid[start + 1]) { end += 2 + (Int(bid[end]) << 8 | Int(bid[end + 1])) }
        return start..<end
    }

    /// `bid` with its signature replaced by `sign(signed_message)`.
    static func resigned(_ bid: [UInt8], _ sign: ([UInt8]) throws -> [UInt8]) rethrows -> [UInt8] {
        let length = headerLength(bid)
        var copy = bid
        copy.replaceSubrange((length - 64)..<length, with: try sign(signatureLabel + bid[..<(length - 64)]))
        return copy
    }

    /// `bid` with another `signer` field, signed again with `sign` (the MACs, computed over the old
    /// `core`, no longer verify: for vectors that fail at step 7 or earlier).
    static func replacingSigner(_ bid: [UInt8], with signer: [UInt8], _ sign: ([UInt8]) throws -> [UInt8]) rethrows -> [UInt8] {
        try resigned(replacing(bid, signerRange(bid), with: signer), sign)
    }

    /// The field offsets of the first entry (named and staged `technical`, with an escrow copy).
    struct FirstEntry {
        let start: Int
        var recipient: Int { start + 2 + 2 * "technical".utf8.count }
        var enc: Int { recipient + 65 }
        var wrappedKey: Int { enc + 65 }
        var wrapProof: Int { wrappedKey + 48 }
        var escrowFlag: Int { wrapProof + 64 }
        var escrowKey: Int { escrowFlag + 1 }
        var escrowEnc: Int { escrowKey + 65 }
        var escrowWrappedKey: Int { escrowEnc + 65 }
        var payloadLength: Int { escrowWrappedKey + 48 }
        var payloadDigest: Int { payloadLength + 8 }
        /// The second entry (`price`, with an escrow copy).
        var next: Int { payloadDigest + 32 }
        var nextWrapProof: Int { next + 2 + 2 * "price".utf8.count + 65 + 65 + 48 }

        init(_ bid: [UInt8]) { start = EnvelopeVectors.signerRange(bid).upperBound + 1 }
    }

    static func u64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    // MARK: Scenarios

    /// Digest block boundaries, short inputs, header and payload lengths, identifiers and points.
    static func boundaryScenarios(_ list: ScenarioList) throws {
        // Payloads of exactly one and two 1 MiB digest blocks: the last block is then full.
        for (name, blocks) in [("one", 1), ("two", 2)] {
            let p = try Parties(seed: "payload-\(name)-block")
            let size = blocks << 20
            let plaintext = p.payload(size - 56 - (size - 56) / 16400 * 16 - 16)
            let bid = try p.seal(technical: plaintext, price: p.payload(10))
            guard try BidHeader.read(from: MemorySource(bid)).envelopes[0].payloadLength == UInt64(size) else {
                throw VectorFormatError("the payload is not \(size) bytes")
            }
            list.add(
                "success-payload-\(name)-digest-block\(blocks == 1 ? "" : "s")-exactly",
                "payload_length exactly \(size) (\(plaintext.count) bytes of plaintext): the last digest block is full",
                expect: "success", bid: bid, parties: p, plaintext: plaintext)
        }

        let p = try Parties(seed: "boundaries")
        let good = try p.seal(technical: p.payload(1000), price: p.payload(50))
        let hl = headerLength(good)
        let entry = FirstEntry(good)
        func mutate(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var copy = good
            change(&copy)
            return copy
        }

        // Step 1: inputs shorter than the 16-byte prefix.
        let magic = Array(good[0..<8])
        for (name, bytes, expect, why) in [
            ("empty", [UInt8](), "not-a-bid", "an empty input"),
            ("magic-prefix", Array(magic[0..<5]), "truncated", "the first 5 bytes of the magic"),
            ("not-magic", Array("%PDF-1.7".utf8), "not-a-bid", "8 bytes that are not the magic"),
            ("version-unseen", magic + [0, 2, 0, 1, 0, 0, 1], "truncated",
             "15 bytes: the magic, version 2 and part of header_length (below 16 bytes only the magic is examined)"),
        ] {
            list.add("short-input-\(name)", "\(why): \(expect)", expect: expect, bid: bytes, parties: p)
        }

        // Step 2: the header_length range, and its order before the file length.
        list.add(
            "header-length-below-minimum", "header_length 63", expect: "malformed-header",
            bid: settingHeaderLength(good, 63), parties: p)
        list.add(
            "header-length-maximum-cut", "header_length 74829 (the largest allowed) with a shorter file",
            expect: "truncated", bid: settingHeaderLength(good, 74829), parties: p)
        list.add(
            "header-length-above-maximum", "header_length 74830, one more than the largest well-formed header",
            expect: "malformed-header", bid: settingHeaderLength(good, 74830), parties: p)
        // Step 3: nothing left over.
        list.add(
            "header-leftover-byte", "one byte after the signature, inside header_length", expect: "malformed-header",
            bid: replacing(good, hl..<hl, with: [0]), parties: p)

        // Steps 3 and 4 interleave: the ids are checked as they are decoded, before sig_alg.
        let bidderAt = 16 + 1 + p.tender.value.utf8.count + 1
        let signerAt = signerRange(good).lowerBound
        list.add(
            "signature-algorithm-unknown-after-bad-bidder", "a space in the bidder id and sig_alg 0x03: the id comes first",
            expect: "malformed-header", bid: mutate { $0[bidderAt] = 0x20; $0[signerAt] = 3 }, parties: p)
        list.add(
            "signature-algorithm-zero", "sig_alg 0x00", expect: "unsupported-signature-algorithm",
            bid: mutate { $0[signerAt] = 0 }, parties: p)

        // Step 4: identifier lengths and charsets.
        let tenderField = 16..<(17 + p.tender.value.utf8.count)
        let bidderField = (bidderAt - 1)..<(bidderAt + p.bidder.value.utf8.count)
        let nameField = entry.start..<(entry.start + 10), stageField = (entry.start + 10)..<(entry.start + 20)
        for (name, field, bytes, why) in [
            ("tender-id-empty", tenderField, [UInt8(0)], "a tender id of 0 bytes"),
            ("tender-id-too-long", tenderField, [129] + [UInt8](repeating: UInt8(ascii: "A"), count: 129), "a tender id of 129 bytes"),
            ("bidder-id-too-long", bidderField, [129] + [UInt8](repeating: UInt8(ascii: "B"), count: 129), "a bidder id of 129 bytes"),
            ("bidder-id-bad-character", bidderField, [4] + Array("AC#E".utf8), "a '#' in the bidder id"),
            ("envelope-name-empty", nameField, [UInt8(0)], "an envelope name of 0 bytes"),
            ("envelope-name-too-long", nameField, [33] + [UInt8](repeating: UInt8(ascii: "t"), count: 33), "an envelope name of 33 bytes"),
            ("stage-name-too-long", stageField, [33] + [UInt8](repeating: UInt8(ascii: "t"), count: 33), "a stage name of 33 bytes"),
            ("stage-name-uppercase", stageField, [9] + Array("Technical".utf8), "a stage name with an upper-case letter"),
            ("stage-name-bad-character", stageField, [9] + Array("technic.l".utf8), "a stage name with a '.'"),
        ] {
            list.add(name, why, expect: "malformed-header", bid: replacing(good, field, with: bytes), parties: p)
        }
        do {
            // The longest identifiers, every character of the id charset.
            let idCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:/@+-"
            let tender = String(String(repeating: idCharacters, count: 2).prefix(128))
            let bidder = String(String(repeating: String(idCharacters.reversed()), count: 2).prefix(128))
            let q = try Parties(seed: "longest-ids", tender: tender, bidder: bidder)
            let names = ["abcdefghijklmnopqrstuvwxyz012345", "6789_-" + String(repeating: "z", count: 26)]
            let stages = ["stage-one_" + String(repeating: "a", count: 22), "stage-two_" + String(repeating: "b", count: 22)]
            let plaintext = q.payload(100)
            list.add(
                "success-longest-ids", "128-byte tender and bidder ids, 32-byte envelope and stage names",
                expect: "success", bid: try q.seal(technical: plaintext, price: q.payload(5), names: names, stages: stages),
                parties: q, envelope: names[0], stage: stages[0], plaintext: plaintext)
        }

        do {
            // Stage names (and so recipient keys) may repeat; only envelope names must differ.
            let q = try Parties(seed: "shared-stage")
            let plaintext = q.payload(30)
            list.add(
                "success-shared-stage", "both envelopes in the stage 'technical'; the second one opened", expect: "success",
                bid: try q.seal(technical: q.payload(20), price: plaintext, stages: ["technical", "technical"]), parties: q,
                envelope: "price", stage: "technical", key: q.priceKey.rawRepresentation, plaintext: plaintext)
        }

        // Step 4: every point decodes (hpke-profile-v1).
        for (name, at) in [("enc", entry.enc), ("escrow-key", entry.escrowKey), ("escrow-enc", entry.escrowEnc)] {
            list.add(
                "\(name)-off-curve", "\(name.replacingOccurrences(of: "-", with: "_")) is not a P-256 point",
                expect: "malformed-header", bid: mutate { $0[at + 64] ^= 1 }, parties: p)
        }
        list.add(
            "escrow-key-compressed-prefix", "escrow_key starts with 0x03", expect: "malformed-header",
            bid: mutate { $0[entry.escrowKey] = 0x03 }, parties: p)

        // Step 5: payload lengths.
        let lengthField = entry.payloadLength..<(entry.payloadLength + 8)
        for (name, length, expect, why) in [
            ("below-minimum", UInt64(71), "malformed-header", "payload_length 71 (the minimum is 72)"),
            ("too-many-chunks", 56 + (UInt64(1) << 32) * 16400 + 16, "malformed-header",
             "payload_length of 2^32 + 1 chunks"),
            ("most-chunks", 56 + ((UInt64(1) << 32) - 1) * 16400 + 16, "truncated",
             "payload_length of exactly 2^32 chunks: valid, so the file is too short (step 6)"),
        ] {
            list.add("payload-length-\(name)", why, expect: expect, bid: mutate { $0.replaceSubrange(lengthField, with: u64(length)) }, parties: p)
        }
    }
}
