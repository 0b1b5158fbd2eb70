// Thin, errno-preserving wrappers over the file calls the namespace code
// needs. Every fd is opened with O_CLOEXEC.
#if canImport(Glibc)
import Glibc
#endif

enum FileSystem {
  struct Identity: Equatable {
    var device: UInt64
    var inode: UInt64
  }

  enum EntryType {
    case regular
    case directory
    case symlink
    case other
  }

  /// stat() following links: the identity of the object a path names (for a
  /// namespace file, the nsfs inode of the namespace itself).
  static func identity(_ path: String) -> Result<Identity, Errno> {
    var st = stat()
    guard stat(path, &st) == 0 else { return .failure(Errno(lastErrno())) }
    return .success(Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)))
  }

  /// lstat(): what the path itself is, not what it points to.
  static func entryType(_ path: String) -> Result<EntryType, Errno> {
    var st = stat()
    guard lstat(path, &st) == 0 else { return .failure(Errno(lastErrno())) }
    switch st.st_mode & S_IFMT {
    case S_IFREG: return .success(.regular)
    case S_IFDIR: return .success(.directory)
    case S_IFLNK: return .success(.symlink)
    default: return .success(.other)
    }
  }

  /// Seconds since the file's last status change.
  static func age(_ path: String) -> Int? {
    var st = stat()
    guard lstat(path, &st) == 0 else { return nil }
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int(now.tv_sec) - Int(st.st_ctim.tv_sec)
  }

  static func readLink(_ path: String) -> Result<String, Errno> {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink(path, &buffer, Int(PATH_MAX))
    guard n >= 0 else { return .failure(Errno(lastErrno())) }
    return .success(String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
  }

  /// The names in a directory, without "." and "..".
  static func list(_ path: String) -> Result<[String], Errno> {
    guard let dir = opendir(path) else { return .failure(Errno(lastErrno())) }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafePointer(to: entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return .success(names)
  }

  static func exists(_ path: String) -> Bool {
    access(path, F_OK) == 0
  }
}

/// An errno value captured at the failing call.
struct Errno: Error, Equatable {
  var code: Int32
  init(_ code: Int32) { self.code = code < 0 ? -code : code }
}
