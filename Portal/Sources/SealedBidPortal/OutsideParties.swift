import AsyncHTTPClient
import Foundation
import NIOCore
import SealedBidLog
import SealedBidPrimitives

/// A witness reached over HTTP (C2SP tlog-witness): `POST <url>/add-checkpoint`.
public struct HTTPWitness: WitnessTransport {
    public let url: String
    let client: HTTPClient
    let timeout: TimeAmount

    /// - Parameter url: the witness's submission prefix (`http://host:port` or with a path).
    public init(url: String, client: HTTPClient = .shared, timeout: TimeAmount = .seconds(10)) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.client = client
        self.timeout = timeout
    }

    public func addCheckpoint(_ body: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: url + "/add-checkpoint")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: timeout)
        let answer = try await response.body.collect(upTo: 1 << 16)
        return (Int(response.status.code), Array(answer.readableBytesView))
    }
}

/// An RFC 3161 time-stamp authority reached over HTTP (RFC 3161 §3.4): a TimeStampReq posted as
/// `application/timestamp-query`, a TimeStampResp back as `application/timestamp-reply`. The
/// token is returned only once it verifies for the digest and the request's nonce, with the
/// tender's authority roots.
public struct RFC3161Client: Sendable {
    public let url: String
    let roots: [X509Certificate]
    let client: HTTPClient
    let timeout: TimeAmount

    public init(url: String, roots: [X509Certificate], client: HTTPClient = .shared, timeout: TimeAmount = .seconds(10)) {
        self.url = url
        self.roots = roots
        self.client = client
        self.timeout = timeout
    }

    /// A token over `digest` (SHA-256), as DER.
    public func token(for digest: [UInt8]) async throws -> [UInt8] {
        let query = try TimestampRequest(digest: digest)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/timestamp-query")
        request.body = .bytes(ByteBuffer(bytes: query.derRepresentation))
        let response = try await client.execute(request, timeout: timeout)
        let body = Array(try await response.body.collect(upTo: 1 << 16).readableBytesView)
        guard response.status.code == 200, response.headers["Content-Type"].first?.lowercased().hasPrefix("application/timestamp-reply") == true
        else {
            throw CryptoError.timestampInvalid(reason: "the authority answered HTTP \(response.status.code), not a time-stamp reply")
        }
        let token = try TimestampToken(response: body)
        _ = try token.verify(digest: digest, nonce: query.nonce, roots: roots)
        return token.derRepresentation
    }

    public var timestamper: Timestamper { { digest in try await token(for: digest) } }
}
