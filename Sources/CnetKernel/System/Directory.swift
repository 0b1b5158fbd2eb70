import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// A directory cnet writes in, held open by a descriptor: every name in
/// it is reached relative to that descriptor (openat and the other *at
/// calls), and none is followed if it is a symbolic link (O_NOFOLLOW,
/// AT_SYMLINK_NOFOLLOW), so that a link planted in /etc/netns, /run/cnet
/// or /var/lib/cnet cannot make cnet write or remove files elsewhere (in
/// /etc, say). A name that is not what cnet expects there (a link, a
/// regular file where a directory belongs) is refused with an error that
/// says so.
///
/// Files are replaced in one step: written under a new name nobody can
/// guess (O_CREAT|O_EXCL, so an existing file or link of that name is an
/// error, never written through), then renamed over the old one within the
/// same directory; a reader sees the old content or the new, never half.
public final class Directory {
  public let path: String
  private let fd: Int32

  private init(path: String, fd: Int32) {
    self.path = path
    self.fd = fd
  }

  deinit { close(fd) }

  /// One of cnet's base directories (/etc/netns, /run/cnet, ...), made if
  /// missing and `create` is set (its parent must exist); nil when missing
  /// and not made. The path up to it is the system's, and is followed as
  /// the system lays it out (/var/run is a link to /run on Debian); what
  /// cnet reaches below it is not.
  public static func base(_ path: String, create: Bool, mode: mode_t = 0o755) throws -> Directory? {
    while true {
      let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      if fd >= 0 { return Directory(path: path, fd: fd) }
      let code = errno
      guard code == ENOENT, create else {
        if code == ENOENT { return nil }
        throw Self.failure("open directory", path, code)
      }
      if mkdir(path, mode) != 0, errno != EEXIST { throw Self.failure("create directory", path, errno) }
    }
  }

  /// The directory `name` in this one, made if missing and `create` is
  /// set; nil when missing and not made. Refused when `name` is a link or
  /// not a directory.
  public func subdirectory(_ name: String, create: Bool, mode: mode_t = 0o755) throws -> Directory? {
    try Self.checkName(name, in: path)
    while true {
      let sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      if sub >= 0 { return Directory(path: path + "/" + name, fd: sub) }
      let code = errno
      if code == ENOENT {
        guard create else { return nil }
        if mkdirat(fd, name, mode) != 0, errno != EEXIST { throw Self.failure("create directory", path + "/" + name, errno) }
        continue
      }
      throw unexpected(name, code)
    }
  }

  /// What `name` is, without following it; nil when there is nothing.
  public func kind(of name: String) -> FileKind? {
    var st = stat()
    guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
    switch st.st_mode & S_IFMT {
    case S_IFREG: return .regular
    case S_IFDIR: return .directory
    case S_IFLNK: return .symlink
    default: return .other
    }
  }

  /// Refuses `name` unless it is missing or of `kind` (the check that a
  /// command makes before it changes anything, for what it will write).
  public func expect(_ name: String, _ kind: FileKind) throws {
    guard let found = self.kind(of: name), found != kind else { return }
    throw Self.misplaced(path + "/" + name, found, expected: kind)
  }

  /// Replaces the file `name` with the pieces `body` hands to `emit`, in
  /// order. A link of that name is replaced, never written through.
  public func write(_ name: String, mode: mode_t = 0o644,
                    pieces body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
    try Self.checkName(name, in: path)
    let (temporary, file) = try createTemporary(name, mode: mode)
    var isOpen = true
    do {
      try body { piece in
        var offset = 0
        while offset < piece.count, let base = piece.baseAddress {
          let n = Glibc.write(file, base + offset, piece.count - offset)
          if n < 0, errno == EINTR { continue }
          if n <= 0 { throw Self.failure("write", path + "/" + name, n == 0 ? ENOSPC : errno) }
          offset += n
        }
      }
      isOpen = false
      guard close(file) == 0 else { throw Self.failure("write", path + "/" + name, errno) }
      try rename(temporary, to: name)
    } catch {
      // Never closed twice: another thread (the plugin server's) may have
      // been given the number again.
      if isOpen { close(file) }
      unlinkat(fd, temporary, 0)
      throw error
    }
  }

  public func write(_ name: String, _ contents: String, mode: mode_t = 0o644) throws {
    var text = contents
    try text.withUTF8 { buffer in try write(name, mode: mode) { emit in try emit(UnsafeRawBufferPointer(buffer)) } }
  }

  /// Makes `name` a symbolic link to `target`, replacing what was there.
  public func link(_ name: String, to target: String) throws {
    try Self.checkName(name, in: path)
    for _ in 0..<8 {
      let temporary = Self.temporaryName(name)
      if symlinkat(target, fd, temporary) != 0 {
        if errno == EEXIST { continue }
        throw Self.failure("link", path + "/" + name, errno)
      }
      do {
        try rename(temporary, to: name)
      } catch {
        unlinkat(fd, temporary, 0)
        throw error
      }
      return
    }
    throw Self.failure("link", path + "/" + name, EEXIST)
  }

