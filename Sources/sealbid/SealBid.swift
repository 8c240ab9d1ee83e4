import ArgumentParser
import SealedBid
import Foundation
import SealedBidEnvelope
import SealedBidPrimitives

@main
struct SealBid: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealbid",
        abstract: "Sealed-bid cryptography for e-procurement: seal, open, verify.",
        discussion: """
            Every command works offline on plain files. Specifications of every format \
            are in docs/spec/ of the SealedBid repository.

            Errors are printed as 'sealbid: <code>: <message>', the code being the name the \
            specifications use. Exit status: 0 done; 1 the input was refused (a check failed, \
            or it is malformed); 2 the machine failed us (io-error, storage-error: a file could \
            not be read or written); 64 the command line is wrong; 70 an internal error (a bug: \
            please report it).

            Example (a whole tender in one process, then its files checked with the CLI):
              sealbid demo --bidders 20 --workdir demo
              sealbid tender show --tender demo/tender.txt \\
                --tender-digest "$(cut -c1-64 demo/tender.txt.sha256)"
            """,
        version: SealedBidVersion.description,
        subcommands: [
            Demo.self, Keygen.self, TenderCommand.self, Seal.self, CommitStatement.self, WithdrawStatement.self, Inspect.self, Verify.self, Decrypt.self,
            Committee.self, Portal.self, WitnessCommand.self,
            Opening.self, ReceiptCommand.self, LogCommand.self, TimestampCommand.self, ReportCommand.self, Vectors.self, Bench.self,
        ]
    )

    /// Hardens the process before any secret is read (primitives-v1, "Secret handling"): no
    /// core dumps, not dumpable, and a warning when secret memory cannot be locked.
    static func main() async {
        do { try SecureMemory.disableCoreDumps() } catch { warn("\(error)") }
        if let warning = SecureMemory.lockingWarning() { warn(warning) }
        PartialFiles.shared.installSignalCleanup()
        let command: ParsableCommand
        do {
            command = try parseAsRoot(nil)
        } catch {
            usage(error)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch {
            report(error, in: type(of: command))
        }
    }

    /// Every error leaves as `sealbid: <code>: <message>` with the documented exit status.
    static func report(_ error: Error, in command: ParsableCommand.Type? = nil) -> Never {
        if let coded = error as? SealedBidError {
            FileHandle.standardError.write(Data("sealbid: \(coded.description)\n".utf8))
            Foundation.exit(coded.isEnvironmental ? 2 : 1)
        }
        // ArgumentParser's own outcomes (help, usage, validation, an explicit exit status).
        if error is ValidationError || error is CleanExit || error is ExitCode || exitCode(for: error) != .failure {
            usage(error, in: command)
        }
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain || nsError.domain == NSPOSIXErrorDomain {
            FileHandle.standardError.write(Data("sealbid: io-error: \(nsError.localizedDescription)\n".utf8))
            Foundation.exit(2)
        }
        FileHandle.standardError.write(Data("sealbid: internal-error: \(String(describing: type(of: error))) (please report this)\n".utf8))
        Foundation.exit(70)
    }

    /// Help and `--version` as ArgumentParser prints them; a wrong command line as
    /// `sealbid: usage: <message>` (exit status 64), with the usage line of `command` (a command
    /// whose run() refused its arguments) or of the command the parser stopped at.
    static func usage(_ error: Error, in command: ParsableCommand.Type? = nil) -> Never {
        let status = exitCode(for: error)
        let width = HelpLayout.width
        if status == .success {
            // A help screen gets its usage line wrapped like the rest of it; anything else
            // (--version, a completion script) is printed as it is.
            let text = fullMessage(for: error, columns: width)
            guard text.hasPrefix("OVERVIEW: ") || text.hasPrefix("USAGE: ") else { exit(withError: error) }
            print(HelpLayout.wrappingUsage(text, width: width))
            Foundation.exit(0)
        }
        guard status == .validationFailure else { exit(withError: error) }
        FileHandle.standardError.write(Data("sealbid: usage: \(message(for: error))\n".utf8))
        if let command, let line = helpMessage(for: command, columns: width).split(separator: "\n").first(where: { $0.hasPrefix("USAGE: ") }) {
            let words = line.dropFirst(7).split(separator: " ")
            let path = words.prefix { !$0.hasPrefix("-") && !$0.hasPrefix("[") && !$0.hasPrefix("<") }.joined(separator: " ")
            let usage = HelpLayout.wrappingUsage("Usage: " + line.dropFirst(7), width: width)
            FileHandle.standardError.write(Data("\(usage)\n  See '\(path) --help' for more information.\n".utf8))
            Foundation.exit(status.rawValue)
        }
        let full = fullMessage(for: error, columns: width)
        if let range = full.range(of: "Usage: ") {
            let usage = String(full[range.lowerBound...]).trimmingCharacters(in: .newlines)
            FileHandle.standardError.write(Data((HelpLayout.wrappingUsage(usage, width: width) + "\n").utf8))
        }
        Foundation.exit(status.rawValue)
    }

    private static func warn(_ message: String) {
        FileHandle.standardError.write(Data("sealbid: warning: \(message)\n".utf8))
    }
}
