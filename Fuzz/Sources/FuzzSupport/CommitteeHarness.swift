import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidHPKE
import SealedBidPrimitives

/// Every committee message decoder, each followed by the protocol step that
/// consumes the message, against the fixed committee of ``World`` and the
/// opening of its tender (``TenderWorld``).
enum CommitteeHarness {
    static var world: World.Committee { World.committee }
    static var opened: TenderWorld { World.opened }

    // MARK: Rosters and stage keys

    static func roster(_ bytes: [UInt8]) {
        guard let roster = try? CommitteeRoster(encoded: bytes) else { return }
        Fuzz.require(roster.encoded == bytes, "a roster re-encodes to its input")
        _ = roster.digest
        for id in roster.ids { _ = try? roster.card(id) }
        // Stage keys and dealings bind their roster's digest: the world's decode only for their own roster.
        for (key, owner) in [(world.dealtKey, World.roster), (world.dkgKey, World.dkgRoster)] {
            if let stageKey = try? StageKey(encoded: key.encoded, roster: roster) {
                Fuzz.require(roster == owner, "the stage key of one roster decoded for another")
                _ = stageKey.publicKey
            }
        }
        for keys in World.members {
            guard let sealed = world.dealtShares.first(where: { $0.recipient == keys.id }),
                (try? TrustedDealer.receive(sealed, dealing: world.dealing, roster: roster, keys: keys)) != nil
            else { continue }
            Fuzz.require(roster == World.roster, "a dealing received for another roster")
        }
    }

    static func rosterSeeds() throws -> [[UInt8]] {
        World.rosters.map(\.encoded) + vectorMessages("roster")
    }

    static func stageKey(_ bytes: [UInt8]) {
        for roster in World.rosters {
            guard let key = try? StageKey(encoded: bytes, roster: roster) else { continue }
            Fuzz.require(key.encoded == bytes, "a stage key re-encodes to its input")
            _ = (key.publicKey, key.digest)
            for id in roster.ids { _ = try? key.verificationShare(id) }
            for share in world.shares { _ = try? key.commitment.verify(share) }
            if (try? Confirmation.confirm(stageKey: key, signatures: world.dealtSignatures + world.transcriptSignatures)) != nil {
                Fuzz.require(key == world.dealtKey || key == world.dkgKey, "the members confirmed a stage key none of them signed")
            }
            if let combined = try? ThresholdCombiner.combine(
                stageKey: key, openingID: opened.openingID, encapsulatedKeys: opened.encapsulatedKeys,
                contributions: opened.decryptionShares)
            {
                Fuzz.require(combined.sharedSecrets.map(\.plain) == opened.sharedSecrets, "a combination gives the envelopes' DH values")
            }
            if let result = try? Reconstruction.reconstruct(stageKey: key, openingID: opened.openingID, released: opened.released) {
                Fuzz.require(result.privateKey.publicKey == key.publicKey, "a reconstruction gives the stage key's private key")
            }
        }
    }

    static func stageKeySeeds() throws -> [[UInt8]] {
        let reshared = try Resharing.receive(
            packages: world.resharing, oldKey: world.dealtKey, newRoster: World.newRoster, keys: World.newMembers[0])
        return [world.dealtKey.encoded, world.dkgKey.encoded, reshared.stageKey.encoded]
    }

    // MARK: Dealings

    /// The dealer's signed dealing, received by every member with its own sealed share.
    static func dealing(_ bytes: [UInt8]) {
        guard let dealing = try? DealingMessage(encoded: bytes) else { return }
        Fuzz.require(dealing.encoded == bytes, "a dealing re-encodes to its input")
        let signed = dealing.isSigned(by: World.dealerKey.publicKey)
        for keys in World.members {
            guard let sealed = world.dealtShares.first(where: { $0.recipient == keys.id }),
                case let (share, key)? = try? TrustedDealer.receive(sealed, dealing: dealing, roster: World.roster, keys: keys)
            else { continue }
            Fuzz.require(
                signed && key == world.dealtKey && share.id == keys.id && (try? key.commitment.verify(share)) == true,
                "only the dealer's own dealing gives a stage key")
            _ = try? Confirmation.confirm(stageKey: key, signatures: world.dealtSignatures)
        }
    }

