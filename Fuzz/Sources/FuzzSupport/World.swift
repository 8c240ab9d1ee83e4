import Foundation
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidLog
import SealedBidPrimitives

/// The fixed keys and objects the harnesses check fuzzed inputs against.
///
/// Keys are derived from fixed labels, so a seed made in one process opens in
/// another. What the public API can only make at random (a committee dealing,
/// a DKG, an X.509 hierarchy) is made once and kept in the world directory
/// (`Fuzz/.work/world`, or `$SEALEDBID_FUZZ_WORLD`), read back through the
/// library's own decoders, and remade when it no longer decodes.
enum World {
    // MARK: Locations

    /// The repository (`$SEALEDBID_ROOT`, else found from this file's path).
    static let repository: URL = {
        if let root = ProcessInfo.processInfo.environment["SEALEDBID_ROOT"] { return URL(fileURLWithPath: root) }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // FuzzSupport, Sources, Fuzz, the repository
        return url
    }()

    /// Upstream vectors (`$SEALEDBID_VECTORS`, else `../shared/vectors` beside the checkout).
    static let vectors: URL = {
        if let path = ProcessInfo.processInfo.environment["SEALEDBID_VECTORS"] { return URL(fileURLWithPath: path) }
        return repository.deletingLastPathComponent().appendingPathComponent("shared/vectors")
    }()

    static let directory: URL = {
        if let path = ProcessInfo.processInfo.environment["SEALEDBID_FUZZ_WORLD"] { return URL(fileURLWithPath: path) }
        return repository.appendingPathComponent("Fuzz/.work/world")
    }()

