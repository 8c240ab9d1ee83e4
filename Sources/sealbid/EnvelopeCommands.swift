import ArgumentParser
import Foundation
import SealedBid
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidKeyFiles
import SealedBidPrimitives

/// Options shared by the commands that check a bid's header.
struct BidCheckOptions: ParsableArguments {
    @Option(help: "The tender descriptor: the bid must name its tender, and with --bidder be signed by a registered identity.")
    var tender: String?

    @Option(help: "The descriptor's published SHA-256 (hex).") var tenderDigest: String?

    @Option(help: "The bidder id the bid must name.")
    var bidder: String?

    @Option(help: "Without a descriptor: PEM trust anchors for bidders who sign with an X.509 certificate.")
    var roots: String?

    @Option(help: "Check certificate validity at this time (YYYY-MM-DDTHH:MM:SSZ, default: now).")
    var at: String?

    func descriptor() throws -> Tender? {
        try tender.map { try TenderOption.parse(["--tender", $0] + (tenderDigest.map { ["--tender-digest", $0] } ?? [])).load() }
    }

    func opener(_ path: String) throws -> BidOpener {
        let time = try at.map { try parseTime($0, option: "--at") } ?? Date()
        let bidderID = try bidder.map(BidderID.init)
        if let descriptor = try descriptor() {
            guard roots == nil else { throw ValidationError("the descriptor names the PKI roots: drop --roots") }
            // With a bidder, only its registered identities; without one, any signer the roots certify.
            let policy =
                bidderID.map { descriptor.signerPolicy(for: $0, at: time) }
                ?? .signatureOnly(x509Roots: descriptor.x509Roots, at: time)
            return try BidOpener(path: path, tender: descriptor.id, bidder: bidderID, policy: policy)
        }
        let anchors = try roots.map { try X509Certificate.certificates(pem: readText($0)) } ?? []
        return try BidOpener(path: path, bidder: bidderID, policy: .signatureOnly(x509Roots: anchors, at: time))
    }
}

/// How a bidder signs: an Ed25519 key file, or an ECDSA P-256 key with its certificate chain.
struct SignerOptions: ParsableArguments {
    @Option(help: "Ed25519 signing key file (sealbid keygen ed25519).") var signingKey: String?
    @Option(help: "ECDSA P-256 private key (PEM) of a national-PKI certificate.") var ecdsaKey: String?
    @Option(help: "PEM certificate chain for --ecdsa-key, leaf first.") var certChain: String?

    func validate() throws {
        guard (signingKey == nil) != (ecdsaKey == nil) else {
            throw ValidationError("give exactly one of --signing-key and --ecdsa-key")
        }
        guard (ecdsaKey == nil) == (certChain == nil) else { throw ValidationError("--ecdsa-key needs --cert-chain") }
    }

    func signer() throws -> BidSigner {
        if let signingKey { return .ed25519(try KeyFile.ed25519PrivateKey(signingKey)) }
        guard let ecdsaKey, let certChain else { throw ValidationError("no signing key") }
        return .ecdsaP256(
            try ECDSAP256SigningKey(pem: SecureBytes(contentsOfFile: ecdsaKey)),
            chain: try X509Certificate.certificates(pem: readText(certChain, limit: 1 << 20)))
    }
}

