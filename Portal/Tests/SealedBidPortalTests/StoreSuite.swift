import Foundation
import Logging
import PostgresNIO
import SealedBidLog
import SealedBidMerkle
import SealedBidPortal
import SealedBidPrimitives
import Testing

/// The PostgreSQL the tests use: `SEALEDBID_PG_URL` (scripts/pg-cluster starts a throwaway one;
/// scripts/test does). Without it the PostgreSQL tests fail, loudly: there is no mock.
enum TestDatabase {
    static var url: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["SEALEDBID_PG_URL"], !url.isEmpty else {
                throw ConfigurationError("SEALEDBID_PG_URL is not set: start a cluster with scripts/pg-cluster start")
            }
            return url
        }
    }

    static func configuration() throws -> PostgresConnection.Configuration {
        let json = try JSONSerialization.data(withJSONObject: [
            "tender": "", "tenderDigest": "", "logKey": "", "dataDir": "", "database": try url, "listen": "",
        ])
        return try JSONDecoder().decode(PortalConfiguration.self, from: json).postgres()!
    }
}

/// The kinds of store one suite runs against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case file, postgres
    var testDescription: String { rawValue }
}

/// One log of one store kind: each test gets its own (a new file, or a new log name in the database),
/// and can open several writers on it (a file store is one process's: its writers share the one
/// store; PostgreSQL writers each have their own connections, as separate instances would).
final class StoreUnderTest: @unchecked Sendable {
    let kind: StoreKind
    let tender = "T-\(UUID().uuidString.prefix(8))"
    var origin: String { "portal.example/test/\(tender)" }
    let signer: NoteSigner
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-store-\(UUID())").path
    private var file: FileLogStore?
    private var opened: [PostgresLogStore] = []

