// swift-tools-version: 6.2
// In-process fuzzing of every SealedBid parser with libFuzzer, kept out of the
// main package so that `swift build` and CI's test build stay light.
// Build and run with `scripts/fuzz` (it uses the flags of BUILD-NOTES):
//   swift build -c debug --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address --scratch-path .build-fuzz
// Each executable exports `LLVMFuzzerTestOneInput` (libFuzzer supplies `main`),
// so none of them links without `--sanitize=fuzzer`.
import Foundation
import PackageDescription

// A path dependency is identified by its folder's name, which differs between checkouts.
let sealedBid = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

/// One executable per parser; `Targets/<name>/Entry.swift` names its harness in `FuzzSupport`.
let fuzzTargets = [
    "bid-header", "payload", "withdrawal", "commitment", "receipt", "note", "checkpoint", "witness-request", "merkle-proof", "log-store", "key-file",
    "roster", "stage-key", "dealing", "sealed-share", "dkg-round1", "decryption-shares", "released-share", "transcript-signature",
    "resharing", "complaint", "secret-share", "tender", "opening-report", "report-signature", "bidder-registry", "x509", "pem", "timestamp", "ecdsa",
]

let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "SealedBidFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "SealedBidPrimitives", package: sealedBid),
                .product(name: "SealedBidHPKE", package: sealedBid),
                .product(name: "SealedBidMerkle", package: sealedBid),
                .product(name: "SealedBidEnvelope", package: sealedBid),
                .product(name: "SealedBidLog", package: sealedBid),
                .product(name: "SealedBidCommittee", package: sealedBid),
                .product(name: "SealedBidKeyFiles", package: sealedBid),
                .product(name: "SealedBid", package: sealedBid),
            ],
            swiftSettings: strict
        )
    ]
        + fuzzTargets.map { name in
            .executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzSupport"], path: "Targets/\(name)", swiftSettings: strict)
        }
)