    static func dealingSeeds() throws -> [[UInt8]] {
        [world.dealing.encoded] + vectorMessages("dealing")
    }

    static func sealedShare(_ bytes: [UInt8]) {
        guard let sealed = try? SealedShare(encoded: bytes) else { return }
        Fuzz.require(sealed.encoded == bytes, "a sealed share re-encodes to its input")
        for keys in World.members {
            guard case let (share, key)? = try? TrustedDealer.receive(sealed, dealing: world.dealing, roster: World.roster, keys: keys) else {
                continue
            }
            Fuzz.require(
                share.id == keys.id && key == world.dealtKey && (try? key.commitment.verify(share)) == true, "a received share verifies")
        }
        // As a DKG share to member 1, in place of the one from its sender.
        let shares = world.dkgShares.filter { $0.sender != sealed.sender || $0.recipient != sealed.recipient } + [sealed]
        if case let (_, key)? = try? DKG.finish(world.dkgSecret, packages: world.dkgPackages, shares: shares) {
            Fuzz.require(key == world.dkgKey, "a DKG finishes with the key of its packages")
        }
    }

    static func sealedShareSeeds() throws -> [[UInt8]] {
        var seeds = (world.dealtShares + world.dkgShares + world.resharing.flatMap(\.shares)).map(\.encoded)
        seeds += vectorMessages("sealed_share") + vectorMessages("shares")
        return seeds
    }

    // MARK: Complaints

    /// A complaint, judged against the world's DKG, dealing and resharing: every share there is
    /// honest, so no verdict may uphold a complaint against one of them (nobody can be framed).
    static func complaint(_ bytes: [UInt8]) {
        guard let complaint = try? Complaint(encoded: bytes) else { return }
        Fuzz.require(complaint.encoded == bytes, "a complaint re-encodes to its input")
        let honest = Set((world.dkgShares + world.dealtShares + world.resharing.flatMap(\.shares)).map(\.encoded))
        let verdicts = [
            try? complaint.judge(roster: World.dkgRoster, round1: world.dkgPackages),
            try? complaint.judge(roster: World.roster, dealing: world.dealing),
            try? complaint.judge(oldKey: world.dealtKey, newRoster: World.newRoster, packages: world.resharing),
        ]
        for verdict in verdicts.compactMap({ $0 }) where verdict.upheld {
            Fuzz.require(!honest.contains(complaint.sealedShare.encoded), "no complaint upholds a charge against an honest share")
        }
    }

    /// The vectors' complaints, and a true one made with the public API: member 2 signs a share
    /// for member 1 whose ciphertext does not open, and member 1 complains.
    static func complaintSeeds() throws -> [[UInt8]] {
        let real = world.dkgShares.first { $0.sender == 2 && $0.recipient == World.members[0].id }!
        var body = Array(real.encoded.dropLast(64))
        body[5 + 32 + 4 + 65] ^= 1  // the first ciphertext byte
        let label = Array("sealbid/committee-v1 message".utf8) + [0]
        let bad = try SealedShare(encoded: body + World.members[1].signingKey.signature(for: label + body).rawRepresentation)
        let shares = world.dkgShares.filter { $0 != real } + [bad]
        let made = try DKG.complaints(world.dkgSecret, packages: world.dkgPackages, shares: shares)
        return made.map(\.encoded) + vectorMessages("message").filter { $0.count > 4 && $0[4] == 0x0A }
    }

    // MARK: DKG

    static func dkgRound1(_ bytes: [UInt8]) {
        guard let package = try? DKG.Round1Package(encoded: bytes) else { return }
        Fuzz.require(package.encoded == bytes, "a round-1 package re-encodes to its input")
        // In place of its member's package (or beside all of them).
        let packages = world.dkgPackages.filter { $0.member != package.member } + [package]
        _ = try? DKG.round2(world.dkgSecret, packages: packages)
        for candidates in [packages, world.dkgPackages + [package]] {
            if case let (_, key)? = try? DKG.finish(world.dkgSecret, packages: candidates, shares: world.dkgShares) {
                Fuzz.require(key == world.dkgKey, "only the members' own packages finish the DKG")
            }
        }
    }

