import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// An open handle on a network namespace: an O_CLOEXEC fd that keeps the
/// namespace alive and can be handed to the kernel (setns, IFLA_NET_NS_FD).
///
/// It is a class that closes its fd in deinit, so code that passes `fd` to
/// the kernel wraps the call in `withExtendedLifetime(namespace)`: Swift may
/// otherwise release an object after its last use, before the kernel is
/// done with the number (model-codebases P9).
public final class NetworkNamespace {
  public let fd: Int32
  /// The name used in messages: a named namespace's name, "pid N", or nil
  /// for cnet's own namespace.
  public internal(set) var name: String?

  init(fd: Int32, name: String?) {
    self.fd = fd
    self.name = name
  }

  deinit { close(fd) }

  var quotedName: String { name.map { "\"\($0)\"" } ?? "(current)" }

  /// Opens the namespace a path names (a file under /var/run/netns, or
  /// /proc/PID/ns/net) and checks that it is a network namespace.
  public static func open(path: String, name: String?) throws(KernelError) -> NetworkNamespace {
    let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw KernelError("open network namespace", name.map { "\"\($0)\"" } ?? path, code: lastErrno())
    }
    let check = cnet_fd_is_netns(fd)
    guard check == 1 else {
      Glibc.close(fd)
      if check < 0 {
        throw KernelError("open network namespace", name.map { "\"\($0)\"" } ?? path, code: -check)
      }
      throw KernelError("use", "\(path)", code: EINVAL, kernelMessage: "not a network namespace")
    }
    return NetworkNamespace(fd: fd, name: name)
  }

  /// The namespace of a running process.
  public static func of(pid: Int32) throws(KernelError) -> NetworkNamespace {
    do {
      return try open(path: "/proc/\(pid)/ns/net", name: "pid \(pid)")
    } catch where error.code == ENOENT {
      throw KernelError("find process", "\(pid)", code: ESRCH)
    }
  }

  /// A new, empty namespace (only `lo`, down), as `ip netns add` makes it,
  /// on a thread of its own (PendingNamespace) so the caller's namespace
  /// does not change. It lives as long as this handle, or longer once bound
  /// to a name.
  public static func create(name: String? = nil) throws -> NetworkNamespace {
    try PendingNamespace.start(.bare, name: name).finish().namespace
  }

  /// Whether this is the namespace cnet runs in, or init's (the host's
  /// own): never a sandbox's, which gets an eth0 and a default route.
  public var isHostNamespace: Bool {
    guard let mine = identity else { return false }
    for path in ["/proc/self/ns/net", "/proc/1/ns/net"] {
      if case .success(let other) = FileSystem.identity(path), other == mine { return true }
    }
    return false
  }

  /// The nsfs identity (device, inode): two handles name the same
  /// namespace exactly when these are equal.
  var identity: FileSystem.Identity? {
    var st = stat()
    guard fstat(fd, &st) == 0 else { return nil }
    return FileSystem.Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
  }
}
