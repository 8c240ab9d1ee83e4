import Foundation
import SealedBidPrimitives

/// Ed25519 suites: the CCTV edge cases (checked flag by flag against the
/// written policy), RFC 8032 §7.1 and djb's 1024 sign/verify vectors.
enum Ed25519Suites {
    struct CCTVVector: Decodable {
        let number: Int
        let key: String
        let sig: String
        let msg: String
        let flags: [String]?
    }

    /// The flags whose presence makes SealedBid's policy reject a vector
    /// (docs/spec/primitives-v1.md, "Ed25519 verification policy").
    static let rejectedFlags: Set<String> = [
        "low_order_A", "low_order_R", "non_canonical_A", "non_canonical_R", "low_order_residue",
    ]

    static func cctv(_ url: URL, into report: inout SuiteReport) throws {
        let vectors = try VectorFiles.decode([CCTVVector].self, from: url)
        for v in vectors {
            let flags = Set(v.flags ?? [])
            let expectAccept = flags.isDisjoint(with: rejectedFlags)
            let accepted = !rejects {
                try Ed25519PublicKey(rawRepresentation: hex(v.key, "key"))
                    .verify(Ed25519Signature(rawRepresentation: hex(v.sig, "sig")), for: Array(v.msg.utf8))
            }
            report.decide(accepted ? "accepted" : "rejected")
            report.record(
                accepted == expectAccept,
                "vector \(v.number) flags \(flags.sorted()): policy says \(expectAccept ? "accept" : "reject")")
        }
    }

    struct RFC8032File: Decodable {
        struct Test: Decodable {
            let name: String
            let secret_key: String
            let public_key: String
            let message: String
            let signature: String
        }
        let tests: [Test]
    }

    static func rfc8032(_ url: URL, into report: inout SuiteReport) throws {
        for t in try VectorFiles.decode(RFC8032File.self, from: url).tests {
            try signAndVerify(
                seed: hex(t.secret_key, "secret_key"), publicKey: hex(t.public_key, "public_key"),
                message: hex(t.message, "message"), signature: hex(t.signature, "signature"), label: t.name,
                into: &report)
        }
    }

    /// djb's `sign.input`: `sk||pk:pk:msg:sig||msg:` per line.
    static func djb(_ url: URL, into report: inout SuiteReport) throws {
        let text = String(decoding: try VectorFiles.read(url), as: UTF8.self)
        for (number, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 4 else { throw VectorFormatError("line \(number + 1): expected 4 fields") }
            let secret = try hex(String(fields[0]), "sk")
            let sigAndMessage = try hex(String(fields[3]), "sig")
            guard secret.count == 64, sigAndMessage.count >= 64 else {
                throw VectorFormatError("line \(number + 1): short fields")
            }
            try signAndVerify(
                seed: Array(secret.prefix(32)), publicKey: hex(String(fields[1]), "pk"),
                message: hex(String(fields[2]), "msg"), signature: Array(sigAndMessage.prefix(64)),
                label: "line \(number + 1)", into: &report)
        }
    }

    /// Deterministic signing must reproduce the signature, which must verify,
    /// and a one-bit change to the message must not.
    static func signAndVerify(
        seed: [UInt8], publicKey: [UInt8], message: [UInt8], signature: [UInt8], label: String,
        into report: inout SuiteReport
    ) throws {
        let key = try Ed25519PrivateKey(seed: SecureBytes(copying: seed))
        let produced = key.signature(for: message)
        let parsed = try Ed25519Signature(rawRepresentation: signature)
        var tampered = message
        if tampered.isEmpty { tampered = [0] } else { tampered[0] ^= 1 }
        let ok =
            key.publicKey.rawRepresentation == publicKey && produced.rawRepresentation == signature
            && key.publicKey.isValidSignature(parsed, for: message)
            && !key.publicKey.isValidSignature(parsed, for: tampered)
        report.record(ok, "\(label): signature, public key or verification differs")
    }
}

/// RFC 5869 Appendix A (SHA-256 cases), as published in pyca's vector file.
enum RFC5869Suite {
    static func run(_ url: URL, into report: inout SuiteReport) throws {
        let text = String(decoding: try VectorFiles.read(url), as: UTF8.self)
        var fields: [String: String] = [:]
        func finish() throws {
            guard let l = fields["L"] else { return }
            defer { fields = [:] }
            guard fields["Hash"] == "SHA-256" else {
                report.skip("hash \(fields["Hash"] ?? "?")")
                return
            }
            guard let length = Int(l) else { throw VectorFormatError("COUNT \(fields["COUNT"] ?? "?"): bad L") }
            let prk = HKDFSHA256.extract(salt: try hex(fields["salt"] ?? "", "salt"), ikm: try hex(fields["IKM"] ?? "", "IKM"))
            let okm = try HKDFSHA256.expand(prk: prk, info: hex(fields["info"] ?? "", "info"), length: length)
            report.record(
                try prk.unsafeCopy() == hex(fields["PRK"] ?? "", "PRK") && okm.unsafeCopy() == hex(fields["OKM"] ?? "", "OKM"),
                "COUNT \(fields["COUNT"] ?? "?"): PRK or OKM differs")
        }
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("COUNT") { try finish() }
            guard !line.hasPrefix("#"), let eq = line.firstIndex(of: "=") else { continue }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            fields[name] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        try finish()
    }
}
