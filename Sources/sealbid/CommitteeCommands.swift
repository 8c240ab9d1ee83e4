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
        abstract: "Committee keys: rosters, dealing, DKG rounds, confirmation, resharing.",
        discussion: """
            A dealerless ceremony for one stage: every member runs its own steps on its own \
            machine; every message is signed with the member's roster key, and a new attempt \
            needs a new roster. The opening is 'sealbid opening': members compute decryption \
            shares only through 'sealbid opening share', which checks every bid first.

            Example (a DKG for one stage; '#' says who runs a step):
              sealbid keygen hpke m1.hpke; sealbid keygen ed25519 m1.sign  # each member
              sealbid committee roster --committee LPSE-2026-0042 --stage technical \\
                --threshold 2 --member 1:m1.hpke.pub:m1.sign.pub --member 2:... \\
                --member 3:... --out roster.bin
              sealbid committee dkg-round1 --roster roster.bin --id 1 --hpke-key m1.hpke \\
                --signing-key m1.sign --state m1.state --out round1-1.bin  # each member
              sealbid committee dkg-round2 ... --round1 round1-*.bin \\
                --out-dir to-send                                          # each member
              sealbid committee dkg-finish ... --shares received/*.bin \\
                --out-share m1.share --out-stage-key stage-key.bin \\
                --out-signature sig-1.bin                                  # each member
              sealbid committee confirm --roster roster.bin --stage-key stage-key.bin \\
                --signature sig-*.bin
            """,
        subcommands: [
            Roster.self, Deal.self, AcceptShare.self, DKGRound1.self, DKGRound2.self, DKGFinish.self, Confirm.self,
            ReshareDeal.self, ReshareReceive.self, Judge.self, Show.self,
        ]
    )
}

// MARK: Shared helpers

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

/// The messages in `paths` that decode. A file that does not decode is nobody's (committee-v1,
/// "Signed messages"): it is skipped with a warning, never fatal, as the library ignores it.
func decodedMessages<Message>(_ paths: [String], _ decode: ([UInt8]) throws -> Message) throws -> [Message] {
    var messages: [Message] = []
    for path in paths {
        let bytes = try readBytes(path)
        do {
            messages.append(try decode(bytes))
        } catch {
            FileHandle.standardError.write(Data("sealbid: warning: skipped \(path), which does not decode: \(error)\n".utf8))
        }
    }
    return messages
}

// MARK: Roster and dealer

struct Roster: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a stage roster from the members' public key files.",
        discussion: """
            With --dealer-key, the roster is for a trusted dealing ('deal'); without it, for \
            the dealerless DKG.

            Example (three members, any two of whom can open):
              sealbid committee roster --committee LPSE-2026-0042 --stage technical \\
                --threshold 2 --member 1:m1.hpke.pub:m1.sign.pub \\
                --member 2:m2.hpke.pub:m2.sign.pub --member 3:m3.hpke.pub:m3.sign.pub \\
                --out roster.bin
            """)
    @Option(help: "Committee (tender) id.") var committee: String
    @Option(help: "Stage name.") var stage: String
    @Option(help: "t: the smallest number of members who can open.") var threshold: Int
    @Option(name: .customLong("member"), help: "ID:HPKE_PUBLIC_KEY_FILE:ED25519_PUBLIC_KEY_FILE (repeat).") var members: [String]
    @Option(help: "For a trusted dealing: the dealer's Ed25519 public key file.") var dealerKey: String?
    @Option(help: "Output roster file.") var out: String

    func run() throws {
        let cards = try members.map { spec throws -> MemberCard in
            let parts = spec.split(separator: ":").map(String.init)
            guard parts.count == 3, let id = UInt16(parts[0]) else { throw ValidationError("--member \(spec): expected ID:HPKE:ED25519") }
            return MemberCard(
                id: try MemberID(id), encryptionKey: try KeyFile.hpkePublicKey(parts[1]), signingKey: try KeyFile.ed25519PublicKey(parts[2]))
        }
        let roster = try CommitteeRoster(
            committee: committee, stage: stage, threshold: threshold, members: cards,
            dealerKey: try dealerKey.map { try KeyFile.ed25519PublicKey($0) })
        try writeNew(roster.encoded, to: out)
        print("roster \(out): \(roster.threshold)-of-\(roster.members.count), ceremony \(roster.ceremony.hexString), digest \(roster.digest.hexString)")
    }
}

