// swift-tools-version: 6.2
// The reference services for SealedBid (docs/spec/portal-http-v1.md): the portal, HTTP on Hummingbird 2,
// the log on PostgreSQL (or the library's file store), the log's read side as C2SP tlog-tiles; and the
// witness (C2SP tlog-witness) that tenders name in their descriptors.
// Kept out of the main package, like Benchmarks/, so that library users never pull in a server stack.
// Build and test from this folder (the tests need a PostgreSQL: scripts/test starts a throwaway one):
//   swift build --build-tests && SEALEDBID_PG_URL=postgres://... swift test --skip-build
import Foundation
import PackageDescription

// A path dependency is identified by its folder's name, which differs between checkouts.
let sealedBid = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

/// The library's products the load tool and the tests use.
let sealedBidProducts: [Target.Dependency] = [
    "SealedBid", "SealedBidCommittee", "SealedBidKeyFiles", "SealedBidMerkle", "SealedBidLog", "SealedBidEnvelope", "SealedBidPrimitives", "SealedBidHTTP",
].map { .product(name: $0, package: sealedBid) }

let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "SealedBidPortal",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sealbid-portal", targets: ["sealbid-portal"]),
        .executable(name: "sealbid-witness", targets: ["sealbid-witness"]),
        .executable(name: "portal-load", targets: ["portal-load"]),
        .library(name: "SealedBidPortal", targets: ["SealedBidPortal"]),
    ],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "SealedBidPortal",
            dependencies: [
                .product(name: "SealedBid", package: sealedBid),
                .product(name: "SealedBidLog", package: sealedBid),
                .product(name: "SealedBidMerkle", package: sealedBid),
                .product(name: "SealedBidEnvelope", package: sealedBid),
                .product(name: "SealedBidPrimitives", package: sealedBid),
                .product(name: "SealedBidKeyFiles", package: sealedBid),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "SealedBidHTTP", package: sealedBid),
            ],
            swiftSettings: strict
        ),
        // The witness (C2SP tlog-witness) that tenders name in their descriptors.
        .executableTarget(
            name: "sealbid-witness",
            dependencies: [
                "SealedBidPortal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "sealbid-portal",
            dependencies: [
                "SealedBidPortal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // A tender, sealed bids and serve processes for the tests, the rush benchmark and the crash run.
        .target(
            name: "PortalLoad",
            dependencies: [
                "SealedBidPortal"
            ] + sealedBidProducts,
            swiftSettings: strict
        ),
        // `portal-load rush` (the deadline-rush benchmark) and `portal-load crash` (kill -9 during a load).
        .executableTarget(
            name: "portal-load",
            dependencies: [
                "PortalLoad",
                .product(name: "SealedBid", package: sealedBid),
                .product(name: "SealedBidLog", package: sealedBid),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SealedBidPortalTests",
            dependencies: [
                "SealedBidPortal", "PortalLoad",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ] + sealedBidProducts,
            swiftSettings: strict
        ),
    ]
)
