import ArgumentParser
import Foundation

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
}
