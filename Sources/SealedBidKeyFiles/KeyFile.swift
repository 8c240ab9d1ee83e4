import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// Key files (`docs/spec/keyfiles-v1.md`): one line `<type> <hex>`, `#` comment lines and blank
/// lines, LF or CRLF line ends. Writers emit lowercase hex and a final LF. Private key files are
/// created with mode 0600 and are never overwritten.
public enum KeyFile {
    public enum Kind: String, CaseIterable, Sendable {
        case hpkePrivate = "sealbid-hpke-private-v1"
        case hpkePublic = "sealbid-hpke-public-v1"
        case ed25519Private = "sealbid-ed25519-private-v1"
        case ed25519Public = "sealbid-ed25519-public-v1"
        case envelopeKey = "sealbid-envelope-key-v1"
        case committeeShare = "sealbid-committee-share-v1"
        case dkgState = "sealbid-dkg-state-v1"
        case releasedShare = "sealbid-released-share-v1"

        /// Whether `count` key bytes are right for this kind.
        func accepts(byteCount count: Int) -> Bool {
            switch self {
            case .hpkePrivate, .ed25519Private, .ed25519Public, .envelopeKey: count == 32
            case .hpkePublic: count == 65
            case .committeeShare: count == 66
            case .dkgState: count >= 66 && (count - 34) % 32 == 0 && (count - 34) / 32 <= 255
            case .releasedShare: count == 167
            }
        }

        public var isSecret: Bool { self != .hpkePublic && self != .ed25519Public }
    }

    /// Every description is `<code>: <message>`, like the other errors of the library.
    public enum Error: SealedBidError, Equatable {
        /// The file (path) cannot be read: missing, not a regular file, over 1 MiB, changed while read.
        case unreadable(String, reason: String)
        /// The file (path) is not a key file; `reason` names the rule and the line, never key text.
        case malformed(String, reason: String)
        /// `found` is the type of the file when it is another SealedBid key type, otherwise a
        /// fixed phrase: the first word of a foreign file is never echoed (it may be a secret).
        case wrongKind(expected: Kind, found: String)
        case exists(String)
        case unwritable(String)
        case invalidKey(String)

