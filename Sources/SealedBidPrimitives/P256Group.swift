internal import COpenSSL
internal import SealedBidShims

/// The P-256 group parameters, created once. OpenSSL's `EC_GROUP`, the
/// constant `BIGNUM`s and the Montgomery context here are only ever read
/// after creation, which is what makes sharing them across threads safe.
final class P256Group: @unchecked Sendable {
    let group: OpaquePointer
    let order: OpaquePointer
    let orderMinusTwo: OpaquePointer
    let generator: OpaquePointer
    /// Montgomery arithmetic modulo n (`BN_MONT_CTX`), for scalar products and inverses.
    let montgomery: OpaquePointer

    private init?() {
        guard let group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1),
            let order = BN_new(), let orderMinusTwo = BN_new(),
            EC_GROUP_get_order(group, order, nil) == 1,
            BN_copy(orderMinusTwo, order) != nil, BN_sub_word(orderMinusTwo, 2) == 1,
            let generator = EC_GROUP_get0_generator(group),
            let montgomery = BN_MONT_CTX_new(), let context = BN_CTX_new()
        else { return nil }
        defer { BN_CTX_free(context) }
        guard BN_MONT_CTX_set(montgomery, order, context) == 1 else { return nil }
        // BN_FLG_CONSTTIME only selects the constant-time variants of the BIGNUM functions that
        // test it (exponentiation, division, inversion, gcd); see primitives-v1, "Secret scalar arithmetic".
        BN_set_flags(order, BN_FLG_CONSTTIME)
        self.group = group
        self.order = order
        self.orderMinusTwo = orderMinusTwo
        self.generator = generator
        self.montgomery = montgomery
    }

    private static let instance = P256Group()

    static func get() throws(CryptoError) -> P256Group {
        guard let instance else { throw .libraryFailure(operation: "EC_GROUP_new_by_curve_name(P-256)") }
        return instance
    }
}

/// Owns the OpenSSL temporaries of one operation and frees them at the end.
/// Secret scalars are cleared with `BN_clear_free`.
final class ECScratch {
    let context: OpaquePointer
    private var numbers: [OpaquePointer] = []
    private var points: [OpaquePointer] = []

    init() throws(CryptoError) {
        guard let context = BN_CTX_new() else {
            ERR_clear_error()
            throw .libraryFailure(operation: "BN_CTX_new")
        }
        self.context = context
    }

    deinit {
        for n in numbers { BN_clear_free(n) }
        for p in points { EC_POINT_clear_free(p) }
        BN_CTX_free(context)
    }

    func number() throws(CryptoError) -> OpaquePointer {
        guard let n = BN_new() else {
            ERR_clear_error()
            throw .libraryFailure(operation: "BN_new")
        }
        BN_set_flags(n, BN_FLG_CONSTTIME)
        numbers.append(n)
        return n
    }

    /// A BIGNUM from 32 big-endian bytes.
    func number(_ bytes: UnsafeRawBufferPointer) throws(CryptoError) -> OpaquePointer {
        let n = try number()
        guard BN_bin2bn(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(bytes.count), n) != nil else {
            ERR_clear_error()
            throw .libraryFailure(operation: "BN_bin2bn")
        }
        return n
    }

    func point(_ group: P256Group) throws(CryptoError) -> OpaquePointer {
        guard let p = EC_POINT_new(group.group) else {
            ERR_clear_error()
            throw .libraryFailure(operation: "EC_POINT_new")
        }
        points.append(p)
        return p
    }
}

extension ECScratch {
    /// Writes `n` (which must be < 2^256) as 32 big-endian bytes.
    func write(_ n: OpaquePointer, into out: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        precondition(out.count == 32)
        guard BN_bn2binpad(n, out.baseAddress?.assumingMemoryBound(to: UInt8.self), 32) == 32 else {
            ERR_clear_error()
            throw .libraryFailure(operation: "BN_bn2binpad")
        }
    }
}
