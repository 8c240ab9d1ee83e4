import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import SealedBid
import SealedBidEnvelope
import SealedBidLog
import SealedBidPrimitives

/// The HTTP API of docs/spec/portal-http-v1.md over a ``PortalService``.
public enum PortalServer {
    /// The header naming the uploader as the portal's login authenticated them (set by the
    /// authenticating front end; the bid must also be signed by a key the descriptor registers
    /// for this bidder).
    public static let bidderHeader = HTTPField.Name("Sealedbid-Bidder")!
    /// The bidder's commitment statement for `POST /commitments`, base64.
    public static let statementHeader = HTTPField.Name("Sealedbid-Statement")!

    public static func router(_ setup: PortalSetup, limits: UploadLimits = .init(), logger: Logger) -> Router<BasicRequestContext> {
        let service = setup.service
        let tender = setup.tender
        let incoming = setup.dataDir + "/incoming"
        let router = Router(context: BasicRequestContext.self)
        let accepted = Counter(label: "sealedbid_portal_accepted_total")

        /// Runs `body`; a refusal becomes a status and a JSON body with its stable code.
        @Sendable func answer(_ operation: String, _ body: () async throws -> Response) async -> Response {
            do {
                let response = try await body()
                return response
            } catch {
                let refusal = Refusal(error)
                Counter(label: "sealedbid_portal_refused_total", dimensions: [("code", refusal.code)]).increment()
                logger.log(
                    level: refusal.status.code >= 500 ? .error : .info, "refused",
                    metadata: ["operation": .string(operation), "code": .string(refusal.code), "message": .string(refusal.message)])
                return refusal.response
            }
        }

        @Sendable func uploader(_ request: Request) throws -> BidderID {
            guard let value = request.headers[bidderHeader] else { throw Refusal(.badRequest, "missing-bidder", "the \(bidderHeader) header is required") }
            return try BidderID(value)
        }

        /// The request body, streamed to a new file under incoming/ (constant memory), refused
        /// past `limit` bytes, when it stalls or arrives slower than the configured minimum rate
        /// (`408`, `upload-too-slow`), or when the client ends it early (`400`, `incomplete-upload`);
        /// the file is removed after `use`, or at once on a refusal.
        @Sendable func withUpload<T>(_ request: Request, limit: UInt64, _ use: (String) async throws -> T) async throws -> T {
            let declared = request.headers[.contentLength].flatMap(UInt64.init)
            if let declared, declared > limit { throw PortalError.bidTooLarge(declared, limit: limit) }
            let path = "\(incoming)/\(UUID().uuidString)"
            guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
                throw Refusal(.serviceUnavailable, "storage-error", "cannot store the upload")
            }
            defer { unlink(path) }
            let progress = UploadProgress()
            do {
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask {
                        do {
                            for try await buffer in request.body {
                                let received = progress.add(buffer.readableBytes)
                                guard received <= limit else { throw PortalError.bidTooLarge(received, limit: limit) }
                                try file.write(contentsOf: buffer.readableBytesView)
                            }
                        } catch let error as PortalError {
                            throw error
                        } catch {
                            // The watchdog cancelled the read, or the connection failed midway.
                            throw progress.tooSlow ? Refusal.tooSlow(limits) : Refusal.incomplete(progress.received, declared)
                        }
                        if progress.tooSlow { throw Refusal.tooSlow(limits) }
                        return true
                    }
                    group.addTask {
                        // The watchdog: a stall, or too slow a rate once the grace period is over.
                        while !Task.isCancelled {
                            try? await Task.sleep(for: .milliseconds(250))
                            if progress.isTooSlow(limits) { return false }
                        }
                        return true
                    }
                    let first = try await group.next()
                    group.cancelAll()
                    if first == false {
                        // Cancelling the reader ends the request body; its answer is the refusal.
                        try await group.waitForAll()
                        throw Refusal.tooSlow(limits)
                    }
                }
                try file.close()
            } catch {
                try? file.close()
                throw error
            }
            if let declared, progress.received < declared { throw Refusal.incomplete(progress.received, declared) }
            return try await use(path)
        }

        @Sendable func receiptResponse(_ receipt: Receipt) -> Response {
            Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: receipt.encoded)))
        }

        @Sendable func bytesResponse(_ bytes: [UInt8], type: String = "application/octet-stream", cache: String? = nil) -> Response {
            var headers: HTTPFields = [.contentType: type]
            if let cache { headers[.cacheControl] = cache }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }

        @Sendable func digest(_ context: BasicRequestContext) throws -> [UInt8] {
            guard let hex = context.parameters.get("digest"), hex.utf8.count == 64, let bytes = try? Hex.decode(hex) else {
                throw Refusal(.badRequest, "malformed-digest", "a digest is 64 hex digits")
            }
            return bytes
        }

        router.post("bids") { request, _ in
            await answer("submit") {
                let bidder = try uploader(request)
                let receipt = try await withUpload(request, limit: tender.maxBidBytes) { try await service.accept(bidAt: $0, from: bidder) }
                accepted.increment()
                logger.info("accepted", metadata: ["bidder": .string(bidder.value)])
                return receiptResponse(receipt)
            }
        }
        router.post("uploads") { request, _ in
            await answer("upload") {
                let bidder = try uploader(request)
                let receipt = try await withUpload(request, limit: tender.maxBidBytes) { try await service.upload(bidAt: $0, from: bidder) }
                accepted.increment()
                return receiptResponse(receipt)
            }
        }
        router.post("commitments") { request, _ in
            await answer("commit") {
                let bidder = try uploader(request)
                guard let encoded = request.headers[statementHeader], let statement = Data(base64Encoded: encoded) else {
                    throw Refusal(.badRequest, "missing-statement", "the \(statementHeader) header (base64) is required")
                }
                let receipt = try await withUpload(request, limit: tender.maxBidBytes) {
                    try await service.commit(bidAt: $0, statement: Array(statement), from: bidder)
                }
                accepted.increment()
                return receiptResponse(receipt)
            }
        }
        router.post("withdrawals") { request, _ in
            await answer("withdraw") {
                let bidder = try uploader(request)
                let receipt = try await withUpload(request, limit: UInt64(Withdrawal.maximumSize)) { path in
                    try await service.withdraw(statement: Array(try Data(contentsOf: URL(fileURLWithPath: path))), from: bidder)
                }
                accepted.increment()
                return receiptResponse(receipt)
            }
        }
        router.get("receipts/:digest") { _, context in
            await answer("receipt") { receiptResponse(try await service.receipt(forDigest: try digest(context))) }
        }
        router.get("tender") { _, _ in
            bytesResponse(tender.encoded, type: "text/plain; charset=utf-8", cache: "public, max-age=31536000, immutable")
        }
        router.get("closing") { _, _ in
            await answer("closing") {
                if let closing = try await closingCheckpoint(service, tender) {
                    return bytesResponse(Array(closing.note.serialized.utf8), type: "text/plain; charset=utf-8")
                }
                throw Refusal(.notFound, "not-closed", "the log closes at the end of the grace window")
            }
        }
        router.get("bids/:digest") { _, context in
            await answer("bid") {
                let digest = try digest(context)
                guard try await closingCheckpoint(service, tender) != nil else {
                    throw Refusal(.forbidden, "not-closed", "bids are published to the committee after the closing")
                }
                guard service.bids.contains(digest, .bid) else { throw PortalError.notLogged }
                let body = try await FileIO().loadFile(path: service.bids.path(of: digest, .bid), context: context)
                return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
            }
        }
        router.get("checkpoint") { _, _ in
            await answer("checkpoint") {
                bytesResponse(Array(try await service.checkpoint().note.serialized.utf8), type: "text/plain; charset=utf-8", cache: "no-store")
            }
        }
        router.get("tile/**") { _, context in
            await answer("tile") {
                guard let address = Tiles.parse(context.parameters.getCatchAll()) else {
                    throw Refusal(.notFound, "no-such-tile", "not a tile path")
                }
                let range = address.index * Tiles.width..<address.index * Tiles.width + address.width
                // Tiles are immutable: a full one, or a partial one of a given width, never changes.
                let immutable = "public, max-age=31536000, immutable"
                for attempt in 0..<2 {
                    if attempt == 1 { try await service.refresh() }
                    if let level = address.level {
                        if let hashes = await service.subtreeHashes(level: level * 8, range: range) {
                            return bytesResponse(hashes.flatMap { $0 }, cache: immutable)
                        }
                    } else if let entries = await service.encodedEntries(range) {
                        return bytesResponse(try Tiles.bundle(entries, firstIndex: range.lowerBound), cache: immutable)
                    }
                }
                throw Refusal(.notFound, "no-such-tile", "the log has no such tile yet")
            }
        }
        router.get("health") { _, _ in
            await answer("health") {
                try await service.probeStore()  // the store answers; no witness is asked, no append is waited for
                return bytesResponse(Array("ok\n".utf8), type: "text/plain; charset=utf-8", cache: "no-store")
            }
        }
        return router
    }

    /// Closes the log when the grace window ends (or at once, when it has already ended), so
    /// that the closing does not wait for the first reader; with several instances, the first to
    /// get the log head closes and the others take in its closing. Retries every 5 s while the
    /// store is unavailable. Returns once the log is closed, or when cancelled.
    public static func closeOnTime(_ service: PortalService, _ tender: Tender, logger: Logger) async {
        let end = tender.deadline.addingTimeInterval(TimeInterval(tender.grace))
        while !Task.isCancelled {
            let wait = end.timeIntervalSinceNow
            do {
                if wait > 0 {
                    try await Task.sleep(for: .milliseconds(Int64(min(wait, 3600) * 1000) + 1))
                    continue
                }
                if let closing = try await closingCheckpoint(service, tender) {
                    logger.info("closed", metadata: ["size": .stringConvertible(closing.checkpoint.size)])
                    return
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error("cannot close the log yet", metadata: ["error": .string(String(describing: error))])
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }

    /// The closing checkpoint; closes the log first when the grace window has passed.
    static func closingCheckpoint(_ service: PortalService, _ tender: Tender) async throws -> SignedCheckpoint? {
        if let closing = try await service.closingCheckpoint() { return closing }
        guard Date() >= tender.deadline.addingTimeInterval(TimeInterval(tender.grace)) else { return nil }
        return try await service.close()
    }
}

/// How slow an upload may be before it is refused (`408`, `upload-too-slow`): a client that
/// stalls, or trickles its body (one byte a second), would otherwise hold a connection and a file
/// open for as long as it likes.
public struct UploadLimits: Codable, Sendable {
    /// The longest time without a byte of the body, in seconds.
    public var stallSeconds: Double
    /// The minimum average rate of a body, in bytes per second, enforced once `stallSeconds` have passed.
    public var minimumBytesPerSecond: Double

    public init(stallSeconds: Double = 10, minimumBytesPerSecond: Double = 8192) {
        self.stallSeconds = stallSeconds
        self.minimumBytesPerSecond = minimumBytesPerSecond
    }
}

/// The bytes of one upload received so far, and when; shared by its reader and its watchdog.
final class UploadProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let start = ContinuousClock.now
    private var last = ContinuousClock.now
    private var count: UInt64 = 0
    private var slow = false

    func add(_ bytes: Int) -> UInt64 {
        lock.withLock {
            count += UInt64(bytes)
            last = .now
            return count
        }
    }

    var received: UInt64 { lock.withLock { count } }
    var tooSlow: Bool { lock.withLock { slow } }

    /// Whether the upload stalled or is below the minimum rate; once true, stays true.
    func isTooSlow(_ limits: UploadLimits) -> Bool {
        lock.withLock {
            let now = ContinuousClock.now
            let elapsed = Self.seconds(now - start)
            if Self.seconds(now - last) > limits.stallSeconds
                || (elapsed > limits.stallSeconds && Double(count) / elapsed < limits.minimumBytesPerSecond)
            {
                slow = true
            }
            return slow
        }
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// A refusal as the API returns it: a status and `{"code": ..., "message": ...}`.
struct Refusal: Error {
    let status: HTTPResponse.Status
    let code: String
    let message: String

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    static func tooSlow(_ limits: UploadLimits) -> Refusal {
        Refusal(
            .requestTimeout, "upload-too-slow",
            "the body stalled for \(limits.stallSeconds) s or arrived slower than \(Int(limits.minimumBytesPerSecond)) bytes/s; nothing was stored")
    }

    static func incomplete(_ received: UInt64, _ declared: UInt64?) -> Refusal {
        Refusal(
            .badRequest, "incomplete-upload",
            "the body ended after \(received) bytes" + (declared.map { " of the \($0) declared" } ?? "") + "; nothing was stored")
    }

    /// The library's stable code, with the status of docs/spec/portal-http-v1.md, "Refusals".
    init(_ error: any Error) {
        if let refusal = error as? Refusal {
            self = refusal
            return
        }
        guard let known = error as? any SealedBidError else {
            self.init(.internalServerError, "internal-error", "the portal failed; nothing was logged")
            return
        }
        let code = known.code
        let status: HTTPResponse.Status =
            switch code {
            case "bid-too-large": .contentTooLarge
            case "duplicate-bid", "stale-withdrawal", "commitment-mismatch", "no-commitment": .conflict
            case "log-closed", "not-open": .forbidden
            case "not-logged": .notFound
            case "storage-error", "io-error", "timestamp-unavailable", "quorum-not-met", "corrupt-store": .serviceUnavailable
            case "entry-too-large": .internalServerError
            default: .unprocessableContent
            }
        // Environmental failures say what failed, not the machine's paths.
        self.init(status, code, status == .serviceUnavailable ? "\(code): the portal cannot log now; retry later" : known.description)
    }

    var response: Response {
        let body = try? JSONSerialization.data(withJSONObject: ["code": code, "message": message], options: [.sortedKeys])
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body ?? Data("{\"code\":\"internal-error\"}".utf8))))
    }
}
