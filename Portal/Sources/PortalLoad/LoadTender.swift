import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidKeyFiles
import SealedBidLog
import SealedBidPrimitives

/// A tender for exercising a portal: a 2-of-3 committee per stage (an in-process DKG), registered
/// bidders `BIDDER-1...`, the descriptor and the log key written to `dir` as `tender.txt` and
/// `log.key`. Shared by the portal's tests, the rush benchmark and the crash run.
public struct LoadTender: Sendable {
    public let dir: String
    public let tender: Tender
    public let keys: [String: Ed25519PrivateKey]
    public let technical = try! EnvelopeName("technical"), price = try! EnvelopeName("price")

    public init(
        dir: String, bidders: Int, deadline: Date, grace: Int = 0, maxBidBytes: UInt64 = 1 << 30, witnesses: WitnessPolicy = .none,
        tsaRoots: [X509Certificate] = []
    ) throws {
        self.dir = dir
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let id = "T-PORTAL-\(UUID().uuidString.prefix(8))"
        let members = (1...3).map { MemberKeys(id: MemberID(integerLiteral: UInt16($0))) }
        let stageKeys = try ["technical", "price"].map { try Self.dkg(members: members, committee: id, stage: $0) }
        var keys: [String: Ed25519PrivateKey] = [:]
        for i in 1...bidders { keys["BIDDER-\(i)"] = Ed25519PrivateKey() }
        self.keys = keys
        let registry = try BidderRegistry(
            keys.keys.sorted().map { BidderRegistry.Identity(bidder: try BidderID($0), kind: .ed25519(keys[$0]!.publicKey)) })
        let logKey = Ed25519PrivateKey()
        tender = try Tender(
            id: TenderID(id), deadline: Date(timeIntervalSince1970: deadline.timeIntervalSince1970.rounded(.up)), grace: grace,
            maxBidBytes: maxBidBytes, log: NoteVerifier(name: "portal.example/test/\(id)", publicKey: logKey.publicKey),
            witnesses: witnesses, timestamps: tsaRoots.isEmpty ? .none : .required, tsaRoots: tsaRoots,
            stages: stageKeys, envelopes: [(technical, try StageName("technical")), (price, try StageName("price"))], bidders: registry)
        try Data(tender.encoded).write(to: URL(fileURLWithPath: "\(dir)/tender.txt"))
        try KeyFile.write(logKey.seed, kind: .ed25519Private, to: "\(dir)/log.key", comment: "test log key")
    }

    /// Every member's DKG steps in this process, through the public API (a fixture: real ceremonies
    /// run each member on its own machine).
    static func dkg(members: [MemberKeys], committee: String, stage: String) throws -> StageKey {
        let roster = try CommitteeRoster(committee: committee, stage: stage, threshold: 2, members: members.map(\.card))
        let round1 = try members.map { try DKG.round1(roster: roster, keys: $0) }
        let sealed = try round1.flatMap { try DKG.round2($0.0, packages: round1.map(\.1)) }
        let keys = try round1.map { try DKG.finish($0.0, packages: round1.map(\.1), shares: sealed).1 }
        return keys[0]
    }

    /// Seals a bid of `bidder` (signed by `signer`, by default its registered key) with a random
    /// technical envelope of `size` bytes, for this tender or `other`; writes it to `to` (a new
    /// file in `dir` by default) and returns its path.
    @discardableResult
    public func seal(_ bidder: String, signer: Ed25519PrivateKey? = nil, for other: Tender? = nil, size: Int = 20000, to: String? = nil)
        throws -> String
    {
        let t = "\(dir)/\(UUID()).t", p = "\(dir)/\(UUID()).p", out = to ?? "\(dir)/\(UUID()).sbid"
        defer {
            unlink(t)
            unlink(p)
        }
        try Data(SecureRandom.bytes(count: size)).write(to: URL(fileURLWithPath: t))
        try Data("price of \(bidder)".utf8).write(to: URL(fileURLWithPath: p))
        _ = try (other ?? tender).seal(
            bidder: BidderID(bidder), signer: .ed25519(signer ?? keys[bidder] ?? Ed25519PrivateKey()), files: [technical: t, price: p], to: out)
        return out
    }

    /// What the portal checks of a bid before it logs it, without HTTP or storage (the
    /// verification ceiling of the rush benchmark): envelope-v1 steps 1 to 8 with the bidder's
    /// registered identities, the envelopes against the descriptor, every key-wrap proof, the
    /// payload digests.
    public func verify(bidAt path: String, bidder: String) throws {
        let id = try BidderID(bidder)
        _ = try PortalService.verify(bidAt: path, tender: tender, bidder: id, policy: tender.signerPolicy(for: id, at: Date()))
    }

    /// `sealbid-portal serve` configuration for this tender, written to `dir/<name>.json`; returns its path.
    public func writeConfig(
        name: String, database: String, dataDir: String? = nil, listen: String = "127.0.0.1:0", uploads: String? = nil,
        witnesses: [(key: CosignerVerifier, url: String)] = [], timestampAuthority: String? = nil
    ) throws -> String {
        var extra = uploads.map { ", \"uploads\": \($0)" } ?? ""
        if !witnesses.isEmpty {
            extra += ", \"witnesses\": [" + witnesses.map { "{\"key\": \"\($0.key.verifierKey)\", \"url\": \"\($0.url)\"}" }.joined(separator: ", ") + "]"
        }
        if let timestampAuthority { extra += ", \"timestampAuthority\": \"\(timestampAuthority)\"" }
        let config = """
            {"tender": "tender.txt", "tenderDigest": "\(tender.digest.hexString)", "logKey": "log.key",
             "dataDir": "\(dataDir ?? "data-\(name)")", "database": "\(database)", "listen": "\(listen)"\(extra)}
            """
        let path = "\(dir)/\(name).json"
        try Data(config.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// A `sealbid-portal serve` process: started, waited for until it listens, killed.
public final class ServeProcess: @unchecked Sendable {
    public let process = Process()
    public let url: URL

    /// Starts `binary serve --config config` (or `binary arguments`) and waits for its
    /// `listening on host:port` line (or a first line ending in `:port/`).
    public init(binary: String, config: String, arguments: [String]? = nil) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments ?? ["serve", "--config", config]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            guard chunk.isEmpty == false else { throw LoadError("sealbid-portal exited before listening") }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let port = text.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: CharacterSet(charactersIn: "/ \n"))) }) else {
            throw LoadError("unexpected first line: \(text)")
        }
        url = URL(string: "http://127.0.0.1:\(port)")!
    }

    /// Starts the process on a Dispatch thread: waiting for its first line blocks, and a blocked
    /// cooperative thread (2 on this machine) can stall every task of the caller.
    public static func start(binary: String, config: String, arguments: [String]? = nil) async throws -> ServeProcess {
        try await blocking { try ServeProcess(binary: binary, config: config, arguments: arguments) }
    }

    /// SIGKILL, and waits for the process to be gone.
    public func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    public func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

public struct LoadError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs blocking work (a process to wait for, a socket) on a Dispatch thread, off the cooperative pool.
public func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
