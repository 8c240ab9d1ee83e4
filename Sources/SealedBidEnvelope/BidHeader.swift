import Foundation
import SealedBidHPKE
import SealedBidPrimitives

/// Who signed a bid (`docs/spec/envelope-v1.md`, `signer`).
public enum SignerIdentity: Sendable {
    /// `sig_alg = 0x01`.
    case ed25519(Ed25519PublicKey)
    /// `sig_alg = 0x02`: the certificate chain, leaf first.
    case x509(chain: [X509Certificate])

    var algorithm: UInt8 {
        switch self {
        case .ed25519: 0x01
        case .x509: 0x02
        }
    }

    var encoded: [UInt8] {
        switch self {
        case .ed25519(let key): return [0x01] + key.rawRepresentation
        case .x509(let chain):
            var out: [UInt8] = [0x02, UInt8(chain.count)]
            for cert in chain {
                let der = cert.derRepresentation
                out += [UInt8(der.count >> 8), UInt8(der.count & 0xFF)] + der
            }
            return out
        }
    }
}

/// The escrow copy of an envelope key, wrapped to the bidder's own HPKE key.
public struct EscrowWrap: Sendable {
    public let recipientKey: HPKE.PublicKey
    public let encapsulatedKey: HPKE.EncapsulatedKey
    public let wrappedKey: [UInt8]
}

/// One envelope's entry in the header.
public struct EnvelopeEntry: Sendable {
    public let name: EnvelopeName
    public let stage: StageName
    /// The stage's committee key the envelope key is wrapped to.
    public let recipientKey: HPKE.PublicKey
    public let encapsulatedKey: HPKE.EncapsulatedKey
    public let wrappedKey: [UInt8]
    /// Proof of knowledge of the ephemeral secret behind `enc` (64 bytes, ``BidOpener/checkWrapProof(_:)``).
    public let wrapProof: [UInt8]
    public let escrow: EscrowWrap?
    public let payloadLength: UInt64
    /// RFC 9162 Merkle tree hash of the payload's 1 MiB blocks.
    public let payloadDigest: [UInt8]

    var encoded: [UInt8] {
        var out = name.lengthPrefixed + stage.lengthPrefixed
        out += recipientKey.rawRepresentation + encapsulatedKey.rawRepresentation + wrappedKey + wrapProof
        if let escrow {
            out += [0x01] + escrow.recipientKey.rawRepresentation + escrow.encapsulatedKey.rawRepresentation
                + escrow.wrappedKey
        } else {
            out += [0x00]
        }
        out += withUnsafeBytes(of: payloadLength.bigEndian) { Array($0) }
        out += payloadDigest
        return out
    }

    /// Encoded size, known before the payload is encrypted.
    static func encodedSize(name: EnvelopeName, stage: StageName, escrow: Bool) -> Int {
        2 + name.value.utf8.count + stage.value.utf8.count + 65 + 65 + 48 + WrapProof.size + 1 + (escrow ? 65 + 65 + 48 : 0) + 8 + 32
    }
}

/// A parsed bid header. Parsing checks structure and limits only (spec,
/// Opening steps 1 to 5); signatures and keys are checked by ``BidVerifier``
/// and ``BidOpener``.
public struct BidHeader: Sendable {
    public let tender: TenderID
    public let bidder: BidderID
    public let signer: SignerIdentity
    public let envelopes: [EnvelopeEntry]
    /// `mac_1 … mac_n`.
    public let macs: [[UInt8]]
    /// 64 bytes: Ed25519 `R || S` or ECDSA `r || s`.
    public let signature: [UInt8]
    /// The whole header as it appears in the file.
    public let bytes: [UInt8]
    /// `core`, the part the MACs cover.
    let core: [UInt8]

    public var headerLength: Int { bytes.count }

