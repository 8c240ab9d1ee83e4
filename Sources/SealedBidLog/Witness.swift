import Foundation
import SealedBidMerkle
import SealedBidPrimitives

/// A C2SP tlog-witness (https://c2sp.org/tlog-witness, `add-checkpoint`): for each log it
/// knows, it keeps the latest checkpoint it cosigned, durably, and cosigns a new one only if a
/// consistency proof shows that it extends that one. A portal that forks its log after entry k
/// can get a witness to cosign one branch only; the other branch's checkpoints carry no
/// cosignature of this witness, and a verifier that requires the quorum refuses them.
///
/// One process per state directory (it holds an exclusive lock on it); requests are taken one
/// at a time (an actor), so a check against the stored size and the update that follows it
/// are atomic, as the protocol requires.
public actor Witness {
    /// An HTTP answer of the protocol: status, content type and body.
    public struct Response: Sendable, Equatable {
        public let status: Int
        public let contentType: String
        public let body: [UInt8]

        static func text(_ status: Int, _ message: String) -> Response {
            Response(status: status, contentType: "text/plain; charset=utf-8", body: Array((message + "\n").utf8))
        }
    }

    public nonisolated let cosigner: CosignerVerifier
    private let signer: Cosigner
    /// The logs it witnesses, by origin (a log key's name is its origin).
    private let logs: [String: NoteVerifier]
    private let directory: String
    private let lock: Int32
    private let clock: @Sendable () -> Date
    private var latest: [String: SignedCheckpoint] = [:]

    public static let maximumRequestSize = 1 << 16
    static let maximumProofLines = 63

    /// Opens (or creates) the witness's state directory and takes its lock.
    /// - Parameter logs: the log keys it accepts checkpoints of; each key's name is the log's origin.
    /// - Throws: ``LogError/storage(_:)`` when the directory cannot be opened or another process
    ///   holds it, ``LogError/corruptStore(_:)`` when a stored checkpoint does not verify.
    public init(cosigner: Cosigner, logs: [NoteVerifier], directory: String, clock: @escaping @Sendable () -> Date = { Date() })
        throws(LogError)
    {
        guard Set(logs.map(\.name)).count == logs.count else { throw .malformedKey("two logs with one origin") }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .storage("cannot create \(directory)")
        }
        // The directory itself is locked: a lock file could be unlinked under a running witness.
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .storage("cannot open \(directory): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .storage("the witness state \(directory) is in use by another process")
        }
        self.signer = cosigner
        self.cosigner = cosigner.verifier
        self.logs = Dictionary(uniqueKeysWithValues: logs.map { ($0.name, $0) })
        self.directory = directory
        self.lock = fd
        self.clock = clock
        var latest: [String: SignedCheckpoint] = [:]
        for log in logs {
            let path = Self.statePath(directory, origin: log.name)
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            do {
                guard let text = String(validating: [UInt8](data), as: UTF8.self) else { throw LogError.corruptStore("not UTF-8") }
                let stored = try SignedCheckpoint(serialized: text)
                try stored.verifySignatures(log: log, origin: log.name)
                _ = try WitnessPolicy(witnesses: [cosigner.verifier], quorum: 1).check(stored.note)
                latest[log.name] = stored
            } catch {
                close(fd)
                throw .corruptStore("\(path): the stored checkpoint does not verify (\(error))")
            }
        }
        self.latest = latest
    }

    deinit { close(lock) }

    /// An `add-checkpoint` body (the one way this library writes it).
    public static func addCheckpointBody(oldSize: UInt64, proof: [[UInt8]], checkpoint: SignedCheckpoint) -> [UInt8] {
        Array(("old \(oldSize)\n" + proof.map { Data($0).base64EncodedString() + "\n" }.joined() + "\n" + checkpoint.note.serialized).utf8)
    }

    /// Parses an `add-checkpoint` body: `old <size>`, up to 63 base64 proof lines, an empty line,
    /// the signed checkpoint (C2SP tlog-witness). Structure only: nothing is verified.
    /// - Throws: ``LogError/malformedNote(_:)`` (the witness answers 400).
    public static func parseAddCheckpoint(_ body: [UInt8]) throws(LogError) -> (oldSize: UInt64, proof: [[UInt8]], checkpoint: SignedCheckpoint) {
        guard body.count <= maximumRequestSize, let text = String(validating: body, as: UTF8.self),
            let blank = text.range(of: "\n\n")
        else { throw .malformedNote("malformed request") }
        let head = text[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = head.first, first.hasPrefix("old "), let oldSize = UInt64(first.dropFirst(4)),
            String(oldSize) == first.dropFirst(4), head.count - 1 <= maximumProofLines
        else { throw .malformedNote("malformed old size line, or more than 63 proof lines") }
        var proof: [[UInt8]] = []
        for line in head.dropFirst() {
            guard let hash = Data(base64Encoded: String(line)), hash.count == 32, hash.base64EncodedString() == line else {
                throw .malformedNote("malformed proof line")
            }
            proof.append([UInt8](hash))
        }
        let signed: SignedCheckpoint
        do {
            signed = try SignedCheckpoint(serialized: String(text[blank.upperBound...]))
        } catch {
            throw .malformedNote("malformed checkpoint")
        }
        return (oldSize, proof, signed)
    }

    static func statePath(_ directory: String, origin: String) -> String {
        "\(directory)/\(SHA256.hash(Array(origin.utf8)).hexString).checkpoint"
    }

    /// The latest checkpoint cosigned for the log whose origin hashes to `originHash` (lowercase
    /// hex of SHA-256 of the origin), with the log's signature and this witness's cosignature:
    /// `GET <prefix>/<origin hash>/checkpoint`.
    public func checkpoint(originHash: String) -> Response {
        guard let origin = logs.keys.first(where: { SHA256.hash(Array($0.utf8)).hexString == originHash }),
            let stored = latest[origin]
        else { return .text(404, "no checkpoint cosigned for this log") }
        return Response(status: 200, contentType: "text/plain; charset=utf-8", body: Array(stored.note.serialized.utf8))
    }

    /// `POST <prefix>/add-checkpoint`: the request body is `old <size>`, up to 63 base64 proof
    /// lines, an empty line and the signed checkpoint. Answers 200 with the cosignature line,
    /// or the protocol's refusals: 400 malformed, 403 no valid signature of the log, 404
    /// unknown log, 409 (with the stored size, `text/x.tlog.size`) when `old` is not the size it
    /// last cosigned, 422 when the proof does not show consistency (a fork).
    public func handleAddCheckpoint(_ body: [UInt8]) -> Response {
        let oldSize: UInt64, proof: [[UInt8]], signed: SignedCheckpoint
        do {
            (oldSize, proof, signed) = try Self.parseAddCheckpoint(body)
        } catch {
            return .text(400, error.message)
        }
        // Byte for byte (not Swift's canonical equivalence): another spelling of an origin is
        // another log, which this witness does not know.
        guard let log = logs.values.first(where: { $0.name.hasSameUTF8(as: signed.checkpoint.origin) }) else {
            return .text(404, "unknown log")
        }
        let origin = log.name
        do {
            try signed.verifySignatures(log: log, origin: origin)
        } catch {
            return .text(403, "the checkpoint is not signed by the log's key")
        }
        let size = signed.checkpoint.size
        guard oldSize <= size else { return .text(400, "the old size is larger than the checkpoint's") }
        let stored = latest[origin]
        let storedSize = stored?.checkpoint.size ?? 0
        guard oldSize == storedSize else {
            return Response(status: 409, contentType: "text/x.tlog.size", body: Array("\(storedSize)\n".utf8))
        }
        if size == 0 {
            guard signed.checkpoint.rootHash == SHA256.hash([]) else { return .text(422, "a checkpoint of size 0 has the empty root") }
        }
        // From size 0 (never cosigned, or an empty log cosigned): every tree extends the empty
        // one, and the proof must be empty (C2SP tlog-witness).
        if let stored, oldSize > 0 {
            if oldSize == size {
                guard proof.isEmpty, stored.checkpoint.rootHash == signed.checkpoint.rootHash else {
                    return .text(422, "another root for the size this witness cosigned: a fork")
                }
            } else {
                do {
                    try MerkleProof.verifyConsistency(
                        size1: oldSize, size2: size, proof: proof, root1: stored.checkpoint.rootHash, root2: signed.checkpoint.rootHash)
                } catch {
                    return .text(422, "the checkpoint is not consistent with the one this witness cosigned: a fork")
                }
            }
        } else if !proof.isEmpty {
            return .text(422, "a proof from the empty tree must be empty")
        } else if let stored, size == 0, stored.checkpoint.rootHash != signed.checkpoint.rootHash {
            return .text(422, "another root for the size this witness cosigned: a fork")
        }
        let timestamp = UInt64(max(0, clock().timeIntervalSince1970.rounded(.down)))
        let cosignature = signer.cosign(signed.note.text, at: timestamp)
        // The tree it holds, again (a replayed checkpoint, a closing of the same tree): cosigned
        // without rewriting the state, so that replays cost no disk write.
        if let stored, stored.checkpoint.size == size {
            return Response(status: 200, contentType: "text/plain; charset=utf-8", body: Array(SignedNote.line(cosignature).utf8))
        }
        // Kept: the log's own signatures and this witness's cosignature (for monitors).
        let kept: SignedCheckpoint
        do {
            let logLines = signed.note.signatures.filter { $0.name.hasSameUTF8(as: log.name) && $0.keyID == log.keyID }
            kept = try SignedCheckpoint(note: SignedNote(text: signed.note.text, signatures: logLines + [cosignature]))
        } catch {
            return .text(500, "cannot keep the checkpoint")
        }
        guard DurableFile.replace(Self.statePath(directory, origin: origin), with: Array(kept.note.serialized.utf8)) else {
            return .text(500, "cannot store the checkpoint durably")
        }
        latest[origin] = kept
        return Response(status: 200, contentType: "text/plain; charset=utf-8", body: Array(SignedNote.line(cosignature).utf8))
    }
}
