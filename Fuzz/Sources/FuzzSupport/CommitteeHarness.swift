import Foundation
import SealedBidCommittee
import SealedBidHPKE
import SealedBidPrimitives

/// Every committee message decoder, each followed by the protocol step that
/// consumes the message, against the fixed committee of ``World``.
enum CommitteeHarness {
    static var world: World.Committee { World.committee }

    static func roster(_ bytes: [UInt8]) {
        guard let roster = try? CommitteeRoster(encoded: bytes) else { return }
        Fuzz.require(roster.encoded == bytes, "a roster re-encodes to its input")
        _ = roster.digest
        for id in roster.ids { _ = try? roster.card(id) }
        if let stageKey = try? StageKey(encoded: world.dealing.encoded, roster: roster) {
            Fuzz.require(roster == World.roster, "the stage key of one roster decoded for another")
            _ = stageKey.publicKey
        }
    }

    static func rosterSeeds() throws -> [[UInt8]] {
        var seeds = [World.roster.encoded, World.newRoster.encoded]
        for vector in Vectors.json(in: "TestVectors/committee") {
            if let hex = vector["roster"] as? String, let roster = try? Hex.decode(hex) { seeds.append(roster) }
        }
        return seeds
    }

    static func stageKey(_ bytes: [UInt8]) {
        guard let key = try? StageKey(encoded: bytes, roster: World.roster) else { return }
        Fuzz.require(key.encoded == bytes, "a stage key re-encodes to its input")
        _ = key.publicKey
        for id in World.roster.ids { _ = try? key.verificationShare(id) }
        for share in world.shares { _ = try? key.commitment.verify(share) }
        _ = try? DKG.confirm(stageKey: key, signatures: world.transcriptSignatures)
        _ = try? ThresholdCombiner.combine(stageKey: key, encapsulatedKeys: World.encapsulatedKeys, contributions: world.decryptionShares)
    }

    static func stageKeySeeds() throws -> [[UInt8]] {
        [world.dealing.encoded, world.dkgKey.encoded]
    }

    static func sealedShare(_ bytes: [UInt8]) {
        guard let sealed = try? SealedShare(encoded: bytes) else { return }
        Fuzz.require(sealed.encoded == bytes, "a sealed share re-encodes to its input")
        for keys in World.members {
            if let share = try? TrustedDealer.receive(sealed, stageKey: world.dealing, keys: keys) {
                Fuzz.require(share.id == keys.id && (try? world.dealing.commitment.verify(share)) == true, "a received share verifies")
            }
        }
        // As a DKG share from its sender to member 1.
        _ = try? DKG.finish(world.dkgSecret, packages: world.dkgPackages, shares: world.dkgShares.filter { $0.sender != sealed.sender } + [sealed])
    }

    static func sealedShareSeeds() throws -> [[UInt8]] {
        world.dealtShares.map(\.encoded) + world.dkgShares.map(\.encoded)
    }

    static func dkgRound1(_ bytes: [UInt8]) {
        guard let package = try? DKG.Round1Package(encoded: bytes) else { return }
        Fuzz.require(package.encoded == bytes, "a round-1 package re-encodes to its input")
        // In place of its member's package (or beside all of them).
        let packages = world.dkgPackages.filter { $0.member != package.member } + [package]
        _ = try? DKG.round2(world.dkgSecret, packages: packages)
        _ = try? DKG.finish(world.dkgSecret, packages: packages, shares: world.dkgShares)
        _ = try? DKG.finish(world.dkgSecret, packages: world.dkgPackages + [package], shares: world.dkgShares)
    }

    static func dkgRound1Seeds() throws -> [[UInt8]] {
        world.dkgPackages.map(\.encoded)
    }

    static func decryptionShares(_ bytes: [UInt8]) {
        guard let shares = try? DecryptionShares(encoded: bytes) else { return }
        Fuzz.require(shares.encoded == bytes, "decryption shares re-encode to their input")
        _ = try? shares.verify(stageKey: world.dealing)
        let others = world.decryptionShares.filter { $0.member != shares.member }
        for contributions in [[shares] + others, [shares] + others.prefix(1), [shares, shares]] {
            guard let result = try? ThresholdCombiner.combine(
                stageKey: world.dealing, encapsulatedKeys: World.encapsulatedKeys, contributions: contributions)
            else { continue }
            Fuzz.require(result.sharedSecrets.count == World.encapsulatedKeys.count, "one secret per envelope")
        }
    }

