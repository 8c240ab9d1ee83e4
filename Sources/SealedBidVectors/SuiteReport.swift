import Foundation

/// The outcome of running one vector suite.
///
/// `passed` counts vectors whose outcome matched the file's verdict (or, for
/// Wycheproof "acceptable" vectors, the written policy); `failed` counts
/// disagreements; `notApplicable` counts vectors outside SealedBid's suite
/// or parameters, each with its reason in `notApplicableReasons`.
public struct SuiteReport: Sendable, Codable, Equatable {
    public let suite: String
    public let file: String
    public var passed = 0
    public var failed = 0
    public var notApplicable = 0
    /// Reason -> count, for vectors that do not apply to SealedBid's profile.
    public var notApplicableReasons: [String: Int] = [:]
    /// Policy decisions on "acceptable"-style vectors: decision -> count.
    public var policyDecisions: [String: Int] = [:]
    /// The first disagreements, for humans.
    public var failures: [String] = []
    /// Set when the suite file could not be read or parsed at all.
    public var loadError: String?

    public init(suite: String, file: String) {
        self.suite = suite
        self.file = file
    }

    /// Records one vector's outcome.
    mutating func record(_ ok: Bool, _ what: @autoclosure () -> String) {
        if ok {
            passed += 1
        } else {
            failed += 1
            if failures.count < 20 { failures.append(what()) }
        }
    }

    mutating func skip(_ reason: String) {
        notApplicable += 1
        notApplicableReasons[reason, default: 0] += 1
    }

    mutating func decide(_ decision: String) {
        policyDecisions[decision, default: 0] += 1
    }

    /// A suite with a load error, or with no vector checked, has failed as a whole.
    public var isSuccess: Bool { loadError == nil && failed == 0 && passed > 0 }

    /// One line for humans.
    public var summaryLine: String {
        if let loadError { return "\(suite): could not run: \(loadError)" }
        var line = "\(suite): \(passed) passed, \(failed) failed"
        if notApplicable > 0 { line += ", \(notApplicable) not applicable" }
        if !policyDecisions.isEmpty {
            line += " (policy: " + policyDecisions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", ") + ")"
        }
        return line
    }
}

/// A malformed vector file or field.
struct VectorFormatError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
