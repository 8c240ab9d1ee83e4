import ArgumentParser
import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidLog
import SealedBidPrimitives

/// A whole tender in one process, for the demo and the benchmark: an
/// in-process DKG per stage, a log key, a descriptor. Real ceremonies run the
/// `sealbid committee` steps on the members' own machines.
struct Rehearsal {
    let members: [MemberKeys]
    let stageKeys: [StageKey]
    /// Each stage's shares, by member.
    let shares: [String: [MemberID: SecretShare]]
    let logKey: Ed25519PrivateKey
    let tender: Tender

    /// - Parameter stages: (stage, envelope) pairs in opening order.
    static func make(
        id: TenderID, stages: [(stage: String, envelope: String)], members count: Int, threshold: Int, deadline: Date, grace: Int = 0,
        registry: BidderRegistry, witnesses: WitnessPolicy = .none, timestamps: Tender.TimestampPolicy = .none,
        tsaRoots: [X509Certificate] = []
    ) throws -> Rehearsal {
        let members = (1...count).map { MemberKeys(id: MemberID(integerLiteral: UInt16($0))) }
        var keys: [StageKey] = []
        var shares: [String: [MemberID: SecretShare]] = [:]
        for stage in stages {
            let (key, stageShares) = try InProcessCeremony.dkg(members: members, committee: id.value, stage: stage.stage, threshold: threshold)
            keys.append(key)
            shares[stage.stage] = stageShares
        }
        let logKey = Ed25519PrivateKey()
        let tender = try Tender(
            id: id, deadline: deadline, grace: grace, log: NoteVerifier(name: "lpse.example.go.id/portal/\(id)", publicKey: logKey.publicKey),
            witnesses: witnesses, timestamps: timestamps, tsaRoots: tsaRoots, stages: keys,
            envelopes: try stages.map { (try EnvelopeName($0.envelope), try StageName($0.stage)) }, bidders: registry)
        return Rehearsal(members: members, stageKeys: keys, shares: shares, logKey: logKey, tender: tender)
    }

    var logSigner: NoteSigner { get throws { try NoteSigner(name: tender.origin, key: logKey) } }
}

func writeRandom(bytes count: Int, to path: String) throws {
    let sink = try FileSink(path: path)
    var remaining = count, offset: UInt64 = 0
    while remaining > 0 {
        let chunk = SecureRandom.bytes(count: min(remaining, 1 << 20))
        try chunk.withUnsafeBytes { (b) throws in try sink.write(b, at: offset) }
        remaining -= chunk.count
        offset += UInt64(chunk.count)
    }
    try sink.commit()
}

/// A progress bar on standard error when it is a terminal; otherwise one line at the end.
func progressBar(_ label: String) -> @Sendable (Int, Int) -> Void {
    let terminal = isatty(STDERR_FILENO) == 1
    return { done, total in
        guard terminal else {
            if done == total { FileHandle.standardError.write(Data("  opening \(label): \(done)/\(total)\n".utf8)) }
            return
        }
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r  opening \(label) [\(bar)] \(done)/\(total)\(done == total ? "\n" : "")".utf8))
    }
}

/// A throwaway RFC 3161 authority for the demo: a CA and a TSA certificate made
/// with the `openssl` command, signing with OpenSSL's TS functions at the time
/// the caller's clock gives. A tender using it says `timestamps test-authority`.
struct TestAuthority {
    let root: X509Certificate
    let authority: TimestampAuthority

    func timestamper(clock: @escaping @Sendable () -> Date) -> @Sendable ([UInt8]) throws -> [UInt8] {
        let authority = self.authority
        return { digest in
            let request = try TimestampRequest(digest: digest)
            let serial = UInt64(Date().timeIntervalSince1970 * 1_000_000)
            return try TimestampToken(response: authority.respond(to: request.derRepresentation, at: clock(), serial: serial))
                .derRepresentation
        }
    }

    /// Certificates valid from `validFrom` for 30 days, so that a rehearsal clock set in the
    /// recent past dates tokens inside their validity.
    static func make(in directory: String, validFrom: Date) throws -> TestAuthority {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // `openssl ca`, unlike `req -x509` and `x509 -req` in OpenSSL 3.0, sets the start date.
        try """
        [ca]
        default_ca = demo
        [demo]
        dir = .
        database = index.txt
        new_certs_dir = .
        serial = serial
        default_md = sha256
        policy = any
        unique_subject = no
        email_in_dn = no
        [any]
        commonName = supplied
        [req]
        distinguished_name = dn
        [dn]
        [root]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        [tsa]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature,nonRepudiation
        extendedKeyUsage = critical,timeStamping
        """.write(toFile: "\(directory)/ca.cnf", atomically: true, encoding: .utf8)
        try "".write(toFile: "\(directory)/index.txt", atomically: true, encoding: .utf8)
        try "01\n".write(toFile: "\(directory)/serial", atomically: true, encoding: .utf8)
        func openssl(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ValidationError("openssl \(arguments.first ?? "") failed") }
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss'Z'"
        let dates = ["-startdate", formatter.string(from: validFrom), "-enddate", formatter.string(from: validFrom.addingTimeInterval(30 * 86400))]
        for (name, subject) in [("ca", "/CN=Demo TSA Root"), ("tsa", "/CN=Demo TSA")] {
            try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "\(name).key"])
            try openssl(["req", "-new", "-key", "\(name).key", "-subj", subject, "-config", "ca.cnf", "-out", "\(name).csr"])
        }
        try openssl(["ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "ca.key", "-in", "ca.csr", "-extensions", "root", "-notext", "-out", "ca.pem"] + dates)
        try openssl(["ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", "tsa.csr", "-extensions", "tsa", "-notext", "-out", "tsa.pem"] + dates)
        guard let root = try X509Certificate.certificates(pem: readText("\(directory)/ca.pem")).first else {
            throw ValidationError("no demo CA certificate")
        }
        return TestAuthority(
            root: root,
            authority: try TimestampAuthority(
                certificatePEM: try readText("\(directory)/tsa.pem"), keyPEM: SecureBytes(contentsOfFile: "\(directory)/tsa.key")))
    }
}
