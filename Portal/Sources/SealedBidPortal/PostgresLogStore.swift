import Foundation
import Logging
import NIOCore
import PostgresNIO
import SealedBidLog

/// The log of one tender in PostgreSQL, shared by every portal instance on the database
/// (`docs/deployment.md`). Two tables, created when missing:
///
/// - `sealedbid_log_head(log, records, head_size, head_note)`: one row per log; the row is the log
///   head: an append locks it (`SELECT ... FOR UPDATE`), so appends of every instance serialize on
///   it, and `records` counts the log's records;
/// - `sealedbid_log(log, idx, kind, entry, token, closed_size, closed_at)`, primary key
///   `(log, idx)`: the records; an index is never taken twice, whatever the code above does.
///
/// An append (``beginAppend(after:)``) begins a transaction, locks the head row, reads the
/// records the other instances appended since this one last looked, inserts its own and commits:
/// with PostgreSQL's default `synchronous_commit = on` the commit returns once the WAL is flushed,
/// before the log signs a checkpoint or a receipt. Appends of one instance use one connection in
/// turn; reads (``records(after:)``) use another, so readers never wait for a commit.
public final class PostgresLogStore: LogStore, @unchecked Sendable {
    public let log: String
    private let writer: PostgresConnection
    private let reader: PostgresConnection
    private let writerTurn = AsyncGate()
    private let readerTurn = AsyncGate()
    private let logger: Logger
    // Read once, when the store is opened (SubmissionLog.init); immutable afterwards.
    private let openedRecords: [LogRecord]
    private let openedHead: String?

    /// Connects (two connections), creates the tables when missing, and reads the log `log` (its
    /// origin) as it is now, for ``load()`` and ``loadHead()``.
    public static func open(configuration: PostgresConnection.Configuration, log: String, logger: Logger) async throws -> PostgresLogStore {
        let writer = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        let reader: PostgresConnection
        do {
            reader = try await PostgresConnection.connect(configuration: configuration, id: 2, logger: logger)
        } catch {
            try? await writer.close()
            throw error
        }
        do {
            try await createSchema(writer, log: log, logger: logger)
            let (records, head) = try await snapshot(reader, log: log, logger: logger)
            return PostgresLogStore(log: log, writer: writer, reader: reader, logger: logger, records: records, head: head)
        } catch {
            try? await writer.close()
            try? await reader.close()
            throw error
        }
    }

    private init(log: String, writer: PostgresConnection, reader: PostgresConnection, logger: Logger, records: [LogRecord], head: String?) {
        self.log = log
        self.writer = writer
        self.reader = reader
        self.logger = logger
        self.openedRecords = records
        self.openedHead = head
    }

    /// Closes both connections (after the appends in progress).
    public func close() async {
        await writerTurn.enter()
        await readerTurn.enter()
        try? await writer.close()
        try? await reader.close()
    }

    /// Tables and the head row, created under a transaction-scoped advisory lock so that instances
    /// starting together do not race on `CREATE TABLE`.
    private static func createSchema(_ connection: PostgresConnection, log: String, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { c in
            try await c.query("SELECT pg_advisory_xact_lock(7368272611)", logger: logger)
            try await c.query(
                """
                CREATE TABLE IF NOT EXISTS sealedbid_log_head (
                    log text PRIMARY KEY, records bigint NOT NULL, head_size bigint, head_note text)
                """, logger: logger)
            try await c.query(
                """
                CREATE TABLE IF NOT EXISTS sealedbid_log (
                    log text NOT NULL, idx bigint NOT NULL, kind smallint NOT NULL,
                    entry bytea, token bytea, closed_size bigint, closed_at bigint,
                    PRIMARY KEY (log, idx))
                """, logger: logger)
            try await c.query("ALTER TABLE sealedbid_log_head ADD COLUMN IF NOT EXISTS closing_note text", logger: logger)
            try await c.query(
                "INSERT INTO sealedbid_log_head (log, records) VALUES (\(log), 0) ON CONFLICT (log) DO NOTHING", logger: logger)
        }
    }

