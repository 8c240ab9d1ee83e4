import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// Key files (`docs/spec/keyfiles-v1.md`): one line, `<type> <lowercase hex>`,
/// a trailing newline, and `#` comment lines. Private key files are created
/// with mode 0600 and are never overwritten.
public enum KeyFile {
    public enum Kind: String, CaseIterable, Sendable {
        case hpkePrivate = "sealbid-hpke-private-v1"
        case hpkePublic = "sealbid-hpke-public-v1"
        case ed25519Private = "sealbid-ed25519-private-v1"
        case ed25519Public = "sealbid-ed25519-public-v1"
        case envelopeKey = "sealbid-envelope-key-v1"
        case committeeShare = "sealbid-committee-share-v1"
        case dkgState = "sealbid-dkg-state-v1"

        /// Whether `count` key bytes are right for this kind.
        func accepts(byteCount count: Int) -> Bool {
            switch self {
            case .hpkePrivate, .ed25519Private, .ed25519Public, .envelopeKey: count == 32
            case .hpkePublic: count == 65
            case .committeeShare: count == 66
            case .dkgState: count >= 66 && (count - 34) % 32 == 0 && (count - 34) / 32 <= 255
            }
        }

        public var isSecret: Bool { self != .hpkePublic && self != .ed25519Public }
    }

    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        case malformed(String)
        case wrongKind(expected: Kind, found: String)
        case exists(String)
        case unwritable(String)
        case invalidKey(String)

        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read key file \(path)"
            case .malformed(let path): "\(path) is not a SealedBid key file"
            case .wrongKind(let expected, let found): "expected a \(expected.rawValue) key file, found \(found)"
            case .exists(let path): "\(path) exists; refusing to overwrite a key file"
            case .unwritable(let path): "cannot write key file \(path)"
            case .invalidKey(let why): "the key in the file is invalid: \(why)"
            }
        }
    }

    /// Reads the key bytes of a file of the given kind (secret kinds in secure memory).
    public static func read(_ path: String, kind: Kind) throws(Error) -> SecureBytes {
        var text = try contents(of: path)
        defer { ConstantTime.wipe(&text) }
        let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            .filter { $0.first != UInt8(ascii: "#") }
        guard lines.count == 1, let space = lines[0].firstIndex(of: UInt8(ascii: " ")) else { throw .malformed(path) }
        let type = String(decoding: lines[0][..<space], as: UTF8.self)
        guard type == kind.rawValue else { throw .wrongKind(expected: kind, found: type) }
        var hex = Array(lines[0][(space + 1)...])
        defer { ConstantTime.wipe(&hex) }
        guard hex.count % 2 == 0, kind.accepts(byteCount: hex.count / 2),
            var bytes = try? Hex.decode(String(decoding: hex, as: UTF8.self))
        else {
            throw .malformed(path)
        }
        defer { ConstantTime.wipe(&bytes) }
        return SecureBytes(copying: bytes)
    }

    /// Key files are a few lines; a larger file is not one.
    static let maximumSize = 1 << 20

    /// The file's bytes, read into a buffer the caller wipes (FileManager's
    /// `contents(atPath:)` leaves an unwiped copy, and leaks one for an empty file).
    private static func contents(of path: String) throws(Error) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path) }
        // One byte more than the file claims: a file that grows while it is read is refused below.
        var bytes = [UInt8](repeating: 0, count: min(max(Int(info.st_size), 0), maximumSize) + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else {
                ConstantTime.wipe(&bytes)
                throw .unreadable(path)
            }
            if n == 0 { break }
            count += n
        }
        guard count < bytes.count else {
            ConstantTime.wipe(&bytes)
            throw .malformed(path)
        }
        // Shrinking in place keeps the one buffer, which the caller wipes.
        bytes.removeSubrange(count...)
        return bytes
    }

    /// Writes a key file; secret kinds get mode 0600. Refuses to overwrite.
    public static func write(_ key: SecureBytes, kind: Kind, to path: String, comment: String? = nil) throws(Error) {
        guard kind.accepts(byteCount: key.count) else { throw .invalidKey("\(key.count) bytes for \(kind.rawValue)") }
        var line = Array((comment.map { "# \($0)\n" } ?? "").utf8) + Array("\(kind.rawValue) ".utf8)
        line.reserveCapacity(line.count + 2 * key.count + 1)  // no reallocation leaves a stray copy
        // Hex digits written straight into the (wiped) line buffer: no String holds the key.
        let digits = Array("0123456789abcdef".utf8)
        key.withUnsafeBytes { bytes in
            for b in bytes {
                line.append(digits[Int(b >> 4)])
                line.append(digits[Int(b & 0x0F)])
            }
        }
        line.append(UInt8(ascii: "\n"))
        defer { ConstantTime.wipe(&line) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kind.isSecret ? 0o600 : 0o644)
        guard fd >= 0 else { throw errno == EEXIST ? .exists(path) : .unwritable(path) }
        defer { close(fd) }
        let written = line.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else { throw .unwritable(path) }
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
