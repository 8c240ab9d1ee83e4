import Crypto
import Foundation
import SealedBidPrimitives

// AES-256-GCM open of 16 KiB chunks (the payload's chunk size), one core:
// system OpenSSL (as SealedBid uses it) against swift-crypto's BoringSSL.
let chunk = 16384, total = 1 << 30
let keyBytes = SecureRandom.bytes(count: 32), nonce = SecureRandom.bytes(count: 12)
let plaintext = SecureRandom.bytes(count: chunk)
let key = SymmetricKey(data: keyBytes)
let box = try AES.GCM.seal(plaintext, using: key, nonce: try AES.GCM.Nonce(data: nonce))
let sealed = Array(box.ciphertext) + Array(box.tag)
let clock = ContinuousClock()
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

for round in 0..<5 {
    // OpenSSL 3.0 through SealedBidPrimitives.AESGCM (no allocation per chunk).
    let cipher = try AESGCM(key: keyBytes)
    var out = [UInt8](repeating: 0, count: chunk)
    var start = clock.now
    for _ in 0..<(total / chunk) {
        try sealed.withUnsafeBytes { s in
            try nonce.withUnsafeBytes { n in
                try out.withUnsafeMutableBytes { o in
                    try cipher.open(nonce: n, ciphertextAndTag: s, authenticating: UnsafeRawBufferPointer(start: nil, count: 0), into: o)
                }
            }
        }
    }
    let openssl = Double(total) / seconds(clock.now - start) / 1e6
    precondition(out == plaintext)
    // BoringSSL through swift-crypto's public API (allocates the plaintext per call).
    let gcmNonce = try AES.GCM.Nonce(data: nonce)
    var last = Data()
    start = clock.now
    for _ in 0..<(total / chunk) {
        last = try AES.GCM.open(try AES.GCM.SealedBox(nonce: gcmNonce, ciphertext: box.ciphertext, tag: box.tag), using: key)
    }
    let boring = Double(total) / seconds(clock.now - start) / 1e6
    precondition(Array(last) == plaintext)
    print("round \(round): OpenSSL \(Int(openssl)) MB/s, swift-crypto/BoringSSL \(Int(boring)) MB/s, ratio \(String(format: "%.2f", boring / openssl))")
}