    static func dkgRound1Seeds() throws -> [[UInt8]] {
        world.dkgPackages.map(\.encoded) + vectorMessages("round1")
    }

    static func transcriptSignature(_ bytes: [UInt8]) {
        guard let signature = try? TranscriptSignature(encoded: bytes) else { return }
        Fuzz.require(signature.encoded == bytes, "a transcript signature re-encodes to its input")
        for (key, signatures) in [(world.dkgKey, world.transcriptSignatures), (world.dealtKey, world.dealtSignatures)] {
            let others = signatures.filter { $0.member != signature.member }
            _ = try? Confirmation.confirm(stageKey: key, signatures: others + [signature])
            // Beside every member's real signature, no other can spoil the confirmation.
            Fuzz.require(
                (try? Confirmation.confirm(stageKey: key, signatures: signatures + [signature])) != nil,
                "a signature nobody made spoils a confirmation")
        }
    }

    static func transcriptSignatureSeeds() throws -> [[UInt8]] {
        (world.transcriptSignatures + world.dealtSignatures).map(\.encoded) + vectorMessages("signatures")
    }

    static func resharing(_ bytes: [UInt8]) {
        guard let package = try? Resharing.Package(encoded: bytes) else { return }
        Fuzz.require(package.encoded == bytes, "a resharing package re-encodes to its input")
        let others = world.resharing.filter { $0.from != package.from }
        for (index, keys) in World.newMembers.enumerated() {
            let packages = index < 2 ? others + [package] : world.resharing + [package]
            guard case let (_, key)? = try? Resharing.receive(packages: packages, oldKey: world.dealtKey, newRoster: World.newRoster, keys: keys)
            else { continue }
            Fuzz.require(key.publicKey == world.dealtKey.publicKey, "a resharing keeps the public key")
        }
    }

    static func resharingSeeds() throws -> [[UInt8]] {
        world.resharing.map(\.encoded)
    }

    /// Input: one byte choosing the file kind, then the file's payload:
    /// even, a member's share (`sealbid-committee-share-v1`); odd, a DKG state.
    static func secretShare(_ bytes: [UInt8]) {
        guard let kind = bytes.first else { return }
        let payload = SecureBytes(copying: Array(bytes.dropFirst()))
        if kind % 2 == 0 {
            guard let share = try? SecretShare(fileRepresentation: payload, roster: World.roster) else { return }
            Fuzz.require(share.fileRepresentation(roster: World.roster) == payload, "a share file re-encodes to its input")
            _ = try? world.dealtKey.commitment.verify(share)
        } else {
            guard let secret = try? DKG.Round1Secret(fileRepresentation: payload, roster: World.dkgRoster, keys: World.members[0]) else {
                return
            }
            Fuzz.require(secret.fileRepresentation == payload, "a DKG state re-encodes to its input")
            _ = try? DKG.round2(secret, packages: world.dkgPackages)
            if case let (_, key)? = try? DKG.finish(secret, packages: world.dkgPackages, shares: world.dkgShares) {
                Fuzz.require(key == world.dkgKey, "only the member's own state finishes its DKG")
            }
        }
    }

    static func secretShareSeeds() throws -> [[UInt8]] {
        var seeds = world.shares.map { [0] + $0.fileRepresentation(roster: World.roster).plain }
        seeds.append([1] + world.dkgSecret.fileRepresentation.plain)
        seeds += vectorMessages("dkg_state").map { [1] + $0 }
        return seeds
    }

    // MARK: The opening's messages

