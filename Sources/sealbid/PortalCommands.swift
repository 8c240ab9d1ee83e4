import ArgumentParser
import Foundation
import SealedBid
import SealedBidEnvelope
import SealedBidHTTP
import SealedBidKeyFiles
import SealedBidLog
import SealedBidMerkle
import SealedBidPrimitives

/// A portal's log for one tender kept in a directory (docs/spec/receipts-v1.md).
struct Portal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a tender's submission log: accept bids, commitments, uploads and withdrawals, issue receipts, close after the grace window.",
        discussion: """
            The portal directory holds the descriptor, the log's signing key (secret), log.bin and \
            bids/. Members and verifiers are given copies of log.bin, bids/ and the closing \
            checkpoint, never the directory itself.

            Example:
              sealbid keygen ed25519 portal-log.key
              sealbid tender create ... --log-key portal-log.key.pub \\
                --origin lpse.example.go.id/portal/T --out tender.txt
              sealbid portal init --dir portal --tender tender.txt \\
                --tender-digest 3f2a... --log-key portal-log.key
              sealbid portal submit --dir portal --bidder ACME --bid acme.sbid \\
                --receipt acme.receipt
              sealbid portal close --dir portal --out closing.note
              sealbid receipt verify acme.receipt --tender tender.txt \\
                --tender-digest 3f2a...
            """,
        subcommands: [
            Init.self, Submit.self, Commit.self, Upload.self, Withdraw.self, Close.self, ReceiptFor.self, Checkpoint.self,
            ProveConsistency.self, Stress.self,
        ]
    )

    /// Settings of a portal beyond its descriptor: where its outside parties are.
    struct Config: Codable {
        /// PEM files of a time-stamp authority the portal runs itself: only for tenders whose
        /// descriptor says `timestamps test-authority`.
        let testAuthorityCertificate: String?
        let testAuthorityKey: String?
        /// The outside RFC 3161 authority's URL, for `timestamps required`.
        var timestampAuthority: String? = nil
        /// One URL per witness of the descriptor, in its order.
        var witnessURLs: [String]? = nil

        /// What asks for a token over a digest: the outside authority for a `required` tender, the
        /// test authority for a `test-authority` one, nothing for `none`.
        func timestamper(for tender: Tender, clock: @escaping @Sendable () -> Date) throws -> Timestamper? {
            if tender.timestamps == .required {
                guard let url = timestampAuthority.flatMap(URL.init(string:)), url.scheme == "http" || url.scheme == "https" else {
                    throw ValidationError("this tender requires time-stamps from an outside authority: portal init --tsa-url URL")
                }
                return RFC3161Client(url: url, roots: tender.tsaRoots).timestamper
            }
            guard let cert = testAuthorityCertificate, let key = testAuthorityKey else { return nil }
            guard tender.timestamps == .testAuthority else {
                throw ValidationError("a test time-stamp authority is only for tenders with 'timestamps test-authority'")
            }
            let authority = try TimestampAuthority(certificatePEM: try readText(cert), keyPEM: SecureBytes(contentsOfFile: key))
            return { digest in
                let request = try TimestampRequest(digest: digest)
                let serial = UInt64(Date().timeIntervalSince1970 * 1_000_000)
                return try TimestampToken(response: authority.respond(to: request.derRepresentation, at: clock(), serial: serial))
                    .derRepresentation
            }
        }

        /// The descriptor's witnesses, reached at their URLs.
        func witnesses(for tender: Tender) throws -> [(CosignerVerifier, any WitnessTransport)] {
            let urls = witnessURLs ?? []
            guard urls.count == tender.witnesses.witnesses.count else {
                throw ValidationError(
                    "the descriptor names \(tender.witnesses.witnesses.count) witness(es): give one --witness-url each, in its order")
            }
            return try zip(tender.witnesses.witnesses, urls).map { witness, text in
                guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
                    throw ValidationError("--witness-url \(text): not an http(s) URL")
                }
                return (witness, HTTPWitness(url: url))
            }
        }
    }

    struct DirectoryOption: ParsableArguments {
        @Option(help: "The portal directory.") var dir: String

        func tender() throws -> Tender { try Tender(encoded: readBytes("\(dir)/tender.txt", limit: Tender.maximumSize)) }

        func service(clock: (@Sendable () -> Date)? = nil) throws -> PortalService {
            let tender = try tender()
            let config = try JSONDecoder().decode(Config.self, from: Data(readBytes("\(dir)/portal.json", limit: 1 << 16)))
            let signer = try NoteSigner(name: tender.origin, key: KeyFile.ed25519PrivateKey("\(dir)/portal.key"))
            let timestamper = try config.timestamper(for: tender, clock: clock ?? { Date() })
            return try PortalService(
                tender: tender, directory: dir, signer: signer, clock: clock ?? { Date() }, timestamper: timestamper,
                witnesses: config.witnesses(for: tender))
        }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a portal directory for a tender: its descriptor, the log's signing key, an empty log.",
            discussion: """
                Example:
                  sealbid portal init --dir portal --tender tender.txt \\
                    --tender-digest 3f2a... --log-key portal-log.key
                """)
        @Option(help: "The portal directory (created; must not exist).") var dir: String
        @OptionGroup var descriptor: TenderOption
        @Option(help: "The log's Ed25519 private key file: its public key must be the descriptor's log key.") var logKey: String
        @Option(help: "TEST MODE ONLY: the PEM certificate of a time-stamp authority this portal runs itself.")
        var testTsaCert: String?
        @Option(help: "TEST MODE ONLY: that authority's PEM private key.") var testTsaKey: String?
        @Option(help: "The outside RFC 3161 time-stamp authority's URL (tenders with 'timestamps required').") var tsaUrl: String?
        @Option(help: "The URL of each witness the descriptor names, in its order (repeat).") var witnessUrl: [String] = []

        func validate() throws {
            guard (testTsaCert == nil) == (testTsaKey == nil) else { throw ValidationError("--test-tsa-cert and --test-tsa-key go together") }
            guard tsaUrl == nil || testTsaCert == nil else { throw ValidationError("--tsa-url and --test-tsa-cert exclude each other") }
        }

        func run() async throws {
            let tender = try descriptor.load()
            let key = try KeyFile.ed25519PrivateKey(logKey)
            // A refused input, not a command-line error: the key file is not the one the descriptor names.
            guard key.publicKey == tender.log.publicKey else { throw PortalError.wrongLogKey }
            if testTsaCert != nil {
                guard tender.timestamps == .testAuthority else {
                    throw ValidationError("a portal may hold a time-stamp authority's key only when the descriptor says 'timestamps test-authority'")
                }
            } else if tender.timestamps == .testAuthority {
                throw ValidationError("the descriptor says 'timestamps test-authority': give --test-tsa-cert and --test-tsa-key")
            }
            guard !FileManager.default.fileExists(atPath: dir) else { throw ValidationError("\(dir) exists") }
            guard tsaUrl == nil || tender.timestamps == .required else {
                throw ValidationError("--tsa-url is for descriptors that say 'timestamps required'")
            }
            let config = Config(
                testAuthorityCertificate: testTsaCert.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                testAuthorityKey: testTsaKey.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, timestampAuthority: tsaUrl,
                witnessURLs: witnessUrl.isEmpty ? nil : witnessUrl)
            let witnesses = try config.witnesses(for: tender)
            // The same authority the portal's later commands use: the head is stamped like every checkpoint.
            let timestamper = try config.timestamper(for: tender, clock: { Date() })
            if let timestamper {
                // The authority's tokens must verify with the descriptor's roots, or every entry is refused later.
                let probe = SHA256.hash(Array("sealbid portal init: time-stamp authority check".utf8))
                do {
                    _ = try TimestampToken(derRepresentation: await timestamper(probe)).verify(digest: probe, roots: tender.tsaRoots)
                } catch let unavailable as LogError {
                    throw unavailable  // timestamp-unavailable: the authority is down or not one
                } catch {
                    throw CryptoError.timestampInvalid(
                        reason: "the authority's tokens do not verify with the descriptor's tsa-root: \((error as? any SealedBidError)?.message ?? "\(error)")")
                }
            }
            let signer = try NoteSigner(name: tender.origin, key: key)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            do {
                try writeNew(tender.encoded, to: "\(dir)/tender.txt")
                try KeyFile.write(key.seed, kind: .ed25519Private, to: "\(dir)/portal.key", comment: "log signing key of \(tender.origin): keep secret")
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                try writeNew([UInt8](try encoder.encode(config)), to: "\(dir)/portal.json")
                // The only place a log store is created: opening one never does (receipts-v1, "Durable store").
                _ = try await PortalService.create(
                    tender: tender, directory: dir, signer: signer, timestamper: timestamper, witnesses: witnesses)
            } catch {
                // A failed init leaves no portal behind (this command created the directory).
                try? FileManager.default.removeItem(atPath: dir)
                throw error
            }
            print("portal for \(tender.id): origin \(tender.origin), deadline \(TenderTime.format(tender.deadline) ?? "?")\(testModeWarning(tender))")
        }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a bid against the descriptor (registered signer, tender, every digest and proof) and log it.",
            discussion: """
                The bidder is the uploader as the portal authenticated them; the bid must name them \
                and be signed by one of their identities in the descriptor's registry. Submitting \
                the same file again returns its receipt.

                Example:
                  sealbid portal submit --dir portal --bidder ACME --bid acme.sbid \\
                    --receipt acme.receipt
                """)
        @OptionGroup var portal: DirectoryOption
        @Option(help: "The uploader as the portal authenticated them.") var bidder: String
        @Option(help: "The bid file.") var bid: String
        @Option(help: "Output receipt file.") var receipt: String

        func validate() throws { try refuseExisting(receipt) }

        func run() async throws {
            let service = try portal.service()
            let before = await service.size
            let result = try await service.accept(bidAt: bid, from: BidderID(bidder))
            try writeNew(result.encoded, to: receipt)
            let verified = try result.verify(log: service.tender.log, origin: service.tender.origin)
            let fresh = await service.size > before
            print("\(fresh ? "logged" : "already logged:") \(bidder) as entry \(verified.index) (\(verified.entry.kind)); receipt \(receipt)")
            if let current = await service.currentIndex(of: try BidderID(bidder)), current != verified.index {
                print("NOTE: this is not \(bidder)'s live bid: a later entry (\(current)) stands for \(bidder)")
            }
        }
    }

    struct Commit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log a bid's commitment from its header alone, before the deadline; the ciphertext follows with 'upload'.",
            discussion: """
                For uploads that might not finish before the deadline: the signed header (the \
                first header_length bytes of the bid, or the whole file) and the bidder's signed \
                commitment statement ('sealbid commit') are checked and the bid's digest logged; the \
                whole bid must then be uploaded before the end of the grace window.

                Example (the header alone is enough here; 'upload' sends the rest):
                  sealbid portal commit --dir portal --bidder ACME --bid acme.sbid \\
                    --statement acme.commitment --receipt acme-commit.receipt
                """)
        @OptionGroup var portal: DirectoryOption
        @Option(help: "The uploader as the portal authenticated them.") var bidder: String
        @Option(help: "The bid file, or only its header.") var bid: String
        @Option(help: "The bidder's commitment statement (sealbid commit).") var statement: String
        @Option(help: "Output receipt file.") var receipt: String

        func validate() throws { try refuseExisting(receipt) }

        func run() async throws {
            let service = try portal.service()
            let result = try await service.commit(
                bidAt: bid, statement: readBytes(statement, limit: Commitment.maximumSize), from: BidderID(bidder))
            try writeNew(result.encoded, to: receipt)
            let index = try result.verify(log: try portal.tender().log, origin: try portal.tender().origin).index
            if let current = await service.currentIndex(of: try BidderID(bidder)), current != index {
                print("already logged: the commitment of \(bidder) as entry \(index); a later entry (\(current)) stands for \(bidder); receipt \(receipt)")
            } else {
                print("logged the commitment of \(bidder) as entry \(index); upload the bid before the end of the grace window; receipt \(receipt)")
            }
        }
    }

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log the ciphertext of a committed bid (until the end of the grace window; the log closes after it).",
            discussion: """
                Example:
                  sealbid portal upload --dir portal --bidder ACME --bid acme.sbid \\
                    --receipt acme-upload.receipt
                """)
        @OptionGroup var portal: DirectoryOption
        @Option(help: "The uploader as the portal authenticated them.") var bidder: String
        @Option(help: "The whole bid file.") var bid: String
        @Option(help: "Output receipt file (of the upload entry).") var receipt: String

        func validate() throws { try refuseExisting(receipt) }

        func run() async throws {
            let receipt = try await portal.service().upload(bidAt: bid, from: BidderID(bidder))
            try writeNew(receipt.encoded, to: self.receipt)
            let verified = try receipt.verify(log: portal.tender().log, origin: portal.tender().origin)
            print("logged the upload of \(bidder)'s committed bid as entry \(verified.index); receipt \(self.receipt)")
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log a bidder's signed withdrawal statement (sealbid withdraw).",
            discussion: """
                Example:
                  sealbid portal withdraw --dir portal --bidder ACME \\
                    --statement acme.withdrawal --receipt acme-withdrawal.receipt
                """)
        @OptionGroup var portal: DirectoryOption
        @Option(help: "The uploader as the portal authenticated them.") var bidder: String
        @Option(help: "The withdrawal statement.") var statement: String
        @Option(help: "Output receipt file.") var receipt: String

        func validate() throws { try refuseExisting(receipt) }

        func run() async throws {
            let service = try portal.service()
            let before = await service.size
            let result = try await service.withdraw(
                statement: readBytes(statement, limit: Withdrawal.maximumSize), from: BidderID(bidder))
            try writeNew(result.encoded, to: receipt)
            let index = try result.verify(log: try portal.tender().log, origin: try portal.tender().origin).index
            print("\(await service.size > before ? "logged" : "already logged:") the withdrawal of \(bidder) as entry \(index); receipt \(receipt)")
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close the log once the deadline and grace window have passed; write the closing checkpoint.",
            discussion: """
                Example:
                  sealbid portal close --dir portal --out closing.note
                """)
        @OptionGroup var portal: DirectoryOption
        @Option(help: "Output file for the closing checkpoint (signed note).") var out: String

        func validate() throws { try refuseExisting(out) }

        func run() async throws {
            let closing = try await portal.service().close()
            try writeNew(Array(closing.note.serialized.utf8), to: out)
            print("closed at size \(closing.checkpoint.size); closing checkpoint in \(out)")
        }
    }

    struct ReceiptFor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "receipt", abstract: "Write the receipt of a logged bid, commitment or withdrawal, by its digest.",
            discussion: """
                Example (the digest 'sealbid seal' printed, or 'sealbid inspect' shows):
                  sealbid portal receipt --dir portal --digest 9c1e... --out acme.receipt
                """)
        @OptionGroup var portal: DirectoryOption
        @Option(help: "The bid's (or statement's) digest, hex.") var digest: String
        @Option(help: "Output receipt file.") var out: String

        func validate() throws { try refuseExisting(out) }

        func run() async throws {
            guard digest.utf8.count == 64, let bytes = try? Hex.decode(digest) else { throw ValidationError("--digest is 64 hex digits") }
            let receipt = try await portal.service().receipt(forDigest: bytes)
            try writeNew(receipt.encoded, to: out)
            print("receipt in \(out)")
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a signed checkpoint of the current log.",
            discussion: """
                Example:
                  sealbid portal checkpoint --dir portal --out checkpoint-1.note
                """)
        @OptionGroup var portal: DirectoryOption
        @Option(help: "Output file.") var out: String

        func run() async throws {
            let checkpoint = try await portal.service().checkpoint()
            try writeNew(Array(checkpoint.note.serialized.utf8), to: out)
            print("checkpoint of size \(checkpoint.checkpoint.size) in \(out)")
        }
    }

    struct ProveConsistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a consistency proof between two sizes of a log store (concatenated 32-byte hashes).",
            discussion: """
                Example (from a checkpoint of size 120 to the closing, of size 245):
                  sealbid portal prove-consistency --log portal/log.bin --from 120 \\
                    --to 245 --out proof.bin
                """)
        @Option(help: "The log store (a portal's log.bin, or a copy).") var log: String
        @Option var from: UInt64
        @Option var to: UInt64
        @Option(help: "Output file.") var out: String

        func run() throws {
            var tree = MerkleTreeOfLog()
            for record in try FileLogStore.records(atPath: log) {
                if case .entry(let bytes, _) = record { tree.append(try LogEntry(encoded: bytes)) }
            }
            let proof = try tree.consistencyProof(from: from, to: to)
            try writeNew(proof.flatMap { $0 }, to: out)
            print("consistency proof \(from) -> \(to): \(proof.count) hashes in \(out)")
        }
    }

    struct Stress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append synthetic commitments to a store, printing 'ack N' after each is durable (for crash tests).",
            shouldDisplay: false)
        @Option(help: "The log store file.") var store: String
        @Option(help: "The log's Ed25519 private key file.") var key: String
        @Option(help: "The tender id.") var tender: String = "T-STRESS"
        @Option var count: Int = 1000
        @Option(help: "Instead of appending: reopen the store and write a checkpoint of it here.") var checkpoint: String?

        func run() async throws {
            let origin = "stress.example/\(tender)"
            let signer = try NoteSigner(name: origin, key: KeyFile.ed25519PrivateKey(key))
            let fresh = !FileManager.default.fileExists(atPath: store)
            let log = try SubmissionLog(
                origin: origin, tender: tender, deadline: Date.distantFuture, signer: signer,
                store: fresh ? FileLogStore.create(path: store) : FileLogStore(path: store))
            if fresh { try await log.initializeHead() }
            if let checkpoint {
                let signed = try await log.checkpoint()
                try writeNew(Array(signed.note.serialized.utf8), to: checkpoint)
                print("checkpoint of size \(signed.checkpoint.size) in \(checkpoint)")
                return
            }
            let start = await log.size
            for i in 0..<count {
                let n = Int(start) + i
                _ = try await log.submit(kind: .commit, bidder: "B-\(n)", bidDigest: SHA256.hash(Array("\(n)".utf8)), bidLength: 1)
                // Unbuffered, so a crash test sees every acknowledgement that was made.
                FileHandle.standardOutput.write(Data("ack \(n)\n".utf8))
            }
        }
    }
}