    /// The records and the head, read in one snapshot (a head never covers records the read missed).
    private static func snapshot(_ connection: PostgresConnection, log: String, logger: Logger) async throws -> ([LogRecord], String?) {
        try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
        do {
            var head: String?
            for try await (note) in try await connection.query(
                "SELECT head_note FROM sealedbid_log_head WHERE log = \(log)", logger: logger
            ).decode((String?).self) {
                head = note
            }
            let records = try await records(connection, log: log, from: 0, logger: logger)
            try await connection.query("COMMIT", logger: logger)
            return (records, head)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    private static func records(_ connection: PostgresConnection, log: String, from: Int, logger: Logger) async throws -> [LogRecord] {
        var records: [LogRecord] = []
        let rows = try await connection.query(
            """
            SELECT idx, kind, entry, token, closed_size, closed_at FROM sealedbid_log
            WHERE log = \(log) AND idx >= \(Int64(from)) ORDER BY idx
            """, logger: logger)
        for try await (idx, kind, entry, token, closedSize, closedAt) in rows.decode(
            (Int64, Int16, ByteBuffer?, ByteBuffer?, Int64?, Int64?).self)
        {
            guard idx == Int64(from + records.count) else {
                throw LogError.corruptStore("record \(from + records.count) is missing from the database")
            }
            switch (kind, entry, token, closedSize, closedAt) {
            case (1, let entry?, let token?, nil, nil):
                records.append(.entry(Array(entry.readableBytesView), token: Array(token.readableBytesView)))
            case (2, nil, nil, let size?, let at?) where size >= 0 && at >= 0:
                records.append(.closed(size: UInt64(size), at: UInt64(at)))
            default:
                throw LogError.corruptStore("record \(idx) has an unknown kind \(kind) or a malformed row")
            }
        }
        return records
    }

    // MARK: LogStore

    public func load() throws(LogError) -> [LogRecord] { openedRecords }
    public func loadHead() throws(LogError) -> String? { openedHead }

    public func records(after known: Int) async throws(LogError) -> [LogRecord] {
        await readerTurn.enter()
        defer { readerTurn.leave() }
        do {
            return try await Self.records(reader, log: log, from: known, logger: logger)
        } catch {
            throw Self.storageError(error)
        }
    }

    public func closingNote() async throws(LogError) -> String? {
        await readerTurn.enter()
        defer { readerTurn.leave() }
        do {
            return try await Self.closingNote(reader, log: log, logger: logger)
        } catch {
            throw Self.storageError(error)
        }
    }

    /// One statement keeps the first note (`closing_note IS NULL`); every writer then reads the one kept.
    public func keepClosingNote(_ note: String) async throws(LogError) -> String {
        await readerTurn.enter()
        defer { readerTurn.leave() }
        do {
            try await reader.query(
                "UPDATE sealedbid_log_head SET closing_note = \(note) WHERE log = \(log) AND closing_note IS NULL", logger: logger)
            guard let kept = try await Self.closingNote(reader, log: log, logger: logger) else {
                throw LogError.storage("the closing note was not kept")
            }
            return kept
        } catch let error as LogError {
            throw error
        } catch {
            throw Self.storageError(error)
        }
    }

    private static func closingNote(_ connection: PostgresConnection, log: String, logger: Logger) async throws -> String? {
        var kept: String?
        for try await (note) in try await connection.query(
            "SELECT closing_note FROM sealedbid_log_head WHERE log = \(log)", logger: logger
        ).decode((String?).self) {
            kept = note
        }
        return kept
    }

    public func raiseHead(_ note: String, size: UInt64) async throws(LogError) {
        await readerTurn.enter()
        defer { readerTurn.leave() }
        do {
            // Autocommit: one statement, durable when it returns. A head only grows.
            try await reader.query(
                """
                UPDATE sealedbid_log_head SET head_size = \(Int64(size)), head_note = \(note)
                WHERE log = \(log) AND (head_size IS NULL OR head_size <= \(Int64(size)))
                """, logger: logger)
        } catch {
            throw Self.storageError(error)
        }
    }

    public func beginAppend(after known: Int) async throws(LogError) -> any LogAppend {
        await writerTurn.enter()
        do {
            try await writer.query("BEGIN", logger: logger)
            var count: Int64?
            for try await (records) in try await writer.query(
                "SELECT records FROM sealedbid_log_head WHERE log = \(log) FOR UPDATE", logger: logger
            ).decode(Int64.self) {
                count = records
            }
            guard let count else { throw LogError.corruptStore("the head row of \(log) is missing") }
            guard count >= Int64(known) else { throw LogError.corruptStore("the database has \(count) records, the log knew \(known)") }
            let appended = count == Int64(known) ? [] : try await Self.records(writer, log: log, from: known, logger: logger)
            guard appended.count == Int(count) - known else { throw LogError.corruptStore("the head counts \(count) records, the table has others") }
            return PostgresAppend(store: self, appended: appended, next: Int(count))
        } catch {
            _ = try? await writer.query("ROLLBACK", logger: logger)
            writerTurn.leave()
            throw Self.storageError(error)
        }
    }

    /// Inserts `records` from index `next`, moves the head's count, commits; releases the writer.
    fileprivate func commit(_ records: [LogRecord], next: Int) async throws(LogError) {
        defer { writerTurn.leave() }
        do {
            for (offset, record) in records.enumerated() {
                let idx = Int64(next + offset)
                switch record {
                case .entry(let entry, let token):
                    try await writer.query(
                        """
                        INSERT INTO sealedbid_log (log, idx, kind, entry, token)
                        VALUES (\(log), \(idx), 1, \(ByteBuffer(bytes: entry)), \(ByteBuffer(bytes: token)))
                        """, logger: logger)
                case .closed(let size, let at):
                    try await writer.query(
                        """
                        INSERT INTO sealedbid_log (log, idx, kind, closed_size, closed_at)
                        VALUES (\(log), \(idx), 2, \(Int64(size)), \(Int64(at)))
                        """, logger: logger)
                }
            }
            try await writer.query(
                "UPDATE sealedbid_log_head SET records = \(Int64(next + records.count)) WHERE log = \(log)", logger: logger)
            try await writer.query("COMMIT", logger: logger)
        } catch {
            // A failed COMMIT may or may not have committed: either way nothing is acknowledged,
            // and a committed record comes back to the next append among `appended`.
            _ = try? await writer.query("ROLLBACK", logger: logger)
            throw Self.storageError(error)
        }
    }

    fileprivate func abandon() async {
        _ = try? await writer.query("ROLLBACK", logger: logger)
        writerTurn.leave()
    }

    private static func storageError(_ error: any Error) -> LogError {
        if let error = error as? LogError { return error }
        return .storage("PostgreSQL: \(String(reflecting: error))")
    }
}

/// An append holding the head row's lock inside an open transaction.
final class PostgresAppend: LogAppend, @unchecked Sendable {
    let appended: [LogRecord]
    private let store: PostgresLogStore
    private let next: Int
    // Guarded by `lock`: commit or abandon, once.
    private let lock = NSLock()
    private var finished = false

    init(store: PostgresLogStore, appended: [LogRecord], next: Int) {
        self.store = store
        self.appended = appended
        self.next = next
    }

    private func finish() -> Bool {
        lock.withLock {
            defer { finished = true }
            return !finished
        }
    }

    func commit(_ records: [LogRecord]) async throws(LogError) {
        guard finish() else { throw .storage("this append was already committed or abandoned") }
        try await store.commit(records, next: next)
    }

    func abandon() async {
        if finish() { await store.abandon() }
    }
}
