#if canImport(Glibc)
import Glibc
#endif

/// A directory under /tmp for one test, removed with everything in it.
public final class TemporaryDirectory {
  public let path: String

  public init() {
    var template = Array("/tmp/cnet-test-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
      guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
      return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    path = made ?? "/tmp/cnet-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    if made == nil { mkdir(path, 0o700) }
  }

  deinit {
    _ = system("rm -rf '\(path)'")
  }
}