    /// `SHA-256("sealbid/envelope-v1 bid-digest" || 0x00 || core || macs)`: what receipts bind,
    /// and the bid's identity. The signature is left out because it is not something only the
    /// bidder can make: anyone can turn an ECDSA `(r, s)` into `(r, n − s)` (spec, "Bid digest").
    public var bidDigest: [UInt8] { SHA256.hash(EnvelopeFormat.bidDigestLabel + core + macs.flatMap { $0 }) }

    /// `"sealbid/envelope-v1 signature" || 0x00 || core || macs`.
    var signedMessage: [UInt8] { EnvelopeFormat.signatureLabel + core + macs.flatMap { $0 } }

    /// The total file length the header implies.
    public var expectedFileLength: UInt64 {
        envelopes.reduce(UInt64(headerLength)) { $0 + $1.payloadLength }
    }

    /// The byte offset of each envelope's payload in the file.
    public func payloadOffset(of index: Int) -> UInt64 {
        envelopes[..<index].reduce(UInt64(headerLength)) { $0 + $1.payloadLength }
    }

    /// The index of the envelope called `name`.
    public func index(of name: EnvelopeName) throws(EnvelopeError) -> Int {
        guard let index = envelopes.firstIndex(where: { $0.name == name }) else { throw .noSuchEnvelope(name.value) }
        return index
    }

    // MARK: Checks without the payload

    /// Envelope-v1 step 7 and the tender and bidder checks of step 8 on the header alone:
    /// what a portal checks of a committed bid before its ciphertext arrives.
    public func verify(tender expectedTender: TenderID? = nil, bidder expectedBidder: BidderID? = nil, policy: SignerPolicy)
        throws(EnvelopeError)
    {
        try SignatureCheck.verify(signer: signer, signature: signature, message: signedMessage, policy: policy)
        if let expectedTender, expectedTender != tender { throw .wrongTender(expected: expectedTender.value, found: tender.value) }
        if let expectedBidder, expectedBidder != bidder { throw .wrongBidder(expected: expectedBidder.value, found: bidder.value) }
    }

    /// Checks the key-wrap proof of envelope `name` (spec, "Key-wrap proof").
    public func checkWrapProof(_ name: EnvelopeName) throws(EnvelopeError) {
        let entry = envelopes[try index(of: name)]
        let binding = EnvelopeBinding(tender: tender, bidder: bidder, name: entry.name, stage: entry.stage)
        guard WrapProof.isValid(entry.wrapProof, enc: entry.encapsulatedKey, binding: binding, recipient: entry.recipientKey)
        else { throw .badWrapProof(envelope: name.value) }
    }

    /// Checks the key-wrap proof of every envelope.
    public func checkWrapProofs() throws(EnvelopeError) {
        for entry in envelopes { try checkWrapProof(entry.name) }
    }

    // MARK: Encoding

    /// `core` for the given fields; `header_length` is computed from them.
    static func encodeCore(
        tender: TenderID, bidder: BidderID, signer: SignerIdentity, entries: [EnvelopeEntry]
    ) -> [UInt8] {
        let headerLength = coreLength(tender: tender, bidder: bidder, signer: signer, entrySizes: entries.map { $0.encoded.count })
            + entries.count * 32 + 64
        var out = EnvelopeFormat.magic
        out += [UInt8(EnvelopeFormat.version >> 8), UInt8(EnvelopeFormat.version & 0xFF)]
        out += [UInt8(EnvelopeFormat.suite >> 8), UInt8(EnvelopeFormat.suite & 0xFF)]
        out += withUnsafeBytes(of: UInt32(headerLength).bigEndian) { Array($0) }
        out += tender.lengthPrefixed + bidder.lengthPrefixed + signer.encoded
        out.append(UInt8(entries.count))
        for entry in entries { out += entry.encoded }
        return out
    }

    static func coreLength(tender: TenderID, bidder: BidderID, signer: SignerIdentity, entrySizes: [Int]) -> Int {
        EnvelopeFormat.fixedPrefixLength + tender.lengthPrefixed.count + bidder.lengthPrefixed.count
            + signer.encoded.count + 1 + entrySizes.reduce(0, +)
    }

