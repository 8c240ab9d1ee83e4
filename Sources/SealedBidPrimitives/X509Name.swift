/// One element of a DER encoding: its tag byte, and where it and its content lie.
struct DERElement {
    /// The first identifier byte (class, constructed bit, tag number or 0x1F for a long tag).
    let tag: UInt8
    let whole: Range<Int>
    let content: Range<Int>
}

/// Reads the elements of a DER region one after the other. Used on certificates that passed
/// ``DERStructure/isStrict(_:)``; anything unexpected ends the walk (`nil`), never traps.
struct DERCursor {
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    init(_ bytes: [UInt8], _ range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    mutating func next() -> DERElement? {
        guard position < end else { return nil }
        let start = position
        var p = position
        let tag = bytes[p]
        p += 1
        if tag & 0x1F == 0x1F {
            while p < end, bytes[p] & 0x80 != 0 { p += 1 }
            p += 1
        }
        guard let (length, _) = Self.length(bytes, &p, end: end), end - p >= length else { return nil }
        position = p + length
        return DERElement(tag: tag, whole: start..<(p + length), content: p..<(p + length))
    }

    /// The DER length at `position` (moved past it), and whether it is in its shortest definite
    /// form; nil for the indefinite form, more than 4 length bytes, or a length cut short.
    static func length(_ bytes: [UInt8], _ position: inout Int, end: Int) -> (value: Int, minimal: Bool)? {
        guard position < end else { return nil }
        let first = bytes[position]
        position += 1
        guard first >= 0x80 else { return (Int(first), true) }
        let count = Int(first & 0x7F)
        guard count >= 1, count <= 4, end - position >= count else { return nil }
        let leadingZero = bytes[position] == 0
        var value = 0
        for _ in 0..<count {
            value = value << 8 | Int(bytes[position])
            position += 1
        }
        return (value, !leadingZero && value >= 0x80)
    }
}

/// The canonical text of an X.509 name (`docs/spec/envelope-v1.md`, "Certificate subjects"):
/// an RFC 4514 string with every choice fixed, computed from the DER by this code rather than
/// by a library's printer, so that two implementations pin the same subject with the same bytes.
///
/// - The attribute-value pairs of the whole name, in the reverse of their order in the DER
///   (last RDN first, and within a multi-valued RDN the last pair first), `,` between RDNs and
///   `+` between the pairs of one RDN, no spaces.
/// - Each pair is `type=value`: the type's name from ``attributeNames`` or else its dotted OID.
/// - A value of a named type that is a character string is its characters in UTF-8 with
///   `, + " \ < > ;` escaped by a backslash, as are `#` first and a space first or last, and
///   U+0000–U+001F and U+007F written `\XX` (upper-case hex); any other value, and every value
///   of an unnamed type, is `#` and the upper-case hex of its whole DER encoding.
/// - A name whose DER does not decode, or a string that is not valid in its type (bad UTF-8, an
///   odd-length BMPString, a surrogate), has no canonical text (`nil`).
enum X509Name {
    /// The attribute types written by name; the names are the ones OpenSSL prints, so that
    /// subjects registered from `openssl x509 -subject -nameopt RFC2253` keep matching.
    static let attributeNames: [String: String] = [
        "2.5.4.3": "CN", "2.5.4.4": "SN", "2.5.4.5": "serialNumber", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST",
        "2.5.4.9": "street", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.12": "title", "2.5.4.13": "description",
        "2.5.4.15": "businessCategory", "2.5.4.17": "postalCode", "2.5.4.41": "name", "2.5.4.42": "GN",
        "2.5.4.43": "initials", "2.5.4.44": "generationQualifier", "2.5.4.46": "dnQualifier", "2.5.4.65": "pseudonym",
        "2.5.4.97": "organizationIdentifier", "1.2.840.113549.1.9.1": "emailAddress",
        "0.9.2342.19200300.100.1.1": "UID", "0.9.2342.19200300.100.1.25": "DC",
        "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL", "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
        "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
    ]

    /// The subject `Name` of a DER certificate (the sixth field of the TBSCertificate, after the
    /// optional version).
    static func subject(ofCertificate der: [UInt8]) -> DERElement? {
        var top = DERCursor(der, 0..<der.count)
        guard let certificate = top.next(), certificate.tag == 0x30 else { return nil }
        var outer = DERCursor(der, certificate.content)
        guard let tbs = outer.next(), tbs.tag == 0x30 else { return nil }
        var fields = DERCursor(der, tbs.content)
        var field = fields.next()
        if field?.tag == 0xA0 { field = fields.next() }  // version
        // serialNumber (field), signature, issuer, validity, then subject.
        for _ in 0..<3 { guard fields.next() != nil else { return nil } }
        guard field != nil, let subject = fields.next(), subject.tag == 0x30 else { return nil }
        return subject
    }

