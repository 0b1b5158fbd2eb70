import CnetCore
import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// How commands reach the kernel: a netlink socket in the namespace `-n`
/// names (or cnet's own), and namespaces named by the user.
enum Kernel {
  static var namespaces: NetnsDirectory { .standard }

  /// A socket in the named namespace, or in cnet's own without a name.
  static func socket(in namespace: String?) throws -> RouteSocket {
    if keptSockets != nil { return try keptSocket(in: namespace) }
    guard let namespace else { return try RouteSocket.current() }
    return try RouteSocket.inside(try open(namespace: namespace))
  }

  // MARK: - Within a batch

  /// Within a batch: the sockets of the last few namespaces its lines
  /// worked in, kept from line to line (a socket inside a namespace costs
  /// a thread's setns there and back). nil outside a batch.
  nonisolated(unsafe) static var keptSockets: [KeptSocket]?
  /// How many: consecutive lines mostly work in one or two namespaces.
  static let socketsKept = 4

  struct KeptSocket {
    var name: String?
    /// The namespace's inode, to notice the name now naming another.
    var inode: ino_t
    var socket: RouteSocket
  }

  private static func keptSocket(in namespace: String?) throws -> RouteSocket {
    if var kept = keptSockets, let index = kept.firstIndex(where: { $0.name == namespace }) {
      let entry = kept.remove(at: index)
      // The name may name another namespace since (`ip netns del` and
      // `add` by someone else, while the batch let the lock go).
      if entry.name == nil || names(entry) {
        kept.append(entry)
        keptSockets = kept
        return entry.socket
      }
      keptSockets = kept
    }
    let socket: RouteSocket
    let inode: ino_t
    if let namespace {
      let opened = try open(namespace: namespace)
      socket = try RouteSocket.inside(opened)
      var st = stat()
      inode = fstat(opened.fd, &st) == 0 ? st.st_ino : 0
    } else {
      socket = try RouteSocket.current()
      inode = 0
    }
    var kept = keptSockets ?? []
    if kept.count >= socketsKept { kept.removeFirst() }
    kept.append(KeptSocket(name: namespace, inode: inode, socket: socket))
    keptSockets = kept
    return socket
  }

  /// After each line of a batch: a socket whose namespace's name went or
  /// names another namespace now is closed. A socket holds its namespace
  /// alive, and a namespace the batch deleted must go, with what is in it,
  /// when the line that deleted it ends, as it would one command at a time.
  static func dropStaleSockets() {
    guard let kept = keptSockets, kept.contains(where: { $0.name != nil }) else { return }
    keptSockets = kept.filter { $0.name == nil || names($0) }
  }

  /// Within a batch, when it lets the lock go: the sockets kept in named
  /// namespaces are closed (dropStaleSockets says why).
  static func forgetNamespaces() {
    keptSockets = keptSockets?.filter { $0.name == nil }
  }

  /// Whether the entry's name still names its namespace.
  private static func names(_ entry: KeptSocket) -> Bool {
    guard let name = entry.name else { return false }
    var st = stat()
    return stat(namespaces.path + "/" + name, &st) == 0 && st.st_ino == entry.inode
  }

  static func open(namespace: String) throws -> NetworkNamespace {
    try namespaces.open(NamespaceName(namespace))
  }

  /// A namespace given as a name or, as `ip link set netns` allows, a PID
  /// (when no namespace of that name exists).
  static func namespace(nameOrPID argument: String) throws -> NetworkNamespace {
    let name = try NamespaceName(argument)
    if !namespaces.exists(name), let pid = Int32(argument), pid > 0 {
      return try NetworkNamespace.of(pid: pid)
    }
    return try namespaces.open(name)
  }

  /// Parses a PID argument.
  static func pid(_ text: String) throws -> Int32 {
    guard let pid = Int32(text), pid > 0 else {
      throw CnetError(.invalidArgument, "invalid PID \"\(text)\": expected a positive number")
    }
    return pid
  }
}
