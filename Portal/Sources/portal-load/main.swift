import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import PortalLoad
import SealedBid
import SealedBidKeyFiles
import SealedBidLog
import SealedBidPrimitives

/// The portal under load (issue 11, items 5 and 6): `rush`, the deadline-rush benchmark, and
/// `crash`, kill -9 during a load. Both run real `sealbid-portal serve` processes on loopback.
@main
struct PortalLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portal-load", abstract: "Loads a sealbid-portal: the deadline rush, or kill -9 during a load.",
        subcommands: [Rush.self, Crash.self])
}

struct Common: ParsableArguments {
    @Option(help: "The sealbid-portal binary.") var binary: String
    @Option(help: "'file' or a postgres:// URL.") var database: String = "file"
    @Option(help: "A working folder (created; bids, configuration, data).") var work: String
}

/// An HTTP client for `clients` concurrent connections to one host.
func makeClient(_ clients: Int) -> HTTPClient {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)
    configuration.timeout = .init(connect: .seconds(5), read: .seconds(600))
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}

extension HTTPClient {
    /// A POST with `body`, or a GET without.
    func send(_ url: URL, _ path: String, body: [UInt8]? = nil, bidder: String? = nil, timeout: Int64 = 600) async throws -> (
        status: Int, body: [UInt8]
    ) {
        var request = HTTPClientRequest(url: url.appendingPathComponent(path).absoluteString)
        request.method = body == nil ? .GET : .POST
        if let bidder { request.headers.add(name: "Sealedbid-Bidder", value: bidder) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await execute(request, timeout: .seconds(timeout))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), Array(bytes.readableBytesView))
    }
}