    /// The canonical text of the `Name` element `name` of `der`.
    static func canonicalText(_ der: [UInt8], name: DERElement) -> String? {
        var pairs: [(rdn: Int, text: String)] = []
        var rdns = DERCursor(der, name.content)
        var index = 0
        while let rdn = rdns.next() {
            guard rdn.tag == 0x31 else { return nil }
            var members = DERCursor(der, rdn.content)
            var count = 0
            while let pair = members.next() {
                guard pair.tag == 0x30, let text = pairText(der, pair) else { return nil }
                pairs.append((index, text))
                count += 1
            }
            guard count > 0 else { return nil }
            index += 1
        }
        var out = ""
        var previous: Int?
        for pair in pairs.reversed() {
            if let previous { out += previous == pair.rdn ? "+" : "," }
            out += pair.text
            previous = pair.rdn
        }
        return out
    }

    /// `type=value` for one AttributeTypeAndValue.
    private static func pairText(_ der: [UInt8], _ pair: DERElement) -> String? {
        var fields = DERCursor(der, pair.content)
        guard let type = fields.next(), type.tag == 0x06, let value = fields.next(), fields.next() == nil,
            let oid = dotted(der[type.content])
        else { return nil }
        guard let name = attributeNames[oid] else { return oid + "=" + hexDump(der[value.whole]) }
        switch characters(tag: value.tag, der[value.content]) {
        case .some(.some(let scalars)): return name + "=" + escaped(scalars)
        case .some(.none): return nil  // a string type whose content is not valid in it
        case .none: return name + "=" + hexDump(der[value.whole])
        }
    }

    /// The characters of a string value; `.none` when the tag is not a string type, `.some(nil)`
    /// when it is but the content is invalid.
    private static func characters(tag: UInt8, _ content: ArraySlice<UInt8>) -> [Unicode.Scalar]?? {
        switch tag {
        case 0x0C:  // UTF8String
            guard let text = String(validating: content, as: UTF8.self) else { return .some(nil) }
            return .some(Array(text.unicodeScalars))
        case 0x12, 0x13, 0x14, 0x16, 0x1A:  // Numeric, Printable, Teletex, IA5, Visible: one byte, ISO 8859-1
            return .some(content.map { Unicode.Scalar($0) })
        case 0x1E:  // BMPString: UCS-2, big-endian
            return .some(units(content, width: 2))
        case 0x1C:  // UniversalString: UCS-4, big-endian
            return .some(units(content, width: 4))
        default:
            return .none
        }
    }

    private static func units(_ content: ArraySlice<UInt8>, width: Int) -> [Unicode.Scalar]? {
        guard content.count % width == 0 else { return nil }
        var out: [Unicode.Scalar] = []
        var value: UInt32 = 0
        for (offset, byte) in content.enumerated() {
            value = value << 8 | UInt32(byte)
            if offset % width == width - 1 {
                guard let scalar = Unicode.Scalar(value) else { return nil }
                out.append(scalar)
                value = 0
            }
        }
        return out
    }

    private static func escaped(_ scalars: [Unicode.Scalar]) -> String {
        var out = ""
        for (i, scalar) in scalars.enumerated() {
            let special = ",+\"\\<>;".unicodeScalars.contains(scalar)
            let edge = (i == 0 && (scalar == "#" || scalar == " ")) || (i == scalars.count - 1 && scalar == " ")
            if special || edge {
                out += "\\" + String(scalar)
            } else if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\" + hexDigits([UInt8(scalar.value)])
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hexDump(_ bytes: ArraySlice<UInt8>) -> String { "#" + hexDigits(bytes) }

    private static func hexDigits(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return String(decoding: out, as: UTF8.self)
    }

    /// Dotted decimal of an OBJECT IDENTIFIER's content; nil when it is not minimal base 128 or
    /// an arc exceeds 64 bits.
    static func dotted(_ content: ArraySlice<UInt8>) -> String? {
        guard let last = content.last, last & 0x80 == 0 else { return nil }
        var arcs: [UInt64] = []
        var value: UInt64 = 0
        var atStart = true
        for byte in content {
            guard !(atStart && byte == 0x80), value >> 57 == 0 else { return nil }
            value = value << 7 | UInt64(byte & 0x7F)
            atStart = byte & 0x80 == 0
            if atStart {
                arcs.append(value)
                value = 0
            }
        }
        let first = arcs[0]
        let head: [UInt64] = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80]
        return (head + arcs.dropFirst()).map(String.init).joined(separator: ".")
    }
}
