import ArgumentParser
import Foundation
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidKeyFiles
import SealedBidPrimitives

/// Options shared by the commands that check a bid's header.
struct BidCheckOptions: ParsableArguments {
    @Option(help: "The tender id the bid must name.")
    var tender: String?

    @Option(help: "The bidder id the bid must name.")
    var bidder: String?

    @Option(help: "PEM file of trust anchors for bidders who sign with an X.509 certificate.")
    var roots: String?

    @Option(help: "Check certificate validity at this time (ISO 8601, default: now).")
    var at: String?

    func policy() throws -> SignerPolicy {
        var policy = SignerPolicy()
        if let roots {
            policy.x509Roots = try X509Certificate.certificates(pem: String(contentsOfFile: roots, encoding: .utf8))
        }
        if let at {
            guard let date = ISO8601DateFormatter().date(from: at) else { throw ValidationError("--at must be ISO 8601") }
            policy.verificationTime = date
        }
        return policy
    }

    func opener(_ path: String) throws -> BidOpener {
        try BidOpener(path: path, tender: tender.map(TenderID.init), bidder: bidder.map(BidderID.init), policy: policy())
    }
}

struct Seal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seal a bid: encrypt each envelope to its stage's committee key and sign.",
        discussion: """
            Each --envelope is NAME:STAGE:COMMITTEE_PUBLIC_KEY_FILE:PLAINTEXT_FILE. Envelope keys, \
            salts and nonces are drawn from the system CSPRNG. Memory use does not grow with the \
            document size.

            Example (a two-envelope bid):
              sealbid seal --tender LPSE-2026-0042 --bidder NPWP:01.234.567.8-901.000 \\
                --signing-key bidder.key --escrow-key bidder-escrow.key.pub \\
                --envelope technical:technical:technical-committee.key.pub:proposal.pdf \\
                --envelope price:price:price-committee.key.pub:price.xlsx \\
                --out bid.sbid
            """
    )

    @Option(help: "Tender id.") var tender: String
    @Option(help: "Bidder id.") var bidder: String
    @Option(name: .customLong("envelope"), help: "NAME:STAGE:COMMITTEE_PUBLIC_KEY_FILE:PLAINTEXT_FILE (repeat).")
    var envelopes: [String]
    @Option(help: "Ed25519 signing key file (sealbid keygen ed25519).") var signingKey: String?
    @Option(help: "ECDSA P-256 private key (PEM) of a national-PKI certificate.") var ecdsaKey: String?
    @Option(help: "PEM certificate chain for --ecdsa-key, leaf first.") var certChain: String?
    @Option(help: "Your own HPKE public key file: adds an escrow copy of every envelope key.") var escrowKey: String?
    @Option(help: "Output bid file (must not exist).") var out: String

    func validate() throws {
        guard (signingKey == nil) != (ecdsaKey == nil) else {
            throw ValidationError("give exactly one of --signing-key and --ecdsa-key")
        }
        guard (ecdsaKey == nil) == (certChain == nil) else { throw ValidationError("--ecdsa-key needs --cert-chain") }
        guard !envelopes.isEmpty else { throw ValidationError("at least one --envelope is required") }
    }

    func run() throws {
        let signer: BidSigner
        if let signingKey {
            signer = .ed25519(try KeyFile.ed25519PrivateKey(signingKey))
        } else if let ecdsaKey, let certChain {
            signer = .ecdsaP256(
                try ECDSAP256SigningKey(pem: SecureBytes(contentsOfFile: ecdsaKey)),
                chain: try X509Certificate.certificates(pem: String(contentsOfFile: certChain, encoding: .utf8)))
        } else {
            throw ValidationError("no signing key")
        }
        let escrow = try escrowKey.map { path throws in try KeyFile.hpkePublicKey(path) }
        var recipes: [EnvelopeRecipe] = []
        var files: [String] = []
        for spec in envelopes {
            let parts = spec.split(separator: ":", maxSplits: 3).map(String.init)
            guard parts.count == 4 else { throw ValidationError("--envelope \(spec): expected NAME:STAGE:KEYFILE:FILE") }
            recipes.append(
                EnvelopeRecipe(
                    name: try EnvelopeName(parts[0]), stage: try StageName(parts[1]),
                    committeeKey: try KeyFile.hpkePublicKey(parts[2]), escrowKey: escrow))
            files.append(parts[3])
        }
        guard !FileManager.default.fileExists(atPath: out) else { throw ValidationError("\(out) exists") }
        let sink = try FileSink(path: out)
        var sealer = try BidSealer(
            tender: TenderID(tender), bidder: BidderID(bidder), signer: signer, envelopes: recipes, to: sink)
        for (index, file) in files.enumerated() {
            if index > 0 { try sealer.nextEnvelope() }
            try sealer.append(contentsOfFile: file)
        }
        let summary = try sealer.finish()
        try sink.commit()
        print("sealed \(out): \(summary.fileLength) bytes, \(recipes.count) envelope(s)")
        print("bid digest \(summary.bidDigest.hexString)")
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
            """
    )

    @Argument(help: "The bid file.") var bid: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let source = try FileSource(path: bid)
        let header = try BidHeader.read(from: source)
        let signature: String
        do {
            _ = try BidOpener(source: source, policy: .signatureOnly())
            signature = "valid"
        } catch where error.code == "untrusted-signer" {
            signature = "valid (certificate chain not checked: use sealbid verify --roots)"
        } catch {
            signature = "INVALID (\(error))"
        }
        let report = InspectReport(header: header, path: bid, fileLength: source.length, signature: signature)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            report.printText()
        }
        if !signature.hasPrefix("valid") { throw ExitCode.failure }
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

            Example:
              sealbid verify bid.sbid --tender LPSE-2026-0042 --roots national-root.pem
            """
    )

    @Argument(help: "The bid file.") var bid: String
    @OptionGroup var check: BidCheckOptions
    @Option(help: "Worker threads for hashing.") var workers: Int = ProcessInfo.processInfo.activeProcessorCount

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
    @Option(help: "Output file (must not exist).") var out: String
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
        guard !FileManager.default.fileExists(atPath: out) else { throw ValidationError("\(out) exists") }
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
        try unlocked.decrypt(toFile: out, workers: workers)
        print("decrypted envelope '\(envelope)' of \(bid) to \(out) (\(unlocked.plaintextLength) bytes)")
    }
}