    // MARK: Parsing

    /// Reads and parses the header at the start of `source`.
    public static func read(from source: some RandomAccessSource) throws(EnvelopeError) -> BidHeader {
        let available = source.length
        guard available >= UInt64(EnvelopeFormat.fixedPrefixLength) else {
            // Empty, or not starting like the magic: not a bid. A cut-off header: truncated.
            let head = try source.read(at: 0, count: Int(min(available, 8)))
            guard !head.isEmpty, head == Array(EnvelopeFormat.magic.prefix(head.count)) else { throw .notABid }
            throw .truncated("the input is shorter than a header")
        }
        let prefix = try source.read(at: 0, count: EnvelopeFormat.fixedPrefixLength)
        let length = try checkPrefix(prefix)
        guard UInt64(length) <= available else { throw .truncated("the header is cut short") }
        return try parse(try source.read(at: 0, count: length))
    }

    /// Checks magic, version, suite and header_length; returns header_length.
    static func checkPrefix(_ prefix: [UInt8]) throws(EnvelopeError) -> Int {
        guard Array(prefix.prefix(8)) == EnvelopeFormat.magic else { throw .notABid }
        let version = UInt16(prefix[8]) << 8 | UInt16(prefix[9])
        guard version == EnvelopeFormat.version else { throw .unsupportedVersion(version) }
        let suite = UInt16(prefix[10]) << 8 | UInt16(prefix[11])
        guard suite == EnvelopeFormat.suite else { throw .unsupportedSuite(suite) }
        let length = Int(prefix[12]) << 24 | Int(prefix[13]) << 16 | Int(prefix[14]) << 8 | Int(prefix[15])
        guard length >= EnvelopeFormat.minimumHeaderLength, length <= EnvelopeFormat.maximumHeaderLength else {
            throw .malformedHeader(
                "header_length \(length) is outside \(EnvelopeFormat.minimumHeaderLength)...\(EnvelopeFormat.maximumHeaderLength)")
        }
        return length
    }

    /// Parses exactly one header from `bytes` (which must be the whole header).
    public static func parse(_ bytes: [UInt8]) throws(EnvelopeError) -> BidHeader {
        guard bytes.count >= EnvelopeFormat.fixedPrefixLength else { throw .truncated("the header is cut short") }
        let length = try checkPrefix(Array(bytes.prefix(EnvelopeFormat.fixedPrefixLength)))
        guard length == bytes.count else { throw .malformedHeader("header_length does not match the header") }
        var r = Cursor(bytes, position: EnvelopeFormat.fixedPrefixLength)
        guard let tender = TenderID(bytes: try r.lengthPrefixed()) else { throw .malformedHeader("tender id") }
        guard let bidder = BidderID(bytes: try r.lengthPrefixed()) else { throw .malformedHeader("bidder id") }
        let signer = try parseSigner(&r)
        let count = Int(try r.byte())
        guard count >= 1, count <= EnvelopeFormat.maximumEnvelopes else {
            throw .malformedHeader("envelope_count \(count) is outside 1...16")
        }
        var entries: [EnvelopeEntry] = []
        for _ in 0..<count {
            let entry = try parseEntry(&r)
            guard !entries.contains(where: { $0.name == entry.name }) else {
                throw .malformedHeader("envelope name '\(entry.name)' appears twice")
            }
            entries.append(entry)
        }
        let core = Array(bytes[..<r.position])
        var macs: [[UInt8]] = []
        for _ in 0..<count { macs.append(try r.take(32)) }
        let signature = try r.take(64)
        guard r.position == bytes.count else { throw .malformedHeader("bytes left over in the header") }
        return BidHeader(
            tender: tender, bidder: bidder, signer: signer, envelopes: entries, macs: macs, signature: signature,
            bytes: bytes, core: core)
    }

