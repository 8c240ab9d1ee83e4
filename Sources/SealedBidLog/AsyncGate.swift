import Foundation

/// A first-in, first-out lock for asynchronous critical sections: one holder at a time, the
/// others suspended (not blocking a thread) in the order they asked. Low level: the log uses it
/// so that an append, which suspends while its store commits, is never interleaved with another
/// append of the same process; stores use it to hand their one writer connection to one append
/// at a time. Waiting is not cancellable: a holder always releases (`withGate` guarantees it).
public final class AsyncGate: @unchecked Sendable {
    // All state is guarded by `lock`.
    private let lock = NSLock()
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    /// Waits for the gate; the caller must `leave()` exactly once.
    public func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if acquireOrQueue(continuation) { continuation.resume() }
        }
    }

    /// Takes the gate when it is open (true), or queues `continuation` for ``leave()``.
    private func acquireOrQueue(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if held {
            waiters.append(continuation)
            return false
        }
        held = true
        return true
    }

    /// Hands the gate to the next waiter, or opens it.
    public func leave() {
        lock.lock()
        let next = waiters.isEmpty ? nil : waiters.removeFirst()
        if next == nil { held = false }
        lock.unlock()
        next?.resume()  // the gate stays held, now by `next`
    }

    /// Runs `body` holding the gate, on the caller's actor.
    public func withGate<T, E: Error>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws(E) -> T
    ) async throws(E) -> T {
        await enter()
        defer { leave() }
        return try await body()
    }
}
