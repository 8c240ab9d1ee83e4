import Foundation
import SealedBidLog
import SealedBidPrimitives

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A witness reached over HTTP (C2SP tlog-witness): `POST <url>/add-checkpoint`.
public struct HTTPWitness: WitnessTransport {
    public let url: URL
    let session: URLSession
    let timeout: TimeInterval

    /// - Parameter url: the witness's submission prefix (`http://host:port`, or with a path).
    public init(url: URL, session: URLSession = .shared, timeout: TimeInterval = 10) {
        self.url = url
        self.session = session
        self.timeout = timeout
    }

    public func addCheckpoint(_ body: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
        var request = URLRequest(url: url.appendingPathComponent("add-checkpoint"), timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("text/plain; charset=utf-8", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await session.upload(for: request, from: Data(body))
        guard let http = response as? HTTPURLResponse, data.count <= Witness.maximumRequestSize else {
            throw OutsidePartyError("the witness at \(url) did not answer over HTTP")
        }
        return (http.statusCode, Array(data))
    }
}

/// An RFC 3161 time-stamp authority reached over HTTP (RFC 3161 §3.4): a TimeStampReq posted as
/// `application/timestamp-query`, a TimeStampResp back as `application/timestamp-reply`. A token
/// is returned only once it verifies for the digest and the request's nonce with the tender's
/// authority roots: the portal never holds the authority's key.
public struct RFC3161Client: Sendable {
    public let url: URL
    public let roots: [X509Certificate]
    let session: URLSession
    let timeout: TimeInterval

    public init(url: URL, roots: [X509Certificate], session: URLSession = .shared, timeout: TimeInterval = 10) {
        self.url = url
        self.roots = roots
        self.session = session
        self.timeout = timeout
    }

    /// A token over `digest` (SHA-256), as DER.
    /// - Throws: ``LogError/timestampUnavailable(_:)`` when the authority cannot be reached or does
    ///   not answer with a time-stamp reply; the token's ``CryptoError`` when it does not verify.
    public func token(for digest: [UInt8]) async throws -> [UInt8] {
        let query = try TimestampRequest(digest: digest)
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/timestamp-query", forHTTPHeaderField: "Content-Type")
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.upload(for: request, from: Data(query.derRepresentation))
        } catch {
            throw LogError.timestampUnavailable("the authority at \(url) cannot be reached")
        }
        guard let http = response as? HTTPURLResponse, http.statusCode == 200,
            http.value(forHTTPHeaderField: "Content-Type")?.lowercased().hasPrefix("application/timestamp-reply") == true,
            data.count <= 1 << 16
        else {
            throw LogError.timestampUnavailable("the authority at \(url) did not answer with a time-stamp reply")
        }
        let token = try TimestampToken(response: Array(data))
        _ = try token.verify(digest: digest, nonce: query.nonce, roots: roots)
        return token.derRepresentation
    }

    public var timestamper: Timestamper { { digest in try await token(for: digest) } }
}

/// An outside party (a witness, an authority) could not be reached or answered out of protocol.
public struct OutsidePartyError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
