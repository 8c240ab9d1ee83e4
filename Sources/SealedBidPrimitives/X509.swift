internal import COpenSSL
internal import SealedBidShims
import Foundation

/// A parsed X.509 certificate (DER).
public final class X509Certificate: @unchecked Sendable {
    // The X509 object is only read after parsing; OpenSSL's verification
    // takes its own references, so sharing it across threads is safe.
    let handle: OpaquePointer
    /// The DER encoding as given.
    public let derRepresentation: [UInt8]

    /// - Throws: ``CryptoError/invalidDER(what:)`` for malformed DER, BER that is not DER
    ///   (for example a length in a longer form than needed), or trailing data.
    public init(derRepresentation der: some ContiguousBytes) throws(CryptoError) {
        let bytes = der.withUnsafeBytes { Array($0) }
        // DER, not BER: OpenSSL parses BER too, and keeps the TBSCertificate's bytes as given.
        guard DERStructure.isStrict(bytes) else { throw .invalidDER(what: "the certificate is not DER (BER length or form)") }
        guard let handle = bytes.withUnsafeBufferPointer({ sb_x509_from_der($0.baseAddress, $0.count) }) else {
            throw .invalidDER(what: "malformed X.509 certificate")
        }
        self.handle = handle
        self.derRepresentation = bytes
        // The whole certificate re-encoded from its parsed fields (the TBSCertificate too, not
        // its cached encoding) must give the same bytes: one certificate, one encoding.
        guard Self.reencoded(handle) == bytes else { throw .invalidDER(what: "the certificate is not in canonical DER") }
    }

    private static func reencoded(_ handle: OpaquePointer) -> [UInt8]? {
        // Marks the TBSCertificate modified, so later encodings are made from the parsed fields.
        guard i2d_re_X509_tbs(handle, nil) > 0 else {
            ERR_clear_error()
            return nil
        }
        let length = i2d_X509(handle, nil)
        guard length > 0, length <= 1 << 20 else {
            ERR_clear_error()
            return nil
        }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_X509(handle, &cursor)
        }
        return written == length ? out : nil
    }

    /// Parses every `-----BEGIN CERTIFICATE-----` block of a PEM text.
    public static func certificates(pem: String) throws(CryptoError) -> [X509Certificate] {
        var certificates: [X509Certificate] = []
        var body: String?
        for line in pem.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line == "-----BEGIN CERTIFICATE-----" {
                body = ""
            } else if line == "-----END CERTIFICATE-----" {
                guard let text = body, let der = Data(base64Encoded: text) else {
                    throw .invalidDER(what: "malformed PEM certificate block")
                }
                certificates.append(try X509Certificate(derRepresentation: der))
                body = nil
            } else if body != nil {
                body! += line
            }
        }
        guard body == nil else { throw .invalidDER(what: "unterminated PEM certificate block") }
        return certificates
    }

    deinit { X509_free(handle) }

    /// The certificate's validity window.
    public var validity: ClosedRange<Date>? {
        var notBefore: Int64 = 0
        var notAfter: Int64 = 0
        guard sb_x509_validity(handle, &notBefore, &notAfter) == 1, notBefore <= notAfter else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(notBefore))...Date(timeIntervalSince1970: TimeInterval(notAfter))
    }

    /// The subject name in its canonical text (`docs/spec/envelope-v1.md`, "Certificate
    /// subjects"): an RFC 4514 string such as `CN=PT Maju,serialNumber=NPWP 01.234,C=ID`, computed
    /// from the DER by ``X509Name`` so that every implementation writes the same bytes. It is the
    /// string a portal registers to pin a bidder's certificates (``SignerPolicy``). Nil when the
    /// name has no canonical text (a string invalid in its type), so a pin on it fails closed.
    public var subject: String? {
        X509Name.subject(ofCertificate: derRepresentation).flatMap { X509Name.canonicalText(derRepresentation, name: $0) }
    }

    /// Whether the key may make signatures: the certificate has no keyUsage extension, or one with
    /// digitalSignature or nonRepudiation (contentCommitment). An encryption-only certificate
    /// (keyAgreement, keyEncipherment) does not sign bids (envelope-v1, Opening step 7).
    public var keyUsageAllowsSignatures: Bool {
        // UINT32_MAX without the extension; 0 when OpenSSL cannot decode the extensions.
        sb_x509_key_usage(handle) & (0x80 | 0x40) != 0
    }

    /// The subject public key as DER SubjectPublicKeyInfo.
    public var subjectPublicKeyInfo: [UInt8] {
        var out = [UInt8](repeating: 0, count: 2048)
        var length = 0
        let ok = out.withUnsafeMutableBufferPointer { sb_x509_spki_der(handle, $0.baseAddress, $0.count, &length) }
        return ok == 1 ? Array(out.prefix(length)) : []
    }
}

