#if canImport(Glibc)
import Glibc
#endif

enum ProcessTable {
  /// Every process id in /proc, ascending.
  static func allPIDs() -> [Int32] {
    guard case .success(let names) = FileSystem.list("/proc") else { return [] }
    return names.compactMap { name in
      guard name.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
      return Int32(name)
    }.sorted()
  }

  /// True while a process with this id exists (zombies included).
  static func isAlive(_ pid: Int32) -> Bool {
    guard pid > 0 else { return false }
    return kill(pid, 0) == 0 || lastErrno() == EPERM
  }
}