/// The log's Merkle tree rebuilt from its entries (for proofs made from a copy of the store).
struct MerkleTreeOfLog {
    private var tree = MerkleTree()

    mutating func append(_ entry: LogEntry) { tree.append(leafHash: entry.leafHash) }

    func consistencyProof(from: UInt64, to: UInt64) throws -> [[UInt8]] { try tree.consistencyProof(size1: from, size2: to) }
}

struct ReceiptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipt", abstract: "Receipts.",
        discussion: """
            Example:
              sealbid receipt verify acme.receipt --tender tender.txt \\
                --tender-digest 3f2a...
            """,
        subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a receipt offline from its bytes and the tender descriptor (log key, origin, witnesses' quorum, time-stamp policy).",
            discussion: """
                With --closing and --proof, also that the closed log extends the receipt's: the \
                bidder's entry is among those the committee opens.

                Example:
                  sealbid receipt verify acme.receipt --tender tender.txt \\
                    --tender-digest 3f2a...
                  sealbid portal prove-consistency --log log.bin --from 5 --to 8 --out p.bin
                  sealbid receipt verify acme.receipt --tender tender.txt \\
                    --tender-digest 3f2a... --closing closing.note --proof p.bin
                """)
        @Argument(help: "The receipt file.") var receipt: String
        @OptionGroup var descriptor: TenderOption
        @Option(help: "The closing checkpoint (signed note): also prove that the receipt's entry is in the closed log.") var closing: String?
        @Option(help: "With --closing: the consistency proof from the receipt's tree size to the closing's (sealbid portal prove-consistency).")
        var proof: String?

        func validate() throws {
            guard (closing == nil) == (proof == nil) else { throw ValidationError("--closing and --proof go together") }
        }

        func run() throws {
            let tender = try descriptor.load()
            let verified = try tender.verify(receipt: Receipt(encoded: readBytes(receipt, limit: 1 << 20)))
            var inClosing: SignedCheckpoint?
            if let closing, let proof {
                // The bidder's end check, before anything is printed: the closed log extends the
                // one its receipt is in, so its entry (at its index) is among those opened.
                let closed = try readCheckpoint(closing)
                _ = try tender.verifyClosing(closed)
                try tender.verifyConsistency(from: verified.checkpoint, to: closed, proof: try readProof(proof))
                inClosing = closed
            }
            let e = verified.entry
            print("valid receipt: entry \(verified.index) of \(verified.checkpoint.checkpoint.origin) (tree size \(verified.checkpoint.checkpoint.size))")
            let cosigners = try tender.witnesses.cosignatures(on: verified.checkpoint.note).map(\.witness.name)
            if !cosigners.isEmpty { print("  cosigned by \(cosigners.count) witness(es), quorum \(tender.witnesses.quorum): \(cosigners.joined(separator: ", "))") }
            print("  \(e.kind) tender \(e.tender) bidder \(e.bidder) at \(Date(timeIntervalSince1970: Double(e.receivedAt) / 1000))")
            print("  digest \(e.bidDigest.hexString), \(e.bidLength) bytes")
            if let t = verified.timestamp { print("  RFC 3161 time \(t.time) (serial \(t.serial))\(testModeWarning(tender))") }
            if !tender.timestamps.requiresTokens, verified.timestampToken != nil {
                print("  (a time-stamp token is attached but not checked: the tender's timestamps is none)")
            }
            if let inClosing {
                print("  in the closed log: the closing (size \(inClosing.checkpoint.size)) extends this receipt's tree")
            }
        }
    }
}

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Log checkpoints.",
        discussion: """
            Example (with a proof from 'sealbid portal prove-consistency'):
              sealbid log verify --old checkpoint-1.note --new closing.note \\
                --proof proof.bin --tender tender.txt --tender-digest 3f2a...
            """,
        subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a later checkpoint extends an earlier one (nothing dropped, added before, or rewritten).",
            discussion: """
                Example:
                  sealbid log verify --old checkpoint-1.note --new closing.note \\
                    --proof proof.bin --tender tender.txt --tender-digest 3f2a...
                """)
        @Option(help: "The earlier checkpoint (signed note).") var old: String
        @Option(help: "The later checkpoint (signed note).") var new: String
        @Option(help: "The consistency proof file (sealbid portal prove-consistency).") var proof: String
        @OptionGroup var descriptor: TenderOption

        func run() throws {
            let tender = try descriptor.load()
            let first = try readCheckpoint(old)
            let second = try readCheckpoint(new)
            try tender.verifyConsistency(from: first, to: second, proof: try readProof(proof))
            print("consistent: size \(first.checkpoint.size) -> \(second.checkpoint.size) of \(tender.origin)")
        }
    }
}

