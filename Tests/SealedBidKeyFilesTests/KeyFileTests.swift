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
            #expect(throws: KeyFile.Error.malformed(path)) { try KeyFile.read(path, kind: kind) }
        }
    }

    @Test func malformedFilesAreRefused() throws {
        let dir = try TemporaryDirectory()
        let good = String(repeating: "ab", count: 32)
        let type = KeyFile.Kind.envelopeKey.rawValue
        let cases: [String: String] = [
            "empty": "",
            "comments only": "# nothing\n\n# here\n",
            "two key lines": "\(type) \(good)\n\(type) \(good)\n",
            "no space": "\(type)\(good)\n",
            "odd length": "\(type) \(good)a\n",
            "short": "\(type) \(good.dropLast(2))\n",
            "non-hex letter": "\(type) \(good.dropLast(1))g\n",
            "non-hex first": "\(type) x\(good.dropFirst(1))\n",
            "inner space": "\(type) \(good.dropLast(2)) a\n",
            "carriage return": "\(type) \(good.dropLast(1))\r\n",
            "high bytes": "\(type) \(good.dropLast(2))\u{e9}\n",
        ]
        for (name, text) in cases {
            let path = try dir.write(name, text)
            #expect(throws: KeyFile.Error.malformed(path), "\(name)") { try KeyFile.read(path, kind: .envelopeKey) }
        }
        // Upper case is hexadecimal too; comments and empty lines around the key line are ignored.
        let upper = try dir.write("upper", "# c\n\n\(type) \(good.uppercased())\n# d\n")
        #expect(try KeyFile.read(upper, kind: .envelopeKey) == SecureBytes(copying: [UInt8](repeating: 0xAB, count: 32)))
        #expect(throws: KeyFile.Error.unreadable(dir.file("missing"))) { try KeyFile.read(dir.file("missing"), kind: .envelopeKey) }
        #expect(throws: KeyFile.Error.unreadable(dir.path)) { try KeyFile.read(dir.path, kind: .envelopeKey) }
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
@Suite("Key files leave no copy of the secret in memory", .serialized)
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
