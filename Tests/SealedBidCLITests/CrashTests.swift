import Foundation
import Testing

import SealedBidTestSupport

/// Kills a process that is appending to the log at random moments, many
/// times, and checks after each kill that the log reopens, verifies, keeps
/// every acknowledged entry, and extends the previous checkpoint.
@Suite("sealbid portal: a killed writer never loses an acknowledged entry")
struct CrashTests {
    @Test func killWriterRepeatedly() throws {
        let cli = try CLI()
        defer { cli.remove() }
        try cli.ok(["portal", "init", "--dir", "portal", "--tender", "T-CRASH", "--deadline", "2099-01-01T00:00:00Z",
                    "--name", "crash.example/portal"])
        var acknowledged = -1
        var previousSize = 0
        var generator = SystemRandomNumberGenerator()
        for round in 0..<25 {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["portal", "stress", "--dir", "portal", "--count", "1000000"]
            process.currentDirectoryURL = cli.directory
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 30_000...250_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in output.split(separator: "\n") where line.hasPrefix("ack ") {
                if let n = Int(line.dropFirst(4)) { acknowledged = max(acknowledged, n) }
            }
            // Reopen: the store verifies (or the command fails) and keeps every acknowledged entry.
            let checkpoint = "cp-\(round).note"
            let out = try cli.ok(["portal", "checkpoint", "--dir", "portal", "--out", checkpoint])
            let size = Int(out.split(separator: " ")[3]) ?? -1
            #expect(size >= acknowledged + 1, "round \(round): size \(size), last acknowledged \(acknowledged)")
            #expect(size >= previousSize)
            if round > 0, previousSize > 0, size > previousSize {
                try cli.ok(["portal", "prove-consistency", "--dir", "portal", "--from", "\(previousSize)", "--to", "\(size)",
                            "--out", "proof-\(round).bin"])
                try cli.ok(["log", "verify", "--old", "cp-\(round - 1).note", "--new", checkpoint, "--proof", "proof-\(round).bin",
                            "--log-key", "portal/portal.vkey"])
            }
            previousSize = size
        }
        #expect(acknowledged > 0, "the writer never acknowledged anything: the kills came too early")
    }
}
