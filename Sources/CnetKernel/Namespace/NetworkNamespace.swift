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
  public let name: String?

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

  /// A new, empty namespace (only `lo`, down), created on a throwaway
  /// thread so the caller's namespace does not change. It lives as long as
  /// this handle, or longer once bound to a name.
  public static func create(name: String? = nil) throws(KernelError) -> NetworkNamespace {
    var fd: Int32 = -1
    let rc = cnet_netns_create(&fd, nil)
    guard rc == 0 else {
      throw KernelError("create network namespace", name.map { "\"\($0)\"" } ?? "", code: -rc)
    }
    return NetworkNamespace(fd: fd, name: name)
  }

  /// The same, with a netlink socket inside it opened by the same thread.
  public static func createWithSocket(name: String? = nil) throws -> (NetworkNamespace, RouteSocket) {
    var fd: Int32 = -1
    var nl: OpaquePointer?
    let rc = cnet_netns_create(&fd, &nl)
    guard rc == 0, let nl else {
      throw KernelError("create network namespace", name.map { "\"\($0)\"" } ?? "", code: -rc)
    }
    return (NetworkNamespace(fd: fd, name: name), RouteSocket(transport: KernelTransport(adopting: nl), namespaceName: name))
  }

  /// The same, started now on a thread of its own, which also brings `lo`
  /// up; `finish` collects it.
  public static func startCreating() throws -> PendingNamespace {
    try PendingNamespace()
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

/// A namespace (with a netlink socket inside and `lo` up) being created on
/// a thread of its own while the caller works on (cnet_netns_pending).
/// Until it is bound to a name, only this process holds it: if the process
/// dies, the kernel frees it. Dropped unfinished, it is collected and closed.
///
/// The same thread can also make a join's veth pair once the namespace is
/// there (`requestPair`), while the caller reserves in the store; the
/// caller then collects it with `finishPair` when it joins.
public final class PendingNamespace {
  /// The creation; nil once nothing is left to collect (the namespace
  /// taken with no pair asked, or the pair collected).
  private var pending: OpaquePointer?
  /// Whether `finish` took the namespace.
  private var taken = false
  /// The pair's host end, once asked for.
  public private(set) var pairHost: String?

  init() throws {
    var started: OpaquePointer?
    let rc = cnet_netns_create_start(&started)
    guard rc == 0, let started else { throw KernelError("create network namespace", "", code: -rc) }
    pending = started
  }

  private init(adopting started: OpaquePointer) {
    pending = started
  }

  /// The one the shim started before main for a plain `cnet connect`
  /// (Sources/CShim/early_netns.c), if it did; once.
  public static func takeEarly() -> PendingNamespace? {
    cnet_netns_take_early().map { PendingNamespace(adopting: $0) }
  }

  /// Asks for a veth pair: `host` on `bridge` (in this process's namespace)
  /// marked `alias`, without IPv6 addresses of its own and up; `peer`
  /// inside the new namespace, down. Both keep the kernel's MACs. False
  /// when it cannot be asked (already finished, a name too long): the
  /// caller then makes the pair itself.
  public func requestPair(host: InterfaceName, peer: InterfaceName, bridge: InterfaceName, mtu: UInt32?,
                          alias: String) -> Bool {
    guard let pending, !taken, pairHost == nil,
      cnet_netns_pending_pair(pending, host.value, peer.value, bridge.value, mtu ?? 0, alias) == 0
    else { return false }
    pairHost = host.value
    return true
  }

  /// Waits for the namespace and takes it.
  public func finish(name: String?) throws -> (NetworkNamespace, RouteSocket) {
    guard let pending, !taken else { throw KernelError("create network namespace", "", code: EALREADY) }
    taken = true
    // With a pair asked, the creation stays for finishPair (the C side
    // frees it there).
    if pairHost == nil { self.pending = nil }
    var fd: Int32 = -1
    var nl: OpaquePointer?
    let rc = cnet_netns_create_finish(pending, &fd, &nl)
    guard rc == 0, let nl else {
      throw KernelError("create network namespace", name.map { "\"\($0)\"" } ?? "", code: -rc)
    }
    return (NetworkNamespace(fd: fd, name: name), RouteSocket(transport: KernelTransport(adopting: nl), namespaceName: name))
  }

  /// Waits for the pair asked for; throws what the kernel said when it
  /// could not be made.
  public func finishPair() throws {
    var message = [CChar](repeating: 0, count: 256)
    guard let rc = collectPair(&message) else {
      throw KernelError("create veth pair", pairHost ?? "", code: EALREADY)
    }
    guard rc == 0 else {
      throw KernelError("create veth pair", pairHost ?? "", code: -rc, kernelMessage: String(cString: message))
    }
  }

  /// For a connect that failed before its join: waits for the pair asked
  /// for, if any, and deletes it now, so that a refused command leaves
  /// nothing behind (dropped with the namespace, the kernel would remove
  /// it in the background, after the command's exit).
  public func discardPair() {
    var none: [CChar] = []
    guard collectPair(&none) == 0, let pairHost, let name = try? InterfaceName(pairHost),
      let socket = try? RouteSocket.current(), let link = try? socket.linkIfPresent(named: name)
    else { return }
    try? socket.deleteLink(link)
  }

  /// The pair's outcome (0 or -errno, the kernel's words in `message`),
  /// once; nil when none was asked or it was collected already. Frees the
  /// creation, and closes the namespace if `finish` never took it.
  private func collectPair(_ message: inout [CChar]) -> Int32? {
    guard pairHost != nil, let pending else { return nil }
    self.pending = nil
    return cnet_netns_pending_pair_finish(pending, &message, message.count)
  }

  deinit {
    guard let pending else { return }
    if pairHost != nil {
      _ = cnet_netns_pending_pair_finish(pending, nil, 0)
    } else {
      var fd: Int32 = -1
      if cnet_netns_create_finish(pending, &fd, nil) == 0 { close(fd) }
    }
  }
}
