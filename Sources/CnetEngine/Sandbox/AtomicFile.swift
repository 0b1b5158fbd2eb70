import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Files replaced in one step (write a temporary, rename over): a reader
/// sees the old content or the new, never half of either.
enum AtomicFile {
  static func write(_ path: String, _ contents: String) throws {
    var text = contents
    try text.withUTF8 { try write(path, UnsafeRawBufferPointer($0)) }
  }

  static func write(_ path: String, _ bytes: [UInt8]) throws {
    try bytes.withUnsafeBytes { try write(path, $0) }
  }

  private static func write(_ path: String, _ buffer: UnsafeRawBufferPointer) throws {
    let temporary = path + ".tmp.\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure("write", path) }
    var ok = true
    var offset = 0
    while offset < buffer.count, let base = buffer.baseAddress {
      let n = Glibc.write(fd, base + offset, buffer.count - offset)
      if n < 0, errno == EINTR { continue }
      if n <= 0 {
        ok = false
        break
      }
      offset += n
    }
    let closed = close(fd) == 0
    guard ok, closed else {
      let error = failure("write", path)
      unlink(temporary)
      throw error
    }
    guard rename(temporary, path) == 0 else {
      let error = failure("write", path)
      unlink(temporary)
      throw error
    }
  }

  /// Makes `path` a symbolic link to `target`, replacing what was there.
  static func link(_ path: String, to target: String) throws {
    let temporary = path + ".tmp.\(getpid())"
    unlink(temporary)
    guard symlink(target, temporary) == 0 else { throw failure("link", path) }
    guard rename(temporary, path) == 0 else {
      let error = failure("link", path)
      unlink(temporary)
      throw error
    }
  }

  static func read(_ path: String) -> String? {
    readBytes(path).map { String(decoding: $0, as: UTF8.self) }
  }

  /// The file's bytes, in an array with room for `extra` more: read into
  /// memory that is not zeroed first, sized by fstat (and grown if the
  /// file grew).
  static func readBytes(_ path: String, reserving extra: Int = 0) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    // (/proc files report size 0.)
    let size = fstat(fd, &st) == 0 && st.st_size > 0 ? Int(st.st_size) + 1 : 4096
    var full = false
    var data = [UInt8](unsafeUninitializedCapacity: size + extra) { buffer, count in
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

  /// mkdir -p for one level below an existing directory.
  static func directory(_ path: String) throws {
    if mkdir(path, 0o755) != 0, errno != EEXIST { throw failure("create directory", path) }
  }

  private static func failure(_ operation: String, _ path: String) -> CnetError {
    CnetError(.failed, "cannot \(operation) \(path): \(String(cString: strerror(errno)))")
  }
}
