import Foundation
import SealedBidLog

/// The C2SP signed-note example (vkey and signed note), plus the rejections
/// it implies: a changed text, a changed signature, and a note whose only
/// signature is from an unknown key.
enum SignedNoteSuite {
    struct Example: Decodable {
        let vkey: String
        let signed_note: String
        let expect: String
    }

    static func run(_ url: URL, into report: inout SuiteReport) throws {
        let example = try VectorFiles.decode(Example.self, from: url)
        let verifier = try NoteVerifier(verifierKey: example.vkey)
        let note = try SignedNote(parsing: example.signed_note)
        let verifies = (try? note.verify(with: [verifier])) == [verifier]
        report.record(verifies == (example.expect == "valid"), "the example note does not verify with its key")
        // Derived rejections (same key).
        let changedText = example.signed_note.replacingOccurrences(of: "example message", with: "example massage")
        report.record(
            (try? SignedNote(parsing: changedText).verify(with: [verifier])) == nil, "a changed text still verified")
        let other = try NoteVerifier(name: "example.com/other", publicKey: verifier.publicKey)
        report.record((try? note.verify(with: [other])) == nil, "a note verified with only unknown keys")
        report.record(verifier.verifierKey == example.vkey, "the verifier key does not re-encode identically")
    }
}
