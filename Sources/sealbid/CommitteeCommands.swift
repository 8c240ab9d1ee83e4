import ArgumentParser
import Foundation
import SealedBidCommittee
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidKeyFiles
import SealedBidPrimitives

/// File-based committee ceremonies (docs/spec/committee-v1.md): every step
/// reads and writes plain files, so members on separate offline machines
/// take part by exchanging files. Secrets go to 0600 key files only.
struct Committee: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Committee keys: rosters, dealing, DKG rounds, decryption shares, combination, resharing.",
        discussion: """
            A typical dealerless ceremony for one stage (every member runs its own steps):
              sealbid keygen hpke m1.hpke && sealbid keygen ed25519 m1.sign          (each member)
              sealbid committee roster --committee LPSE-2026-0042 --stage technical --threshold 2 \\
                --member 1:m1.hpke.pub:m1.sign.pub --member 2:... --member 3:... --out roster.bin
              sealbid committee dkg-round1 --roster roster.bin --id 1 --hpke-key m1.hpke \\
                --signing-key m1.sign --state m1.state --out round1-1.bin             (each member)
              sealbid committee dkg-round2 ... --round1 round1-*.bin --out-dir to-send (each member)
              sealbid committee dkg-finish ... --shares received/*.bin --out-share m1.share \\
                --out-stage-key stage-key.bin --out-signature sig-1.bin               (each member)
              sealbid committee confirm --roster roster.bin --stage-key stage-key.bin --signature sig-*.bin
            At the opening, each member present:
              sealbid committee decryption-share --roster roster.bin --stage-key stage-key.bin \\
                --share m1.share --bid bids/*.sbid --out dshare-1.bin
            and anyone:
              sealbid committee combine --roster roster.bin --stage-key stage-key.bin \\
                --bid bids/*.sbid --dshare dshare-*.bin --out-dir opened
            """,
        subcommands: [
            Roster.self, Deal.self, AcceptShare.self, DKGRound1.self, DKGRound2.self, DKGFinish.self, Confirm.self,
            DecryptionShare.self, Combine.self, Reconstruct.self, ReshareDeal.self, ReshareReceive.self,
        ]
    )
}

// MARK: Shared helpers

func readBytes(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
    return [UInt8](data)
}

/// Writes a public file that must not exist yet (never overwrites).
func writeNew(_ bytes: [UInt8], to path: String) throws {
    guard !FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(path) exists") }
    try Data(bytes).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
}

struct RosterOption: ParsableArguments {
    @Option(help: "The roster file (sealbid committee roster).") var roster: String
    func load() throws -> CommitteeRoster { try CommitteeRoster(encoded: readBytes(roster)) }
}

struct StageKeyOption: ParsableArguments {
    @Option(help: "The stage key file.") var stageKey: String
    func load(_ roster: CommitteeRoster) throws -> StageKey { try StageKey(encoded: readBytes(stageKey), roster: roster) }
}

struct MemberOptions: ParsableArguments {
    @Option(help: "Your member identifier.") var id: UInt16
    @Option(help: "Your HPKE private key file.") var hpkeKey: String
    @Option(help: "Your Ed25519 signing key file.") var signingKey: String

    func load() throws -> MemberKeys {
        MemberKeys(
            id: try MemberID(id), encryptionKey: try KeyFile.hpkePrivateKey(hpkeKey),
            signingKey: try KeyFile.ed25519PrivateKey(signingKey))
    }
}

// MARK: Roster and dealer

struct Roster: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Build a stage roster from the members' public key files.")
    @Option(help: "Committee (tender) id.") var committee: String
    @Option(help: "Stage name.") var stage: String
    @Option(help: "t: the smallest number of members who can open.") var threshold: Int
    @Option(name: .customLong("member"), help: "ID:HPKE_PUBLIC_KEY_FILE:ED25519_PUBLIC_KEY_FILE (repeat).") var members: [String]
    @Option(help: "Output roster file.") var out: String

    func run() throws {
        let cards = try members.map { spec throws -> MemberCard in
            let parts = spec.split(separator: ":").map(String.init)
            guard parts.count == 3, let id = UInt16(parts[0]) else { throw ValidationError("--member \(spec): expected ID:HPKE:ED25519") }
            return MemberCard(
                id: try MemberID(id), encryptionKey: try KeyFile.hpkePublicKey(parts[1]), signingKey: try KeyFile.ed25519PublicKey(parts[2]))
        }
        let roster = try CommitteeRoster(committee: committee, stage: stage, threshold: threshold, members: cards)
        try writeNew(roster.encoded, to: out)
        print("roster \(out): \(roster.threshold)-of-\(roster.members.count), digest \(roster.digest.hexString)")
    }
}

