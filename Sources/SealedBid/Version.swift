/// The library's version, and the formats it reads and writes (each is a `-v1` spec in
/// `docs/spec/`; v1 has no deployments yet and may still change in place).
public enum SealedBidVersion {
    public static let library = "0.4.0-dev"
    public static let formats = [
        "envelope-v1", "committee-v1", "receipts-v1", "report-v1", "tender-v1", "keyfiles-v1", "hpke-profile-v1", "primitives-v1",
    ]
    /// `sealbid --version`.
    public static var description: String { "\(library) (formats: \(formats.joined(separator: ", ")))" }
}