    static func parseSigner(_ r: inout Cursor) throws(EnvelopeError) -> SignerIdentity {
        let algorithm = try r.byte()
        switch algorithm {
        case 0x01:
            let raw = try r.take(32)
            return .ed25519(try lift { () throws(CryptoError) in try Ed25519PublicKey(rawRepresentation: raw) })
        case 0x02:
            let count = Int(try r.byte())
            guard count >= 1, count <= EnvelopeFormat.maximumCertificates else {
                throw .malformedHeader("cert_count \(count) is outside 1...4")
            }
            var chain: [X509Certificate] = []
            for _ in 0..<count {
                let length = Int(try r.byte()) << 8 | Int(try r.byte())
                guard length >= 1, length <= EnvelopeFormat.maximumCertificateLength else {
                    throw .malformedHeader("certificate length \(length) is outside 1...16384")
                }
                let der = try r.take(length)
                do {
                    chain.append(try X509Certificate(derRepresentation: der))
                } catch {
                    throw .malformedHeader("certificate: \(error)")
                }
            }
            return .x509(chain: chain)
        default:
            throw .unsupportedSignatureAlgorithm(algorithm)
        }
    }

    private static func parseEntry(_ r: inout Cursor) throws(EnvelopeError) -> EnvelopeEntry {
        guard let name = EnvelopeName(bytes: try r.lengthPrefixed()) else { throw .malformedHeader("envelope name") }
        guard let stage = StageName(bytes: try r.lengthPrefixed()) else { throw .malformedHeader("stage name") }
        let recipient = try publicKey(try r.take(65), "recipient_key")
        let enc = HPKE.EncapsulatedKey(publicKey: try publicKey(try r.take(65), "enc"))
        let wrapped = try r.take(48)
        let wrapProof = try r.take(WrapProof.size)
        var escrow: EscrowWrap?
        switch try r.byte() {
        case 0x00: break
        case 0x01:
            let key = try publicKey(try r.take(65), "escrow_key")
            let escrowEnc = HPKE.EncapsulatedKey(publicKey: try publicKey(try r.take(65), "escrow_enc"))
            escrow = EscrowWrap(recipientKey: key, encapsulatedKey: escrowEnc, wrappedKey: try r.take(48))
        case let other:
            throw .malformedHeader("escrow flag \(other) is neither 0 nor 1")
        }
        let lengthBytes = try r.take(8)
        let payloadLength = lengthBytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard EnvelopeFormat.chunkCount(payloadLength: payloadLength) != nil else {
            throw .malformedHeader("payload_length \(payloadLength) of '\(name)' is not a valid chunked-encryption length")
        }
        return EnvelopeEntry(
            name: name, stage: stage, recipientKey: recipient, encapsulatedKey: enc, wrappedKey: wrapped, wrapProof: wrapProof, escrow: escrow,
            payloadLength: payloadLength, payloadDigest: try r.take(32))
    }

    private static func publicKey(_ bytes: [UInt8], _ field: String) throws(EnvelopeError) -> HPKE.PublicKey {
        do {
            return try HPKE.PublicKey(rawRepresentation: bytes)
        } catch {
            throw .malformedHeader("\(field): \(error.code)")
        }
    }
}

/// A bounds-checked reader over header bytes: every read that would run
/// past the end is a `malformed-header`, never a trap.
struct Cursor {
    private let bytes: [UInt8]
    private(set) var position: Int

    init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    mutating func take(_ count: Int) throws(EnvelopeError) -> [UInt8] {
        guard count >= 0, bytes.count - position >= count else {
            throw .malformedHeader("a field runs past the end of the header")
        }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    mutating func byte() throws(EnvelopeError) -> UInt8 { try take(1)[0] }

    mutating func lengthPrefixed() throws(EnvelopeError) -> [UInt8] { try take(Int(try byte())) }
}