struct Deal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Trusted dealer: split a fresh stage key; write the stage key and one sealed share per member.")
    @OptionGroup var roster: RosterOption
    @Option(help: "Output directory.") var outDir: String

    func run() throws {
        let roster = try roster.load()
        let dealing = try TrustedDealer.deal(roster: roster)
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        try writeNew(dealing.stageKey.encoded, to: "\(outDir)/stage-key.bin")
        for share in dealing.shares { try writeNew(share.encoded, to: "\(outDir)/share-\(share.recipient.value).bin") }
        print("dealt stage '\(roster.stage)': public key \(dealing.stageKey.publicKey.rawRepresentation.hexString)")
        print("wrote \(outDir)/stage-key.bin and \(dealing.shares.count) sealed shares; the dealer kept nothing")
    }
}

struct AcceptShare: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A member opens and verifies its dealt share and stores it (0600).")
    @OptionGroup var roster: RosterOption
    @OptionGroup var stageKey: StageKeyOption
    @OptionGroup var member: MemberOptions
    @Option(help: "The sealed share file for you.") var share: String
    @Option(help: "Output share key file.") var out: String

    func run() throws {
        let roster = try roster.load()
        let key = try stageKey.load(roster)
        let secret = try TrustedDealer.receive(SealedShare(encoded: readBytes(share)), stageKey: key, keys: member.load())
        try KeyFile.write(secret.fileRepresentation(roster: roster), kind: .committeeShare, to: out, comment: "committee share: keep secret")
        print("share verified against the commitments and written to \(out)")
    }
}

// MARK: DKG

struct DKGRound1: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dkg-round1", abstract: "DKG round 1: commit and prove possession.")
    @OptionGroup var roster: RosterOption
    @OptionGroup var member: MemberOptions
    @Option(help: "Output secret state file (0600), needed in later rounds.") var state: String
    @Option(help: "Output round-1 package to broadcast.") var out: String

    func run() throws {
        let roster = try roster.load()
        let (secret, package) = try DKG.round1(roster: roster, keys: member.load())
        try KeyFile.write(secret.fileRepresentation, kind: .dkgState, to: state, comment: "DKG state: keep secret, delete after dkg-finish")
        try writeNew(package.encoded, to: out)
        print("round 1 package \(out); state in \(state)")
    }
}

struct DKGRound2: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dkg-round2", abstract: "DKG round 2: check round 1, seal a share to each other member.")
    @OptionGroup var roster: RosterOption
    @OptionGroup var member: MemberOptions
    @Option(help: "Your DKG state file.") var state: String
    @Option(parsing: .upToNextOption, help: "Every member's round-1 package.") var round1: [String]
    @Option(help: "Output directory for the sealed shares.") var outDir: String

    func run() throws {
        let roster = try roster.load()
        let keys = try member.load()
        let secret = try DKG.Round1Secret(fileRepresentation: KeyFile.read(state, kind: .dkgState), roster: roster, keys: keys)
        let packages = try round1.map { try DKG.Round1Package(encoded: readBytes($0)) }
        let shares = try DKG.round2(secret, packages: packages)
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        for share in shares {
            try writeNew(share.encoded, to: "\(outDir)/dkg-share-\(share.sender)-to-\(share.recipient.value).bin")
        }
        print("sealed \(shares.count) shares into \(outDir)")
    }
}