struct Seal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seal a bid: encrypt each envelope to its stage's committee key from the tender descriptor, and sign.",
        discussion: """
            Each --file is ENVELOPE=PLAINTEXT_FILE, one for every envelope the descriptor names. \
            Envelope keys, salts and nonces are drawn from the system CSPRNG. Memory use does not \
            grow with the document size. Check the bid before uploading it with \
            'sealbid decrypt --escrow-key': the escrow copy recomputes the committee's wrap too.

            Example (a two-envelope bid):
              sealbid seal --tender tender.txt --tender-digest 3f2a... \\
                --bidder NPWP:01.234.567.8-901.000 --signing-key bidder.key \\
                --escrow-key bidder-escrow.key.pub \\
                --file technical=proposal.pdf --file price=price.xlsx --out bid.sbid
            """
    )

    @OptionGroup var descriptor: TenderOption
    @Option(help: "Bidder id.") var bidder: String
    @Option(name: .customLong("file"), help: "ENVELOPE=PLAINTEXT_FILE (repeat).") var files: [String]
    @OptionGroup var signer: SignerOptions
    @Option(help: "Your own HPKE public key file: adds an escrow copy of every envelope key.") var escrowKey: String?
    @Option(help: "Output bid file (must not exist).") var out: String

    func validate() throws { try descriptor.requirePinned() }

    func run() throws {
        let tender = try descriptor.load()
        var byEnvelope: [EnvelopeName: String] = [:]
        for spec in files {
            guard let equals = spec.firstIndex(of: "=") else { throw ValidationError("--file \(spec): expected ENVELOPE=FILE") }
            let name = try EnvelopeName(String(spec[..<equals]))
            guard byEnvelope[name] == nil else { throw ValidationError("--file: envelope '\(name)' given twice") }
            byEnvelope[name] = String(spec[spec.index(after: equals)...])
        }
        guard out != "-" else {
            throw ValidationError("--out -: a bid's header is written last, at the start of the file; give a file name")
        }
        let extra = Set(byEnvelope.keys).subtracting(tender.envelopes.map(\.name))
        guard extra.isEmpty else { throw ValidationError("the tender has no envelope \(extra.map(\.value).sorted().joined(separator: ", "))") }
        guard !FileManager.default.fileExists(atPath: out) else { throw ValidationError("\(out) exists") }
        // A bid the portal and the opening would refuse is not sealed: the key must be one the
        // descriptor's registry holds for this bidder.
        let bidSigner = try signer.signer(), id = try BidderID(bidder)
        try bidSigner.check(against: tender.signerPolicy(for: id, at: Date()))
        let summary = try tender.seal(
            bidder: id, signer: bidSigner, files: byEnvelope,
            escrowKey: try escrowKey.map { path throws in try KeyFile.hpkePublicKey(path) }, to: out)
        print("sealed \(out): \(summary.fileLength) bytes, \(tender.envelopes.count) envelope(s) for \(tender.id)")
        print("bid digest \(summary.bidDigest.hexString)")
    }
}

/// What the two statement commands share: the bid named, the bidder's key checked against the
/// descriptor's registry before anything is signed.
struct StatementOptions: ParsableArguments {
    @OptionGroup var descriptor: TenderOption
    @Option(help: "Bidder id.") var bidder: String
    @Option(help: "The bid (or, for a commitment, its header).") var bid: String?
    @Option(help: "Or its digest (hex).") var bidDigest: String?
    @OptionGroup var signer: SignerOptions
    @Option(help: "Output statement (must not exist).") var out: String

    func validate() throws { try descriptor.requirePinned() }

    /// The tender, the bidder, the bid's digest and a signer the registry accepts for the bidder.
    func load() throws -> (Tender, BidderID, [UInt8], BidSigner) {
        let tender = try descriptor.load()
        let digest: [UInt8]
        if let bid {
            digest = try BidHeader.read(from: FileSource(path: bid)).bidDigest
        } else if let bidDigest, bidDigest.utf8.count == 64, let bytes = try? Hex.decode(bidDigest) {
            digest = bytes
        } else {
            throw ValidationError("give --bid FILE or --bid-digest (64 hex digits)")
        }
        let id = try BidderID(bidder), bidSigner = try signer.signer()
        try bidSigner.check(against: tender.signerPolicy(for: id, at: Date()))
        return (tender, id, digest, bidSigner)
    }
}

struct WithdrawStatement: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw",
        abstract: "Sign a withdrawal of your live bid (docs/spec/envelope-v1.md, \"Bidder statements\").",
        discussion: """
            The statement withdraws exactly the bid named (by its file or its digest), which must \
            be your live bid when the portal logs it. Upload it with 'sealbid portal withdraw'.

            Example:
              sealbid withdraw --tender tender.txt --tender-digest 3f2a... \\
                --bidder ACME --signing-key acme.key --bid acme.sbid --out acme.withdrawal
            """)
    @OptionGroup var options: StatementOptions

    func run() throws {
        let (tender, bidder, digest, signer) = try options.load()
        let statement = try Withdrawal(tender: tender.id, bidder: bidder, withdrawing: digest, signer: signer)
        try writeNew(statement.encoded, to: options.out)
        print("withdrawal of bid \(digest.hexString) by \(bidder) in \(options.out)")
    }
}