struct Deal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Trusted dealer: split a fresh stage key; write the signed dealing, the stage key and one sealed share per member.",
        discussion: """
            Each member then runs 'accept-share' and signs the stage key it derives; the dealing \
            counts only once 'confirm' sees every member's signature over the same stage key.

            Example:
              sealbid committee deal --roster roster.bin --dealer-key dealer.sign \\
                --out-dir dealt
            """)
    @OptionGroup var roster: RosterOption
    @Option(help: "The dealer's Ed25519 private key file (the roster names its public key).") var dealerKey: String
    @Option(help: "Output directory.") var outDir: String

    func run() throws {
        let roster = try roster.load()
        let dealing = try TrustedDealer.deal(roster: roster, dealerKey: KeyFile.ed25519PrivateKey(dealerKey))
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        try writeNew(dealing.message.encoded, to: "\(outDir)/dealing.bin")
        try writeNew(dealing.stageKey.encoded, to: "\(outDir)/stage-key.bin")
        for share in dealing.shares { try writeNew(share.encoded, to: "\(outDir)/share-\(share.recipient.value).bin") }
        print("dealt stage '\(roster.stage)': public key \(dealing.stageKey.publicKey.rawRepresentation.hexString)")
        print("wrote \(outDir)/dealing.bin, stage-key.bin and \(dealing.shares.count) sealed shares; the dealer kept nothing")
    }
}

struct AcceptShare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A member checks the dealing and its share, stores the share (0600) and signs the stage key it derived.",
        discussion: """
            Example (member 1):
              sealbid committee accept-share --roster roster.bin --id 1 \\
                --hpke-key m1.hpke --signing-key m1.sign --dealing dealt/dealing.bin \\
                --share dealt/share-1.bin --out-share m1.share \\
                --out-stage-key stage-key-1.bin --out-signature sig-1.bin
            """)
    @OptionGroup var roster: RosterOption
    @OptionGroup var member: MemberOptions
    @Option(help: "The dealer's signed dealing.") var dealing: String
    @Option(help: "The sealed share file for you.") var share: String
    @Option(help: "Output share key file.") var outShare: String
    @Option(help: "Output stage key file (what you derived; compare it with the published one).") var outStageKey: String
    @Option(help: "Output signature over that stage key (for 'confirm').") var outSignature: String

    func run() throws {
        let roster = try roster.load()
        let keys = try member.load()
        let sealed = try SealedShare(encoded: readBytes(share)), dealt = try DealingMessage(encoded: readBytes(dealing))
        let secret: SecretShare, stageKey: StageKey
        do {
            (secret, stageKey) = try TrustedDealer.receive(sealed, dealing: dealt, roster: roster, keys: keys)
        } catch .badDealerShare {
            try fail(
                with: .badDealerShare,
                complaints: { try TrustedDealer.complaint(about: sealed, dealing: dealt, roster: roster, keys: keys).map { [$0] } ?? [] },
                nextTo: outShare)
        }
        try KeyFile.write(secret.fileRepresentation(roster: roster), kind: .committeeShare, to: outShare, comment: "committee share: keep secret")
        try writeNew(stageKey.encoded, to: outStageKey)
        try writeNew(TranscriptSignature(stageKey: stageKey, keys: keys).encoded, to: outSignature)
        print("share verified against the dealing and written to \(outShare); stage key \(stageKey.digest.hexString) signed")
    }
}

// MARK: DKG

struct DKGRound1: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dkg-round1", abstract: "DKG round 1: commit and prove possession.",
        discussion: """
            Example (member 1):
              sealbid committee dkg-round1 --roster roster.bin --id 1 --hpke-key m1.hpke \\
                --signing-key m1.sign --state m1.state --out round1-1.bin
            """)
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
    static let configuration = CommandConfiguration(
        commandName: "dkg-round2", abstract: "DKG round 2: check round 1, seal a share to each other member.",
        discussion: """
            Example (member 1, with every member's round-1 package):
              sealbid committee dkg-round2 --roster roster.bin --id 1 --hpke-key m1.hpke \\
                --signing-key m1.sign --state m1.state --round1 round1-*.bin \\
                --out-dir sent-1
            """)
    @OptionGroup var roster: RosterOption
    @OptionGroup var member: MemberOptions
    @Option(help: "Your DKG state file.") var state: String
    @Option(parsing: .upToNextOption, help: "Every member's round-1 package.") var round1: [String]
    @Option(help: "Output directory for the sealed shares.") var outDir: String

    func run() throws {
        let roster = try roster.load()
        let keys = try member.load()
        let secret = try DKG.Round1Secret(fileRepresentation: KeyFile.read(state, kind: .dkgState), roster: roster, keys: keys)
        let shares = try DKG.round2(secret, packages: decodedMessages(round1, DKG.Round1Package.init(encoded:)))
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        for share in shares {
            try writeNew(share.encoded, to: "\(outDir)/dkg-share-\(share.sender)-to-\(share.recipient.value).bin")
        }
        print("sealed \(shares.count) shares into \(outDir)")
    }
}

