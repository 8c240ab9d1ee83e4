import Foundation
import SealedBidPrimitives

/// A witness's key for C2SP tlog-cosignature v1 (Ed25519, signature type 0x04):
/// `key ID = SHA-256(name || 0x0A || 0x04 || public key)[:4]`. A cosignature
/// by it says: as of its timestamp, this is the largest checkpoint of the log
/// that the witness saw, and it is consistent with every one it saw before.
public struct CosignerVerifier: Sendable, Hashable {
    public let name: String
    public let publicKey: Ed25519PublicKey

    static let signatureType: UInt8 = 0x04

    /// - Parameter name: printable ASCII without spaces or `+` (a schema-less URL): a witness
    ///   is told apart from a look-alike by its name as people read it.
    public init(name: String, publicKey: Ed25519PublicKey) throws(LogError) {
        guard NoteVerifier.validName(name), name.utf8.allSatisfy({ (0x21..<0x7F).contains($0) }) else {
            throw .malformedKey("witness names are printable ASCII, without spaces or '+'")
        }
        self.name = name
        self.publicKey = publicKey
    }

    public var keyID: [UInt8] {
        Array(SHA256.hash(Array(name.utf8) + [0x0A, Self.signatureType] + publicKey.rawRepresentation).prefix(4))
    }

    /// The verifier key string `name+hex(keyID)+base64(0x04 || public key)`.
    public var verifierKey: String {
        "\(name)+\(keyID.hexString)+\(Data([Self.signatureType] + publicKey.rawRepresentation).base64EncodedString())"
    }

    /// Parses a verifier key string of signature type 0x04.
    public init(verifierKey text: String) throws(LogError) {
        let (name, key) = try NoteVerifier.parse(verifierKey: text, type: Self.signatureType, what: "a cosignature/v1 key")
        try self.init(name: name, publicKey: key)
        guard verifierKey == text else { throw .malformedKey("the key ID does not match the key, or the key is not in canonical form") }
    }

    /// The message a cosignature signs: `cosignature/v1`, `time <t>`, then the checkpoint's text.
    static func message(text: String, timestamp: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n\(text)".utf8)
    }

    /// The timestamp of `signature`, a cosignature by this key on `text`, once it verifies.
    /// - Throws: ``LogError/badSignature(keyName:)`` when it does not.
    func verify(_ signature: SignedNote.Signature, text: String) throws(LogError) -> UInt64 {
        let raw = signature.signature
        guard raw.count == 8 + 64 else { throw .badSignature(keyName: name) }
        let timestamp = raw.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard timestamp <= UInt64(Int64.max), let sig = try? Ed25519Signature(rawRepresentation: raw.dropFirst(8)),
            publicKey.isValidSignature(sig, for: Self.message(text: text, timestamp: timestamp))
        else { throw .badSignature(keyName: name) }
        return timestamp
    }
}

/// A witness's signing key: produces cosignature/v1 lines.
public struct Cosigner: Sendable {
    public let verifier: CosignerVerifier
    private let key: Ed25519PrivateKey

    public init(name: String, key: Ed25519PrivateKey) throws(LogError) {
        self.verifier = try CosignerVerifier(name: name, publicKey: key.publicKey)
        self.key = key
    }

    /// The cosignature of a checkpoint's text at `timestamp` (POSIX seconds).
    public func cosign(_ text: String, at timestamp: UInt64) -> SignedNote.Signature {
        var stamp: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) { stamp.append(UInt8(truncatingIfNeeded: timestamp >> UInt64(shift))) }
        let signature = key.signature(for: CosignerVerifier.message(text: text, timestamp: timestamp)).rawRepresentation
        return SignedNote.Signature(name: verifier.name, keyID: verifier.keyID, signature: stamp + signature)
    }
}

/// Which witnesses a verifier trusts, and how many of them must have cosigned a checkpoint
/// before it relies on it (the tender descriptor's `witness` and `witness-quorum` lines).
public struct WitnessPolicy: Sendable, Equatable {
    public let witnesses: [CosignerVerifier]
    public let quorum: Int

    public static let maximumWitnesses = SignedNote.maximumSignatures - 1

    /// No witnesses: the log's signature alone.
    public static let none = WitnessPolicy(uncheckedWitnesses: [], quorum: 0)

    /// - Throws: ``LogError/malformedKey(_:)`` when two witnesses share a name or a key, there are
    ///   more than 15, or the quorum is not a strict majority of them (0 only without witnesses):
    ///   two quorums must share a witness, or two forks could each gather one (receipts-v1,
    ///   "Witnesses").
    public init(witnesses: [CosignerVerifier], quorum: Int) throws(LogError) {
        guard witnesses.count <= Self.maximumWitnesses else { throw .malformedKey("at most \(Self.maximumWitnesses) witnesses") }
        guard Set(witnesses.map(\.name)).count == witnesses.count, Set(witnesses.map(\.publicKey)).count == witnesses.count else {
            throw .malformedKey("two witnesses with one name or one key")
        }
        guard witnesses.isEmpty ? quorum == 0 : (witnesses.count / 2 + 1...witnesses.count).contains(quorum) else {
            throw .malformedKey(
                "the witness quorum is a strict majority of the witnesses (more than half, at most all; 0 without witnesses): two quorums must overlap")
        }
        self.init(uncheckedWitnesses: witnesses, quorum: quorum)
    }

    private init(uncheckedWitnesses: [CosignerVerifier], quorum: Int) {
        self.witnesses = uncheckedWitnesses
        self.quorum = quorum
    }

    /// The witnesses whose cosignatures on `note` verify, with their timestamps. Lines of other
    /// keys are ignored; a line of a known witness that does not verify fails the whole note.
    public func cosignatures(on note: SignedNote) throws(LogError) -> [(witness: CosignerVerifier, timestamp: UInt64)] {
        var found: [(witness: CosignerVerifier, timestamp: UInt64)] = []
        for signature in note.signatures {
            guard let witness = witnesses.first(where: { $0.name.hasSameUTF8(as: signature.name) && $0.keyID == signature.keyID }) else {
                continue
            }
            let timestamp = try witness.verify(signature, text: note.text)
            if !found.contains(where: { $0.witness == witness }) { found.append((witness, timestamp)) }
        }
        return found
    }

    /// Checks that at least ``quorum`` distinct witnesses cosigned `note`.
    /// - Throws: ``LogError/witnessQuorum(_:)``, or ``LogError/badSignature(keyName:)``.
    public func check(_ note: SignedNote) throws(LogError) {
        guard quorum > 0 else { return }
        let found = try cosignatures(on: note)
        guard found.count >= quorum else {
            throw .witnessQuorum("\(found.count) of the \(witnesses.count) witnesses cosigned this checkpoint; the tender requires \(quorum)")
        }
    }
}
