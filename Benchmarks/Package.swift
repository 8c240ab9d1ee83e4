// swift-tools-version: 6.2
// Benchmarks for SealedBid, kept out of the main package so that `swift build`
// and `swift test` never compile ordo-one/benchmark. Run from this folder:
//   swift package benchmark
import Foundation
import PackageDescription

// A path dependency is identified by its folder's name, which differs between checkouts.
let sealedBid = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "SealedBidBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SealedBidBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SealedBidPrimitives", package: sealedBid),
                .product(name: "SealedBidHPKE", package: sealedBid),
                .product(name: "SealedBidEnvelope", package: sealedBid),
                .product(name: "SealedBidCommittee", package: sealedBid),
                .product(name: "SealedBidMerkle", package: sealedBid),
                .product(name: "SealedBidLog", package: sealedBid),
                .product(name: "SealedBid", package: sealedBid),
            ],
            path: "Benchmarks/SealedBidBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
