import Foundation
import Hummingbird
import SealedBidKeyFiles
import SealedBidLog

/// `sealbid-witness serve --config <file>`: a JSON object (docs/spec/portal-http-v1.md,
/// "Witness"). Relative paths are relative to the configuration file's folder.
public struct WitnessConfiguration: Codable, Sendable {
    /// The witness's name (its cosignature key name, a schema-less URL).
    public var name: String
    /// Its Ed25519 private key file (keyfiles-v1).
    public var key: String
    /// Where it keeps the latest checkpoint it cosigned for each log (one process per folder).
    public var stateDir: String
    /// The verifier keys of the logs it witnesses (each key's name is the log's origin).
    public var logs: [String]
    /// `host:port` to listen on.
    public var listen: String

    public static func load(path: String) throws -> WitnessConfiguration {
        var config: WitnessConfiguration = try readConfiguration(path)
        config.key = resolvePath(config.key, besides: path)
        config.stateDir = resolvePath(config.stateDir, besides: path)
        return config
    }

    /// The witness this configuration describes (its state opened and locked).
    public func open() throws -> Witness {
        let cosigner = try Cosigner(name: name, key: KeyFile.ed25519PrivateKey(key))
        return try Witness(cosigner: cosigner, logs: try logs.map { try NoteVerifier(verifierKey: $0) }, directory: stateDir)
    }

    public func address() throws -> (host: String, port: Int) { try listenAddress(listen) }
}

/// The HTTP side of a ``Witness``: `POST /add-checkpoint` and `GET /<origin hash>/checkpoint`
/// (C2SP tlog-witness; the submission and monitoring prefixes are both the root).
public enum WitnessServer {
    public static func router(_ witness: Witness) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        @Sendable func response(_ answer: Witness.Response) -> Response {
            Response(
                status: .init(code: answer.status), headers: [.contentType: answer.contentType, .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        router.post("add-checkpoint") { request, _ in
            // The whole body within 10 s, at most 64 KiB: a client that trickles its body does not
            // hold a connection (the idle timeout only sees silence).
            let body: ByteBuffer?
            do {
                body = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                    group.addTask { try await request.body.collect(upTo: Witness.maximumRequestSize) }
                    group.addTask {
                        try await Task.sleep(for: .seconds(10))
                        return nil
                    }
                    let first = try await group.next() ?? nil
                    group.cancelAll()
                    return first
                }
            } catch {
                return Response(status: .contentTooLarge, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "too large\n")))
            }
            guard let body else {
                return Response(status: .requestTimeout, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "too slow\n")))
            }
            return response(await witness.handleAddCheckpoint(Array(body.readableBytesView)))
        }
        router.get(":origin/checkpoint") { _, context in
            response(await witness.checkpoint(originHash: context.parameters.get("origin") ?? ""))
        }
        return router
    }
}
