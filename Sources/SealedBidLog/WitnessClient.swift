import Foundation
import SealedBidPrimitives

/// How a log reaches one witness's `add-checkpoint` (HTTP in a service, the ``Witness`` itself
/// in a test or a single process).
public protocol WitnessTransport: Sendable {
    /// Sends a request body; returns the HTTP status and the response body.
    /// - Throws: when the witness cannot be reached (a network error, a timeout).
    func addCheckpoint(_ body: [UInt8]) async throws -> (status: Int, body: [UInt8])
}

extension Witness: WitnessTransport {
    public func addCheckpoint(_ body: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
        let response = handleAddCheckpoint(body)
        return (response.status, response.body)
    }
}

/// The log's side of the witness protocol: sends each checkpoint to every witness of the
/// tender with a consistency proof from the size that witness last cosigned, keeps the valid
/// cosignatures, and returns the checkpoint once the quorum cosigned it.
public actor WitnessGroup {
    public nonisolated let policy: WitnessPolicy
    private let transports: [CosignerVerifier: any WitnessTransport]
    /// The size each witness last cosigned, as far as this log knows (learnt from 409 answers).
    private var known: [CosignerVerifier: UInt64] = [:]
    /// How long one round waits for the quorum.
    let timeout: Duration

    /// - Parameters:
    ///   - witnesses: a transport for every witness of `policy` (others are ignored).
    ///   - timeout: how long one round waits for the quorum before it gives up (`quorum-not-met`).
    public init(policy: WitnessPolicy, witnesses: [(CosignerVerifier, any WitnessTransport)], timeout: Duration = .seconds(15)) throws(LogError) {
        var transports: [CosignerVerifier: any WitnessTransport] = [:]
        for (witness, transport) in witnesses where policy.witnesses.contains(witness) { transports[witness] = transport }
        guard transports.count >= policy.quorum else {
            throw .witnessQuorum("\(transports.count) witnesses can be reached, the quorum is \(policy.quorum)")
        }
        self.policy = policy
        self.transports = transports
        self.timeout = timeout
    }

    /// What one witness answered.
    enum Outcome: Sendable {
        case cosigned(SignedNote.Signature)
        /// It already cosigned a larger checkpoint than this one: the log must catch up first.
        case ahead(UInt64)
        case refused(String)
    }

    /// `signed`, with the cosignatures of at least the quorum of witnesses added.
    /// - Parameter proof: the consistency proof from an older size to `signed`'s size.
    /// - Throws: ``LogError/witnessQuorum(_:)`` with what each witness answered, or
    ///   ``WitnessAhead`` when a witness cosigned a larger checkpoint (the caller catches up and
    ///   asks again for its latest checkpoint).
    public func cosign(_ signed: SignedCheckpoint, proof: @escaping @Sendable (UInt64) throws -> [[UInt8]]) async throws
        -> SignedCheckpoint
    {
        guard policy.quorum > 0 else { return signed }
        let quorum = policy.quorum, deadline = timeout
        // Every witness is asked at once, each in a task of its own; the answers are taken as they
        // come, until the quorum cosigned or the deadline passed. The others are left to finish
        // on their own, never cancelled and never awaited: one slow witness does not hold every
        // submission back, and a transport that does not return after a cancellation (Linux
        // Foundation's URLSession can lose its continuation then) cannot hang the log.
        let (answers, sink) = AsyncStream<(CosignerVerifier, Outcome)?>.makeStream()
        for (witness, transport) in transports {
            let old = known[witness] ?? 0
            Task { sink.yield((witness, await Self.ask(witness, transport, signed, from: old, proof: proof))) }
        }
        let timer = Task {
            try? await Task.sleep(for: deadline)
            sink.yield(nil)
        }
        var outcomes: [(CosignerVerifier, Outcome)] = []
        var cosignedCount = 0
        for await answer in answers {
            guard let answer else { break }  // the deadline
            outcomes.append(answer)
            if case .cosigned = answer.1 { cosignedCount += 1 }
            if cosignedCount >= quorum || outcomes.count == transports.count { break }
        }
        timer.cancel()
        sink.finish()  // later answers are dropped
        var cosignatures: [SignedNote.Signature] = []
        var refusals: [String] = []
        var ahead: UInt64?
        for (witness, outcome) in outcomes.sorted(by: { $0.0.name < $1.0.name }) {
            switch outcome {
            case .cosigned(let signature):
                known[witness] = signed.checkpoint.size
                cosignatures.append(signature)
            case .ahead(let size):
                known[witness] = size
                ahead = max(ahead ?? 0, size)
                refusals.append("\(witness.name): it cosigned size \(size)")
            case .refused(let why):
                refusals.append("\(witness.name): \(why)")
            }
        }
        let silent = transports.keys.filter { key in !outcomes.contains { $0.0 == key } }.map(\.name).sorted()
        if !silent.isEmpty, cosignatures.count < quorum { refusals.append("no answer within \(deadline) from \(silent.joined(separator: ", "))") }
        if cosignatures.count < quorum, let ahead { throw WitnessAhead(size: ahead) }
        guard cosignatures.count >= quorum else {
            throw LogError.witnessQuorum(
                "\(cosignatures.count) of \(transports.count) witnesses cosigned size \(signed.checkpoint.size), the quorum is \(quorum): "
                    + refusals.joined(separator: "; "))
        }
        let withoutOld = signed.note.signatures.filter { line in !transports.keys.contains { $0.name.hasSameUTF8(as: line.name) } }
        return try SignedCheckpoint(note: SignedNote(text: signed.note.text, signatures: withoutOld + cosignatures))
    }

    /// One witness: `add-checkpoint` from the size it is believed to hold; on 409 once more from
    /// the size it names, when that is not larger than the checkpoint's.
    private static func ask(
        _ witness: CosignerVerifier, _ transport: any WitnessTransport, _ signed: SignedCheckpoint, from old: UInt64,
        proof: @Sendable (UInt64) throws -> [[UInt8]]
    ) async -> Outcome {
        let size = signed.checkpoint.size
        let believed = min(old, size)
        var old = believed
        for _ in 0..<2 {
            let hashes: [[UInt8]]
            do { hashes = old == 0 || old == size ? [] : try proof(old) } catch { return .refused("no proof from size \(old)") }
            let answer: (status: Int, body: [UInt8])
            do {
                answer = try await transport.addCheckpoint(Witness.addCheckpointBody(oldSize: old, proof: hashes, checkpoint: signed))
            } catch {
                return .refused("unreachable (\(error))")
            }
            switch answer.status {
            case 200:
                // Only a valid cosignature of this witness on this very checkpoint counts.
                guard let text = String(validating: answer.body, as: UTF8.self),
                    let lines = try? SignedNote.signatureLines(text),
                    let line = lines.first(where: { $0.name.hasSameUTF8(as: witness.name) && $0.keyID == witness.keyID }),
                    (try? witness.verify(line, text: signed.note.text)) != nil
                else { return .refused("answered without a valid cosignature") }
                return .cosigned(line)
            case 409:
                guard let text = String(validating: answer.body, as: UTF8.self), text.hasSuffix("\n"),
                    let held = UInt64(text.dropLast()), String(held) == text.dropLast()
                else { return .refused("a conflict without a size") }
                if held > size { return .ahead(held) }
                // A witness that holds less than it once cosigned for this log lost its state:
                // it could now cosign a fork, and is not counted.
                if held < old { return .refused("it holds size \(held), less than the \(old) it cosigned: its state went back") }
                old = held
            default:
                // The witness's words, as printable ASCII only: they end up in logs and messages.
                let why = String(decoding: answer.body.prefix(200).filter { (0x20..<0x7F).contains($0) }, as: UTF8.self)
                return .refused("HTTP \(answer.status) \(why)")
            }
        }
        return .refused("its size kept changing")
    }
}

/// A witness already cosigned a larger checkpoint of the log than the one offered: another
/// instance of the portal appended meanwhile.
public struct WitnessAhead: Error, Sendable {
    public let size: UInt64
}
