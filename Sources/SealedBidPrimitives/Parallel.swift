import Foundation

/// Work spread over the machine's cores, results in order (used by the bulk
/// paths: checking bids, combining shares, opening envelopes).
package enum Parallel {
    /// `body(0..<count)` on up to `workers` threads; results in index order.
    /// If any call throws, the error of the smallest index is thrown.
    package static func map<R, E: Error>(
        _ count: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount, _ body: (Int) throws(E) -> R
    ) throws(E) -> [R] {
        let threads = max(1, min(workers, count))
        guard threads > 1 else { return try (0..<count).map { (i) throws(E) in try body(i) } }
        let slots = Slots<Result<R, E>>(count: count)
        withoutActuallyEscaping(body) { body in
            // The closure runs only while this call waits for it.
            let shared = Unchecked(body)
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                for i in stride(from: thread, to: count, by: threads) {
                    do throws(E) { slots.set(i, .success(try shared.value(i))) } catch { slots.set(i, .failure(error)) }
                }
            }
        }
        return try slots.values.map { (result) throws(E) in try result.get() }
    }

    /// Written from several threads, each index once.
    private final class Slots<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [T?]
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: T) {
            lock.lock()
            defer { lock.unlock() }
            slots[index] = value
        }
        var values: [T] {
            lock.lock()
            defer { lock.unlock() }
            return slots.map { $0! }
        }
    }

    private struct Unchecked<T>: @unchecked Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }
}

/// A counter shared by worker threads (progress reports).
package final class SharedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    package init() {}
    package func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
