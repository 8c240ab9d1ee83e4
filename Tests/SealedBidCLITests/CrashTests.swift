import Foundation
import Testing

import SealedBidLog
import SealedBidPrimitives
import SealedBidTestSupport

/// Kills a process that is appending to the log at random moments, many
/// times, and checks after each kill that the log reopens, verifies, keeps
/// every acknowledged entry, and extends the previous checkpoint.
@Suite("sealbid portal: a killed writer never loses an acknowledged entry")
struct CrashTests {
    @Test func killWriterRepeatedly() throws {
        let cli = try CLI()
        defer { cli.remove() }
        try cli.ok(["keygen", "ed25519", "log.key"])
        let logKey = try NoteVerifier(name: "stress.example/T-STRESS", publicKey: readPublicKey(cli.path("log.key.pub")))
        var acknowledged = -1
        var previousSize = 0
        var generator = SystemRandomNumberGenerator()
        for round in 0..<25 {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["portal", "stress", "--store", "log.bin", "--key", "log.key", "--count", "1000000"]
            process.currentDirectoryURL = cli.directory
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            // The kill comes at a random moment once the writer is appending (after its first
            // acknowledgement): a slow start (a sanitizer build, a loaded machine) does not turn
            // every round into a kill before the first append.
            var head = Data()
            while !String(decoding: head, as: UTF8.self).contains("ack ") {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }  // the writer ended
                head += chunk
            }
            usleep(UInt32.random(in: 0...200_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let output = String(decoding: head + pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in output.split(separator: "\n") where line.hasPrefix("ack ") {
                if let n = Int(line.dropFirst(4)) { acknowledged = max(acknowledged, n) }
            }
            // Reopen: the store verifies (or the command fails) and keeps every acknowledged entry.
            let checkpoint = "cp-\(round).note"
            let out = try cli.ok(["portal", "stress", "--store", "log.bin", "--key", "log.key", "--checkpoint", checkpoint])
            let size = Int(out.split(separator: " ")[3]) ?? -1
            #expect(size >= acknowledged + 1, "round \(round): size \(size), last acknowledged \(acknowledged)")
            #expect(size >= previousSize)
            if round > 0, previousSize > 0, size > previousSize {
                try cli.ok(["portal", "prove-consistency", "--log", "log.bin", "--from", "\(previousSize)", "--to", "\(size)",
                            "--out", "proof-\(round).bin"])
                let proof = try [UInt8](Data(contentsOf: URL(fileURLWithPath: cli.path("proof-\(round).bin"))))
                let old = try SignedCheckpoint(serialized: String(contentsOfFile: cli.path("cp-\(round - 1).note"), encoding: .utf8))
                let new = try SignedCheckpoint(serialized: String(contentsOfFile: cli.path(checkpoint), encoding: .utf8))
                try old.verifyConsistency(
                    to: new, proof: stride(from: 0, to: proof.count, by: 32).map { Array(proof[$0..<($0 + 32)]) }, log: logKey,
                    origin: "stress.example/T-STRESS")
            }
            previousSize = size
        }
        #expect(acknowledged > 0, "the writer never acknowledged anything: the kills came too early")
    }
}

/// The Ed25519 public key in a `sealbid-ed25519-public-v1` key file.
func readPublicKey(_ path: String) throws -> Ed25519PublicKey {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    guard let hex = text.split(whereSeparator: \.isWhitespace).map(String.init).first(where: { $0.count == 64 }) else {
        throw CocoaError(.fileReadCorruptFile)
    }
    return try Ed25519PublicKey(rawRepresentation: Hex.decode(hex))
}
