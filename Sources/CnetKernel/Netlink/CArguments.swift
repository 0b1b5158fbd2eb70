#if canImport(Glibc)
import Glibc
#endif

/// Holds C copies of strings, byte arrays and structs for the duration of
/// one shim call, so a request with several of them is built without a
/// pyramid of nested `withCString` closures. Keep the arena alive across
/// the call (`withExtendedLifetime`); it frees everything when released.
final class CArguments {
  private var allocations: [UnsafeMutableRawPointer] = []

  deinit {
    for pointer in allocations { free(pointer) }
  }

  private func copy(_ source: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer {
    // malloc never returns NULL for small sizes on Linux unless memory is
    // exhausted, in which case nothing else would work either.
    guard let pointer = malloc(max(source.count, 1)) else { fatalError("out of memory") }
    if let base = source.baseAddress, source.count > 0 {
      pointer.copyMemory(from: base, byteCount: source.count)
    }
    allocations.append(pointer)
    return pointer
  }

  func string(_ text: String) -> UnsafePointer<CChar> {
    let utf8 = text.utf8CString
    return UnsafePointer(utf8.withUnsafeBytes { copy($0) }.assumingMemoryBound(to: CChar.self))
  }

  func string(_ text: String?) -> UnsafePointer<CChar>? {
    text.map { string($0) }
  }

  func bytes(_ data: [UInt8]) -> UnsafePointer<UInt8> {
    UnsafePointer(data.withUnsafeBytes { copy($0) }.assumingMemoryBound(to: UInt8.self))
  }

  func value<T: BitwiseCopyable>(_ value: T) -> UnsafeMutablePointer<T> {
    withUnsafeBytes(of: value) { copy($0) }.assumingMemoryBound(to: T.self)
  }

  func array<T: BitwiseCopyable>(_ values: [T]) -> UnsafeMutablePointer<T> {
    values.withUnsafeBytes { copy($0) }.assumingMemoryBound(to: T.self)
  }
}