    init(_ kind: StoreKind) throws {
        self.kind = kind
        signer = try NoteSigner(name: "portal.example/test/\(tender)", key: Ed25519PrivateKey())
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// A new writer's view of the store (a new store object for PostgreSQL).
    func store() async throws -> any LogStore {
        switch kind {
        case .file:
            if let file { return file }
            let created = try FileLogStore.create(path: "\(directory)/log.bin")
            file = created
            return created
        case .postgres:
            let store = try await PostgresLogStore.open(configuration: TestDatabase.configuration(), log: origin, logger: Logger(label: "test"))
            opened.append(store)
            return store
        }
    }

    /// A log over a new writer's store, deadline in an hour unless given.
    func log(deadline: Date = Date().addingTimeInterval(3600), clock: @escaping @Sendable () -> Date = { Date() }) async throws -> SubmissionLog {
        try SubmissionLog(origin: origin, tender: tender, deadline: deadline, signer: signer, store: try await store(), clock: clock)
    }

    /// The file store again, as a restarted process opens it (the first must be released first).
    func reopenFile() throws -> FileLogStore {
        file = nil
        let reopened = try FileLogStore(path: "\(directory)/log.bin", timeout: 5)
        file = reopened
        return reopened
    }

    func finish() async {
        for store in opened { await store.close() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

func digest(_ s: String) -> [UInt8] { SHA256.hash(Array(s.utf8)) }

@Suite("One store suite, every LogStore: the file store and PostgreSQL", .serialized)
struct StoreSuite {
    @Test("appends are durable and a new writer opening the store sees them all, head included", arguments: StoreKind.allCases)
    func reopen(kind: StoreKind) async throws {
        let s = try StoreUnderTest(kind)
        defer { Task { await s.finish() } }
        var receipts: [Receipt] = []
        do {
            let log = try await s.log()
            try await log.initializeHead()
            for i in 0..<5 { receipts.append(try await log.submit(kind: .submit, bidder: "B\(i)", bidDigest: digest("bid \(i)"), bidLength: 10)) }
        }
        if kind == .file { _ = try s.reopenFile() }
        let again = try await s.log()
        #expect(await again.size == 5)
        let latest = try await again.checkpoint()
        for (i, receipt) in receipts.enumerated() {
            let verified = try receipt.verify(log: s.signer.verifier, origin: s.origin)
            #expect(verified.index == UInt64(i))
            #expect(await again.index(ofDigest: digest("bid \(i)")) == UInt64(i))
            // Every receipt's checkpoint is a prefix of the reopened log.
            let old = verified.checkpoint
            try old.verifyConsistency(
                to: latest, proof: try await again.consistencyProof(from: old.checkpoint.size, to: 5), log: s.signer.verifier, origin: s.origin)
        }
    }

    @Test("two writers, one log: concurrent appends never share an index and every receipt is consistent with the final checkpoint",
        arguments: StoreKind.allCases)
    func twoWriters(kind: StoreKind) async throws {
        let s = try StoreUnderTest(kind)
        defer { Task { await s.finish() } }
        let a = try await s.log(), b = try await s.log()
        try await a.initializeHead()
        let perWriter = 30
        let receipts = try await withThrowingTaskGroup(of: Receipt.self) { group in
            for i in 0..<perWriter {
                group.addTask { try await a.submit(kind: .submit, bidder: "A\(i)", bidDigest: digest("a \(i)"), bidLength: 1) }
                group.addTask { try await b.submit(kind: .submit, bidder: "B\(i)", bidDigest: digest("b \(i)"), bidLength: 1) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let indices = try receipts.map { try $0.verify(log: s.signer.verifier, origin: s.origin).index }
        #expect(indices.count == Set(indices).count)
        #expect(Set(indices) == Set(0..<UInt64(2 * perWriter)))
        try await a.refresh()
        let final = try await a.checkpoint()
        #expect(final.checkpoint.size == UInt64(2 * perWriter))
        try await b.refresh()  // b reads what a appended after b's last append
        #expect(try await b.checkpoint().checkpoint.rootHash == final.checkpoint.rootHash)
        for receipt in receipts {
            let verified = try receipt.verify(log: s.signer.verifier, origin: s.origin)
            #expect(await a.entry(at: verified.index)?.encoded == verified.entry.encoded)
            let old = verified.checkpoint
            try old.verifyConsistency(
                to: final, proof: try await a.consistencyProof(from: old.checkpoint.size, to: final.checkpoint.size), log: s.signer.verifier,
                origin: s.origin)
        }
        // A third writer opening the store now sees the same log and accepts its head.
        let c = try await s.log()
        #expect(try await c.checkpoint().checkpoint.rootHash == final.checkpoint.rootHash)
    }

    @Test("a digest logged by one writer is refused by the other (it catches up under the head), and nothing is appended",
        arguments: StoreKind.allCases)
    func duplicateAcrossWriters(kind: StoreKind) async throws {
        let s = try StoreUnderTest(kind)
        defer { Task { await s.finish() } }
        let a = try await s.log(), b = try await s.log()
        _ = try await a.submit(kind: .submit, bidder: "ACME", bidDigest: digest("one"), bidLength: 1)
        await #expect(throws: LogError.duplicateBid("this file is already in the log; seal the bid again to submit it anew")) {
            _ = try await b.submit(kind: .submit, bidder: "ACME", bidDigest: digest("one"), bidLength: 1)
        }
        #expect(await b.size == 1)  // b took in a's entry, and appended nothing
        let next = try await b.submit(kind: .replace, bidder: "ACME", bidDigest: digest("two"), bidLength: 1)
        #expect(try next.verify(log: s.signer.verifier, origin: s.origin).index == 1)
    }

    @Test("one writer closes the log: the other then refuses entries (log-closed) and returns the same closing checkpoint",
        arguments: StoreKind.allCases)
    func closeAcrossWriters(kind: StoreKind) async throws {
        let s = try StoreUnderTest(kind)
        defer { Task { await s.finish() } }
        let clock = ManualClock(Date())
        let deadline = clock.now.addingTimeInterval(60)
        let a = try await s.log(deadline: deadline, clock: { clock.now }), b = try await s.log(deadline: deadline, clock: { clock.now })
        _ = try await a.submit(kind: .submit, bidder: "ACME", bidDigest: digest("one"), bidLength: 1)
        _ = try await b.submit(kind: .submit, bidder: "BETA", bidDigest: digest("two"), bidLength: 1)
        clock.advance(61)
        let closing = try await a.close()
        #expect(closing.checkpoint.size == 2)
        #expect(closing.checkpoint.closedAt(tender: s.tender) != nil)
        #expect(try await b.close() == closing)
        await #expect(throws: LogError.self) { _ = try await b.submit(kind: .submit, bidder: "GAMMA", bidDigest: digest("3"), bidLength: 1) }
        #expect(await b.isClosed)
    }
}
