import Foundation

/// Calls `body` with the bytes of `bytes`, keeping the typed error.
/// (`ContiguousBytes.withUnsafeBytes` rethrows untyped errors.)
@inline(__always)
func withRawBytes<R>(
    _ bytes: some ContiguousBytes, _ body: (UnsafeRawBufferPointer) throws(CryptoError) -> R
) throws(CryptoError) -> R {
    let result: Result<R, CryptoError> = bytes.withUnsafeBytes { buffer in
        do throws(CryptoError) { return .success(try body(buffer)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// Calls `body` with the mutable bytes of `array`, keeping the typed error.
@inline(__always)
func withMutableRawBytes<R>(
    _ array: inout [UInt8], _ body: (UnsafeMutableRawBufferPointer) throws(CryptoError) -> R
) throws(CryptoError) -> R {
    let result: Result<R, CryptoError> = array.withUnsafeMutableBytes { buffer in
        do throws(CryptoError) { return .success(try body(buffer)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// One readable byte, for C functions that reject a null pointer even when
/// the length is zero.
nonisolated(unsafe) private let emptyByte: UnsafeMutablePointer<UInt8> = {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    p.initialize(to: 0)
    return p
}()

extension UnsafeRawBufferPointer {
    /// The base address as bytes, never nil (an empty buffer yields a valid dummy address).
    var bytePointer: UnsafePointer<UInt8> {
        baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? UnsafePointer(emptyByte)
    }
}

extension UnsafeMutableRawBufferPointer {
    var bytePointer: UnsafeMutablePointer<UInt8> {
        baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? emptyByte
    }
}

extension StringProtocol {
    /// Byte-for-byte equality of the UTF-8 encodings. Swift's `==` is Unicode canonical
    /// equivalence (`"é"` equals `"e\u{301}"`); names, origins and key names in the formats are
    /// compared as bytes, as the specs say.
    public func hasSameUTF8(as other: some StringProtocol) -> Bool { utf8.elementsEqual(other.utf8) }
}
