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
    try write(path) { emit in try emit(buffer) }
  }

  /// Writes the file anew from the pieces `body` hands to `emit`, in order
  /// (a closure rather than an array of pieces: an array of a new element
  /// type costs its type's metadata, tens of thousands of instructions, at
  /// first use in every process).
  static func write(_ path: String, pieces body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
    let temporary = path + ".tmp.\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure("write", path) }
    var isOpen = true
    do {
      try body { piece in
        var offset = 0
        while offset < piece.count, let base = piece.baseAddress {
          let n = Glibc.write(fd, base + offset, piece.count - offset)
          if n < 0, errno == EINTR { continue }
          if n <= 0 { throw failure("write", path) }
          offset += n
        }
      }
      isOpen = false
      guard close(fd) == 0 else { throw failure("write", path) }
    } catch {
      // Never closed twice: the plugin server's other threads may have
      // been given the number again.
      if isOpen { close(fd) }
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

  /// Calls `body` with the file's bytes mapped rather than read; nil when
  /// there is no such file. For the files cnet edits on every join and
  /// leave: a network's hosts file is some 50 KB at 500 sandboxes, and
  /// reading it into fresh memory takes a page fault per 4 KB (about
  /// 2.5 us each in this VM), where the kernel maps a file's cached pages
  /// 64 KB per fault. Only for files cnet replaces by rename: one truncated
  /// in place under the mapping would fault the reader.
  static func withMappedBytes<R>(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw failure("read", path) }
    let size = Int(st.st_size)
    guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
      throw failure("read", path)
    }
    defer { munmap(mapped, size) }
    return try body(UnsafeRawBufferPointer(start: mapped, count: size))
  }

  /// mkdir -p for one level below an existing directory.
  static func directory(_ path: String) throws {
    if mkdir(path, 0o755) != 0, errno != EEXIST { throw failure("create directory", path) }
  }

  private static func failure(_ operation: String, _ path: String) -> CnetError {
    CnetError(.failed, "cannot \(operation) \(path): \(String(cString: strerror(errno)))")
  }
}
