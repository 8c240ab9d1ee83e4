/// A 256-bit value as four 64-bit limbs, least significant first: the fixed-width, branch-free
/// arithmetic modulo the P-256 group order n that every secret scalar goes through
/// (`docs/spec/primitives-v1.md`, "Secret scalar arithmetic").
///
/// Nothing here branches on a limb or indexes memory with one. Borrows and carries come from
/// the bit formulas of Hacker's Delight (2nd ed., §2-16), never from comparisons, and become
/// all-ones or all-zeros masks that pick one of two results computed in full. This is the only
/// modular arithmetic SealedBid writes itself: addition, subtraction and negation. Products and
/// inverses are OpenSSL's (Montgomery multiplication and constant-time exponentiation) on the
/// fixed-width operands that ``wideRepresentative(_:)`` makes.
struct ScalarLimbs {
    var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// From 32 big-endian bytes.
    init(bigEndian bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == 32)
        w3 = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        w2 = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        w1 = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        w0 = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Writes 32 big-endian bytes.
    func store(bigEndian out: UnsafeMutableRawBufferPointer) {
        precondition(out.count == 32)
        out.storeBytes(of: w3.bigEndian, toByteOffset: 0, as: UInt64.self)
        out.storeBytes(of: w2.bigEndian, toByteOffset: 8, as: UInt64.self)
        out.storeBytes(of: w1.bigEndian, toByteOffset: 16, as: UInt64.self)
        out.storeBytes(of: w0.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    static let zero = ScalarLimbs(0, 0, 0, 0)
    /// n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551.
    static let order = ScalarLimbs(0xF3B9_CAC2_FC63_2551, 0xBCE6_FAAD_A717_9E84, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_0000_0000)

    // MARK: Words

    /// `a - b - borrow` and the borrow out (0 or 1), `borrow` being 0 or 1.
    @inline(__always)
    static func subtractWord(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (UInt64, UInt64) {
        let d = a &- b &- borrow
        return (d, ((~a & b) | (~(a ^ b) & d)) >> 63)
    }

    /// `a + b + carry` and the carry out (0 or 1), `carry` being 0 or 1.
    @inline(__always)
    static func addWord(_ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
        let s = a &+ b &+ carry
        return (s, ((a & b) | ((a | b) & ~s)) >> 63)
    }

    // MARK: 256-bit

    /// `a - b mod 2^256` and the borrow out (1 exactly when a < b).
    @inline(__always)
    static func subtract(_ a: ScalarLimbs, _ b: ScalarLimbs) -> (ScalarLimbs, borrow: UInt64) {
        let (d0, c0) = subtractWord(a.w0, b.w0, 0)
        let (d1, c1) = subtractWord(a.w1, b.w1, c0)
        let (d2, c2) = subtractWord(a.w2, b.w2, c1)
        let (d3, c3) = subtractWord(a.w3, b.w3, c2)
        return (ScalarLimbs(d0, d1, d2, d3), c3)
    }

    /// `a + b mod 2^256` and the carry out.
    @inline(__always)
    static func add(_ a: ScalarLimbs, _ b: ScalarLimbs) -> (ScalarLimbs, carry: UInt64) {
        let (s0, c0) = addWord(a.w0, b.w0, 0)
        let (s1, c1) = addWord(a.w1, b.w1, c0)
        let (s2, c2) = addWord(a.w2, b.w2, c1)
        let (s3, c3) = addWord(a.w3, b.w3, c2)
        return (ScalarLimbs(s0, s1, s2, s3), c3)
    }

    /// Each limb ANDed with `mask` (all ones or all zeros).
    @inline(__always)
    func masked(_ mask: UInt64) -> ScalarLimbs {
        ScalarLimbs(w0 & mask, w1 & mask, w2 & mask, w3 & mask)
    }

    /// `ifSet` where `mask` is all ones, `ifClear` where it is all zeros.
    @inline(__always)
    static func select(_ mask: UInt64, _ ifSet: ScalarLimbs, _ ifClear: ScalarLimbs) -> ScalarLimbs {
        ScalarLimbs(
            (ifSet.w0 & mask) | (ifClear.w0 & ~mask), (ifSet.w1 & mask) | (ifClear.w1 & ~mask),
            (ifSet.w2 & mask) | (ifClear.w2 & ~mask), (ifSet.w3 & mask) | (ifClear.w3 & ~mask))
    }

    /// All ones when `bit` is 1, all zeros when it is 0.
    @inline(__always)
    static func mask(_ bit: UInt64) -> UInt64 { 0 &- bit }

    // MARK: Modulo n (operands reduced: < n)

    /// `a - b mod n`: the 256-bit difference, plus n masked by the borrow.
    static func subtractModOrder(_ a: ScalarLimbs, _ b: ScalarLimbs) -> ScalarLimbs {
        let (difference, borrow) = subtract(a, b)
        return add(difference, order.masked(mask(borrow))).0
    }

    /// `a + b mod n`: both the sum and the sum minus n are computed; the sum is kept exactly
    /// when it is below n, that is when the addition did not carry out of 2^256 and
    /// subtracting n borrowed.
    static func addModOrder(_ a: ScalarLimbs, _ b: ScalarLimbs) -> ScalarLimbs {
        let (sum, carry) = add(a, b)
        let (reduced, borrow) = subtract(sum, order)
        return select(mask(borrow & ~carry & 1), sum, reduced)
    }

    /// `-a mod n` (zero for zero).
    static func negateModOrder(_ a: ScalarLimbs) -> ScalarLimbs {
        subtractModOrder(zero, a)
    }

    /// `-a` where `mask` is all ones, `a` where it is all zeros.
    static func conditionallyNegated(_ a: ScalarLimbs, _ mask: UInt64) -> ScalarLimbs {
        select(mask, negateModOrder(a), a)
    }

    /// A representative OpenSSL can take on its fixed-width paths: `a` itself when its top
    /// byte is non-zero, otherwise `n - a` (then `mask` is all ones and the caller negates the
    /// result back). For a non-zero `a` the representative is in `[2^248, n)`: 32 significant
    /// bytes, so `BN_bin2bn` skips no leading zero byte and the BIGNUM always has four limbs,
    /// which is what OpenSSL's Montgomery multiplication needs for its constant-time assembly
    /// (`bn_mul_mont`), and what its scalar multiplication pads to anyway.
    static func wideRepresentative(_ a: ScalarLimbs) -> (ScalarLimbs, mask: UInt64) {
        // (top byte - 1) has bit 63 set exactly when the top byte is zero.
        let short = mask(((a.w3 >> 56) &- 1) >> 63)
        return (select(short, negateModOrder(a), a), short)
    }
}
