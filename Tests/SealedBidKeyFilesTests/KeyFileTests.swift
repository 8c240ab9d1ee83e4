import Foundation
import SealedBidHPKE
import SealedBidKeyFiles
import SealedBidPrimitives
import SealedBidTestSupport
import Testing

/// A key of the right length for each kind (the reader checks lengths; typed helpers check values).
func sampleKey(_ kind: KeyFile.Kind) -> SecureBytes {
    switch kind {
    case .hpkePrivate: HPKE.PrivateKey().scalar.secureRepresentation
    case .hpkePublic: SecureBytes(copying: HPKE.PrivateKey().publicKey.rawRepresentation)
    case .ed25519Private, .envelopeKey: SecureBytes.random(count: 32)
    case .ed25519Public: SecureBytes(copying: Ed25519PrivateKey().publicKey.rawRepresentation)
    case .committeeShare: SecureBytes.random(count: 66)
    case .dkgState: SecureBytes.random(count: 34 + 32 * 3)
    case .releasedShare: SecureBytes.random(count: 167)
    }
}

final class TemporaryDirectory {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-keyfiles-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: file(name), atomically: false, encoding: .utf8)
        return file(name)
    }
}

@Suite("Key files (keyfiles-v1)")
struct KeyFileTests {
    @Test("every kind round-trips; secret kinds are 0600; nothing is overwritten", arguments: KeyFile.Kind.allCases)
    func roundTrip(kind: KeyFile.Kind) throws {
        let dir = try TemporaryDirectory()
        let key = sampleKey(kind)
        let path = dir.file("k")
        try KeyFile.write(key, kind: kind, to: path, comment: "a comment")
        #expect(try KeyFile.read(path, kind: kind) == key)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0
        #expect(mode == (kind.isSecret ? 0o600 : 0o644))
        #expect(throws: KeyFile.Error.exists(path)) { try KeyFile.write(key, kind: kind, to: path) }
        // The hexadecimal is lowercase and the line ends with LF.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("# a comment\n\(kind.rawValue) ") && text.hasSuffix("\n"))
        #expect(text == text.lowercased())
    }

    @Test func typedHelpersReadWhatWritePairWrote() throws {
        let dir = try TemporaryDirectory()
        let hpke = HPKE.PrivateKey()
        try KeyFile.writePair(hpke: hpke, to: dir.file("h"))
        #expect(try KeyFile.hpkePrivateKey(dir.file("h")).scalar == hpke.scalar)
        #expect(try KeyFile.hpkePublicKey(dir.file("h.pub")) == hpke.publicKey)
        let ed = Ed25519PrivateKey()
        try KeyFile.writePair(ed25519: ed, to: dir.file("e"))
        #expect(try KeyFile.ed25519PrivateKey(dir.file("e")).seed == ed.seed)
        #expect(try KeyFile.ed25519PublicKey(dir.file("e.pub")) == ed.publicKey)
    }

    @Test("fuzz key-file: an empty file is malformed (and reading it leaks nothing under ASan)")
    func emptyFile() throws {
        // Found by the key-file fuzzer under AddressSanitizer: FileManager.contents(atPath:) leaked
        // 4 KiB for every empty file read. `scripts/sanitize address` runs this test with leak checks.
        let dir = try TemporaryDirectory()
        let path = try dir.write("empty", "")
        for kind in KeyFile.Kind.allCases {
            #expect(throws: KeyFile.Error.malformed(path, reason: "no key line")) { try KeyFile.read(path, kind: kind) }
        }
    }

