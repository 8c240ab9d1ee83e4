import Foundation
import SealedBidPrimitives

/// A C2SP signed-note key (Ed25519, signature type 0x01):
/// `key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4]`.
public struct NoteVerifier: Sendable, Hashable {
    public let name: String
    public let publicKey: Ed25519PublicKey

    public init(name: String, publicKey: Ed25519PublicKey) throws(LogError) {
        guard Self.validName(name) else { throw .malformedKey("key names are non-empty, without spaces or '+'") }
        self.name = name
        self.publicKey = publicKey
    }

    static func validName(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace || $0.value < 0x20 }
    }

    public var keyID: [UInt8] { Array(SHA256.hash(Array(name.utf8) + [0x0A, 0x01] + publicKey.rawRepresentation).prefix(4)) }

    /// The verifier key string `name+hex(keyID)+base64(0x01 || public key)`.
    public var verifierKey: String {
        "\(name)+\(keyID.hexString)+\(Data([0x01] + publicKey.rawRepresentation).base64EncodedString())"
    }

    /// Parses a verifier key string, in its canonical form only.
    public init(verifierKey text: String) throws(LogError) {
        let (name, key) = try Self.parse(verifierKey: text, type: 0x01, what: "a signed-note key")
        try self.init(name: name, publicKey: key)
        guard verifierKey == text else { throw .malformedKey("the key ID does not match the key, or the key is not in canonical form") }
    }

    /// `name+hex(key ID)+base64(type || Ed25519 key)`: the name and key (the caller checks the key
    /// ID by re-encoding). The name has no "+", the key ID is hex; the base64 key may contain "+".
    static func parse(verifierKey text: String, type: UInt8, what: String) throws(LogError) -> (String, Ed25519PublicKey) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let raw = Data(base64Encoded: String(parts[2])), raw.count == 33, raw.first == type,
            let key = try? Ed25519PublicKey(rawRepresentation: raw.dropFirst())
        else { throw .malformedKey("expected name+keyid+base64(0x\(String(format: "%02x", type)) || Ed25519 key), \(what)") }
        return (String(parts[0]), key)
    }
}

/// Signs notes with an Ed25519 key under a key name.
public struct NoteSigner: Sendable {
    public let verifier: NoteVerifier
    private let key: Ed25519PrivateKey

    public init(name: String, key: Ed25519PrivateKey) throws(LogError) {
        self.verifier = try NoteVerifier(name: name, publicKey: key.publicKey)
        self.key = key
    }

    /// The note signature of `text`: the key ID followed by the Ed25519 signature.
    func sign(_ text: String) -> SignedNote.Signature {
        SignedNote.Signature(
            name: verifier.name, keyID: verifier.keyID, signature: key.signature(for: Array(text.utf8)).rawRepresentation)
    }
}

/// A C2SP signed note: text ending in a newline, a blank line, and one or
/// more signature lines `— <key name> base64(key ID || signature)`.
public struct SignedNote: Sendable, Equatable {
    public struct Signature: Sendable, Equatable {
        public let name: String
        public let keyID: [UInt8]
        public let signature: [UInt8]
    }

    /// The signed text, including its final newline.
    public let text: String
    public let signatures: [Signature]

    public static let maximumSignatures = 16
    public static let maximumSize = 1 << 16

    /// Signs `text` (which must end in a newline) with every signer.
    public init(text: String, signers: [NoteSigner]) throws(LogError) {
        try Self.checkText(text)
        self.text = text
        self.signatures = signers.map { $0.sign(text) }
    }

    /// A note from its text and signature lines (at most 16).
    init(text: String, signatures: [Signature]) throws(LogError) {
        try Self.checkText(text)
        try self.init(checkingCount: text, signatures)
    }

    /// The text's form is the caller's: a parsed note keeps what it was given (its checkpoint's
    /// own parser judges the text), a new one was checked by ``checkText(_:)``.
    private init(checkingCount text: String, _ signatures: [Signature]) throws(LogError) {
        guard !signatures.isEmpty else { throw .malformedNote("no signatures") }
        guard signatures.count <= Self.maximumSignatures else { throw .malformedNote("more than 16 signatures") }
        self.text = text
        self.signatures = signatures
    }

    /// The note with more signature lines (witnesses' cosignatures), at most 16 in all.
    public func adding(_ more: [Signature]) throws(LogError) -> SignedNote {
        try SignedNote(checkingCount: text, signatures + more)
    }

    static func checkText(_ text: String) throws(LogError) {
        guard text.hasSuffix("\n"), !text.hasSuffix("\n\n") || text == "\n" else {
            throw .malformedNote("the text must end in exactly one newline")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw .malformedNote("control characters other than newline")
        }
    }

    /// The serialized note.
    public var serialized: String { text + "\n" + signatures.map(Self.line).joined() }

    /// One signature line, `— <key name> base64(key ID || signature)` and a newline.
    static func line(_ signature: Signature) -> String {
        "— \(signature.name) \(Data(signature.keyID + signature.signature).base64EncodedString())\n"
    }

    /// Parses a serialized note (structure only; see ``verify(with:)``).
    public init(parsing note: String) throws(LogError) {
        guard note.utf8.count <= Self.maximumSize else { throw .malformedNote("larger than 64 KiB") }
        guard !note.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw .malformedNote("control characters other than newline")
        }
        guard let split = note.range(of: "\n\n", options: .backwards) else { throw .malformedNote("no blank line before the signatures") }
        let text = String(note[..<split.lowerBound]) + "\n"
        try self.init(checkingCount: text, Self.signatureLines(String(note[split.upperBound...])))
    }

    /// Parses a block of signature lines, each ending in a newline (a note's, or a witness's answer).
    public static func signatureLines(_ block: String) throws(LogError) -> [Signature] {
        guard block.hasSuffix("\n") else { throw .malformedNote("the signature block must end in a newline") }
        var signatures: [Signature] = []
        for line in block.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("— ") else { throw .malformedNote("a signature line must start with an em dash and a space") }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, NoteVerifier.validName(String(fields[0])), let raw = Data(base64Encoded: String(fields[1])),
                raw.count >= 5
            else { throw .malformedNote("malformed signature line") }
            signatures.append(Signature(name: String(fields[0]), keyID: Array(raw.prefix(4)), signature: Array(raw.dropFirst(4))))
            guard signatures.count <= maximumSignatures else { throw .malformedNote("more than 16 signatures") }
        }
        return signatures
    }

    /// Verifies the signatures of known keys (unknown ones are ignored, per
    /// the spec); returns the verifiers whose signatures verified.
    /// - Throws: ``LogError/badSignature(keyName:)`` if a known key's signature fails,
    ///   ``LogError/noVerifiedSignature`` if none verified.
    @discardableResult
    public func verify(with verifiers: [NoteVerifier]) throws(LogError) -> [NoteVerifier] {
        var verified: [NoteVerifier] = []
        for signature in signatures {
            guard let verifier = verifiers.first(where: { $0.name.hasSameUTF8(as: signature.name) && $0.keyID == signature.keyID }) else {
                continue
            }
            guard let sig = try? Ed25519Signature(rawRepresentation: signature.signature),
                verifier.publicKey.isValidSignature(sig, for: Array(text.utf8))
            else { throw .badSignature(keyName: signature.name) }
            if !verified.contains(verifier) { verified.append(verifier) }
        }
        guard !verified.isEmpty else { throw .noVerifiedSignature }
        return verified
    }
}