struct CommitStatement: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commit",
        abstract: "Sign a commitment to a bid whose upload may not finish before the deadline (docs/spec/envelope-v1.md, \"Bidder statements\").",
        discussion: """
            Commit-then-upload: before the deadline the portal logs the bid's header with this \
            statement ('sealbid portal commit'); the whole bid must then be uploaded before the end \
            of the grace window ('sealbid portal upload'), or it is reported as committed but never \
            uploaded. Only you can ask for a commitment: a portal cannot log a whole submission \
            as one.

            Example:
              sealbid commit --tender tender.txt --tender-digest 3f2a... \\
                --bidder ACME --signing-key acme.key --bid acme.sbid --out acme.commitment
            """)
    @OptionGroup var options: StatementOptions

    func run() throws {
        let (tender, bidder, digest, signer) = try options.load()
        let statement = try Commitment(tender: tender.id, bidder: bidder, committing: digest, signer: signer)
        try writeNew(statement.encoded, to: options.out)
        print("commitment to bid \(digest.hexString) by \(bidder) in \(options.out)")
    }
}

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a bid's header and check its signature, without any key.",
        discussion: """
            Reads only the header. The signature is checked against the key in the header \
            (for X.509 signers, the leaf certificate's key; use 'sealbid verify --roots' to \
            check the chain). Nothing is decrypted.

            Example:
              sealbid inspect bid.sbid
              sealbid inspect bid.sbid --json
            """
    )

    @Argument(help: "The bid file.") var bid: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let source = try FileSource(path: bid)
        let header = try BidHeader.read(from: source)
        // The header's checks without keys (envelope-v1 steps 1 to 8 with any signer): the
        // signature, and the file's structure around it.
        let signature: String
        var failure: EnvelopeError?
        do {
            _ = try BidOpener(source: source, policy: .signatureOnly())
            signature = "valid"
        } catch where error.code == "untrusted-signer" {
            signature = "valid (certificate chain not checked: use sealbid verify --roots)"
        } catch {
            signature = "REFUSED (\(error))"
            failure = error
        }
        let report = InspectReport(header: header, path: bid, fileLength: source.length, signature: signature)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            report.printText()
        }
        if let failure { throw failure }
    }
}

struct InspectReport: Encodable {
    struct Envelope: Encodable {
        let name: String
        let stage: String
        let committeeKey: String
        let escrow: Bool
        let payloadLength: UInt64
        let plaintextLength: UInt64?
        let payloadDigest: String
    }
    let file: String
    let tender: String
    let bidder: String
    let signer: String
    let signature: String
    let headerLength: Int
    let fileLength: UInt64
    let expectedFileLength: UInt64
    let bidDigest: String
    let envelopes: [Envelope]

    init(header: BidHeader, path: String, fileLength: UInt64, signature: String) {
        file = path
        tender = header.tender.value
        bidder = header.bidder.value
        switch header.signer {
        case .ed25519(let key): signer = "ed25519 \(key.rawRepresentation.hexString)"
        case .x509(let chain):
            signer = "x509 chain of \(chain.count), leaf subject '\(chain[0].subject ?? "(unprintable)")', leaf SPKI sha256 "
                + SHA256.hash(chain[0].subjectPublicKeyInfo).hexString
        }
        self.signature = signature
        headerLength = header.headerLength
        self.fileLength = fileLength
        expectedFileLength = header.expectedFileLength
        bidDigest = header.bidDigest.hexString
        envelopes = header.envelopes.map {
            Envelope(
                name: $0.name.value, stage: $0.stage.value, committeeKey: $0.recipientKey.rawRepresentation.hexString,
                escrow: $0.escrow != nil, payloadLength: $0.payloadLength,
                plaintextLength: EnvelopeFormat.plaintextLength(payloadLength: $0.payloadLength),
                payloadDigest: $0.payloadDigest.hexString)
        }
    }

