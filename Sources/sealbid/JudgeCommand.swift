import ArgumentParser
import Foundation
import SealedBidCommittee
import SealedBidEnvelope

/// Writes each complaint next to `output` (as `complaint-<accuser>-against-<accused>.bin`, never
/// over an existing file) and prints its path, then fails with `failure`: a member's word that a
/// share is bad counts only through its complaint (committee-v1, "Complaints").
func fail(with failure: CommitteeError, complaints: () throws -> [Complaint], nextTo output: String) throws -> Never {
    let directory = output == "-" ? "." : FilePath.split(output).directory
    for complaint in try complaints() {
        let base = (directory == "." ? "" : directory + "/") + "complaint-\(complaint.accuser.value)-against-\(complaint.accused)"
        var path = base + ".bin", attempt = 1
        while FileManager.default.fileExists(atPath: path) {
            attempt += 1
            path = "\(base)-\(attempt).bin"
        }
        try writeNew(complaint.encoded, to: path)
        let accused = complaint.accused == 0 ? "the dealer" : "member \(complaint.accused)"
        print("complaint against \(accused): \(path) (anyone can judge it: sealbid committee judge)")
    }
    throw failure
}

struct Judge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge a member's complaint about a sealed share: name the sender whose share is bad, or the accuser who lied.",
        discussion: """
            A member whose DKG, dealing or resharing fails because a share sealed to it is bad \
            writes a complaint file next to its output (dkg-finish, accept-share and \
            reshare-receive print its path). Only that member could open the share; the \
            complaint reveals the Diffie-Hellman value with a proof, so anyone can open it here \
            from public files. Give the ceremony's public messages: --round1 for a DKG, \
            --dealing for a dealing, or the old --stage-key with --new-roster and --package for \
            a resharing (--roster is then the old roster).

            Prints the culprit and the code the ceremony acts on: bad-share (the sender), \
            bad-dealer-share (the dealer) or false-complaint (the accuser). A complaint for \
            another roster, or not signed by its accuser, names nobody (invalid-complaint).

            Example (a DKG):
              sealbid committee judge --roster roster.bin \\
                --complaint complaint-3-against-1.bin --round1 round1-*.bin
            """)
    @OptionGroup var roster: RosterOption
    @Option(help: "The complaint file.") var complaint: String
    @Option(parsing: .upToNextOption, help: "A DKG: every member's round-1 package.") var round1: [String] = []
    @Option(help: "A dealing: the dealer's signed dealing.") var dealing: String?
    @Option(help: "A resharing: the old stage key file (with --new-roster and --package).") var stageKey: String?
    @Option(help: "A resharing: the new roster file.") var newRoster: String?
    @Option(parsing: .upToNextOption, help: "A resharing: the old members' resharing packages.") var package: [String] = []

    func validate() throws {
        let resharing = stageKey != nil || newRoster != nil || !package.isEmpty
        guard [!round1.isEmpty, dealing != nil, resharing].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one transcript: --round1, --dealing, or --stage-key with --new-roster and --package")
        }
        guard !resharing || (stageKey != nil && newRoster != nil && !package.isEmpty) else {
            throw ValidationError("a resharing needs --stage-key, --new-roster and --package")
        }
    }

    func run() throws {
        let roster = try roster.load()
        let complaint = try Complaint(encoded: readBytes(complaint, limit: 1 << 16))
        let verdict: ComplaintVerdict
        if let dealing {
            verdict = try complaint.judge(roster: roster, dealing: DealingMessage(encoded: readBytes(dealing)))
        } else if let stageKey, let newRoster {
            verdict = try complaint.judge(
                oldKey: StageKey(encoded: readBytes(stageKey), roster: roster), newRoster: CommitteeRoster(encoded: readBytes(newRoster)),
                packages: decodedMessages(package, Resharing.Package.init(encoded:)))
        } else {
            verdict = try complaint.judge(roster: roster, round1: decodedMessages(round1, DKG.Round1Package.init(encoded:)))
        }
        let accused = complaint.accused == 0 ? "the dealer" : "member \(complaint.accused)"
        if verdict.upheld {
            let culprit = verdict.culprits.first.map { "member \($0.value)" } ?? "the dealer"
            print("culprit: \(culprit) (\(verdict.code)): the complaint of member \(complaint.accuser.value) against \(accused) is upheld")
        } else {
            print("culprit: member \(complaint.accuser.value) (\(verdict.code)): its complaint against \(accused) is false")
        }
    }
}