    /// A scratch file private to this process (for the parsers that read paths).
    static let scratchPath: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return "\(base)/sealbid-fuzz-\(getpid())"
    }()

    // MARK: Derived keys

    static func bytes(_ label: String) -> [UInt8] { SHA256.hash(Array("sealbid-fuzz \(label)".utf8)) }
    static func hpkeKey(_ label: String) -> HPKE.PrivateKey { try! HPKE.PrivateKey.derive(fromIKM: bytes(label)) }
    static func ed25519Key(_ label: String) -> Ed25519PrivateKey { try! Ed25519PrivateKey(seed: SecureBytes(copying: bytes(label))) }

    static let tender = try! TenderID("LPSE-FUZZ-0001")
    static let bidder = try! BidderID("FUZZ-BIDDER")
    static let committeeKey = hpkeKey("committee")
    static let escrowKey = hpkeKey("escrow")
    static let bidderKey = ed25519Key("bidder")
    static let envelopeKey = SecureBytes(copying: bytes("envelope key"))

    static let origin = "fuzz.example/log/LPSE-FUZZ-0001"
    static let logSigner = try! NoteSigner(name: "fuzz.example/log", key: ed25519Key("log"))
    static let witness = try! Cosigner(name: "fuzz.example/witness", key: ed25519Key("witness"))
    static let witnessPolicy = try! WitnessPolicy(witnesses: [witness.verifier], quorum: 1)

    static let members: [MemberKeys] = (1...3).map { memberKeys(UInt16($0), generation: "old") }
    static let newMembers: [MemberKeys] = (1...3).map { memberKeys(UInt16($0), generation: "new") }
    static func memberKeys(_ id: UInt16, generation: String) -> MemberKeys {
        MemberKeys(
            id: try! MemberID(id), encryptionKey: hpkeKey("member \(generation) \(id) hpke"),
            signingKey: ed25519Key("member \(generation) \(id) signing"))
    }
    static let dealerKey = ed25519Key("dealer")
    /// Rosters carry a ceremony nonce: fixed here, so every process builds the same rosters.
    static func ceremony(_ label: String) -> [UInt8] { Array(bytes("ceremony \(label)").prefix(CommitteeFormat.ceremonySize)) }
    /// The dealt roster of stage `technical` (it names the dealer's key), whose key the world's tender opens with.
    static let roster = try! CommitteeRoster(
        committee: tender.value, stage: "technical", threshold: 2, members: members.map(\.card), dealerKey: dealerKey.publicKey,
        ceremony: ceremony("dealing"))
    /// The DKG roster of stage `price` (no dealer).
    static let dkgRoster = try! CommitteeRoster(
        committee: tender.value, stage: "price", threshold: 2, members: members.map(\.card), ceremony: ceremony("dkg"))
    /// The roster the dealt key is reshared to.
    static let newRoster = try! CommitteeRoster(
        committee: tender.value, stage: "technical", threshold: 2, members: newMembers.map(\.card), ceremony: ceremony("reshare"))
    static var rosters: [CommitteeRoster] { [roster, dkgRoster, newRoster] }

    /// Forces the lazy parts a target uses, before the first input.
    static func warmUp(for target: FuzzTarget) {
        switch target {
        case .bidHeader, .payload: _ = (committeeKey, escrowKey, bidderKey, pki)
        case .note, .checkpoint, .logStore, .merkleProof, .witnessRequest: _ = (logSigner, witness, witnessPolicy, pki, FixedLog.shared, opened)
        case .x509, .pem, .timestamp, .ecdsa: _ = pki
        default: _ = (committee, opened)
        }
        _ = scratchPath
    }

    // MARK: The committee world

    struct Committee: Sendable {
        /// The dealing of ``World/roster``: the dealer's signed message, the stage key, the sealed shares and the members' shares.
        let dealing: DealingMessage
        let dealtKey: StageKey
        let dealtShares: [SealedShare]
        let shares: [SecretShare]
        /// Every member's signature on the dealt stage key.
        let dealtSignatures: [TranscriptSignature]
        /// A DKG of ``World/dkgRoster``: member 1's state, every package, every sealed share, the key.
        let dkgSecret: DKG.Round1Secret
        let dkgPackages: [DKG.Round1Package]
        let dkgShares: [SealedShare]
        let dkgKey: StageKey
        let transcriptSignatures: [TranscriptSignature]
        /// Members 1 and 2 reshare the dealt key to ``World/newRoster``.
        let resharing: [Resharing.Package]
    }

    static let committee: Committee = {
        let path = directory.appendingPathComponent("committee.bin")
        if let data = try? Data(contentsOf: path), let world = try? decodeCommittee([UInt8](data)) { return world }
        do {
            let blobs = Blobs.encode(try makeCommittee())
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // The tender world is built on this committee: it goes with it.
            try? FileManager.default.removeItem(at: TenderWorld.directory)
            try Data(blobs).write(to: path, options: .atomic)
            return try decodeCommittee(blobs)
        } catch {
            fatalError("cannot make the committee world: \(error)")
        }
    }()

    /// Runs a dealing, a DKG and a resharing with the public API.
    private static func makeCommittee() throws -> [[UInt8]] {
        let dealing = try TrustedDealer.deal(roster: roster, dealerKey: dealerKey)
        let shares = try members.map { keys in
            try TrustedDealer.receive(
                dealing.shares.first { $0.recipient == keys.id }!, dealing: dealing.message, roster: roster, keys: keys
            ).share
        }
        var round1: [(DKG.Round1Secret, DKG.Round1Package)] = []
        for keys in members { round1.append(try DKG.round1(roster: dkgRoster, keys: keys)) }
        let packages = round1.map(\.1)
        var dkgShares: [SealedShare] = []
        for (secret, _) in round1 { dkgShares += try DKG.round2(secret, packages: packages) }
        let (_, dkgKey) = try DKG.finish(round1[0].0, packages: packages, shares: dkgShares)
        let resharing = try zip(shares, members).prefix(2).map { share, keys in
            try Resharing.deal(share: share, keys: keys, oldKey: dealing.stageKey, newRoster: newRoster)
        }
        return [
            dealing.message.encoded, dealing.stageKey.encoded, Blobs.encode(dealing.shares.map(\.encoded)),
            Blobs.encode(shares.map { $0.fileRepresentation(roster: roster).plain }), round1[0].0.fileRepresentation.plain,
            Blobs.encode(packages.map(\.encoded)), Blobs.encode(dkgShares.map(\.encoded)), dkgKey.encoded,
            Blobs.encode(resharing.map(\.encoded)),
        ]
    }

    struct Malformed: Error {}

    private static func decodeCommittee(_ bytes: [UInt8]) throws -> Committee {
        let blobs = try Blobs.decode(bytes)
        guard blobs.count == 9 else { throw Malformed() }
        let dealing = try DealingMessage(encoded: blobs[0])
        let dealtKey = try StageKey(encoded: blobs[1], roster: roster)
        let dealtShares = try Blobs.decode(blobs[2]).map { try SealedShare(encoded: $0) }
        // The stored stage key is the one the dealing gives.
        guard try TrustedDealer.receive(dealtShares[0], dealing: dealing, roster: roster, keys: members[0]).stageKey == dealtKey else {
            throw Malformed()
        }
        let dkgKey = try StageKey(encoded: blobs[7], roster: dkgRoster)
        return Committee(
            dealing: dealing, dealtKey: dealtKey, dealtShares: dealtShares,
            shares: try Blobs.decode(blobs[3]).map { try SecretShare(fileRepresentation: SecureBytes(copying: $0), roster: roster) },
            dealtSignatures: members.map { TranscriptSignature(stageKey: dealtKey, keys: $0) },
            dkgSecret: try DKG.Round1Secret(fileRepresentation: SecureBytes(copying: blobs[4]), roster: dkgRoster, keys: members[0]),
            dkgPackages: try Blobs.decode(blobs[5]).map { try DKG.Round1Package(encoded: $0) },
            dkgShares: try Blobs.decode(blobs[6]).map { try SealedShare(encoded: $0) }, dkgKey: dkgKey,
            transcriptSignatures: members.map { TranscriptSignature(stageKey: dkgKey, keys: $0) },
            resharing: try Blobs.decode(blobs[8]).map { try Resharing.Package(encoded: $0) })
    }

    /// The closed tender and its opening (``TenderWorld``).
    static var opened: TenderWorld { TenderWorld.shared }

    // MARK: The X.509 world

    /// A root, an issuing CA, a bidder leaf and a time-stamp authority, made
    /// with the `openssl` command (as the tests do) and kept in the world directory.
    struct PKI: Sendable {
        let root: X509Certificate
        let intermediate: X509Certificate
        let leaf: X509Certificate
        let leafKey: ECDSAP256SigningKey
        let tsa: TimestampAuthority
        let tsaCertificate: X509Certificate
        /// When every certificate is valid.
        let time: Date
    }

    static let pki: PKI? = {
        let pkiDirectory = directory.appendingPathComponent("pki")
        if let pki = try? loadPKI(pkiDirectory) { return pki }
        do {
            try? FileManager.default.removeItem(at: pkiDirectory)
            try makePKI(pkiDirectory)
            return try loadPKI(pkiDirectory)
        } catch {
            print("fuzz: no X.509 world (\(error)); certificate checks run without trust anchors")
            return nil
        }
    }()

    private static func loadPKI(_ dir: URL) throws -> PKI {
        func pem(_ name: String) throws -> String { try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) }
        func cert(_ name: String) throws -> X509Certificate {
            guard let cert = try X509Certificate.certificates(pem: try pem(name)).first else { throw Malformed() }
            return cert
        }
        let leaf = try cert("leaf.pem")
        guard let validity = leaf.validity else { throw Malformed() }
        return PKI(
            root: try cert("root.pem"), intermediate: try cert("inter.pem"), leaf: leaf,
            leafKey: try ECDSAP256SigningKey(pem: try pem("leaf.key")),
            tsa: TimestampAuthority(certificatePEM: try pem("tsa.pem"), keyPEM: try pem("tsa.key")), tsaCertificate: try cert("tsa.pem"),
            time: validity.lowerBound.addingTimeInterval(3600))
    }

    private static func makePKI(_ dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        [ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        [leaf]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        [tsa]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature,nonRepudiation
        extendedKeyUsage = critical,timeStamping
        """.write(to: dir.appendingPathComponent("ext.cnf"), atomically: true, encoding: .utf8)
        for name in ["root", "inter", "leaf", "tsa"] {
            try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "\(name).raw"], in: dir)
            try openssl(["pkcs8", "-topk8", "-nocrypt", "-in", "\(name).raw", "-out", "\(name).key"], in: dir)
        }
        try openssl(
            ["req", "-new", "-x509", "-key", "root.key", "-subj", "/CN=Fuzz Root", "-days", "3650", "-sha256", "-extensions", "ca",
             "-config", "ext.cnf", "-out", "root.pem"], in: dir)
        for (name, issuer, subject, ext) in [
            ("inter", "root", "/CN=Fuzz Issuing CA", "ca"), ("leaf", "inter", "/CN=Fuzz Bidder/serialNumber=NPWP 00.000.000.0", "leaf"),
            ("tsa", "root", "/CN=Fuzz TSA", "tsa"),
        ] {
            try openssl(["req", "-new", "-key", "\(name).key", "-subj", subject, "-out", "\(name).csr"], in: dir)
            try openssl(
                ["x509", "-req", "-in", "\(name).csr", "-CA", "\(issuer).pem", "-CAkey", "\(issuer).key", "-CAcreateserial",
                 "-days", "3650", "-sha256", "-extfile", "ext.cnf", "-extensions", ext, "-out", "\(name).pem"], in: dir)
        }
        // Certificates the checks must refuse, as seeds for the DER targets: other key types,
        // explicit curve parameters, a long subject.
        let extras: [(String, [String])] = [
            ("rsa", ["-newkey", "rsa:1024"]), ("ed25519", ["-newkey", "ed25519"]), ("p384", ["-newkey", "ec:p384.param"]),
            ("explicit", ["-key", "explicit.key"]),
            ("long-subject", ["-key", "leaf.key", "-subj", "/CN=\(String(repeating: "x", count: 60))/O=Org/OU=Unit/C=ID/serialNumber=1"]),
        ]
        try openssl(["ecparam", "-name", "secp384r1", "-out", "p384.param"], in: dir)
        try openssl(["ecparam", "-name", "prime256v1", "-param_enc", "explicit", "-genkey", "-noout", "-out", "explicit.key"], in: dir)
        for (name, key) in extras {
            let subject = key.contains("-subj") ? [] : ["-subj", "/CN=Fuzz \(name)"]
            try openssl(
                ["req", "-x509", "-nodes", "-sha256", "-days", "30", "-keyout", "extra-\(name).key", "-out", "extra-\(name).pem"]
                    + subject + key, in: dir)
        }
    }

    private static func openssl(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw OpenSSLFailed(arguments: arguments) }
    }

    struct OpenSSLFailed: Error {
        let arguments: [String]
    }
}

/// Time-stamp tokens for a log, made ahead on the calling thread and handed to the log by
/// entry digest: OpenSSL keeps a random generator per thread, and one made on a pool thread of
/// the log's actor (where a log calls its timestamper) is, to LeakSanitizer, a leak at exit.
final class Stamps: @unchecked Sendable {
    private let authority: TimestampAuthority
    private let time: @Sendable (Date) -> Date
    // Guarded by `lock`.
    private let lock = NSLock()
    private var tokens: [[UInt8]: [UInt8]] = [:]

    /// - Parameter at: the token's time for an entry received at a time.
    init(authority: TimestampAuthority, at time: @escaping @Sendable (Date) -> Date) {
        self.authority = authority
        self.time = time
    }

    /// Makes the token of the entry a log is about to write (received at `at`).
    func stamp(_ kind: LogEntry.Kind, tender: String, bidder: String, at: Date, digest: [UInt8], length: UInt64) throws {
        let ms = UInt64((at.timeIntervalSince1970 * 1000).rounded(.down))
        let entry = try LogEntry(kind: kind, tender: tender, bidder: bidder, receivedAt: ms, bidDigest: digest, bidLength: length)
        let request = try TimestampRequest(digest: SHA256.hash(entry.encoded), nonce: ms)
        let token = try TimestampToken(response: authority.respond(to: request.derRepresentation, at: time(at), serial: ms))
        lock.lock()
        defer { lock.unlock() }
        tokens[request.digest] = token.derRepresentation
    }

    /// What the log calls: the token made for this digest.
    var timestamper: @Sendable ([UInt8]) throws -> [UInt8] {
        { [self] digest in
            lock.lock()
            defer { lock.unlock() }
            guard let token = tokens[digest] else { throw Unstamped() }
            return token
        }
    }

    struct Unstamped: Error {}
}

/// `u32(count) || (u32(length) || bytes)*`: how the world keeps lists of messages.
enum Blobs {
    struct Malformed: Error {}

    static func encode(_ blobs: [[UInt8]]) -> [UInt8] {
        func u32(_ n: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(n).bigEndian) { Array($0) } }
        return u32(blobs.count) + blobs.flatMap { u32($0.count) + $0 }
    }

    static func decode(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var position = 0
        func u32() throws -> Int {
            guard bytes.count - position >= 4 else { throw Malformed() }
            defer { position += 4 }
            return bytes[position..<(position + 4)].reduce(0) { $0 << 8 | Int($1) }
        }
        var out: [[UInt8]] = []
        for _ in 0..<(try u32()) {
            let length = try u32()
            guard bytes.count - position >= length else { throw Malformed() }
            out.append(Array(bytes[position..<(position + length)]))
            position += length
        }
        guard position == bytes.count else { throw Malformed() }
        return out
    }
}

extension [UInt8] {
    var hex: String { hexString }
}

extension SecureBytes {
    /// A plain copy, for the world's files and seeds (fixed test keys, never real secrets).
    var plain: [UInt8] { withUnsafeBytes { Array($0) } }
}
