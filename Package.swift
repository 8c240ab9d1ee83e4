// swift-tools-version: 6.2
// SealedBid: sealed-bid cryptography for e-procurement portals.
//
// Layering (dependencies point one way, upward):
//   CSodium, COpenSSL        system libraries (libsodium, OpenSSL libcrypto)
//   SealedBidShims           the only C code: macros and OSSL_PARAM plumbing as functions
//   SealedBidPrimitives      the only Swift module that imports C: hashes, AEAD, signatures,
//                            P-256 arithmetic, X.509 and RFC 3161, secret memory
//   SealedBidHPKE            RFC 9180 on the primitives
//   SealedBidMerkle          RFC 9162 trees and proofs
//   SealedBidEnvelope        envelope-v1: sealing and opening bids, bidder statements
//   SealedBidCommittee       committee-v1: rosters, dealer and DKG, threshold decryption, resharing
//   SealedBidLog             receipts-v1: signed notes, checkpoints, the submission log and its store
//   SealedBidKeyFiles        keyfiles-v1: the key files the CLI reads and writes
//   SealedBid                the facade: tender descriptor, portal service, stage opening, reports
//   SealedBidVectors         upstream and project test-vector suites (used by tests and the CLI)
//   sealbid                  the command-line tool, a thin shell over the facade
// Specifications: docs/spec/. Fuzzing (Fuzz/) and benchmarks (Benchmarks/) are separate packages.
import PackageDescription

let strict: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "SealedBid",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SealedBid", targets: ["SealedBid"]),
        .library(name: "SealedBidPrimitives", targets: ["SealedBidPrimitives"]),
        .library(name: "SealedBidHPKE", targets: ["SealedBidHPKE"]),
        .library(name: "SealedBidMerkle", targets: ["SealedBidMerkle"]),
        .library(name: "SealedBidEnvelope", targets: ["SealedBidEnvelope"]),
        .library(name: "SealedBidLog", targets: ["SealedBidLog"]),
        .library(name: "SealedBidCommittee", targets: ["SealedBidCommittee"]),
        .library(name: "SealedBidKeyFiles", targets: ["SealedBidKeyFiles"]),
        .library(name: "SealedBidHTTP", targets: ["SealedBidHTTP"]),
        .executable(name: "sealbid", targets: ["sealbid"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "SealedBidShims",
            dependencies: ["CSodium", "COpenSSL"],
            cSettings: [.treatAllWarnings(as: .error)]
        ),
        .target(
            name: "SealedBidPrimitives",
            dependencies: ["SealedBidShims", "CSodium", "COpenSSL"],
            swiftSettings: strict
        ),
        .target(
            name: "SealedBidHPKE",
            dependencies: ["SealedBidPrimitives"],
            swiftSettings: strict
        ),
        .target(
            name: "SealedBidMerkle",
            dependencies: ["SealedBidPrimitives"],
            swiftSettings: strict
        ),
        .target(
            name: "SealedBidEnvelope",
            dependencies: ["SealedBidPrimitives", "SealedBidHPKE", "SealedBidMerkle"],
            swiftSettings: strict
        ),
        .target(
            name: "SealedBidLog",
            dependencies: ["SealedBidPrimitives", "SealedBidMerkle"],
            swiftSettings: strict
        ),
        // Clients of the outside parties (witnesses, RFC 3161 authorities) over HTTP, with
        // Foundation's URLSession: no server stack, nothing to build.
        .target(
            name: "SealedBidHTTP",
            dependencies: ["SealedBidPrimitives", "SealedBidLog"],
            swiftSettings: strict
        ),
        .target(
            name: "SealedBidCommittee",
            dependencies: ["SealedBidPrimitives", "SealedBidHPKE"],
            swiftSettings: strict
        ),
        .target(
            name: "SealedBidKeyFiles",
            dependencies: ["SealedBidPrimitives", "SealedBidHPKE"],
            swiftSettings: strict
        ),
        .target(
            name: "SealedBid",
            dependencies: [
                "SealedBidPrimitives", "SealedBidHPKE", "SealedBidMerkle", "SealedBidEnvelope", "SealedBidCommittee", "SealedBidLog",
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SealedBidVectors",
            dependencies: ["SealedBidPrimitives", "SealedBidHPKE", "SealedBidMerkle", "SealedBidEnvelope", "SealedBidCommittee",
                "SealedBidLog", "SealedBid",
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "sealbid",
            dependencies: [
                "SealedBidPrimitives", "SealedBidHPKE", "SealedBidMerkle", "SealedBidEnvelope", "SealedBidCommittee", "SealedBidKeyFiles",
                "SealedBidLog", "SealedBidVectors", "SealedBid", "SealedBidHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SealedBidTestSupport",
            dependencies: ["SealedBidPrimitives"],
            path: "Tests/Support",
            swiftSettings: strict
        ),
        .testTarget(
            name: "SealedBidPrimitivesTests",
            dependencies: ["SealedBidPrimitives", "SealedBidTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SealedBidHPKETests",
            dependencies: ["SealedBidHPKE", "SealedBidPrimitives", "SealedBidTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SealedBidEnvelopeTests",
            dependencies: [
                "SealedBidEnvelope", "SealedBidHPKE", "SealedBidPrimitives", "SealedBidMerkle", "SealedBidTestSupport",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SealedBidCommitteeTests",
            dependencies: ["SealedBidCommittee", "SealedBidHPKE", "SealedBidPrimitives", "SealedBidTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SealedBidLogTests",
            dependencies: ["SealedBidLog", "SealedBidMerkle", "SealedBidPrimitives", "SealedBidTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SealedBidTests",
            dependencies: [
                "SealedBid", "SealedBidCommittee", "SealedBidEnvelope", "SealedBidHPKE", "SealedBidLog", "SealedBidMerkle",
                "SealedBidPrimitives", "SealedBidTestSupport",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SealedBidKeyFilesTests",
            dependencies: ["SealedBidKeyFiles", "SealedBidHPKE", "SealedBidPrimitives", "SealedBidTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SealedBidCLITests",
            dependencies: ["SealedBidTestSupport", "SealedBidLog", "SealedBidPrimitives"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SealedBidVectorsTests",
            dependencies: ["SealedBidVectors", "SealedBidMerkle"],
            swiftSettings: strict
        ),
    ]
)
