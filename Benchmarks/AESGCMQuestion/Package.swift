// swift-tools-version: 6.1
// The AES-GCM question of the performance issue, answered by measurement:
// AES-256-GCM decryption of 16 KiB chunks through SealedBid's OpenSSL 3.0 path
// against apple/swift-crypto (bundled BoringSSL). Kept out of the main package
// (swift-crypto is not a dependency of SealedBid). Run from this folder:
//   swift run -c release aesgcm-question
import Foundation
import PackageDescription

// A path dependency is identified by its folder's name, which differs between checkouts.
let sealedBid = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "AESGCMQuestion",
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "aesgcm-question",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SealedBidPrimitives", package: sealedBid),
            ])
    ]
)
