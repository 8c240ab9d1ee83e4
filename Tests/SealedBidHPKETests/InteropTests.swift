import Foundation
import Testing

import SealedBidHPKE
import SealedBidPrimitives

/// Interoperability with an independent HPKE implementation (pyhpke, from
/// PyPI, in the virtual environment `scripts/test` prepares). Under CI=true a
/// missing judge is a failure; elsewhere the tests say so loudly.
@Suite("HPKE interoperability with pyhpke")
struct HPKEInteropTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var python: URL? {
        if let path = ProcessInfo.processInfo.environment["SEALEDBID_PYTHON"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let venv = packageRoot.appendingPathComponent(".build/interop-venv/bin/python")
        return FileManager.default.isExecutableFile(atPath: venv.path) ? venv : nil
    }

    static func judge(_ arguments: [String]) throws -> [String: String]? {
        guard let python else {
            let message = "INTEROP JUDGE MISSING: run ./scripts/test (it prepares .build/interop-venv with pyhpke) or set SEALEDBID_PYTHON"
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record(Comment(rawValue: message))
            } else {
                print(message)
            }
            return nil
        }
        let process = Process()
        process.executableURL = python
        process.arguments = [packageRoot.appendingPathComponent("Tests/Interop/hpke_judge.py").path] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "pyhpke judge failed")
        return try JSONDecoder().decode([String: String].self, from: data)
    }

    let recipient = HPKE.PrivateKey()
    let info = Array("sealbid interop|tender-7|bidder-3|price".utf8)
    let aad = Array("header".utf8)

    @Test("pyhpke opens what SealedBid seals")
    func pyhpkeOpensOurs() throws {
        let bidKey = SecureRandom.bytes(count: 32)
        let (enc, ciphertext) = try HPKE.seal(bidKey, to: recipient.publicKey, info: info, authenticating: aad)
        guard
            let result = try Self.judge([
                "open", recipient.rawRepresentation.hexString, enc.rawRepresentation.hexString, info.hexString,
                aad.hexString, ciphertext.hexString,
            ])
        else { return }
        #expect(result["pt"] == bidKey.hexString)
    }

    @Test("SealedBid opens what pyhpke seals, directly and from an external DH value")
    func weOpenPyhpke() throws {
        let bidKey = SecureRandom.bytes(count: 32)
        guard
            let result = try Self.judge([
                "seal", recipient.publicKey.rawRepresentation.hexString, info.hexString, aad.hexString, bidKey.hexString,
            ])
        else { return }
        let enc = try HPKE.EncapsulatedKey(rawRepresentation: Hex.decode(try #require(result["enc"])))
        let ciphertext = try Hex.decode(try #require(result["ct"]))
        #expect(try HPKE.open(ciphertext, encapsulatedKey: enc, with: recipient, info: info, authenticating: aad) == bidKey)
        let dh = try enc.publicKey.point.sharedSecret(privateScalar: recipient.scalar)
        var external = try HPKE.Recipient(encapsulatedKey: enc, recipientKey: recipient.publicKey, sharedDH: dh, info: info)
        #expect(try external.open(ciphertext, authenticating: aad) == bidKey)
    }
}