struct DKGFinish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dkg-finish", abstract: "DKG finish: verify received shares (blaming senders), derive the share and stage key, sign the transcript.")
    @OptionGroup var roster: RosterOption
    @OptionGroup var member: MemberOptions
    @Option(help: "Your DKG state file.") var state: String
    @Option(parsing: .upToNextOption, help: "Every member's round-1 package.") var round1: [String]
    @Option(parsing: .upToNextOption, help: "The sealed shares sent to you.") var shares: [String]
    @Option(help: "Output share key file (0600).") var outShare: String
    @Option(help: "Output stage key file.") var outStageKey: String
    @Option(help: "Output transcript signature.") var outSignature: String

    func run() throws {
        let roster = try roster.load()
        let keys = try member.load()
        let secret = try DKG.Round1Secret(fileRepresentation: KeyFile.read(state, kind: .dkgState), roster: roster, keys: keys)
        let packages = try round1.map { try DKG.Round1Package(encoded: readBytes($0)) }
        let sealed = try shares.map { try SealedShare(encoded: readBytes($0)) }
        let (share, stageKey) = try DKG.finish(secret, packages: packages, shares: sealed)
        try KeyFile.write(share.fileRepresentation(roster: roster), kind: .committeeShare, to: outShare, comment: "committee share: keep secret")
        try writeNew(stageKey.encoded, to: outStageKey)
        try writeNew(TranscriptSignature(stageKey: stageKey, keys: keys).encoded, to: outSignature)
        print("stage public key \(stageKey.publicKey.rawRepresentation.hexString)")
        print("transcript \(stageKey.transcriptHash.hexString) signed into \(outSignature)")
    }
}

struct Confirm: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check that every member signed the same transcript (no split view).")
    @OptionGroup var roster: RosterOption
    @OptionGroup var stageKey: StageKeyOption
    @Option(name: .customLong("signature"), parsing: .upToNextOption, help: "Every member's transcript signature.") var signatures: [String]

    func run() throws {
        let roster = try roster.load()
        let key = try stageKey.load(roster)
        try DKG.confirm(stageKey: key, signatures: signatures.map { try TranscriptSignature(encoded: readBytes($0)) })
        print("confirmed: all \(roster.members.count) members signed transcript \(key.transcriptHash.hexString)")
    }
}

// MARK: Opening

/// The envelopes of `roster.stage` in `bids` sealed to the stage key, in order.
func stageEnvelopes(_ bidPaths: [String], stageKey: StageKey) throws -> [(path: String, opener: BidOpener, entry: EnvelopeEntry)] {
    var out: [(String, BidOpener, EnvelopeEntry)] = []
    for path in bidPaths {
        let opener = try BidOpener(path: path, policy: .signatureOnly())
        for entry in opener.header.envelopes where entry.stage.value == stageKey.roster.stage {
            guard entry.recipientKey == stageKey.publicKey else {
                throw ValidationError("\(path): envelope '\(entry.name)' is sealed to another key for stage '\(entry.stage)'")
            }
            out.append((path, opener, entry))
        }
    }
    return out
}

struct DecryptionShare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Low level: decryption shares for every envelope of the stage in the given bid files.",
        discussion: """
            This trusts the list of bids. At an opening, use 'sealbid opening share', which first \
            checks the bids against the closing checkpoint and the qualification list.
            """)
    @OptionGroup var roster: RosterOption
    @OptionGroup var stageKey: StageKeyOption
    @Option(help: "Your share key file.") var share: String
    @Option(parsing: .upToNextOption, help: "The bid files to open.") var bid: [String]
    @Option(help: "Output decryption-share file.") var out: String

    func run() throws {
        let roster = try roster.load()
        let key = try stageKey.load(roster)
        let secret = try SecretShare(fileRepresentation: KeyFile.read(share, kind: .committeeShare), roster: roster)
        let envelopes = try stageEnvelopes(bid, stageKey: key)
        let shares = try DecryptionShares.create(share: secret, stageKey: key, encapsulatedKeys: envelopes.map(\.entry.encapsulatedKey))
        try writeNew(shares.encoded, to: out)
        print("\(secret.id): decryption shares for \(envelopes.count) envelope(s) of stage '\(roster.stage)' in \(out)")
    }
}

