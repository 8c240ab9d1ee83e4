import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SealedBidPortal

@main
struct SealBidPortal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealbid-portal", abstract: "The SealedBid reference portal (docs/spec/portal-http-v1.md).",
        subcommands: [Serve.self])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serves one tender's portal over HTTP.")
    @Option(help: "The configuration file (JSON: tender, tenderDigest, logKey, dataDir, database, listen).") var config: String

    func run() async throws {
        var logger = Logger(label: "sealbid-portal")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let configuration = try PortalConfiguration.load(path: config)
        let setup = try await PortalSetup.open(configuration, logger: logger)
        let (host, port) = try configuration.address()
        let limits = configuration.uploads ?? UploadLimits()
        let app = Application(
            router: PortalServer.router(setup, limits: limits, logger: logger),
            // A connection with no complete request head (or no byte of a body) for twice the stall
            // time is closed; before that, the router's watchdog answers a stalled body (408), and
            // refuses bodies that trickle in below the minimum rate.
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(limits.stallSeconds * 2000)))),
            configuration: .init(address: .hostname(host, port: port), serverName: "sealbid-portal"),
            onServerRunning: { channel in
                // Test harnesses and scripts wait for this line (the port, when 0 was asked for).
                let port = channel.localAddress?.port.map(String.init) ?? "?"
                FileHandle.standardOutput.write(Data("listening on \(host):\(port)\n".utf8))
            },
            logger: logger)
        let closer = Task { await PortalServer.closeOnTime(setup.service, setup.tender, logger: logger) }
        try await app.runService()
        closer.cancel()
        await closer.value
        await setup.postgres?.close()
    }
}