    @Test func malformedFilesAreRefused() throws {
        let dir = try TemporaryDirectory()
        let good = String(repeating: "ab", count: 32)
        let type = KeyFile.Kind.envelopeKey.rawValue
        let notHex = "the key is not hexadecimal"
        func length(_ n: Int) -> String { "the key is \(n) characters, not the hexadecimal of a \(type) key" }
        let cases: [(String, String, String)] = [
            ("empty", "", "no key line"),
            ("comments only", "# nothing\n\n# here\n", "no key line"),
            ("blank lines only", " \t\r\n\r\n\n", "no key line"),
            ("two key lines", "\(type) \(good)\n# c\n\(type) \(good)\n", "more than one key line (lines 1 and 3)"),
            ("no space", "\(type)\(good)\n", "the key line has no space after its type"),
            ("odd length", "\(type) \(good)a\n", length(65)),
            ("short", "\(type) \(good.dropLast(2))\n", length(62)),
            ("non-hex letter", "\(type) \(good.dropLast(1))g\n", notHex),
            ("non-hex first", "\(type) x\(good.dropFirst(1))\n", notHex),
            ("inner space", "\(type) \(good.dropLast(2)) a\n", notHex),
            ("two spaces after the type", "\(type)  \(good.dropLast(2))\n", length(63)),
            ("a tab after the type", "\(type)\t\(good)\n", "the key line has no space after its type"),
            ("CR inside the key line", "\(type) \(good.dropLast(2))\r0\n", notHex),
            ("CR alone as the line end", "\(type) \(good)\r# c\r", length(68)),
            ("high bytes", "\(type) \(good.dropLast(2))\u{e9}\n", notHex),
            ("indented key line", "  \(type) \(good)\n", "line 1 is indented"),
            ("indented comment", "\(type) \(good)\n\t# c\n", "line 2 is indented"),
        ]
        for (name, text, reason) in cases {
            let path = try dir.write(name, text)
            #expect(throws: KeyFile.Error.malformed(path, reason: reason), "\(name)") { try KeyFile.read(path, kind: .envelopeKey) }
        }
        #expect(throws: KeyFile.Error.unreadable(dir.file("missing"), reason: "No such file or directory")) {
            try KeyFile.read(dir.file("missing"), kind: .envelopeKey)
        }
        #expect(throws: KeyFile.Error.unreadable(dir.path, reason: "not a regular file")) { try KeyFile.read(dir.path, kind: .envelopeKey) }
        let large = try dir.write("large", "# " + String(repeating: "x", count: 1 << 20) + "\n\(type) \(good)\n")
        #expect(throws: KeyFile.Error.unreadable(large, reason: "larger than 1048576 bytes")) { try KeyFile.read(large, kind: .envelopeKey) }
    }

    /// keyfiles-v1, "Lines": what a key file may look like after e-mail, an editor or a copy and paste.
    @Test(
        "accepted: either case of hex, CRLF, no final LF, trailing whitespace, blank lines, comments anywhere and in any bytes",
        arguments: [
            ("upper case", "# c\n\n{type} {HEX}\n# d\n"),
            ("mixed case", "{type} {Mixed}\n"),
            ("CRLF", "# c\r\n\r\n{type} {hex}\r\n# d\r\n"),
            ("no final line end", "# c\n{type} {hex}"),
            ("no final LF after CR", "{type} {hex}\r"),
            ("trailing whitespace", "{type} {hex} \t \r\n"),
            ("whitespace-only lines", " \n\t\n{type} {hex}\n \r\n"),
            ("comment after the key line", "{type} {hex}\n# written by hand\n"),
            ("invalid UTF-8 in a comment", "#\u{FF}\u{FE} \u{00}\n{type} {hex}\n"),
        ])
    func tolerated(name: String, template: String) throws {
        let dir = try TemporaryDirectory()
        let key = [UInt8](repeating: 0xAB, count: 31) + [0xCD]
        let hex = key.map { String(format: "%02x", $0) }.joined()
        let text = template.replacingOccurrences(of: "{type}", with: KeyFile.Kind.envelopeKey.rawValue)
            .replacingOccurrences(of: "{hex}", with: hex).replacingOccurrences(of: "{HEX}", with: hex.uppercased())
            .replacingOccurrences(of: "{Mixed}", with: "aB" + hex.dropFirst(2).uppercased())
        // Written byte for byte: "\u{FF}" stands for the byte 0xFF, not its UTF-8 encoding.
        let bytes = text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        let path = dir.file("k")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try KeyFile.read(path, kind: .envelopeKey) == SecureBytes(copying: key), "\(name)")
    }

    @Test("every key-file error reads '<code>: <message>'")
    func errorForm() throws {
        let errors: [KeyFile.Error] = [
            .unreadable("k", reason: "r"), .malformed("k", reason: "r"), .wrongKind(expected: .hpkePrivate, found: KeyFile.unknownType),
            .exists("k"), .unwritable("k"), .invalidKey("r"),
        ]
        for error in errors {
            #expect("\(error)".hasPrefix(error.code + ": "), "\(error)")
            #expect(["io-error", "malformed-key-file", "wrong-key-kind", "exists", "invalid-key"].contains(error.code))
        }
    }

    @Test("a wrong kind names a SealedBid type, never a foreign file's first word")
    func wrongKindDoesNotEcho() throws {
        let dir = try TemporaryDirectory()
        let other = dir.file("other")
        try KeyFile.write(sampleKey(.envelopeKey), kind: .envelopeKey, to: other)
        #expect(throws: KeyFile.Error.wrongKind(expected: .hpkePrivate, found: KeyFile.Kind.envelopeKey.rawValue)) {
            try KeyFile.read(other, kind: .hpkePrivate)
        }
        let foreign = try dir.write("foreign", "hunter2-is-my-password 00\n")
        do {
            _ = try KeyFile.read(foreign, kind: .hpkePrivate)
            Issue.record("a foreign file was read")
        } catch {
            #expect(error == .wrongKind(expected: .hpkePrivate, found: KeyFile.unknownType))
            #expect(!"\(error)".contains("hunter2"))
        }
    }

    @Test("the hexadecimal codec is exact for every byte and character")
    func hexCodec() throws {
        let all = (0...255).map { UInt8($0) }
        var encoded = [UInt8](repeating: 0, count: 512)
        all.withUnsafeBytes { b in encoded.withUnsafeMutableBytes { Hex.encode(b, into: $0) } }
        #expect(String(decoding: encoded, as: UTF8.self) == all.map { String(format: "%02x", $0) }.joined())
        #expect(try Hex.decode(String(decoding: encoded, as: UTF8.self)) == all)
        #expect(try Hex.decode(String(decoding: encoded, as: UTF8.self).uppercased()) == all)
        for c in 0...255 where !"0123456789abcdefABCDEF".utf8.contains(UInt8(c)) {
            var out: [UInt8] = [0xEE]
            let ok = [UInt8(c), UInt8(ascii: "0")].withUnsafeBytes { h in out.withUnsafeMutableBytes { Hex.decode(h, into: $0) } }
            #expect(!ok && out == [0], "character \(c)")
        }
        #expect(#expect(throws: Hex.DecodingError.self) { try Hex.decode("00a") }?.offset == 3)
        #expect(#expect(throws: Hex.DecodingError.self) { try Hex.decode("00g0") }?.offset == 2)
    }
}