struct DKGFinish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dkg-finish", abstract: "DKG finish: verify received shares (blaming senders), derive the share and stage key, sign the transcript.",
        discussion: """
            Example (member 1, with the shares members 2 and 3 sent it):
              sealbid committee dkg-finish --roster roster.bin --id 1 --hpke-key m1.hpke \\
                --signing-key m1.sign --state m1.state --round1 round1-*.bin \\
                --shares sent-2/dkg-share-2-to-1.bin sent-3/dkg-share-3-to-1.bin \\
                --out-share m1.share --out-stage-key stage-key-1.bin \\
                --out-signature sig-1.bin
            """)
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
        let packages = try decodedMessages(round1, DKG.Round1Package.init(encoded:))
        let received = try decodedMessages(shares, SealedShare.init(encoded:))
        let share: SecretShare, stageKey: StageKey
        do {
            (share, stageKey) = try DKG.finish(secret, packages: packages, shares: received)
        } catch .badShare(let culprits) {
            try fail(
                with: .badShare(culprits: culprits), complaints: { try DKG.complaints(secret, packages: packages, shares: received) },
                nextTo: outShare)
        }
        try KeyFile.write(share.fileRepresentation(roster: roster), kind: .committeeShare, to: outShare, comment: "committee share: keep secret")
        try writeNew(stageKey.encoded, to: outStageKey)
        try writeNew(TranscriptSignature(stageKey: stageKey, keys: keys).encoded, to: outSignature)
        // The polynomial is no longer needed and would give the share away: overwrite and remove it.
        let wiped = wipeAndRemove(state)
        print("stage public key \(stageKey.publicKey.rawRepresentation.hexString)")
        print("stage key \(stageKey.digest.hexString) signed into \(outSignature)")
        print(wiped ? "DKG state \(state) overwritten and removed" : "WARNING: could not overwrite and remove \(state): delete it yourself")
    }
}

struct Confirm: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that every member signed this stage key (no split view, no swapped stage key file).",
        discussion: """
            Example:
              sealbid committee confirm --roster roster.bin --stage-key stage-key.bin \\
                --signature sig-1.bin sig-2.bin sig-3.bin
            """)
    @OptionGroup var roster: RosterOption
    @OptionGroup var stageKey: StageKeyOption
    @Option(name: .customLong("signature"), parsing: .upToNextOption, help: "Every member's transcript signature.") var signatures: [String]

    func run() throws {
        let roster = try roster.load()
        let key = try stageKey.load(roster)
        try DKG.confirm(stageKey: key, signatures: decodedMessages(signatures, TranscriptSignature.init(encoded:)))
        print("confirmed: all \(roster.members.count) members signed stage key \(key.digest.hexString)")
    }
}

// MARK: Resharing

struct ReshareDeal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An old member deals its share to a new roster.",
        discussion: """
            Example (old member 1, towards the new roster):
              sealbid committee reshare-deal --roster roster.bin \\
                --stage-key stage-key.bin --id 1 --hpke-key m1.hpke \\
                --signing-key m1.sign --share m1.share --new-roster roster-2.bin \\
                --out reshare-1.bin
            """)
    @OptionGroup var roster: RosterOption
    @OptionGroup var stageKey: StageKeyOption
    @OptionGroup var member: MemberOptions
    @Option(help: "Your share key file.") var share: String
    @Option(help: "The new roster file.") var newRoster: String
    @Option(help: "Output resharing package.") var out: String

    func run() throws {
        let roster = try roster.load()
        let key = try stageKey.load(roster)
        let secret = try SecretShare(fileRepresentation: KeyFile.read(share, kind: .committeeShare), roster: roster)
        let package = try Resharing.deal(
            share: secret, keys: member.load(), oldKey: key, newRoster: CommitteeRoster(encoded: readBytes(newRoster)))
        try writeNew(package.encoded, to: out)
        print("resharing package from \(secret.id) in \(out)")
    }
}

