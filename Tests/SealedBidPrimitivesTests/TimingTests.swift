import Foundation
import Testing

@testable import SealedBidPrimitives

/// A dudect-style leakage test (Reparaz, Balasch, Verbauwhede, "Dude, is my code constant time?", DATE 2017)
/// for the secret-scalar operations (`docs/spec/primitives-v1.md`, "Secret scalar arithmetic"): two classes of
/// inputs, many measurements with the classes interleaved at random, and Welch's t-test on the timings, both
/// uncropped and cropped at ten upper percentiles (dudect's answer to the long tail of an interrupted machine).
/// The largest |t| must stay below 4.5 for every operation, while a deliberately branchy control must exceed it.
///
/// Timings are measured, never asserted in the ordinary suite: this one runs only when
/// `SEALEDBID_TIMING` is set (`scripts/timing` sets it and builds in release mode).
@Suite(
    "Secret-scalar timing (dudect): run by scripts/timing", .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["SEALEDBID_TIMING"] != nil))
struct TimingTests {
    /// dudect's threshold for "probably not constant time".
    static let threshold = 4.5
    static let scale = Double(ProcessInfo.processInfo.environment["SEALEDBID_TIMING_SCALE"] ?? "1") ?? 1

    static func count(_ base: Int) -> Int { max(20_000, Int(Double(base) * scale)) }

    @Test("a - b: a >= b against a < b (the branch BN_mod_sub_quick had)")
    func subtraction() {
        let result = Dudect.run("sub", measurements: Self.count(1_000_000), input: Scalars.orderedPair) { pair in
            pair.0 - pair.1
        }
        #expect(abs(result.maxT) < Self.threshold, "\(result)")
    }

    @Test("-a: a = 1 against random a")
    func negation() {
        // A fresh copy of 1 each time: one object reused would be hot in the cache, and that
        // alone shows up as a (data-independent) difference.
        let result = Dudect.run("neg", measurements: Self.count(1_000_000)) { cls in
            cls == 0 ? P256Scalar(1) : Scalars.random()
        } operation: { a in -a }
        #expect(abs(result.maxT) < Self.threshold, "\(result)")
    }

    @Test("a + b: a + b < n against a + b >= n")
    func addition() {
        let result = Dudect.run("add", measurements: Self.count(1_000_000)) { cls in
            while true {
                let (a, b) = (Scalars.random(), Scalars.random())
                // a + b wraps exactly when a + b < a (the sum is reduced).
                if Scalars.isLess(a + b, a) == (cls == 1) { return (a, b) }
            }
        } operation: { pair in pair.0 + pair.1 }
        #expect(abs(result.maxT) < Self.threshold, "\(result)")
    }

    @Test("a * b: a below 2^192 (a short BIGNUM) against random a; b random")
    func multiplication() {
        let result = Dudect.run("mul", measurements: Self.count(1_000_000)) { cls in
            (cls == 0 ? Scalars.random(zeroBytes: 8) : Scalars.random(), Scalars.random())
        } operation: { pair in pair.0 * pair.1 }
        #expect(abs(result.maxT) < Self.threshold, "\(result)")
    }

    @Test("a^-1: a below 2^192 against random a")
    func inversion() {
        let result = Dudect.run("inv", measurements: Self.count(200_000)) { cls in
            cls == 0 ? Scalars.random(zeroBytes: 8) : Scalars.random()
        } operation: { a in try? a.inverse() }
        #expect(abs(result.maxT) < Self.threshold, "\(result)")
    }

    @Test("k * G: k below 2^192 against random k")
    func generatorMultiplication() {
        let result = Dudect.run("mulG", measurements: Self.count(100_000)) { cls in
            cls == 0 ? Scalars.random(zeroBytes: 8) : Scalars.random()
        } operation: { k in try? P256Point.generatorMultiple(k) }
        #expect(abs(result.maxT) < Self.threshold, "\(result)")
    }

    @Test("control: a subtraction with an early-exit comparison and an extra step when a < b is caught")
    func branchyControlIsDetected() {
        let result = Dudect.run("control", measurements: Self.count(200_000), input: Scalars.orderedPair) { pair in
            // What the issue measured, written in Swift: an extra addition exactly when a < b.
            let difference = pair.0 - pair.1
            return Scalars.isLess(pair.0, pair.1) ? difference + .zero : difference
        }
        #expect(abs(result.maxT) > Self.threshold, "\(result)")
    }
}