        public var code: String {
            switch self {
            case .unreadable, .unwritable: "io-error"
            case .malformed: "malformed-key-file"
            case .wrongKind: "wrong-key-kind"
            case .exists: "exists"
            case .invalidKey: "invalid-key"
            }
        }

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "\(code): cannot read key file \(path): \(reason)"
            case .malformed(let path, let reason): "\(code): \(path) is not a SealedBid key file: \(reason)"
            case .wrongKind(let expected, let found): "\(code): expected a \(expected.rawValue) key file, found \(found)"
            case .exists(let path): "\(code): \(path) exists; refusing to overwrite a key file"
            case .unwritable(let path): "\(code): cannot write key file \(path)"
            case .invalidKey(let why): "\(code): the key in the file is invalid: \(why)"
            }
        }
    }

    /// What ``Error/wrongKind(expected:found:)`` says of a type that is not a SealedBid key type.
    public static let unknownType = "a file of an unknown type"

    /// Key files are small; anything larger is refused before it is read.
    static let maximumFileSize = 1 << 20

    /// Reads the key bytes of a file of the given kind (secret kinds in secure memory).
    ///
    /// The file is read with `read(2)` straight into guarded memory and decoded there
    /// (keyfiles-v1, "Reading"): lines are found with `memchr`, and the hexadecimal key is
    /// decoded in constant time (``Hex/decode(_:into:)``) into the guarded result. No `Data`,
    /// `String` or array ever holds the key or its hexadecimal text.
    public static func read(_ path: String, kind: Kind) throws(Error) -> SecureBytes {
        let file: SecureBytes
        do { file = try SecureBytes(contentsOfFile: path, maximumCount: maximumFileSize) } catch {
            throw .unreadable(path, reason: error.reason)
        }
        return try file.withUnsafeBytes { (text) throws(Error) -> SecureBytes in
            let line = try keyLine(text, path: path)
            guard let space = find(UInt8(ascii: " "), in: text, line) else {
                throw .malformed(path, reason: "the key line has no space after its type")
            }
            let type = UnsafeRawBufferPointer(rebasing: text[line.lowerBound..<space])
            guard equal(type, kind.rawValue) else {
                throw .wrongKind(expected: kind, found: Kind.allCases.first { equal(type, $0.rawValue) }?.rawValue ?? unknownType)
            }
            let hex = UnsafeRawBufferPointer(rebasing: text[(space + 1)..<line.upperBound])
            guard hex.count % 2 == 0, kind.accepts(byteCount: hex.count / 2) else {
                throw .malformed(path, reason: "the key is \(hex.count) characters, not the hexadecimal of a \(kind.rawValue) key")
            }
            return try SecureBytes(count: hex.count / 2) { (out: UnsafeMutableRawBufferPointer) throws(Error) in
                guard Hex.decode(hex, into: out) else { throw .malformed(path, reason: "the key is not hexadecimal") }
            }
        }
    }

    /// The range of the one key line, without its line end and trailing whitespace (keyfiles-v1,
    /// "Lines"): lines end at LF or at the end of the file; trailing SP, HTAB and CR are not part
    /// of a line; a line left empty is blank, one starting with `#` a comment; an indented line is
    /// refused. Only the first byte of a line and the bytes at its end are looked at: for the key
    /// line, the type's first byte and the key's last digit, which is never whitespace, so the
    /// work done is the same for every key.
    private static func keyLine(_ text: UnsafeRawBufferPointer, path: String) throws(Error) -> Range<Int> {
        var found: (range: Range<Int>, number: Int)?
        var start = 0
        var number = 1
        while start < text.count {
            let next = find(UInt8(ascii: "\n"), in: text, start..<text.count) ?? text.count
            var end = next
            while end > start, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")].contains(text[end - 1]) { end -= 1 }
            if end > start {
                let first = text[start]
                if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                    throw .malformed(path, reason: "line \(number) is indented")
                }
                if first != UInt8(ascii: "#") {
                    if let found { throw .malformed(path, reason: "more than one key line (lines \(found.number) and \(number))") }
                    found = (start..<end, number)
                }
            }
            start = next + 1
            number += 1
        }
        guard let found else { throw .malformed(path, reason: "no key line") }
        return found.range
    }

    /// The first offset of `byte` in `text[range]` (`memchr`, whose time depends only on where
    /// the byte is: for newlines and the space after the type, public structure).
    private static func find(_ byte: UInt8, in text: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, let base = text.baseAddress,
            let hit = memchr(base + range.lowerBound, Int32(byte), range.count)
        else { return nil }
        return UnsafeRawPointer(hit) - base
    }

    private static func equal(_ bytes: UnsafeRawBufferPointer, _ text: String) -> Bool {
        bytes.elementsEqual(text.utf8)
    }

    /// Writes a key file; secret kinds get mode 0600. Refuses to overwrite.
    ///
    /// The whole file is assembled in guarded memory (the hexadecimal digits by
    /// ``Hex/encode(_:into:)``, constant time) and written with `write(2)`. A write that fails
    /// removes the file it created, so no partial key file is left behind.
    public static func write(_ key: SecureBytes, kind: Kind, to path: String, comment: String? = nil) throws(Error) {
        guard kind.accepts(byteCount: key.count) else { throw .invalidKey("\(key.count) bytes for \(kind.rawValue)") }
        let head = Array((comment.map { "# \($0)\n" } ?? "").utf8) + Array("\(kind.rawValue) ".utf8)
        let content = SecureBytes(count: head.count + 2 * key.count + 1) { (out: UnsafeMutableRawBufferPointer) in
            out.copyBytes(from: head)
            key.withUnsafeBytes { bytes in
                Hex.encode(bytes, into: UnsafeMutableRawBufferPointer(rebasing: out[head.count..<(out.count - 1)]))
            }
            out[out.count - 1] = UInt8(ascii: "\n")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kind.isSecret ? 0o600 : 0o644)
        guard fd >= 0 else { throw errno == EEXIST ? .exists(path) : .unwritable(path) }
        let written = content.withUnsafeBytes { writeAll(fd, $0) } && fsync(fd) == 0
        let closed = close(fd) == 0
        // The file is ours (O_EXCL): if anything failed, remove it rather than leave a partial key.
        guard written, closed else {
            unlink(path)
            throw .unwritable(path)
        }
    }

    /// `write(2)` until everything is written, retrying on EINTR.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    // MARK: Typed helpers

    public static func hpkePrivateKey(_ path: String) throws(Error) -> HPKE.PrivateKey {
        let raw = try read(path, kind: .hpkePrivate)
        do { return try HPKE.PrivateKey(rawRepresentation: raw) } catch { throw .invalidKey(error.code) }
    }

    public static func hpkePublicKey(_ path: String) throws(Error) -> HPKE.PublicKey {
        let raw = try read(path, kind: .hpkePublic)
        do { return try HPKE.PublicKey(rawRepresentation: raw) } catch { throw .invalidKey(error.code) }
    }

    public static func ed25519PrivateKey(_ path: String) throws(Error) -> Ed25519PrivateKey {
        do { return try Ed25519PrivateKey(seed: try read(path, kind: .ed25519Private)) } catch let error as Error {
            throw error
        } catch {
            throw .invalidKey("\(error)")
        }
    }

    public static func ed25519PublicKey(_ path: String) throws(Error) -> Ed25519PublicKey {
        let raw = try read(path, kind: .ed25519Public)
        do { return try Ed25519PublicKey(rawRepresentation: raw) } catch { throw .invalidKey(error.code) }
    }

    public static func writePair(hpke key: HPKE.PrivateKey, to path: String) throws(Error) {
        try write(key.scalar.secureRepresentation, kind: .hpkePrivate, to: path, comment: "HPKE P-256 private key: keep secret")
        try write(
            SecureBytes(copying: key.publicKey.rawRepresentation), kind: .hpkePublic, to: path + ".pub",
            comment: "HPKE P-256 public key")
    }

    public static func writePair(ed25519 key: Ed25519PrivateKey, to path: String) throws(Error) {
        try write(key.seed, kind: .ed25519Private, to: path, comment: "Ed25519 signing key: keep secret")
        try write(
            SecureBytes(copying: key.publicKey.rawRepresentation), kind: .ed25519Public, to: path + ".pub",
            comment: "Ed25519 public key")
    }
}
