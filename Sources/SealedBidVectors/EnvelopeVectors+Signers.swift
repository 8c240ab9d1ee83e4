import Foundation
import SealedBidEnvelope
import SealedBidHPKE
import SealedBidPrimitives

extension EnvelopeVectors {
    /// The Ed25519 group order `L`, little-endian.
    static let ed25519Order = Array(
        try! Hex.decode("1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed").reversed())

    /// Step 7: the Ed25519 policy and registered keys, and every rule of `sig_alg 0x02`.
    static func signerScenarios(_ list: ScenarioList) throws {
        try ed25519Scenarios(list)
        try x509Scenarios(list)
    }

    static func ed25519Scenarios(_ list: ScenarioList) throws {
        let p = try Parties(seed: "ed25519")
        let plaintext = p.payload(200)
        let good = try p.seal(technical: plaintext, price: p.payload(20))
        let hl = headerLength(good)
        let key = signerRange(good).lowerBound + 1
        func mutate(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var copy = good
            change(&copy)
            return copy
        }
        // A = identity, R = identity, S = 0 satisfies [S]B = R + [k]A for every message: a
        // verifier without the policy's small-order checks accepts it.
        let identity = [UInt8(1)] + [UInt8](repeating: 0, count: 31)
        list.add(
            "ed25519-key-small-order", "the signer key is the identity point and R = identity, S = 0",
            expect: "bad-signature",
            bid: mutate {
                $0.replaceSubrange(key..<(key + 32), with: identity)
                $0.replaceSubrange((hl - 64)..<hl, with: identity + [UInt8](repeating: 0, count: 32))
            }, parties: p)
        list.add(
            "ed25519-signature-s-not-canonical", "the valid signature with S + L in place of S", expect: "bad-signature",
            bid: mutate { bid in
                var carry = 0
                for i in 0..<32 {
                    let sum = Int(bid[hl - 32 + i]) + Int(ed25519Order[i]) + carry
                    bid[hl - 32 + i] = UInt8(sum & 0xFF)
                    carry = sum >> 8
                }
            }, parties: p)
        let other = try Ed25519PrivateKey(seed: SecureBytes(copying: p.payload(32))).publicKey.rawRepresentation.hexString
        let pinnedOther = Vector.Policy(verification_time: nil, x509_roots: nil, ed25519_keys: [other], x509_subjects: nil)
        list.add(
            "success-ed25519-registered", "the signer key is the bidder's registered key", expect: "success", bid: good, parties: p,
            plaintext: plaintext,
            policy: .init(verification_time: nil, x509_roots: nil, ed25519_keys: [p.signer.publicKey.rawRepresentation.hexString], x509_subjects: nil))
        list.add(
            "ed25519-key-not-registered", "a valid signature by a key the bidder has not registered", expect: "untrusted-signer",
            bid: good, parties: p, policy: pinnedOther)
        list.add(
            "ed25519-key-not-registered-bad-signature", "an unregistered key and a bad signature: the key is checked first",
            expect: "untrusted-signer", bid: mutate { $0[hl - 1] ^= 1 }, parties: p, policy: pinnedOther)
        list.add(
            "bad-signature-wrong-tender", "a bad signature opened for another tender: step 7 comes before step 8",
            expect: "bad-signature", bid: mutate { $0[hl - 1] ^= 1 }, parties: p, tender: "LPSE-2026-0043")
    }