/// Inputs for the timing classes (made outside the timed region).
enum Scalars {
    static func random(zeroBytes: Int = 0) -> P256Scalar {
        var bytes = SecureRandom.bytes(count: 32)
        for i in 0..<zeroBytes { bytes[i] = 0 }
        defer { ConstantTime.wipe(&bytes) }
        guard let scalar = try? P256Scalar(bytes: bytes) else { return random(zeroBytes: zeroBytes) }
        return scalar
    }

    /// Class 0: a pair with a >= b; class 1: a < b.
    static func orderedPair(_ cls: Int) -> (P256Scalar, P256Scalar) {
        let (x, y) = (random(), random())
        let (low, high) = isLess(x, y) ? (x, y) : (y, x)
        return cls == 0 ? (high, low) : (low, high)
    }

    /// Variable-time comparison of test inputs (not secrets).
    static func isLess(_ a: P256Scalar, _ b: P256Scalar) -> Bool {
        a.rawRepresentation.lexicographicallyPrecedes(b.rawRepresentation)
    }
}

/// Welch's t-test over two classes of timings, dudect style.
enum Dudect {
    struct Moments {
        var n = 0.0, mean = 0.0, m2 = 0.0
        mutating func add(_ x: Double) {
            n += 1
            let delta = x - mean
            mean += delta / n
            m2 += delta * (x - mean)
        }
        var variance: Double { n > 1 ? m2 / (n - 1) : 0 }
    }

    struct Result: CustomStringConvertible {
        let name: String
        let measurements: Int
        /// The |t|-largest statistic over the uncropped test and the ten cropped ones.
        let maxT: Double
        let cropAt: String
        let meanNanoseconds: (Double, Double)
        var description: String {
            let t = String(format: "%.2f", maxT)
            let m0 = String(format: "%.1f", meanNanoseconds.0), m1 = String(format: "%.1f", meanNanoseconds.1)
            return "timing \(name): \(measurements) measurements, max |t| = \(t) (\(cropAt)), mean \(m0) / \(m1) ns"
        }
    }

    static func welch(_ a: Moments, _ b: Moments) -> Double {
        let se = (a.variance / a.n + b.variance / b.n).squareRoot()
        return se > 0 ? (a.mean - b.mean) / se : 0
    }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_RAW, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Crop levels as dudect: keep measurements below the p-th percentile, p = 1 - 0.5^k.
    static let cropLevels: [Double] = (1...10).map { 1 - pow(0.5, Double($0)) }

    static func run<Input, Output>(
        _ name: String, measurements: Int, batch: Int = 10_000,
        input: (Int) -> Input, operation: (Input) -> Output
    ) -> Result {
        var generator = SystemRandomNumberGenerator()
        var times = [UInt64](repeating: 0, count: batch)
        var classes = [Int](repeating: 0, count: batch)
        var thresholds: [UInt64] = []
        var stats = [[Moments]](repeating: [Moments(), Moments()], count: cropLevels.count + 1)
        var done = 0
        var warmUp = true
        while done < measurements {
            for i in 0..<batch { classes[i] = Int(generator.next() & 1) }
            let inputs = classes.map(input)
            for i in 0..<batch {
                let start = now()
                let output = operation(inputs[i])
                let end = now()
                withExtendedLifetime(output) {}
                times[i] = end &- start
            }
            if warmUp {
                // The first batch only fixes the crop thresholds (and warms caches and the secret pool).
                let sorted = times.sorted()
                thresholds = cropLevels.map { sorted[min(sorted.count - 1, Int($0 * Double(sorted.count)))] }
                warmUp = false
                continue
            }
            for i in 0..<batch {
                let x = Double(times[i])
                stats[0][classes[i]].add(x)
                for (level, limit) in thresholds.enumerated() where times[i] < limit {
                    stats[level + 1][classes[i]].add(x)
                }
            }
            done += batch
        }
        var best = (t: 0.0, level: 0)
        for (level, pair) in stats.enumerated() where pair[0].n > 1000 && pair[1].n > 1000 {
            let t = welch(pair[0], pair[1])
            if abs(t) > abs(best.t) { best = (t, level) }
        }
        let crop = best.level == 0 ? "uncropped" : String(format: "cropped at p%.1f", cropLevels[best.level - 1] * 100)
        let result = Result(
            name: name, measurements: done, maxT: best.t, cropAt: crop,
            meanNanoseconds: (stats[0][0].mean, stats[0][1].mean))
        print(result)
        return result
    }
}