/// Issue 17: no secret read from a key file passes through `String`, `Data` or an unwiped array.
/// After each read, the process's writable memory (live and freed heap, every arena, the stacks)
/// is scanned for the key's hexadecimal text, which must be nowhere, and for the key bytes, which
/// may only be in the guarded memory of the key written and the key read.
@Suite("Key files leave no copy of the secret in memory", .serialized, .enabled(if: MemoryScan.worksHere))
struct KeyFileCopiesTests {
    @Test(arguments: KeyFile.Kind.allCases)
    func noCopyOfTheKeyIsLeft(kind: KeyFile.Kind) throws {
        let dir = try TemporaryDirectory()
        let key = sampleKey(kind)
        let path = dir.file("k")
        try KeyFile.write(key, kind: kind, to: path, comment: "scanned")
        let scan = MemoryScan()
        let hex = key.withUnsafeBytes { k in scan.needle(count: 2 * k.count) { Hex.encode(k, into: $0) } }
        let raw = key.withUnsafeBytes { k in scan.needle(count: k.count) { $0.copyMemory(from: k) } }

        let read = try KeyFile.read(path, kind: kind)
        #expect(read == key)
        #expect(scan.occurrences(of: hex).isEmpty, "hexadecimal copies of a \(kind.rawValue) key")
        if kind.isSecret {  // public keys are ordinary arrays everywhere, by design
            let guarded = [key, read].map { $0.withUnsafeBytes { $0 } }
            #expect(scan.occurrences(of: raw, excluding: guarded).isEmpty, "plain copies of a \(kind.rawValue) key")
        }

        switch kind {
        case .hpkePrivate: _ = try KeyFile.hpkePrivateKey(path)
        case .ed25519Private: _ = try KeyFile.ed25519PrivateKey(path)
        default: break
        }
        #expect(scan.occurrences(of: hex).isEmpty, "hexadecimal copies left by the typed reader")
        withExtendedLifetime((key, read)) {}
    }

    @Test("the scan does find a copy that was freed without being wiped")
    func scanFindsAnUnwipedFreedCopy() throws {
        let key = SecureBytes.random(count: 32)
        let scan = MemoryScan()
        let hex = key.withUnsafeBytes { k in scan.needle(count: 2 * k.count) { Hex.encode(k, into: $0) } }
        do {
            // What the old reader did: the text in an ordinary array, freed unwiped.
            var copy = [UInt8](repeating: 0, count: 64)
            copy.withUnsafeMutableBytes { c in key.withUnsafeBytes { Hex.encode($0, into: c) } }
            withExtendedLifetime(copy) {}
        }
        #expect(!scan.occurrences(of: hex).isEmpty)
    }
}