    static func decryptionSharesSeeds() throws -> [[UInt8]] {
        var seeds = world.decryptionShares.map(\.encoded)
        seeds.append(try DecryptionShares.create(share: world.shares[0], stageKey: world.dealing, encapsulatedKeys: [World.encapsulatedKeys[1]]).encoded)
        for vector in Vectors.json(in: "TestVectors/committee") {
            for hex in vector["decryption_shares"] as? [String] ?? [] { if let bytes = try? Hex.decode(hex) { seeds.append(bytes) } }
        }
        return seeds
    }

    static func transcriptSignature(_ bytes: [UInt8]) {
        guard let signature = try? TranscriptSignature(encoded: bytes) else { return }
        Fuzz.require(signature.encoded == bytes, "a transcript signature re-encodes to its input")
        let others = world.transcriptSignatures.filter { $0.member != signature.member }
        _ = try? DKG.confirm(stageKey: world.dkgKey, signatures: others + [signature])
        _ = try? DKG.confirm(stageKey: world.dkgKey, signatures: world.transcriptSignatures + [signature])
    }

    static func transcriptSignatureSeeds() throws -> [[UInt8]] {
        var seeds = world.transcriptSignatures.map(\.encoded)
        for vector in Vectors.json(in: "TestVectors/committee") {
            for hex in vector["signatures"] as? [String] ?? [] { if let bytes = try? Hex.decode(hex) { seeds.append(bytes) } }
        }
        return seeds
    }

    static func resharing(_ bytes: [UInt8]) {
        guard let package = try? Resharing.Package(fileRepresentation: bytes) else { return }
        Fuzz.require(package.fileRepresentation == bytes, "a resharing package re-encodes to its input")
        let others = world.resharing.filter { $0.from != package.from }
        for keys in World.newMembers.prefix(2) {
            _ = try? Resharing.receive(packages: others + [package], oldKey: world.dealing, newRoster: World.newRoster, keys: keys)
        }
        _ = try? Resharing.receive(
            packages: world.resharing + [package], oldKey: world.dealing, newRoster: World.newRoster, keys: World.newMembers[2])
    }

    static func resharingSeeds() throws -> [[UInt8]] {
        world.resharing.map(\.fileRepresentation)
    }

    /// Input: one byte choosing the file kind, then the file's payload:
    /// even, a released share (`sealbid-committee-share-v1`); odd, a DKG state.
    static func secretShare(_ bytes: [UInt8]) {
        guard let kind = bytes.first else { return }
        let payload = SecureBytes(copying: Array(bytes.dropFirst()))
        if kind % 2 == 0 {
            guard let share = try? SecretShare(fileRepresentation: payload, roster: World.roster) else { return }
            Fuzz.require(share.fileRepresentation(roster: World.roster) == payload, "a share file re-encodes to its input")
            _ = try? world.dealing.commitment.verify(share)
        } else {
            guard let secret = try? DKG.Round1Secret(fileRepresentation: payload, roster: World.roster, keys: World.members[0]) else {
                return
            }
            Fuzz.require(secret.fileRepresentation == payload, "a DKG state re-encodes to its input")
            _ = try? DKG.round2(secret, packages: world.dkgPackages)
            _ = try? DKG.finish(secret, packages: world.dkgPackages, shares: world.dkgShares)
        }
    }

    static func secretShareSeeds() throws -> [[UInt8]] {
        var seeds = world.shares.map { [0] + $0.fileRepresentation(roster: World.roster).withUnsafeBytes { Array($0) } }
        seeds.append([1] + world.dkgSecret.fileRepresentation.withUnsafeBytes { Array($0) })
        for vector in Vectors.json(in: "TestVectors/committee") {
            for hex in vector["released_shares"] as? [String] ?? [] { if let bytes = try? Hex.decode(hex) { seeds.append([0] + bytes) } }
            if let hex = vector["dkg_state"] as? String, let bytes = try? Hex.decode(hex) { seeds.append([1] + bytes) }
        }
        return seeds
    }
}