    static func x509Scenarios(_ list: ScenarioList) throws {
        let h = try VectorPKI.Hierarchy()
        let p = try Parties(seed: "x509")
        let plaintext = p.payload(300)
        let signingKey = try h.leafKey.signingKey()
        /// A bid signed by the leaf key with `chain`, signed again deterministically.
        func bid(_ chain: [[UInt8]]) throws -> [UInt8] {
            let certificates = try chain.map { try X509Certificate(derRepresentation: $0) }
            return try resigned(
                try p.seal(technical: plaintext, price: [], signer: .ecdsaP256(signingKey, chain: certificates)), h.leafKey.sign)
        }
        func policy(
            _ roots: [[UInt8]] = [], at time: String = "2026-06-01T00:00:00Z", subjects: [String]? = nil
        ) -> Vector.Policy {
            .init(verification_time: time, x509_roots: (roots.isEmpty ? [h.root] : roots).map(\.hexString), ed25519_keys: nil, x509_subjects: subjects)
        }
        let good = try bid([h.leaf, h.inter])

        // Successes: the chain, the pin, what is and is not required of the chain.
        let successes: [(String, String, [UInt8], Vector.Policy)] = [
            ("success-x509", "ECDSA P-256 leaf, issuing CA, root as the trust anchor", good, policy()),
            ("success-x509-registered-subject", "the leaf subject's canonical text is the registered one", good,
             policy(subjects: [VectorPKI.bidderSubjectText])),
            ("success-x509-root-in-chain", "the bid's chain also carries the root (the trust anchor is still the caller's)",
             try bid([h.leaf, h.inter, h.root]), policy()),
            ("success-x509-chain-any-order", "the certificates after the leaf in any order", try bid([h.leaf, h.root, h.inter]), policy()),
            ("success-x509-unused-certificate", "an unrelated certificate after the leaf is ignored",
             try bid([h.leaf, h.otherRoot, h.inter]), policy()),
            ("success-x509-at-not-before", "checked at the leaf's notBefore second", good, policy(at: "2026-01-01T00:00:00Z")),
            ("success-x509-leaf-non-repudiation", "the leaf's keyUsage is nonRepudiation only", try bid([h.leafNonRepudiation, h.inter]), policy()),
            ("success-x509-leaf-without-key-usage", "the leaf has no keyUsage extension", try bid([h.leafNoKeyUsage, h.inter]), policy()),
            ("success-x509-leaf-server-auth", "the leaf's extendedKeyUsage is serverAuth only: not checked",
             try bid([h.leafServerAuth, h.inter]), policy()),
        ]
        for (name, description, bid, policy) in successes {
            list.add(name, description, expect: "success", bid: bid, parties: p, plaintext: plaintext, policy: policy)
        }
        do {
            // (r, n - s) verifies as well as (r, s), and the bid digest is the same.
            let hl = headerLength(good)
            let s = try P256Scalar(bytes: good[(hl - 32)..<hl])
            var high = good
            high.replaceSubrange((hl - 32)..<hl, with: (-s).rawRepresentation)
            list.add(
                "success-x509-ecdsa-other-s", "the signature (r, n - s): as valid, and the same bid digest", expect: "success",
                bid: high, parties: p, plaintext: plaintext, policy: policy())
        }

        // The chain and the pin: untrusted-signer.
        let untrusted: [(String, String, [UInt8], Vector.Policy?)] = [
            ("x509-no-trust-anchors", "a valid chain, but the caller gives no trust anchors", good,
             .init(verification_time: nil, x509_roots: [], ed25519_keys: nil, x509_subjects: nil)),
            ("x509-unknown-root", "the chain ends at a root the caller does not trust", good, policy([h.otherRoot])),
            ("x509-root-in-chain-not-anchor", "the bid carries its root, which is not the caller's anchor",
             try bid([h.leaf, h.inter, h.root]), policy([h.otherRoot])),
            ("x509-missing-intermediate", "the issuing CA is not in the chain", try bid([h.leaf]), policy()),
            ("x509-intermediate-not-ca", "the issuing CA's certificate lacks CA:TRUE", try bid([h.leaf, h.interNotCA]), policy()),
            ("x509-leaf-not-yet-valid", "checked one second before the leaf's notBefore", good, policy(at: "2025-12-31T23:59:59Z")),
            ("x509-leaf-at-not-after", "checked at the leaf's notAfter second (2027-12-31T23:59:59Z)", good,
             policy(at: "2027-12-31T23:59:59Z")),
            ("x509-leaf-expired", "checked after the leaf expired", good, policy(at: "2028-06-01T00:00:00Z")),
            ("x509-root-expired", "the leaf is valid but the trust anchor expired", try bid([h.shortRootLeaf]), policy([h.shortRoot])),
            ("x509-leaf-key-agreement-only", "the leaf's keyUsage is keyAgreement only: not a signing certificate",
             try bid([h.leafKeyAgreement, h.inter]), policy()),
            ("x509-subject-not-registered", "the leaf subject is not the registered one", good, policy(subjects: ["CN=PT Lain,C=ID"])),
            ("x509-subject-other-spelling", "the registered subject is the same name in another RFC 4514 spelling", good,
             policy(subjects: [VectorPKI.bidderSubjectOtherSpelling])),
        ]
        for (name, description, bid, policy) in untrusted {
            list.add(name, description, expect: "untrusted-signer", bid: bid, parties: p, policy: policy)
        }

        // The signature: bad-signature, before the chain is looked at (no policy: no anchors).
        let hl = headerLength(good)
        func signature(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var copy = good
            change(&copy)
            return copy
        }
        let leafKey = h.leafKey.sign
        let forged: [(String, String, [UInt8])] = [
            ("x509-bad-signature", "one bit of the ECDSA signature flipped", signature { $0[hl - 1] ^= 1 }),
            ("x509-ecdsa-r-zero", "r = 0", signature { $0.replaceSubrange((hl - 64)..<(hl - 32), with: [UInt8](repeating: 0, count: 32)) }),
            ("x509-ecdsa-s-order", "s = n", signature { $0.replaceSubrange((hl - 32)..<hl, with: groupOrder) }),
            ("x509-leaf-key-ed25519", "the leaf certificate's key is Ed25519",
             try replacingSigner(good, with: x509Signer([h.leafEd25519, h.inter]), leafKey)),
            ("x509-leaf-key-secp256k1", "the leaf certificate's key is on secp256k1",
             try replacingSigner(good, with: x509Signer([h.leafSecp256k1, h.inter]), leafKey)),
        ]
        for (name, description, bid) in forged {
            list.add(name, description + ": bad-signature, whatever the chain", expect: "bad-signature", bid: bid, parties: p)
        }

        // The signer field's structure: malformed-header.
        var berLength = h.leaf
        berLength.replaceSubrange(1..<2, with: [0x83, 0x00])  // 82 xx xx -> 83 00 xx xx
        var berInter = h.inter
        berInter.replaceSubrange(1..<2, with: [0x83, 0x00])
        let malformed: [(String, String, [UInt8])] = [
            ("x509-cert-count-zero", "cert_count 0", [0x02, 0x00] as [UInt8]),
            ("x509-cert-count-five", "cert_count 5", x509Signer([h.leaf, h.inter, h.root, h.otherRoot, h.leafNoKeyUsage])),
            ("x509-cert-length-zero", "a certificate of 0 bytes", [0x02, 0x01, 0x00, 0x00]),
            ("x509-cert-length-too-long", "a certificate length of 16385",
             [0x02, 0x01, 0x40, 0x01] + [UInt8](repeating: 0x30, count: 16385)),
            ("x509-cert-ber-length", "the leaf's outer length in a longer form than needed (BER, not DER)", x509Signer([berLength, h.inter])),
            ("x509-cert-ber-boolean", "the leaf's basicConstraints critical flag is 0x01 (BER TRUE, not DER)",
             x509Signer([h.leafBERBoolean, h.inter])),
            ("x509-cert-trailing-byte", "a byte after the leaf certificate, inside its length", x509Signer([h.leaf + [0], h.inter])),
            ("x509-intermediate-not-der", "the second certificate's outer length in BER: every certificate is parsed",
             x509Signer([h.leaf, berInter])),
        ]
        for (name, description, signer) in malformed {
            list.add(name, description, expect: "malformed-header", bid: try replacingSigner(good, with: signer, leafKey), parties: p)
        }
    }

    /// The `signer` field for `sig_alg 0x02` and these certificates.
    static func x509Signer(_ chain: [[UInt8]]) -> [UInt8] {
        [0x02, UInt8(chain.count)] + chain.flatMap { [UInt8($0.count >> 8), UInt8($0.count & 0xFF)] + $0 }
    }
}
