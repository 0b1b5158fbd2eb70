import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// The one exclusive lock every mutating command holds from its first read
/// to its last write (DESIGN §5): an flock on the directory /run/cnet
/// itself. The kernel drops it when the process exits, however it exits,
/// so a killed command never leaves it held; records it left half-done are
/// settled by the next holder.
///
/// Why the directory and not a file in it: a lock file can be deleted
/// while a command holds its lock, and the next command then makes a new
/// file and locks that, and two commands change things at once. The
/// directory holds cnet's files and cannot be removed by mistake; should
/// it be replaced anyway, a waiter that then gets the lock on the old one
/// takes it again on what the path names now.
public final class OperationLock {
  private let fd: Int32
  public let path: String

  /// DESIGN §5: runtime files live under /run/cnet.
  public static let defaultPath = "/run/cnet"

  /// Waits up to `timeout` seconds for the lock on the directory `path`
  /// (made if missing). Polls, so it works from any thread and needs no
  /// signal; waits grow from 0.2 to 5 ms. `shared`: for a reader that
  /// wants no change half-way while it looks (`cnet doctor`); it creates
  /// nothing, and holds nothing when no cnet command ever ran.
  public init(path: String = defaultPath, timeout: Double, shared: Bool = false) throws {
    self.path = path
    if !shared, mkdir(path, 0o755) != 0, errno != EEXIST {
      throw CnetError(.failed, "cannot create \(path): \(String(cString: strerror(errno)))")
    }
    let deadline = Self.seconds() + timeout
    var pause: UInt32 = 200
    while true {
      // NOFOLLOW: a link planted at the directory's name is refused.
      let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      if shared, fd < 0, errno == ENOENT {
        self.fd = -1
        return
      }
      guard fd >= 0 else {
        throw CnetError(.failed, "cannot open \(path) to lock it: \(String(cString: strerror(errno)))")
      }
      var marked = false
      while flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0 {
        if !marked { marked = Self.mark(fd, waiting: true) }
        guard errno == EWOULDBLOCK || errno == EINTR else {
          let code = errno
          close(fd)
          throw CnetError(.failed, "cannot lock \(path): \(String(cString: strerror(code)))")
        }
        if Self.seconds() >= deadline {
          close(fd)
          throw CnetError(.busy, "gave up after \(Self.format(timeout)) s waiting for another cnet command to finish (lock on \(path)\(Self.holder(path).map { ", held by pid \($0)" } ?? ""))")
        }
        usleep(pause)
        pause = min(pause * 2, 5000)
      }
      if marked { _ = Self.mark(fd, waiting: false) }
      // Held, but on what the path still names? One replaced meanwhile
      // locks nothing the next command will see: take the lock again.
      if Self.isCurrent(fd, path) {
        self.fd = fd
        return
      }
      close(fd)
    }
  }

  // MARK: - Waiters

  // A waiter says so with a shared lock of another kind on the same
  // directory: an open file description lock (fcntl F_OFD_SETLK, Linux
  // 3.15; <fcntl.h> defines the commands only under _GNU_SOURCE, which
  // Swift's Glibc module does not see). The kernel keeps these apart from
  // flock's, drops one with its descriptor (a killed waiter leaves no
  // mark), and answers F_OFD_GETLK with any other description's: the
  // holder of the flock can ask whether someone waits without the waiters
  // writing anything anywhere.
  private static let getOFDLock: Int32 = 36  // F_OFD_GETLK
  private static let setOFDLock: Int32 = 37  // F_OFD_SETLK

  /// Marks (or unmarks) the waiter open on `fd`; keeps errno as it was,
  /// for the caller's check of flock's.
  private static func mark(_ fd: Int32, waiting: Bool) -> Bool {
    let saved = errno
    defer { errno = saved }
    var lock = flock()
    lock.l_type = Int16(waiting ? F_RDLCK : F_UNLCK)
    lock.l_whence = Int16(SEEK_SET)
    return fcntl(fd, setOFDLock, &lock) == 0
  }

  /// Whether another process (or another descriptor of this one's) is
  /// waiting for this lock: a holder that works for long, as a batch does,
  /// lets it go between two of its steps when one is (see `yield`).
  public var isWanted: Bool {
    fd >= 0 && Self.waiterMarked(on: fd)
  }

  private static func waiterMarked(on fd: Int32) -> Bool {
    var lock = flock()
    lock.l_type = Int16(F_WRLCK)
    lock.l_whence = Int16(SEEK_SET)
    return fcntl(fd, getOFDLock, &lock) == 0 && lock.l_type != Int16(F_UNLCK)
  }

  /// After a holder let the lock go because it was wanted: waits until
  /// the waiters there were have had their turn (their marks are gone:
  /// a waiter unmarks itself once it holds the lock), at most `timeout`
  /// seconds, so that taking the lock again does not beat them to it
  /// (they poll; the one who let it go would otherwise win at once).
  /// The caller then waits for the lock as usual.
  public static func yield(path: String, timeout: Double) {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let deadline = seconds() + timeout
    var pause: UInt32 = 100
    while waiterMarked(on: fd) {
      if seconds() >= deadline { return }
      usleep(pause)
      pause = min(pause * 2, 2000)
    }
  }

  /// The monotonic clock, in seconds.
  private static func seconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
  }

  /// Whether `path` names the file `fd` is open on.
  private static func isCurrent(_ fd: Int32, _ path: String) -> Bool {
    var held = stat()
    var named = stat()
    guard fstat(fd, &held) == 0, lstat(path, &named) == 0 else { return false }
    return held.st_dev == named.st_dev && held.st_ino == named.st_ino
  }

  deinit {
    // Closing the descriptor releases the lock.
    if fd >= 0 { close(fd) }
  }

  private static func format(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
  }

  /// Who holds the lock, from /proc/locks (matched by the file's inode).
  static func holder(_ path: String) -> Int32? {
    var st = stat()
    guard stat(path, &st) == 0, let file = fopen("/proc/locks", "re") else { return nil }
    defer { fclose(file) }
    let inode = String(st.st_ino)
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), file) != nil {
      // "1: FLOCK  ADVISORY  WRITE 4242 00:1a:1234 0 EOF"
      let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let fields = text.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count >= 6, fields[1] == "FLOCK", fields[5].hasSuffix(":" + inode) else { continue }
      return Int32(fields[4])
    }
    return nil
  }
}