    /// A member's decryption shares for the world's opening, combined with the others'.
    static func decryptionShares(_ bytes: [UInt8]) {
        let signer = DecryptionShares.signer(ofUndecodable: bytes, roster: World.roster, openingID: opened.openingID)
        let others = opened.decryptionShares
        guard let shares = try? DecryptionShares(encoded: bytes) else {
            // Read as the opening reads the members' files: a signed file that does not decode is its member's fault.
            if let signer, let outcome = try? opened.opening.outcome(ofEncodedShares: [bytes] + others.map(\.encoded)) {
                Fuzz.require(outcome.culprits == [signer], "a signed undecodable file names its member")
            }
            return
        }
        Fuzz.require(shares.encoded == bytes, "decryption shares re-encode to their input")
        let signed = TenderWorld.signingKey(shares.member.value).map(shares.isSigned) ?? false
        let forThisOpening = signed && shares.rosterDigest == World.roster.digest && shares.openingID == opened.openingID
        Fuzz.require(signer == (forThisOpening ? shares.member : nil), "the opening and the decoder agree on who signed a file")
        _ = try? shares.verify(stageKey: opened.stageKey)
        let rest = others.filter { $0.member != shares.member }
        // The files as they arrived, and the decoded contributions: one judgement. Only the
        // fuzzed contribution can be wrong, and only if its member signed it.
        let direct = Result { () throws(CommitteeError) in
            try ThresholdCombiner.outcome(
                stageKey: opened.stageKey, openingID: opened.openingID, encapsulatedKeys: opened.encapsulatedKeys, contributions: [shares] + rest)
        }
        let files = try? opened.opening.outcome(ofEncodedShares: [bytes] + rest.map(\.encoded))
        Fuzz.require(files == (try? direct.get()), "the opening judges files as the combiner judges contributions")
        if let outcome = try? direct.get() { Fuzz.require(outcome.culprits.allSatisfy { $0 == shares.member && forThisOpening }, "blame") }
        for contributions in [[shares] + rest.prefix(1), [shares, shares]] {
            guard let result = try? ThresholdCombiner.combine(
                stageKey: opened.stageKey, openingID: opened.openingID, encapsulatedKeys: opened.encapsulatedKeys,
                contributions: contributions)
            else { continue }
            Fuzz.require(result.sharedSecrets.map(\.plain) == opened.sharedSecrets, "a combination gives the envelopes' DH values")
        }
    }

    static func decryptionSharesSeeds() throws -> [[UInt8]] {
        opened.decryptionShares.map(\.encoded) + vectorMessages("decryption_shares")
    }

    /// A member's share released for the world's opening, reconstructed with the others'.
    static func releasedShare(_ bytes: [UInt8]) {
        guard let released = try? ReleasedShare(encoded: SecureBytes(copying: bytes)) else { return }
        Fuzz.require(released.encoded.plain == bytes, "a released share re-encodes to its input")
        let signed = TenderWorld.signingKey(released.share.id.value).map(released.isSigned) ?? false
        let rest = opened.released.filter { $0.share.id != released.share.id }
        // An unsigned share, or one for another opening, is ignored: only its member's signed share can be blamed.
        if let outcome = try? opened.opening.outcome(ofReleased: [released] + rest) {
            Fuzz.require(outcome.culprits.allSatisfy { $0 == released.share.id && signed }, "a released share nobody signed blames someone")
        }
        if let result = try? Reconstruction.reconstruct(stageKey: opened.stageKey, openingID: opened.openingID, released: [released] + rest.prefix(1)) {
            Fuzz.require(result.privateKey.publicKey == opened.stageKey.publicKey, "a reconstruction gives the stage key's private key")
        }
    }

    static func releasedShareSeeds() throws -> [[UInt8]] {
        opened.released.map(\.encoded.plain) + vectorMessages("released_shares")
    }

    // MARK: Vectors

    /// Every hex message under `key` (a string or a list of strings) in the project's committee vectors.
    static func vectorMessages(_ key: String) -> [[UInt8]] {
        Vectors.json(in: "TestVectors/committee").flatMap { vector -> [[UInt8]] in
            let values = (vector[key] as? [String]) ?? (vector[key] as? String).map { [$0] } ?? []
            return values.compactMap { try? Hex.decode($0) }
        }
    }
}