  /// The file's bytes; nil when it is missing. A link is not followed
  /// (nil, as for a missing file).
  public func read(_ name: String) -> [UInt8]? {
    let file = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard file >= 0 else { return nil }
    defer { close(file) }
    var bytes: [UInt8] = []
    var page = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = page.withUnsafeMutableBytes { Glibc.read(file, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      if n <= 0 { break }
      bytes += page[..<n]
    }
    return bytes
  }

  public func readText(_ name: String) -> String? {
    read(name).map { String(decoding: $0, as: UTF8.self) }
  }

  /// Calls `body` with the file's bytes mapped rather than read; nil when
  /// there is no such file (a link counts as none). For the files cnet
  /// edits on every join and leave: a network's hosts file is some 50 KB
  /// at 500 sandboxes, and reading it into fresh memory takes a page fault
  /// per 4 KB, where the kernel maps a file's cached pages 64 KB per fault.
  /// Only for files cnet replaces by rename: one truncated in place under
  /// the mapping would fault the reader.
  public func withMappedBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
    let file = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard file >= 0 else {
      if errno == ELOOP { throw Self.misplaced(path + "/" + name, .symlink, expected: .regular) }
      return nil
    }
    defer { close(file) }
    var st = stat()
    guard fstat(file, &st) == 0 else { throw Self.failure("read", path + "/" + name, errno) }
    let size = Int(st.st_size)
    guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, file, 0), mapped != MAP_FAILED else {
      throw Self.failure("read", path + "/" + name, errno)
    }
    defer { munmap(mapped, size) }
    return try body(UnsafeRawBufferPointer(start: mapped, count: size))
  }

  /// Where the link `name` points; nil when it is not a link.
  public func linkTarget(_ name: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlinkat(fd, name, &buffer, Int(PATH_MAX))
    guard n >= 0 else { return nil }
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Removes the file or link `name` (never what a link points to);
  /// nothing when it is missing.
  public func remove(_ name: String) {
    unlinkat(fd, name, 0)
  }

  /// Removes the directory `name` if it is empty; whether it did.
  @discardableResult
  public func removeDirectory(_ name: String) -> Bool {
    unlinkat(fd, name, AT_REMOVEDIR) == 0
  }

  /// The names in this directory, without "." and "..".
  public func names() -> [String] {
    let copy = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard copy >= 0, let stream = fdopendir(copy) else { return [] }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
      let name = withUnsafePointer(to: entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  // MARK: -

  private func rename(_ temporary: String, to name: String) throws {
    guard renameat(fd, temporary, fd, name) == 0 else {
      let code = errno
      if code == EISDIR || code == ENOTEMPTY || code == ENOTDIR {
        throw Self.misplaced(path + "/" + name, kind(of: name) ?? .other, expected: .regular)
      }
      throw Self.failure("write", path + "/" + name, code)
    }
  }

  /// A new file, opened for writing, under a name nobody can guess.
  private func createTemporary(_ name: String, mode: mode_t) throws -> (String, Int32) {
    for _ in 0..<8 {
      let temporary = Self.temporaryName(name)
      let file = openat(fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
      if file >= 0 { return (temporary, file) }
      if errno != EEXIST { throw Self.failure("write", path + "/" + name, errno) }
    }
    throw Self.failure("write", path + "/" + name, EEXIST)
  }

  /// NAME.tmp.RANDOM: gc finds a killed write's leftovers by the ".tmp.".
  static func temporaryName(_ name: String) -> String {
    var generator = SystemRandomNumberGenerator()
    return name + ".tmp." + String(generator.next() as UInt64, radix: 36)
  }

  /// True for a temporary `temporaryName` made.
  public static func isTemporary(_ name: String) -> Bool { name.contains(".tmp.") }

  private static func checkName(_ name: String, in path: String) throws {
    guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else {
      throw CnetError(.invalidArgument, "\"\(name)\" cannot be a file name in \(path)")
    }
  }

  private func unexpected(_ name: String, _ code: Int32) -> Error {
    if code == ELOOP || code == ENOTDIR, let found = kind(of: name) {
      return Self.misplaced(path + "/" + name, found, expected: .directory)
    }
    return Self.failure("open directory", path + "/" + name, code)
  }

  static func misplaced(_ path: String, _ found: FileKind, expected: FileKind) -> CnetError {
    let what = switch found {
    case .symlink: "a symbolic link"
    case .regular: "a file"
    case .directory: "a directory"
    case .other: "neither a file nor a directory"
    }
    let follow = found == .symlink ? " (cnet does not follow links it did not make)" : ""
    return CnetError(.conflict,
      "\(path) is \(what) where cnet keeps \(expected == .directory ? "a directory" : "a file")\(follow); move it away")
  }

  static func failure(_ operation: String, _ path: String, _ code: Int32) -> CnetError {
    CnetError(.failed, "cannot \(operation) \(path): \(String(cString: strerror(code)))")
  }
}

/// What a name in a directory is, not following links.
public enum FileKind: Sendable, Equatable {
  case regular
  case directory
  case symlink
  case other
}
