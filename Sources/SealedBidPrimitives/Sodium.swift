internal import CSodium

/// libsodium must be initialised once before use; `sodium_init()` is
/// idempotent and thread-safe, and its result is checked exactly once here.
enum Sodium {
    private static let initialised: Bool = sodium_init() >= 0

    static func ensureInitialised() throws(CryptoError) {
        guard initialised else { throw .libraryFailure(operation: "sodium_init") }
    }
}
