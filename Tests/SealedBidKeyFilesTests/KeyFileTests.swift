import Foundation
import Testing

import SealedBidKeyFiles
import SealedBidPrimitives

@Suite("Key files: reading hostile files")
struct KeyFileTests {
    func withFile(_ contents: [UInt8], _ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-keyfile-\(UUID())").path
        try Data(contents).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    @Test("fuzz key-file: an empty file is malformed (and reading it leaks nothing under ASan)")
    func emptyFile() throws {
        // Found by the key-file fuzzer under AddressSanitizer: FileManager.contents(atPath:) leaked
        // 4 KiB for every empty file read. `scripts/sanitize address` runs this test with leak checks.
        try withFile([]) { path in
            for kind in KeyFile.Kind.allCases {
                #expect(throws: KeyFile.Error.malformed(path)) { try KeyFile.read(path, kind: kind) }
            }
        }
    }

    @Test("a key file reads back; other files get typed errors")
    func roundTripAndErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-keyfiles-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = SecureBytes.random(count: 32)
        let path = directory.appendingPathComponent("envelope.key").path
        try KeyFile.write(key, kind: .envelopeKey, to: path, comment: "test")
        #expect(try KeyFile.read(path, kind: .envelopeKey) == key)
        #expect(throws: KeyFile.Error.wrongKind(expected: .hpkePrivate, found: "sealbid-envelope-key-v1")) {
            try KeyFile.read(path, kind: .hpkePrivate)
        }
        #expect(throws: KeyFile.Error.unreadable(directory.path)) { try KeyFile.read(directory.path, kind: .envelopeKey) }
        #expect(throws: KeyFile.Error.unreadable(path + ".missing")) { try KeyFile.read(path + ".missing", kind: .envelopeKey) }
        try withFile(Array("sealbid-envelope-key-v1 ".utf8) + [UInt8](repeating: UInt8(ascii: "0"), count: 1 << 20)) { big in
            #expect(throws: KeyFile.Error.malformed(big)) { try KeyFile.read(big, kind: .envelopeKey) }
        }
    }
}