/// Verifies certificate chains against caller-supplied roots only (never the
/// system trust store) at a caller-supplied time, with OpenSSL's
/// `X509_V_FLAG_X509_STRICT`.
public enum X509ChainVerifier {
    /// Returns the leaf's ECDSA P-256 key if `leaf` chains to one of `roots`
    /// through `intermediates`, and every certificate is valid `at` the given time.
    /// - Throws: ``CryptoError/certificateInvalid(reason:)`` with OpenSSL's reason,
    ///   or ``CryptoError/unsupportedKey(reason:)`` when the leaf key is not P-256.
    public static func verify(
        leaf: X509Certificate, intermediates: [X509Certificate] = [], roots: [X509Certificate], at time: Date
    ) throws(CryptoError) -> ECDSAP256PublicKey {
        guard !roots.isEmpty else { throw .certificateInvalid(reason: "no trust anchors given") }
        var verifyError: Int32 = 0
        let inter: [OpaquePointer?] = intermediates.map { $0.handle }
        let anchors: [OpaquePointer?] = roots.map { $0.handle }
        let ok = inter.withUnsafeBufferPointer { i in
            anchors.withUnsafeBufferPointer { r in
                sb_x509_verify_chain(
                    leaf.handle, i.baseAddress, i.count, r.baseAddress, r.count,
                    Int64(time.timeIntervalSince1970.rounded(.down)), &verifyError)
            }
        }
        // Keep the certificates alive for the duration of the C call.
        withExtendedLifetime((intermediates, roots)) {}
        guard ok == 1 else {
            let reason = X509_verify_cert_error_string(Int(verifyError)).map { String(cString: $0) } ?? "unknown"
            throw .certificateInvalid(reason: reason)
        }
        return try ECDSAP256PublicKey(subjectPublicKeyInfo: leaf.subjectPublicKeyInfo)
    }
}

/// The structural rules that make BER into DER, checked before OpenSSL parses: every length in
/// its shortest definite form, every tag in its shortest form, every constructed value made of
/// exactly its elements, and every BOOLEAN one byte, 0x00 or 0xFF (OpenSSL keeps a BOOLEAN's
/// byte as given and writes it back unchanged, so the re-encoding comparison cannot see a BER
/// TRUE). Other content rules — minimal INTEGERs, zero BIT STRING padding — are left to the
/// re-encoding comparison. Values inside an OCTET STRING (extension values) are not examined.
enum DERStructure {
    static func isStrict(_ bytes: [UInt8]) -> Bool {
        var position = 0
        return element(bytes, &position, end: bytes.count, depth: 0) && position == bytes.count
    }

    private static func element(_ bytes: [UInt8], _ position: inout Int, end: Int, depth: Int) -> Bool {
        guard depth < 32, position < end else { return false }
        let tag = bytes[position]
        position += 1
        if tag & 0x1F == 0x1F {
            // High tag number: base-128, no leading 0x80, and only for numbers of 31 or more.
            guard position < end, bytes[position] != 0x80 else { return false }
            var number = 0
            while true {
                guard position < end, number < 1 << 24 else { return false }
                let byte = bytes[position]
                position += 1
                number = number << 7 | Int(byte & 0x7F)
                if byte & 0x80 == 0 { break }
            }
            guard number >= 31 else { return false }
        }
        // 0x80 (BER's indefinite length) and lengths over 4 bytes do not decode; certificates are small.
        guard let (length, minimal) = DERCursor.length(bytes, &position, end: end), minimal, end - position >= length else {
            return false
        }
        let contentEnd = position + length
        if tag & 0x20 != 0 {
            while position < contentEnd {
                guard element(bytes, &position, end: contentEnd, depth: depth + 1) else { return false }
            }
        } else {
            // BOOLEAN: DER allows only 0x00 and 0xFF.
            if tag == 0x01, length != 1 || (bytes[position] != 0x00 && bytes[position] != 0xFF) { return false }
            position = contentEnd
        }
        return position == contentEnd
    }
}