/// Runs `count` jobs on `width` concurrent workers, each taking the next index.
func parallel(_ count: Int, width: Int, _ job: @escaping @Sendable (Int) async throws -> Void) async throws {
    let next = Counter()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<width {
            group.addTask {
                while let i = next.take(below: count) { try await job(i) }
            }
        }
        try await group.waitForAll()
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func with<R>(_ body: (inout T) -> R) -> R { lock.withLock { body(&value) } }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

struct Rush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "N distinct pre-sealed bids from C concurrent clients: receipts/s and latency beside the verification ceiling.")
    @OptionGroup var common: Common
    @Option(help: "How many bids (one per bidder).") var bids: Int = 2000
    @Option(help: "The technical envelope's size in bytes.") var size: Int = 65536
    @Option(help: "Concurrent HTTP clients.") var clients: Int = 64
    @Option(help: "Witnesses (sealbid-witness processes), all required: every receipt waits for their cosignatures.")
    var witnesses: Int = 0
    @Option(help: "The sealbid-witness binary (with --witnesses).") var witnessBinary: String?

    func run() async throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let witnessKeys = (0..<witnesses).map { _ in Ed25519PrivateKey() }
        let cosigners = try witnessKeys.enumerated().map { try Cosigner(name: "witness-\($0.offset).example/rush", key: $0.element) }
        let policy = witnesses == 0 ? WitnessPolicy.none : try WitnessPolicy(witnesses: cosigners.map(\.verifier), quorum: witnesses)
        let load = try LoadTender(
            dir: common.work, bidders: bids, deadline: Date().addingTimeInterval(86400), maxBidBytes: UInt64(size) + (1 << 20),
            witnesses: policy)
        var witnessServers: [ServeProcess] = []
        defer { for server in witnessServers { server.stop() } }
        for (n, cosigner) in cosigners.enumerated() {
            guard let witnessBinary else { throw ValidationError("--witnesses needs --witness-binary") }
            try KeyFile.write(witnessKeys[n].seed, kind: .ed25519Private, to: "\(common.work)/w\(n).key", comment: "rush witness")
            let config = """
                {"name": "\(cosigner.verifier.name)", "key": "w\(n).key", "stateDir": "w\(n)-state", "logs": ["\(load.tender.log.verifierKey)"], "listen": "127.0.0.1:0"}
                """
            try Data(config.utf8).write(to: URL(fileURLWithPath: "\(common.work)/w\(n).json"))
            witnessServers.append(try ServeProcess(binary: witnessBinary, config: "\(common.work)/w\(n).json"))
        }
        let paths = (0..<bids).map { "\(common.work)/bid-\($0 + 1).sbid" }
        var start = ContinuousClock.now
        try await parallel(bids, width: cores) { i in _ = try load.seal("BIDDER-\(i + 1)", size: size, to: paths[i]) }
        let bidBytes = try FileSource(path: paths[0]).length
        print("sealed \(bids) bids of \(bidBytes) bytes in \(String(format: "%.1f", seconds(since: start))) s")

        // The ceiling: the portal's own verification of the same files, on every core, without HTTP or storage.
        start = .now
        try await parallel(bids, width: cores) { i in try load.verify(bidAt: paths[i], bidder: "BIDDER-\(i + 1)") }
        let ceiling = Double(bids) / seconds(since: start)

        let server = try ServeProcess(
            binary: common.binary,
            config: try load.writeConfig(
                name: "rush", database: common.database,
                witnesses: zip(cosigners, witnessServers).map { ($0.verifier, $1.url.absoluteString) }))
        defer { server.stop() }
        let client = makeClient(clients)
        let latencies = Box<[Double]>([])
        let receipts = Box<[Int: [UInt8]]>([:])
        start = .now
        try await parallel(bids, width: clients) { i in
            let body = Array(try Data(contentsOf: URL(fileURLWithPath: paths[i])))
            let sent = ContinuousClock.now
            let answer = try await client.send(server.url, "bids", body: body, bidder: "BIDDER-\(i + 1)")
            let latency = seconds(since: sent)
            guard answer.status == 200 else { throw LoadError("bid \(i + 1): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))") }
            latencies.with { $0.append(latency) }
            receipts.with { $0[i] = answer.body }
        }
        let wall = seconds(since: start)
        try await client.shutdown()

        // Every receipt verifies and names its own bid, each at its own index.
        var indices = Set<UInt64>()
        for (i, bytes) in receipts.with({ $0 }) {
            let verified = try load.tender.verify(receipt: Receipt(encoded: bytes))
            guard verified.entry.bidder == "BIDDER-\(i + 1)", indices.insert(verified.index).inserted else { throw LoadError("receipt \(i + 1)") }
        }
        let sorted = latencies.with { $0 }.sorted()
        let rate = Double(bids) / wall
        print(
            String(
                format: "store=%@ witnesses=%d bids=%d bytes=%llu clients=%d | receipts/s %.1f | p50 %.1f ms | p99 %.1f ms | ceiling %.1f bids/s | ratio %.2f | wall %.1f s",
                common.database == "file" ? "file" : "postgres", witnesses, bids, bidBytes, clients, rate, percentile(sorted, 0.5) * 1000,
                percentile(sorted, 0.99) * 1000, ceiling, rate / ceiling, wall))
    }
}

