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
            """,
        version: SealedBidVersion.description,
        subcommands: [
            Demo.self, Keygen.self, TenderCommand.self, Seal.self, CommitStatement.self, WithdrawStatement.self, Inspect.self, Verify.self, Decrypt.self,
            Committee.self, Portal.self,
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
            report(error)
        }
    }

    /// Every error leaves as `sealbid: <code>: <message>` with the documented exit status.
    static func report(_ error: Error) -> Never {
        if let coded = error as? SealedBidError {
            FileHandle.standardError.write(Data("sealbid: \(coded.description)\n".utf8))
            Foundation.exit(coded.isEnvironmental ? 2 : 1)
        }
        // ArgumentParser's own outcomes (help, usage, validation, an explicit exit status).
        if error is ValidationError || error is CleanExit || error is ExitCode || exitCode(for: error) != .failure {
            usage(error)
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
    /// `sealbid: usage: <message>` (exit status 64), with the command's usage line after it.
    static func usage(_ error: Error) -> Never {
        let status = exitCode(for: error)
        guard status == .validationFailure else { exit(withError: error) }
        FileHandle.standardError.write(Data("sealbid: usage: \(message(for: error))\n".utf8))
        let full = fullMessage(for: error)
        if let range = full.range(of: "Usage: ") {
            FileHandle.standardError.write(Data((String(full[range.lowerBound...]).trimmingCharacters(in: .newlines) + "\n").utf8))
        }
        Foundation.exit(status.rawValue)
    }

    private static func warn(_ message: String) {
        FileHandle.standardError.write(Data("sealbid: warning: \(message)\n".utf8))
    }
}