struct Combine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify members' decryption shares (naming bad ones), combine t of them and decrypt every envelope of the stage.")
    @OptionGroup var roster: RosterOption
    @OptionGroup var stageKey: StageKeyOption
    @Option(parsing: .upToNextOption, help: "The bid files.") var bid: [String]
    @Option(parsing: .upToNextOption, help: "Members' decryption-share files.") var dshare: [String]
    @Option(help: "Output directory for the plaintexts.") var outDir: String

    func run() throws {
        let roster = try roster.load()
        let key = try stageKey.load(roster)
        let envelopes = try stageEnvelopes(bid, stageKey: key)
        let result = try ThresholdCombiner.combine(
            stageKey: key, encapsulatedKeys: envelopes.map(\.entry.encapsulatedKey),
            contributions: dshare.map { try DecryptionShares(encoded: readBytes($0)) })
        if !result.culprits.isEmpty { print("rejected shares from: \(result.culprits.map(\.description).joined(separator: ", "))") }
        if !result.incomplete.isEmpty {
            print("shares not covering every envelope asked, unused: \(result.incomplete.map(\.description).joined(separator: ", "))")
        }
        print("combined shares of \(result.participants.map(\.description).joined(separator: ", "))")
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        for (index, envelope) in envelopes.enumerated() {
            let unlocked = try envelope.opener.unlock(
                envelope.entry.name,
                with: .sharedDH(result.sharedSecrets[index], committeeKey: key.publicKey, stage: envelope.entry.stage))
            let name = URL(fileURLWithPath: envelope.path).deletingPathExtension().lastPathComponent
            let out = "\(outDir)/\(name).\(envelope.entry.name)"
            try unlocked.decrypt(toFile: out)
            print("opened \(out) (\(unlocked.plaintextLength) bytes)")
        }
    }
}

struct Reconstruct: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconstruct the stage private key from released shares (naming bad ones); prefer decryption shares.")
    @OptionGroup var roster: RosterOption
    @OptionGroup var stageKey: StageKeyOption
    @Option(parsing: .upToNextOption, help: "Released share key files.") var share: [String]
    @Option(help: "Output HPKE private key file (0600).") var out: String

    func run() throws {
        let roster = try roster.load()
        let key = try stageKey.load(roster)
        let shares = try share.map { try SecretShare(fileRepresentation: KeyFile.read($0, kind: .committeeShare), roster: roster) }
        let result = try Reconstruction.reconstruct(stageKey: key, shares: shares)
        if !result.culprits.isEmpty { print("rejected shares from: \(result.culprits.map(\.description).joined(separator: ", "))") }
        try KeyFile.write(result.privateKey.scalar.secureRepresentation, kind: .hpkePrivate, to: out, comment: "reconstructed stage key")
        print("reconstructed the '\(roster.stage)' key from \(result.participants.map(\.description).joined(separator: ", ")) into \(out)")
    }
}

// MARK: Resharing

struct ReshareDeal: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "An old member deals its share to a new roster.")
    @OptionGroup var roster: RosterOption
    @OptionGroup var stageKey: StageKeyOption
    @Option(help: "Your share key file.") var share: String
    @Option(help: "The new roster file.") var newRoster: String
    @Option(help: "Output resharing package.") var out: String

    func run() throws {
        let roster = try roster.load()
        let key = try stageKey.load(roster)
        let secret = try SecretShare(fileRepresentation: KeyFile.read(share, kind: .committeeShare), roster: roster)
        let package = try Resharing.deal(share: secret, oldKey: key, newRoster: CommitteeRoster(encoded: readBytes(newRoster)))
        try writeNew(package.fileRepresentation, to: out)
        print("resharing package from \(secret.id) in \(out)")
    }
}

struct ReshareReceive: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A new member combines resharing packages into its new share.")
    @OptionGroup var roster: RosterOption
    @OptionGroup var stageKey: StageKeyOption
    @OptionGroup var member: MemberOptions
    @Option(help: "The new roster file.") var newRoster: String
    @Option(parsing: .upToNextOption, help: "Resharing packages from at least t old members.") var package: [String]
    @Option(help: "Output share key file (0600).") var outShare: String
    @Option(help: "Output new stage key file.") var outStageKey: String
    @Option(help: "Output transcript signature.") var outSignature: String

    func run() throws {
        let oldRoster = try roster.load()
        let oldKey = try stageKey.load(oldRoster)
        let newRoster = try CommitteeRoster(encoded: readBytes(newRoster))
        let keys = try member.load()
        let (share, newKey) = try Resharing.receive(
            packages: package.map { try Resharing.Package(fileRepresentation: readBytes($0)) }, oldKey: oldKey,
            newRoster: newRoster, keys: keys)
        try KeyFile.write(share.fileRepresentation(roster: newRoster), kind: .committeeShare, to: outShare, comment: "committee share: keep secret")
        try writeNew(newKey.encoded, to: outStageKey)
        try writeNew(TranscriptSignature(stageKey: newKey, keys: keys).encoded, to: outSignature)
        print("new share for \(keys.id); the public key is unchanged: \(newKey.publicKey.rawRepresentation.hexString)")
    }
}
