import ArgumentParser
import Foundation
import SealedBidPrimitives

@main
struct SealBid: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealbid",
        abstract: "Sealed-bid cryptography for e-procurement: seal, open, verify.",
        discussion: """
            Every command works offline on plain files. Specifications of every format \
            are in docs/spec/ of the SealedBid repository.
            """,
        subcommands: [
            Demo.self, Keygen.self, TenderCommand.self, Seal.self, WithdrawStatement.self, Inspect.self, Verify.self, Decrypt.self,
            Committee.self, Portal.self,
            Opening.self, ReceiptCommand.self, LogCommand.self, TimestampCommand.self, ReportCommand.self, Vectors.self, Bench.self,
        ]
    )

    /// Hardens the process before any secret is read (primitives-v1, "Secret handling"): no
    /// core dumps, not dumpable, and a warning when secret memory cannot be locked.
    static func main() async {
        do { try SecureMemory.disableCoreDumps() } catch { warn("\(error)") }
        if let warning = SecureMemory.lockingWarning() { warn(warning) }
        await main(nil)
    }

    private static func warn(_ message: String) {
        FileHandle.standardError.write(Data("sealbid: warning: \(message)\n".utf8))
    }
}
