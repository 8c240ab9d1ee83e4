import Foundation
import SealedBidEnvelope

/// The fuzz targets, one per parser of attacker-supplied bytes. Each
/// executable in `Targets/` forwards libFuzzer's two entry points here.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case bidHeader = "bid-header"
    case payload
    case withdrawal
    case commitment
    case receipt
    case note
    case checkpoint
    case witnessRequest = "witness-request"
    case merkleProof = "merkle-proof"
    case logStore = "log-store"
    case keyFile = "key-file"
    case roster
    case stageKey = "stage-key"
    case dealing
    case sealedShare = "sealed-share"
    case dkgRound1 = "dkg-round1"
    case decryptionShares = "decryption-shares"
    case releasedShare = "released-share"
    case transcriptSignature = "transcript-signature"
    case resharing
    case complaint
    case secretShare = "secret-share"
    case tender
    case openingReport = "opening-report"
    case reportSignature = "report-signature"
    case bidderRegistry = "bidder-registry"
    case x509
    case pem
    case timestamp
    case ecdsa

    /// Runs one input. Every parser must return or throw its typed error;
    /// a trap, a crash, a hang or a broken invariant (``Fuzz/require(_:_:)``) is a finding.
    func harness(_ bytes: [UInt8]) {
        switch self {
        case .bidHeader: EnvelopeHarness.bidHeader(bytes)
        case .payload: EnvelopeHarness.payload(bytes)
        case .withdrawal: StatementHarness.run(Withdrawal.self, bytes)
        case .commitment: StatementHarness.run(Commitment.self, bytes)
        case .receipt: LogHarness.receipt(bytes)
        case .note: LogHarness.note(bytes)
        case .checkpoint: LogHarness.checkpoint(bytes)
        case .witnessRequest: LogHarness.witnessRequest(bytes)
        case .merkleProof: LogHarness.merkleProof(bytes)
        case .logStore: LogHarness.logStore(bytes)
        case .keyFile: FacadeHarness.keyFile(bytes)
        case .roster: CommitteeHarness.roster(bytes)
        case .stageKey: CommitteeHarness.stageKey(bytes)
        case .dealing: CommitteeHarness.dealing(bytes)
        case .sealedShare: CommitteeHarness.sealedShare(bytes)
        case .dkgRound1: CommitteeHarness.dkgRound1(bytes)
        case .decryptionShares: CommitteeHarness.decryptionShares(bytes)
        case .releasedShare: CommitteeHarness.releasedShare(bytes)
        case .transcriptSignature: CommitteeHarness.transcriptSignature(bytes)
        case .resharing: CommitteeHarness.resharing(bytes)
        case .complaint: CommitteeHarness.complaint(bytes)
        case .secretShare: CommitteeHarness.secretShare(bytes)
        case .tender: FacadeHarness.tender(bytes)
        case .openingReport: FacadeHarness.openingReport(bytes)
        case .reportSignature: FacadeHarness.reportSignature(bytes)
        case .bidderRegistry: FacadeHarness.bidderRegistry(bytes)
        case .x509: CertificateHarness.x509(bytes)
        case .pem: CertificateHarness.pem(bytes)
        case .timestamp: CertificateHarness.timestamp(bytes)
        case .ecdsa: CertificateHarness.ecdsa(bytes)
        }
    }

    /// Seed inputs: the project's and upstream vectors where they exist, and
    /// valid messages made with the library's public API for the fixed world.
    func seeds() throws -> [[UInt8]] {
        switch self {
        case .bidHeader: try EnvelopeHarness.bidHeaderSeeds()
        case .payload: try EnvelopeHarness.payloadSeeds()
        case .withdrawal: try StatementHarness.seeds(Withdrawal.self)
        case .commitment: try StatementHarness.seeds(Commitment.self)
        case .receipt: try LogHarness.receiptSeeds()
        case .note: try LogHarness.noteSeeds()
        case .checkpoint: try LogHarness.checkpointSeeds()
        case .witnessRequest: try LogHarness.witnessRequestSeeds()
        case .merkleProof: try LogHarness.merkleProofSeeds()
        case .logStore: try LogHarness.logStoreSeeds()
        case .keyFile: try FacadeHarness.keyFileSeeds()
        case .roster: try CommitteeHarness.rosterSeeds()
        case .stageKey: try CommitteeHarness.stageKeySeeds()
        case .dealing: try CommitteeHarness.dealingSeeds()
        case .sealedShare: try CommitteeHarness.sealedShareSeeds()
        case .dkgRound1: try CommitteeHarness.dkgRound1Seeds()
        case .decryptionShares: try CommitteeHarness.decryptionSharesSeeds()
        case .releasedShare: try CommitteeHarness.releasedShareSeeds()
        case .transcriptSignature: try CommitteeHarness.transcriptSignatureSeeds()
        case .resharing: try CommitteeHarness.resharingSeeds()
        case .complaint: try CommitteeHarness.complaintSeeds()
        case .secretShare: try CommitteeHarness.secretShareSeeds()
        case .tender: try FacadeHarness.tenderSeeds()
        case .openingReport: try FacadeHarness.openingReportSeeds()
        case .reportSignature: try FacadeHarness.reportSignatureSeeds()
        case .bidderRegistry: try FacadeHarness.bidderRegistrySeeds()
        case .x509: CertificateHarness.x509Seeds()
        case .pem: try CertificateHarness.pemSeeds()
        case .timestamp: try CertificateHarness.timestampSeeds()
        case .ecdsa: try CertificateHarness.ecdsaSeeds()
        }
    }
}

/// libFuzzer's entry points.
public enum Fuzz {
    public static func run(_ target: FuzzTarget, _ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
        target.harness(bytes)
        return 0
    }

    /// Builds the fixed world before the first input (so its cost is not
    /// charged to an input), and with `SEALEDBID_FUZZ_SEEDS=<dir>` writes the
    /// target's seeds into `<dir>` and exits.
    public static func initialize(_ target: FuzzTarget) -> Int32 {
        World.warmUp(for: target)
        if let directory = ProcessInfo.processInfo.environment["SEALEDBID_FUZZ_SEEDS"] {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let seeds = try target.seeds()
                for seed in seeds {
                    let name = SHA256Hex.of(seed)
                    try Data(seed).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
                }
                print("\(target.rawValue): \(seeds.count) seeds in \(directory)")
                exit(0)
            } catch {
                print("\(target.rawValue): writing seeds failed: \(error)")
                exit(2)
            }
        }
        return 0
    }

    /// An invariant the parsers promise (canonical encodings, round trips).
    /// A broken one is a finding, reported as a crash with the reason.
    static func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if !condition() { fatalError("invariant broken: \(message())") }
    }
}
