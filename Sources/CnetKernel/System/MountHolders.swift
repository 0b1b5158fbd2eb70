#if canImport(Glibc)
import Glibc
#endif

/// Finds the processes whose mount namespace still has something mounted
/// at a path: the usual reason a namespace name cannot be removed (EBUSY)
/// is a process that copied /var/run/netns into its own mount namespace.
enum MountHolders {
  struct Holder: Equatable {
    var pid: Int32
    var command: String
  }

  /// One process per mount namespace, at most `limit`.
  static func processes(mounting path: String, limit: Int = 5) -> [Holder] {
    var seen: [FileSystem.Identity] = []
    var holders: [Holder] = []
    for pid in ProcessTable.allPIDs() {
      guard holders.count < limit,
        case .success(let mountNamespace) = FileSystem.identity("/proc/\(pid)/ns/mnt"),
        !seen.contains(mountNamespace)
      else { continue }
      seen.append(mountNamespace)
      guard let info = readFile("/proc/\(pid)/mountinfo") else { continue }
      // Field 5 of each mountinfo line is the mount point.
      let mounted = info.split(separator: "\n").contains { line in
        let fields = line.split(separator: " ", maxSplits: 5)
        return fields.count > 4 && fields[4] == path
      }
      if mounted {
        let command = readFile("/proc/\(pid)/comm")?.split(separator: "\n").first.map(String.init) ?? "?"
        holders.append(Holder(pid: pid, command: command))
      }
    }
    return holders
  }

  private static func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = read(fd, &chunk, chunk.count)
      if n <= 0 { break }
      data += chunk[0..<n]
    }
    return String(decoding: data, as: UTF8.self)
  }
}