    func printText() {
        print("bid        \(file)")
        print("tender     \(tender)")
        print("bidder     \(bidder)")
        print("signer     \(signer)")
        print("signature  \(signature)")
        print("length     \(fileLength) bytes (header \(headerLength), expected total \(expectedFileLength))")
        print("bid digest \(bidDigest)")
        for e in envelopes {
            print("envelope   \(e.name) (stage \(e.stage)): \(e.plaintextLength ?? 0) bytes of plaintext, escrow \(e.escrow ? "yes" : "no")")
            print("           committee key \(e.committeeKey.prefix(18))…  payload digest \(e.payloadDigest)")
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a bid completely without keys: header, signature, signer, every payload digest.",
        discussion: """
            Exits 0 only if the file is exactly as the bidder signed it. Portals run this on \
            upload; bidders run it before upload; anyone can run it at the opening.

            Example (as ACME's bid for the descriptor; or with PKI roots alone):
              sealbid verify acme.sbid --tender tender.txt --tender-digest 3f2a... \\
                --bidder ACME
              sealbid verify bid.sbid --roots national-root.pem
            """
    )

    @Argument(help: "The bid file.") var bid: String
    @OptionGroup var check: BidCheckOptions
    @Option(help: "Worker threads for hashing (1 to 256).") var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard workers >= 1 && workers <= 256 else { throw ValidationError("--workers must be 1...256") }
    }

    func run() throws {
        let opener = try check.opener(bid)
        try opener.checkWrapProofs()
        try opener.verifyPayloadDigests(workers: workers)
        print("verified \(bid): tender \(opener.header.tender), bidder \(opener.header.bidder), \(opener.header.envelopes.count) envelope(s)")
        print("bid digest \(opener.header.bidDigest.hexString)")
    }
}

struct Decrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decrypt one envelope of a bid with a key file.",
        discussion: """
            Give exactly one key: --key (the committee's HPKE private key of the envelope's \
            stage, with --stage), --escrow-key (the bidder's own escrow key) or --envelope-key \
            (a disclosed envelope key). The output file appears only if every check passes: \
            signature, stage, key, header MAC, commitment, every chunk, the payload digest.

            Example:
              sealbid decrypt bid.sbid --envelope technical --stage technical \\
                --key technical-committee.key --out proposal.pdf
            """
    )

    @Argument(help: "The bid file.") var bid: String
    @Option(help: "Envelope name.") var envelope: String
    @Option(help: "Stage being opened (required with --key).") var stage: String?
    @Option(help: "Committee HPKE private key file for the stage.") var key: String?
    @Option(help: "Bidder escrow HPKE private key file.") var escrowKey: String?
    @Option(help: "Envelope key file (sealbid-envelope-key-v1).") var envelopeKey: String?
    @Option(help: "Output file (must not exist), or - for standard output (each chunk written once it authenticates).")
    var out: String
    @Option(help: "Worker threads.") var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    @OptionGroup var check: BidCheckOptions

    func validate() throws {
        guard [key, escrowKey, envelopeKey].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --key, --escrow-key, --envelope-key")
        }
        if key != nil, stage == nil { throw ValidationError("--key needs --stage") }
        guard workers >= 1 && workers <= 256 else { throw ValidationError("--workers must be 1...256") }
    }

    func run() throws {
        guard out == "-" || !FileManager.default.fileExists(atPath: out) else { throw ValidationError("\(out) exists") }
        let opener = try check.opener(bid)
        let access: KeyAccess
        if let key, let stage {
            access = .committeeKey(try KeyFile.hpkePrivateKey(key), stage: try StageName(stage))
        } else if let escrowKey {
            access = .escrowKey(try KeyFile.hpkePrivateKey(escrowKey))
        } else if let envelopeKey {
            access = .envelopeKey(try KeyFile.read(envelopeKey, kind: .envelopeKey))
        } else {
            throw ValidationError("no key")
        }
        let unlocked = try opener.unlock(try EnvelopeName(envelope), with: access)
        if out == "-" {
            // In order, on one worker; the final chunk authenticated first (envelope-v1 step 10).
            try unlocked.decrypt(into: SequentialSink(descriptor: STDOUT_FILENO), workers: 1)
            return
        }
        try unlocked.decrypt(toFile: out, workers: workers)
        print("decrypted envelope '\(envelope)' of \(bid) to \(out) (\(unlocked.plaintextLength) bytes)")
    }
}
