import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SealedBidPortal

@main
struct SealBidWitness: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealbid-witness",
        abstract: "A C2SP tlog-witness for SealedBid logs: cosigns a checkpoint only when it extends the last one it cosigned.",
        subcommands: [Serve.self])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serves the witness over HTTP (POST /add-checkpoint, GET /<origin hash>/checkpoint).")
    @Option(help: "The configuration file (JSON: name, key, stateDir, logs, listen).") var config: String

    func run() async throws {
        var logger = Logger(label: "sealbid-witness")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let configuration = try WitnessConfiguration.load(path: config)
        let witness = try configuration.open()
        let (host, port) = try configuration.address()
        let app = Application(
            router: WitnessServer.router(witness),
            // A connection that sends no complete request for 10 s is closed: slow clients do not
            // hold the witness's connections (and the portal's rounds) open.
            server: .http1(configuration: .init(idleTimeout: .seconds(10))),
            configuration: .init(address: .hostname(host, port: port), serverName: "sealbid-witness"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port.map(String.init) ?? "?"
                FileHandle.standardOutput.write(Data("listening on \(host):\(port)\n".utf8))
            },
            logger: logger)
        try await app.runService()
    }
}