/// A consistency proof file: concatenated 32-byte hashes (sealbid portal prove-consistency).
func readProof(_ path: String) throws -> [[UInt8]] {
    let bytes = try readBytes(path, limit: 64 * 32)
    guard bytes.count % 32 == 0 else { throw ValidationError("the proof file is not a list of 32-byte hashes") }
    return stride(from: 0, to: bytes.count, by: 32).map { Array(bytes[$0..<($0 + 32)]) }
}

struct TimestampCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timestamp", abstract: "RFC 3161 tokens.",
        discussion: """
            Example:
              sealbid timestamp verify acme.tsr --data acme.sbid --roots tsa-root.pem
            """,
        subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an RFC 3161 token or response for a file or a SHA-256 digest.",
            discussion: """
                Example:
                  sealbid timestamp verify acme.tsr --data acme.sbid --roots tsa-root.pem
                """)
        @Argument(help: "A DER TimeStampResp or TimeStampToken.") var token: String
        @Option(help: "The time-stamped file.") var data: String?
        @Option(help: "Or its SHA-256 digest in hex.") var digest: String?
        @Option(help: "PEM trust anchors of the authority.") var roots: String

        func run() throws {
            let bytes = try readBytes(token, limit: 1 << 16)
            let parsed = try (try? TimestampToken(response: bytes)) ?? TimestampToken(derRepresentation: bytes)
            let hash: [UInt8]
            if let data {
                hash = SHA256.hash(try readBytes(data, limit: Int.max))
            } else if let digest, digest.utf8.count == 64 {
                hash = try Hex.decode(digest)
            } else {
                throw ValidationError("give --data or --digest (64 hex digits)")
            }
            let verified = try parsed.verify(digest: hash, roots: X509Certificate.certificates(pem: readText(roots)))
            print("valid time-stamp: \(verified.time) (serial \(verified.serial))")
        }
    }
}