struct ReshareReceive: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A new member combines resharing packages into its new share.",
        discussion: """
            Example (new member 4, with packages from at least t old members):
              sealbid committee reshare-receive --roster roster.bin \\
                --stage-key stage-key.bin --id 4 --hpke-key m4.hpke \\
                --signing-key m4.sign --new-roster roster-2.bin \\
                --package reshare-1.bin reshare-2.bin --out-share m4.share \\
                --out-stage-key new-stage-key-4.bin --out-signature new-sig-4.bin
            """)
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
        let packages = try decodedMessages(package, Resharing.Package.init(encoded:))
        let share: SecretShare, newKey: StageKey
        do {
            (share, newKey) = try Resharing.receive(packages: packages, oldKey: oldKey, newRoster: newRoster, keys: keys)
        } catch .badShare(let culprits) {
            try fail(
                with: .badShare(culprits: culprits),
                complaints: { try Resharing.complaints(packages: packages, oldKey: oldKey, newRoster: newRoster, keys: keys) },
                nextTo: outShare)
        }
        try KeyFile.write(share.fileRepresentation(roster: newRoster), kind: .committeeShare, to: outShare, comment: "committee share: keep secret")
        try writeNew(newKey.encoded, to: outStageKey)
        try writeNew(TranscriptSignature(stageKey: newKey, keys: keys).encoded, to: outSignature)
        print("new share for \(keys.id); the public key is unchanged: \(newKey.publicKey.rawRepresentation.hexString)")
    }
}

/// Overwrites a secret file with zeros, flushes it and removes it. (On copy-on-write or
/// journaling file systems and SSDs the old blocks may survive: keep such state on encrypted
/// storage.)
func wipeAndRemove(_ path: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
    guard fd >= 0 else { return false }
    var info = stat()
    var ok = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    if ok {
        let zeros = [UInt8](repeating: 0, count: 4096)
        var done = 0
        while ok, done < Int(info.st_size) {
            let n = zeros.withUnsafeBytes { pwrite(fd, $0.baseAddress, min(4096, Int(info.st_size) - done), off_t(done)) }
            if n < 0, errno == EINTR { continue }
            ok = n > 0
            done += max(n, 0)
        }
        ok = ok && fsync(fd) == 0
    }
    close(fd)
    return ok && unlink(path) == 0
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a roster, and the stage key made for it; optionally write the stage's public key file.",
        discussion: """
            Prints the roster's committee, stage, threshold, ceremony nonce, digest and members \
            (with their keys' SHA-256 fingerprints), and with --stage-key the stage's public key \
            and transcript hash. --out-public-key writes the stage's HPKE public key as a key file \
            (sealbid-hpke-public-v1): what bidders seal to, when they seal without a descriptor.

            Example:
              sealbid committee show --roster roster.bin --stage-key stage-key.bin \\
                --out-public-key technical.pub
            """)
    @Option(help: "The roster file.") var roster: String
    @Option(help: "The stage key file made for it (confirmed with 'confirm').") var stageKey: String?
    @Option(help: "Write the stage's HPKE public key file (needs --stage-key).") var outPublicKey: String?

    func validate() throws {
        guard outPublicKey == nil || stageKey != nil else { throw ValidationError("--out-public-key needs --stage-key") }
    }

    func run() throws {
        let parsed = try CommitteeRoster(encoded: readBytes(roster, limit: 1 << 20))
        print("roster: committee \(parsed.committee), stage \(parsed.stage), \(parsed.threshold)-of-\(parsed.members.count)")
        print("  ceremony \(parsed.ceremony.hexString), digest \(parsed.digest.hexString)")
        print("  \(parsed.dealerKey.map { "dealer key \(SHA256.hash($0.rawRepresentation).hexString.prefix(16))…" } ?? "dealerless (DKG)")")
        for card in parsed.members {
            print("  member \(card.id.value): HPKE \(SHA256.hash(card.encryptionKey.rawRepresentation).hexString.prefix(16))…, Ed25519 \(SHA256.hash(card.signingKey.rawRepresentation).hexString.prefix(16))…")
        }
        guard let stageKey else { return }
        let key = try StageKey(encoded: readBytes(stageKey, limit: 1 << 20), roster: parsed)
        print("stage key: \(key.publicKey.rawRepresentation.hexString)")
        print("  transcript \(key.transcriptHash.hexString)")
        if let outPublicKey {
            try KeyFile.write(
                SecureBytes(copying: key.publicKey.rawRepresentation), kind: .hpkePublic, to: outPublicKey,
                comment: "stage \(parsed.stage) of \(parsed.committee): HPKE public key")
            print("wrote \(outPublicKey)")
        }
    }
}
