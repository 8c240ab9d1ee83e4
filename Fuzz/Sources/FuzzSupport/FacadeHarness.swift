import Foundation
import SealedBid
import SealedBidCommittee
import SealedBidHPKE
import SealedBidKeyFiles
import SealedBidPrimitives

/// Key files, opening reports and the bidder registry.
enum FacadeHarness {
    // MARK: Key files

    /// Key files are read from a path: the input is written to a scratch file
    /// and read as every kind, then through every typed helper.
    static func keyFile(_ bytes: [UInt8]) {
        let path = World.scratchPath
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { fatalError("cannot write \(path)") }
        defer { unlink(path) }
        for kind in KeyFile.Kind.allCases { _ = try? KeyFile.read(path, kind: kind) }
        _ = try? KeyFile.hpkePrivateKey(path)
        _ = try? KeyFile.hpkePublicKey(path)
        _ = try? KeyFile.ed25519PrivateKey(path)
        _ = try? KeyFile.ed25519PublicKey(path)
    }

    static func keyFileSeeds() throws -> [[UInt8]] {
        let directory = World.scratchPath + "-keys"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try KeyFile.writePair(hpke: World.committeeKey, to: directory + "/hpke")
        try KeyFile.writePair(ed25519: World.bidderKey, to: directory + "/ed25519")
        try KeyFile.write(World.envelopeKey, kind: .envelopeKey, to: directory + "/envelope")
        let world = World.committee
        try KeyFile.write(world.shares[0].fileRepresentation(roster: World.roster), kind: .committeeShare, to: directory + "/share")
        try KeyFile.write(world.dkgSecret.fileRepresentation, kind: .dkgState, to: directory + "/dkg", comment: "a comment")
        return try FileManager.default.contentsOfDirectory(atPath: directory).sorted().map {
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0)))
        }
    }

    // MARK: Opening reports

    static func openingReport(_ bytes: [UInt8]) {
        guard let report = try? JSONDecoder().decode(OpeningReport.self, from: Data(bytes)) else { return }
        _ = report.markdown
        _ = try? report.signedMessage()
        _ = try? report.verify(roster: World.roster)
        _ = try? report.verify(roster: World.roster, required: [1, 2, 3])
        _ = report.line(for: "FUZZ-BIDDER")
        if let json = try? report.json {
            Fuzz.require((try? JSONDecoder().decode(OpeningReport.self, from: json)) == report, "a report reads back what it wrote")
        }
    }

    static func openingReportSeeds() throws -> [[UInt8]] {
        let text = """
            {"format":"sealbid-opening-report-v1","tender":"LPSE-FUZZ-0001","stage":"technical",
             "closingCheckpoint":{"origin":"fuzz.example/log/LPSE-FUZZ-0001","size":3,"rootHash":"\(World.bytes("root").hex)"},
             "mode":"threshold","participants":[1,2],"culprits":[3],
             "lines":[{"bidder":"FUZZ-BIDDER","logIndex":0,"bidDigest":"\(World.bytes("bid").hex)","signature":"valid",
                       "envelope":"technical","result":"opened","plaintextSHA256":"\(World.bytes("plain").hex)","plaintextLength":1000},
                      {"bidder":"OTHER","logIndex":2,"bidDigest":"\(World.bytes("bid2").hex)","signature":"valid",
                       "envelope":"technical","result":"failed: payload-authentication-failed"}],
             "signatures":[]}
            """
        var report = try JSONDecoder().decode(OpeningReport.self, from: Data(text.utf8))
        let unsigned = [UInt8](try report.json)
        for keys in World.members.prefix(2) { try report.sign(with: keys) }
        return [Array(text.utf8), unsigned, [UInt8](try report.json)]
    }

    // MARK: Bidder registry

    static func bidderRegistry(_ bytes: [UInt8]) {
        guard let registry = try? BidderRegistry(text: String(decoding: bytes, as: UTF8.self)) else { return }
        for bidder in Set(registry.ed25519Keys.keys).union(registry.x509Subjects.keys) {
            let policy = registry.policy(for: bidder, x509Roots: [])
            Fuzz.require(policy.ed25519Keys != nil && policy.x509Subjects != nil, "a registered bidder's policy pins its identities")
        }
    }

    static func bidderRegistrySeeds() throws -> [[UInt8]] {
        let text = """
            # sealbid bidder registry v1
            FUZZ-BIDDER ed25519 \(World.bidderKey.publicKey.rawRepresentation.hex)
            PT-MAJU x509-subject CN=PT Maju Jaya,serialNumber=NPWP 01.234.567.8,C=ID

            FUZZ-BIDDER x509-subject CN=Fuzz Bidder\r
            """
        return [Array(text.utf8)]
    }
}
