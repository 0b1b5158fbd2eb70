import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Files of the system's that cnet reads (/proc, /etc/resolv.conf), as
/// the system lays them out, links followed. What cnet writes goes through
/// Directory, which follows none.
enum SystemFile {
  static func read(_ path: String) -> String? {
    readBytes(path).map { String(decoding: $0, as: UTF8.self) }
  }

  /// The file's bytes, read into memory that is not zeroed first, sized by
  /// fstat (and grown if the file grew).
  static func readBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    // (/proc files report size 0.)
    let size = fstat(fd, &st) == 0 && st.st_size > 0 ? Int(st.st_size) + 1 : 4096
    var full = false
    var data = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
      count = 0
      guard let base = buffer.baseAddress else { return }
      while count < size {
        let n = Glibc.read(fd, base + count, size - count)
        if n < 0, errno == EINTR { continue }
        if n <= 0 { return }
        count += n
      }
      full = true
    }
    // The file grew since fstat: the rest, a page at a time.
    var page = [UInt8](repeating: 0, count: full ? 4096 : 0)
    while full {
      let n = page.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      if n <= 0 { break }
      data += page[..<n]
    }
    return data
  }

}
