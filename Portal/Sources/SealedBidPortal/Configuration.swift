import Foundation
import Logging
import PostgresNIO
import SealedBid
import SealedBidKeyFiles
import SealedBidEnvelope
import SealedBidHTTP
import SealedBidLog
import SealedBidPrimitives

/// `sealbid-portal serve --config <file>`: a JSON object (docs/spec/portal-http-v1.md, "Configuration").
/// Relative paths are relative to the configuration file's folder.
public struct PortalConfiguration: Codable, Sendable {
    /// The tender descriptor (tender-v1) and its published SHA-256, hex: the service refuses any other.
    public var tender: String
    public var tenderDigest: String
    /// The log's Ed25519 private key file (keyfiles-v1); its public key is the descriptor's log key.
    public var logKey: String
    /// Where bid files (`bids/`), uploads in progress (`incoming/`) and, with the file store, `log.bin` live.
    public var dataDir: String
    /// `file` (the embedded store, one instance) or a PostgreSQL URL
    /// `postgres://user[:password]@host[:port]/database`, or `postgres:///database?host=/socket/dir&port=N&user=U`.
    public var database: String
    /// `host:port` to listen on.
    public var listen: String
    /// How slow an upload may be (`{"stallSeconds": 10, "minimumBytesPerSecond": 8192}` when absent).
    public var uploads: UploadLimits?
    /// Where to reach the witnesses the descriptor names: `[{"key": "<verifier key>", "url": "http://..."}]`.
    /// Every checkpoint handed out (receipts, the closing) is cosigned by the descriptor's quorum first.
    public var witnesses: [WitnessEndpoint]?
    /// The outside RFC 3161 authority's URL, for descriptors with `timestamps required`.
    public var timestampAuthority: String?

    public struct WitnessEndpoint: Codable, Sendable {
        public var key: String
        public var url: String
        public init(key: String, url: String) {
            self.key = key
            self.url = url
        }
    }

    public static func load(path: String) throws -> PortalConfiguration {
        var config: PortalConfiguration = try readConfiguration(path)
        func resolve(_ p: String) -> String { resolvePath(p, besides: path) }
        config.tender = resolve(config.tender)
        config.logKey = resolve(config.logKey)
        config.dataDir = resolve(config.dataDir)
        return config
    }

    /// The host and port of ``listen``.
    public func address() throws -> (host: String, port: Int) { try listenAddress(listen) }

    /// The PostgreSQL connection of ``database``, nil for `file`.
    public func postgres() throws -> PostgresConnection.Configuration? {
        if database == "file" { return nil }
        guard let url = URLComponents(string: database), url.scheme == "postgres" || url.scheme == "postgresql" else {
            throw ConfigurationError("database must be 'file' or a postgres:// URL")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let user = url.user ?? query["user"] ?? "postgres"
        let databaseName = url.path.isEmpty ? nil : String(url.path.dropFirst())
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            let port = query["port"] ?? "5432"
            return .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: url.password, database: databaseName)
        }
        return .init(host: url.host ?? "127.0.0.1", port: url.port ?? 5432, username: user, password: url.password, database: databaseName, tls: .disable)
    }
}

/// A JSON configuration file, decoded (a malformed one is a ``ConfigurationError`` naming the file).
func readConfiguration<T: Decodable>(_ path: String) throws -> T {
    do {
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
        throw ConfigurationError("\(path): not a valid configuration (\(error.localizedDescription))")
    }
}

/// `p` as written in the configuration file at `configuration`: relative to that file's folder.
/// (`FilePath.split`, not Foundation's `deletingLastPathComponent`, which traps on some
/// one-character paths on Linux.)
func resolvePath(_ p: String, besides configuration: String) -> String {
    p.hasPrefix("/") ? p : "\(FilePath.split(configuration).directory)/\(p)"
}

/// The host and port of a `host:port` setting.
func listenAddress(_ listen: String) throws -> (host: String, port: Int) {
    guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
        throw ConfigurationError("listen must be host:port, not '\(listen)'")
    }
    return (String(listen[..<colon]), port)
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A running portal's parts, built from its configuration.
public struct PortalSetup: Sendable {
    public let service: PortalService
    public let tender: Tender
    public let dataDir: String
    /// The PostgreSQL store, to close at shutdown; nil with the file store.
    public let postgres: PostgresLogStore?

    /// Reads the descriptor (pinned by its digest) and the log key, opens the store (creating the
    /// file store or the database tables the first time) and the service.
    public static func open(_ config: PortalConfiguration, logger: Logger) async throws -> PortalSetup {
        guard config.tenderDigest.utf8.count == 64, let digest = try? Hex.decode(config.tenderDigest) else {
            throw ConfigurationError("tenderDigest is 64 hex digits")
        }
        let tender = try Tender(encoded: Array(try Data(contentsOf: URL(fileURLWithPath: config.tender))), expectedDigest: digest)
        let signer = try NoteSigner(name: tender.origin, key: KeyFile.ed25519PrivateKey(config.logKey))
        try FileManager.default.createDirectory(atPath: config.dataDir + "/incoming", withIntermediateDirectories: true)
        let store: any LogStore
        var postgres: PostgresLogStore?
        if let pg = try config.postgres() {
            let opened = try await PostgresLogStore.open(configuration: pg, log: tender.origin, logger: logger)
            postgres = opened
            store = opened
        } else {
            let path = config.dataDir + "/log.bin"
            store = FileManager.default.fileExists(atPath: path) ? try FileLogStore(path: path) : try FileLogStore.create(path: path)
        }
        var witnesses: [(CosignerVerifier, any WitnessTransport)] = []
        for endpoint in config.witnesses ?? [] {
            let key = try CosignerVerifier(verifierKey: endpoint.key)
            guard tender.witnesses.witnesses.contains(key) else { throw ConfigurationError("witness \(key.name) is not in the descriptor") }
            guard let url = URL(string: endpoint.url), url.scheme == "http" || url.scheme == "https" else {
                throw ConfigurationError("witness \(key.name): not an http(s) URL")
            }
            witnesses.append((key, HTTPWitness(url: url)))
        }
        var timestamper: Timestamper?
        switch tender.timestamps {
        case .required:
            guard let url = config.timestampAuthority.flatMap(URL.init(string:)), url.scheme == "http" || url.scheme == "https" else {
                throw ConfigurationError("the descriptor requires time-stamps: set timestampAuthority to the authority's http(s) URL")
            }
            let authority = RFC3161Client(url: url, roots: tender.tsaRoots)
            // At start, as `sealbid portal init` does: an authority whose tokens do not verify with
            // the descriptor's roots would have every submission refused; say so now, once.
            _ = try await authority.token(for: SHA256.hash(Array("sealbid-portal serve: time-stamp authority check".utf8)))
            timestamper = authority.timestamper
        case .testAuthority:
            throw ConfigurationError("the service runs no test time-stamp authority: use 'timestamps required' with an outside one")
        case .none:
            guard config.timestampAuthority == nil else { throw ConfigurationError("timestampAuthority is set but the descriptor says 'timestamps none'") }
        }
        do {
            let service = try PortalService(
                tender: tender, directory: config.dataDir, signer: signer, store: store, timestamper: timestamper, witnesses: witnesses)
            try await service.initializeHeadIfNew()
            return PortalSetup(service: service, tender: tender, dataDir: config.dataDir, postgres: postgres)
        } catch {
            await postgres?.close()
            throw error
        }
    }
}
