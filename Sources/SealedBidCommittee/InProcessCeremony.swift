import SealedBidPrimitives

/// Every member's steps of a key ceremony run in one process: for the demo, the benchmark and
/// the tests (package access only). A real ceremony runs each member's step on its own machine
/// and exchanges the signed messages as files (`sealbid committee`).
package enum InProcessCeremony {
    /// A DKG for one stage, confirmed by every member; returns the stage key and each member's share.
    package static func dkg(members: [MemberKeys], committee: String, stage: String, threshold: Int) throws(CommitteeError)
        -> (stageKey: StageKey, shares: [MemberID: SecretShare])
    {
        let roster = try CommitteeRoster(committee: committee, stage: stage, threshold: threshold, members: members.map(\.card))
        var secrets: [DKG.Round1Secret] = [], packages: [DKG.Round1Package] = []
        for member in members {
            let (secret, package) = try DKG.round1(roster: roster, keys: member)
            secrets.append(secret)
            packages.append(package)
        }
        var sealed: [SealedShare] = []
        for secret in secrets { sealed += try DKG.round2(secret, packages: packages) }
        var shares: [MemberID: SecretShare] = [:]
        var signatures: [TranscriptSignature] = []
        var stageKey: StageKey?
        for (secret, member) in zip(secrets, members) {
            let (share, key) = try DKG.finish(secret, packages: packages, shares: sealed)
            shares[share.id] = share
            stageKey = key
            signatures.append(TranscriptSignature(stageKey: key, keys: member))
        }
        guard let stageKey else { throw .invalidRoster("a committee has 1 to 255 members") }
        try Confirmation.confirm(stageKey: stageKey, signatures: signatures)
        return (stageKey, shares)
    }
}