struct Crash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "kill -9 of the serving instance at random moments during a load, then restart; checks every receipt against the final log.")
    @OptionGroup var common: Common
    @Option(help: "How many times to kill the server.") var kills: Int = 20
    @Option(help: "Concurrent HTTP clients.") var clients: Int = 8
    @Option(help: "Bids available (one per bidder; the load stops at the last kill).") var bids: Int = 3000

    func run() async throws {
        let load = try LoadTender(dir: common.work, bidders: bids, deadline: Date().addingTimeInterval(86400))
        let paths = (0..<bids).map { "\(common.work)/bid-\($0 + 1).sbid" }
        try await parallel(bids, width: ProcessInfo.processInfo.activeProcessorCount) { i in
            _ = try load.seal("BIDDER-\(i + 1)", size: 4096, to: paths[i])
        }
        // The first start takes a free port; every restart listens on the same one, as an
        // instance restarted behind a load balancer would, so that clients reconnect to it.
        let first = try ServeProcess(binary: common.binary, config: try load.writeConfig(name: "crash", database: common.database))
        let config = try load.writeConfig(name: "crash", database: common.database, listen: "127.0.0.1:\(first.url.port!)")
        let server = Box(first)
        let client = makeClient(clients)
        let receipts = Box<[Int: [UInt8]]>([:])
        let checkpoints = Box<[String]>([])
        let retries = Box(0)
        let stop = Box(false)
        let next = Counter()

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    // Each client sends bids one after another; a failed request (the server was
                    // killed) is sent again, the same file, until it has its receipt.
                    while !stop.with({ $0 }), let i = next.take(below: bids) {
                        let body = Array(try Data(contentsOf: URL(fileURLWithPath: paths[i])))
                        while true {
                            let answer: (status: Int, body: [UInt8])
                            do {
                                answer = try await client.send(server.with { $0.url }, "bids", body: body, bidder: "BIDDER-\(i + 1)", timeout: 10)
                            } catch {
                                // The server was killed under the request: the same file again.
                                retries.with { $0 += 1 }
                                try await Task.sleep(for: .milliseconds(50))
                                continue
                            }
                            guard answer.status == 200 else {
                                throw LoadError("bid \(i + 1): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
                            }
                            receipts.with { $0[i] = answer.body }
                            break
                        }
                    }
                }
            }
            group.addTask {
                // A monitor: the checkpoints it sees, in order.
                while !stop.with({ $0 }) {
                    if let answer = try? await client.send(server.with { $0.url }, "checkpoint", timeout: 10), answer.status == 200 {
                        checkpoints.with { $0.append(String(decoding: answer.body, as: UTF8.self)) }
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            // The killer.
            for k in 1...kills {
                try await Task.sleep(for: .milliseconds(Int.random(in: 300...1500)))
                let before = receipts.with { $0.count }
                server.with { $0.kill9() }
                let restarted = try ServeProcess(binary: common.binary, config: config)
                server.with { $0 = restarted }
                print("kill \(k): \(before) receipts so far, restarted")
            }
            stop.with { $0 = true }
            try await group.waitForAll()
        }

        // The final log, through the restarted instance's tiles.
        let url = server.with { $0.url }
        let final = try SignedCheckpoint(serialized: String(decoding: try await client.send(url, "checkpoint").body, as: UTF8.self))
        _ = try final.note.verify(with: [load.tender.log])
        let entries = try await readLogThroughTiles(size: final.checkpoint.size) { try await client.send(url, $0) }
        try await client.shutdown()
        server.with { $0.stop() }

        // Every receipt verifies and its entry is in the final log at its index; no index twice.
        var seen: [SignedCheckpoint] = []
        var indices = Set<UInt64>()
        for (i, bytes) in receipts.with({ $0 }) {
            let verified = try load.tender.verify(receipt: Receipt(encoded: bytes))
            guard verified.entry.bidder == "BIDDER-\(i + 1)" else { throw LoadError("receipt \(i + 1) names \(verified.entry.bidder)") }
            guard Int(verified.index) < entries.count, entries[Int(verified.index)] == verified.entry.encoded else {
                throw LoadError("acknowledged bid \(i + 1) (index \(verified.index)) is not in the final log")
            }
            guard indices.insert(verified.index).inserted else { throw LoadError("index \(verified.index) acknowledged twice") }
            seen.append(verified.checkpoint)
        }
        // Nothing twice in the log: one entry per bidder, each digest once.
        let logged: [LogEntry] = try entries.map { try LogEntry(encoded: $0) }
        guard Set(logged.map(\.bidder)).count == logged.count, Set(logged.map(\.bidDigest)).count == logged.count else {
            throw LoadError("a bidder or a digest is logged twice")
        }
        // Every checkpoint seen (by the monitor and in receipts) is a prefix of the final log.
        for text in checkpoints.with({ $0 }) { seen.append(try SignedCheckpoint(serialized: text)) }
        let roots = try prefixRoots(entries, sizes: Set(seen.map(\.checkpoint.size)))
        for checkpoint in seen {
            _ = try checkpoint.note.verify(with: [load.tender.log])
            guard roots[checkpoint.checkpoint.size] == checkpoint.checkpoint.rootHash else {
                throw LoadError("a checkpoint of size \(checkpoint.checkpoint.size) is not a prefix of the final log")
            }
        }
        print(
            "store=\(common.database == "file" ? "file" : "postgres") kills=\(kills) acknowledged=\(receipts.with { $0.count }) "
                + "final-size=\(entries.count) retries=\(retries.with { $0 }) checkpoints-checked=\(seen.count): "
                + "every receipt verifies against the final log, nothing acknowledged lost or duplicated, every checkpoint a prefix of the final log")
    }
}
