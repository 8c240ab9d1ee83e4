import Foundation
import Testing

import SealedBidLog

/// Inputs the fuzzers (`scripts/fuzz`, `Fuzz/`) found, each refused with its typed error.
@Suite("Log: fuzzing findings")
struct LogFuzzFindingTests {
    /// `"sealbid-receipt-v1\n" || u32 0 (no entry) || u64 0 || u8 0 (no proof) || u32 len || note || u32 0 (no token)`.
    func receipt(note: [UInt8]) -> [UInt8] {
        func u32(_ n: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(n).bigEndian) { Array($0) } }
        return Array("sealbid-receipt-v1\n".utf8) + u32(0) + [UInt8](repeating: 0, count: 8) + [0] + u32(note.count) + note + u32(0)
    }

    @Test("fuzz receipt: a checkpoint that is not UTF-8 is malformed-receipt, not decoded with replacement characters")
    func receiptCheckpointNotUTF8() throws {
        // Found as a vector receipt with one byte of its note changed to 0xFF: the parser
        // decoded the note leniently, so the receipt no longer encoded to its own bytes.
        #expect(throws: LogError.malformedReceipt("the checkpoint is not UTF-8")) {
            try Receipt(encoded: receipt(note: Array("origin\n1\n".utf8) + [0xFF] + Array("\n\n".utf8)))
        }
        #expect(throws: LogError.malformedReceipt("the checkpoint is not UTF-8")) { try Receipt(encoded: receipt(note: [0xC3])) }
        // Valid UTF-8 still parses (the note is checked later, by verify).
        let parsed = try Receipt(encoded: receipt(note: Array("é\n".utf8)))
        #expect(parsed.encoded == receipt(note: Array("é\n".utf8)))
    }
}
