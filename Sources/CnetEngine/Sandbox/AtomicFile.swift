import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Files replaced in one step (write a temporary, rename over): a reader
/// sees the old content or the new, never half of either.
enum AtomicFile {
  static func write(_ path: String, _ contents: String) throws {
    let temporary = path + ".tmp.\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure("write", path) }
    var ok = true
    var text = contents
    text.withUTF8 { buffer in
      var offset = 0
      while offset < buffer.count, let base = buffer.baseAddress {
        let n = Glibc.write(fd, base + offset, buffer.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          ok = false
          return
        }
        offset += n
      }
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
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = Glibc.read(fd, &chunk, chunk.count)
      if n < 0, errno == EINTR { continue }
      if n <= 0 { break }
      data += chunk[0..<n]
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// mkdir -p for one level below an existing directory.
  static func directory(_ path: String) throws {
    if mkdir(path, 0o755) != 0, errno != EEXIST { throw failure("create directory", path) }
  }

  private static func failure(_ operation: String, _ path: String) -> CnetError {
    CnetError(.failed, "cannot \(operation) \(path): \(String(cString: strerror(errno)))")
  }
}
