import Foundation
import SealedBid
import PortalLoad
import SealedBidLog
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A raw HTTP/1.1 client on a TCP socket, for what URLSession will not send: bodies that stop,
/// trickle or run past their limit. Blocking calls, on a detached task.
struct RawClient {
    enum Step: Sendable {
        case send([UInt8])
        case sleep(Double)
        case shutdownWrite
    }

    /// Connects, runs `steps` (stopping at the first failed send: the server may answer and close
    /// early), then reads the answer until the server closes or `readTimeout` seconds pass.
    /// Returns the status and body, or nil when the server closed without an answer.
    static func run(port: Int, _ steps: [Step], readTimeout: Double = 30) async -> HTTPAnswer? {
        (try? await blocking { () -> HTTPAnswer? in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { return nil }
            steps: for step in steps {
                switch step {
                case .send(let bytes):
                    let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if sent != bytes.count { break steps }
                case .sleep(let seconds):
                    usleep(UInt32(seconds * 1_000_000))
                case .shutdownWrite:
                    shutdown(fd, Int32(SHUT_WR))
                }
            }
            var timeout = timeval(tv_sec: Int(readTimeout), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var response: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                response += buffer[..<n]
                if let answer = parse(response) { return answer }
            }
            return parse(response)
        }) ?? nil
    }

    /// A complete response with a Content-Length body, or nil.
    static func parse(_ bytes: [UInt8]) -> HTTPAnswer? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let head = text[..<end.lowerBound].split(separator: "\r\n")
        guard let statusLine = head.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
        let length =
            head.dropFirst().compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
        let body = Array(text[end.upperBound...].utf8)
        guard body.count >= length else { return nil }
        return HTTPAnswer(status: status, body: Array(body.prefix(length)))
    }

    static func head(_ path: String, bidder: String, contentLength: Int? = nil, chunked: Bool = false) -> [UInt8] {
        var text = "POST /\(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nSealedbid-Bidder: \(bidder)\r\n"
        if let contentLength { text += "Content-Length: \(contentLength)\r\n" }
        if chunked { text += "Transfer-Encoding: chunked\r\n" }
        return Array((text + "\r\n").utf8)
    }

    static func chunk(_ bytes: [UInt8]) -> [UInt8] { Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + Array("\r\n".utf8) }
}

@Suite("Hostile clients: a real sealbid-portal process", .serialized)
struct HostileTests {
    @Test(
        "oversized, stopped, trickled and half-closed bodies: a status and a code each, nothing stored or logged, and others served meanwhile",
        arguments: ["file", "postgres"])
    func hostileUploads(database: String) async throws {
        let f = try PortalFixture(bidders: 8, maxBidBytes: 200_000)
        let url = try await f.serve(
            database: database == "file" ? "file" : try TestDatabase.url, name: "hostile",
            uploads: #"{"stallSeconds": 2, "minimumBytesPerSecond": 2000}"#)
        let port = url.port!
        let bid = try f.seal("BIDDER-1")
        let half = Array(bid.prefix(bid.count / 2))

        // The slow clients start first and hold their connections while honest bidders upload.
        async let stalled = RawClient.run(port: port, [.send(RawClient.head("bids", bidder: "BIDDER-1", contentLength: bid.count)), .send(half)])
        async let trickled = RawClient.run(
            port: port,
            [.send(RawClient.head("bids", bidder: "BIDDER-1", contentLength: bid.count))]
                + bid.prefix(60).flatMap { [RawClient.Step.send([$0]), .sleep(0.1)] })
        async let halfClosed = RawClient.run(
            port: port, [.send(RawClient.head("bids", bidder: "BIDDER-1", contentLength: bid.count)), .send(half), .shutdownWrite])
        async let chunkedOversize = RawClient.run(
            port: port,
            [.send(RawClient.head("bids", bidder: "BIDDER-1", chunked: true))]
                + (0..<5).map { _ in RawClient.Step.send(RawClient.chunk([UInt8](repeating: 0x41, count: 60_000))) })
        async let headerOnly = RawClient.run(port: port, [.send(Array("POST /bids HTTP/1.1\r\nHost: 127".utf8))])

        // Meanwhile: honest uploads succeed.
        try await Task.sleep(for: .milliseconds(300))
        var honest: [VerifiedReceipt] = []
        for i in 2...8 {
            let answer = try await http("POST", url, "bids", body: try f.seal("BIDDER-\(i)"), bidder: "BIDDER-\(i)")
            #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
            honest.append(try f.tender.verify(receipt: Receipt(encoded: answer.body)))
        }

        let stalledAnswer = await stalled
        #expect(stalledAnswer?.status == 408 && stalledAnswer?.code == "upload-too-slow", "\(String(describing: stalledAnswer))")
        let trickledAnswer = await trickled
        #expect(trickledAnswer?.status == 408 && trickledAnswer?.code == "upload-too-slow", "\(String(describing: trickledAnswer))")
        // A body ended early: refused when the server still can answer, and never stored.
        let halfClosedAnswer = await halfClosed
        if let halfClosedAnswer { #expect(halfClosedAnswer.status == 400 && halfClosedAnswer.code == "incomplete-upload", "\(halfClosedAnswer)") }
        let oversizeAnswer = await chunkedOversize
        #expect(oversizeAnswer?.status == 413 && oversizeAnswer?.code == "bid-too-large", "\(String(describing: oversizeAnswer))")
        // A request head that never completes: the connection is closed, nothing answered.
        #expect(await headerOnly == nil)

        // Nothing of the hostile uploads was logged or stored; nothing is left in incoming/.
        let checkpoint = try SignedCheckpoint(serialized: String(decoding: try await http("GET", url, "checkpoint").body, as: UTF8.self))
        #expect(checkpoint.checkpoint.size == UInt64(honest.count))
        let stored = try FileManager.default.contentsOfDirectory(atPath: "\(f.dir)/data-hostile/bids").filter { !$0.hasPrefix(".") }
        #expect(stored.count == honest.count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(f.dir)/data-hostile/incoming").isEmpty)
        // BIDDER-1 can still submit the same bid whole.
        let whole = try await http("POST", url, "bids", body: bid, bidder: "BIDDER-1")
        #expect(whole.status == 200)
    }
}

@Suite("kill -9 during a load: a real sealbid-portal process, restarted", .serialized)
struct CrashTests {
    @Test("portal-load crash: three kills during a load; every receipt in the final log, nothing lost or twice", arguments: ["file", "postgres"])
    func killDuringLoad(database: String) async throws {
        // The full run (20 kills) is Portal/scripts/crash-run; this one keeps CI short.
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-crash-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let build = URL(fileURLWithPath: PortalFixture.binary).deletingLastPathComponent()
        let process = Process()
        process.executableURL = build.appendingPathComponent("portal-load")
        process.arguments = [
            "crash", "--binary", PortalFixture.binary, "--work", work, "--kills", "3", "--bids", "400",
            "--database", database == "file" ? "file" : try TestDatabase.url,
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        // Waited for on a Dispatch thread, not on the cooperative pool the other tests need.
        let output = try await blocking { () -> String in
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return text
        }
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("nothing acknowledged lost or duplicated"), "\(output)")
    }
}
