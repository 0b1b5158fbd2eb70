import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Named network namespaces: the files under /var/run/netns, with
/// iproute2's semantics (ip-netns(8), ip/ipnetns.c), so that `ip netns`
/// and cnet see and use each other's namespaces.
///
/// A name is one of:
/// - a bind mount of a namespace over an empty file (`netns add`,
///   `netns link --bind`, `ip netns add`, `ip netns attach`): it keeps the
///   namespace alive until deleted;
/// - a symbolic link to /proc/PID/ns/net (`netns link`): it lives as long as
///   the process and is "dangling" after;
/// - a stale placeholder: the empty file an interrupted `add` left behind.
public struct NetnsDirectory: Sendable {
  public let path: String

  /// iproute2's NETNS_RUN_DIR.
  public static let standard = NetnsDirectory(path: "/var/run/netns")

  public init(path: String) { self.path = path }

  public func path(of name: NamespaceName) -> String { path + "/" + name.value }

  public enum Kind: Sendable, Equatable {
    /// A namespace bound to the name.
    case namespace
    /// A symbolic link, with its target.
    case link(target: String)
    /// A file that is not a namespace.
    case placeholder
  }

  public struct Entry: Sendable, Equatable {
    public var name: String
    public var kind: Kind
    /// The process whose namespace a link names (/proc/PID/ns/net).
    public var pid: Int32?
    /// A link whose process is gone.
    public var dangling: Bool
    /// The namespace id the caller's namespace assigned to it, if any.
    public var id: Int32?
  }

  // MARK: - Creating

  /// Creates a new namespace under `name`, as `ip netns add` does: the
  /// directory becomes a shared mount, an empty file is created with O_EXCL,
  /// and a new namespace is bind-mounted over it. Returns a handle on it.
  /// Throws KernelError; nothing is left behind on failure.
  @discardableResult
  public func add(_ name: NamespaceName) throws -> NetworkNamespace {
    try add(name) { try PendingNamespace.start(.bare, name: name.value) }.namespace
  }

  /// The same, for the namespace `pending` makes (a sandbox's, with a
  /// socket inside and what its early plan made).
  public func add(_ name: NamespaceName, from pending: PendingNamespace) throws -> PendingNamespace.Made {
    try add(name) { pending }
  }

  private func add(_ name: NamespaceName, creation: () throws -> PendingNamespace) throws -> PendingNamespace.Made {
    try prepare()
    let file = path(of: name)
    try createPlaceholder(file, name)
    var made: PendingNamespace.Made?
    do {
      made = try creation().finish()
      guard let made else { throw KernelError("create network namespace", "\"\(name)\"", code: EIO) }
      // /proc/self/fd/N names the same nsfs inode as the thread that
      // created it, whichever thread runs this mount.
      guard mount("/proc/self/fd/\(made.namespace.fd)", file, "none", UInt(MS_BIND), nil) == 0 else {
        throw KernelError("bind namespace to", "\"\(name)\"", code: lastErrno())
      }
      return made
    } catch {
      unlink(file)
      if let made { _ = PendingNamespace.undoEarly(made) }
      throw error
    }
  }

  /// Names the namespace of a running process. A symbolic link to
  /// /proc/PID/ns/net by default; with `bind`, a bind mount that keeps the
  /// namespace alive after the process (`ip netns attach`).
  public func link(pid: Int32, as name: NamespaceName, bind: Bool) throws {
    // Checks that the process exists and has a network namespace we can see.
    let source = "/proc/\(pid)/ns/net"
    _ = try NetworkNamespace.of(pid: pid)
    if !bind { return try link(file: source, as: name) }
    try prepare()
    let file = path(of: name)
    try createPlaceholder(file, name)
    guard mount(source, file, "none", UInt(MS_BIND), nil) == 0 else {
      let code = lastErrno()
      unlink(file)
      throw KernelError("bind namespace of pid \(pid) to", "\"\(name)\"", code: code)
    }
  }

  /// Makes NAME a symbolic link to a namespace file another manager keeps
  /// (dockerd's /var/run/docker/netns/ID). The file need not exist yet:
  /// dockerd names it at Join and mounts the namespace there only when the
  /// container starts.
  public func link(file source: String, as name: NamespaceName) throws {
    try prepare()
    guard symlink(source, path(of: name)) == 0 else {
      throw KernelError("create namespace", "\"\(name)\"", code: lastErrno())
    }
  }

  /// mkdir -p and the shared mount, under an flock on the directory so
  /// parallel adds do not stack mounts (Debian #949235, iproute2's comment).
  ///
  /// Shared, so that unmounting a name in one mount namespace unmounts it in
  /// the others and the namespace can be freed. iproute2 sets it with
  /// MS_REC on every add, which walks every name already mounted there:
  /// with a thousand names that is most of the cost of an add. Names
  /// mounted under a shared mount point are shared already, so cnet
  /// re-asserts the top mount only, and goes recursive only when it has
  /// just made the mount point.
  private func prepare() throws {
    if mkdir(path, 0o755) != 0, lastErrno() != EEXIST {
      throw KernelError("create directory", path, code: lastErrno())
    }
    let lock = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if lock >= 0 { flock(lock, LOCK_EX) }
    defer { if lock >= 0 { close(lock) } }
    if mount("", path, "none", UInt(MS_SHARED), nil) == 0 { return }
    let code = lastErrno()
    guard code == EINVAL else {
      throw KernelError("make shared mount of", path, code: code)
    }
    // Not a mount point yet: make it one by binding it onto itself.
    guard mount(path, path, "none", UInt(MS_BIND | MS_REC), nil) == 0 else {
      throw KernelError("bind-mount", "\(path) onto itself", code: lastErrno())
    }
    guard mount("", path, "none", UInt(MS_SHARED | MS_REC), nil) == 0 else {
      throw KernelError("make shared mount of", path, code: lastErrno())
    }
  }

  private func createPlaceholder(_ file: String, _ name: NamespaceName) throws {
    let fd = Glibc.open(file, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0)
    guard fd >= 0 else {
      throw KernelError("create namespace", "\"\(name)\"", code: lastErrno())
    }
    close(fd)
  }

  // MARK: - Using

  /// Opens a named namespace. A missing name or a dangling link is a
  /// `.notFound` error: `cannot open network namespace "x": No such file or directory`.
  public func open(_ name: NamespaceName) throws -> NetworkNamespace {
    try NetworkNamespace.open(path: path(of: name), name: name.value)
  }

  public func exists(_ name: NamespaceName) -> Bool {
    if case .success = FileSystem.entryType(path(of: name)) { return true }
    return false
  }

  // MARK: - Removing

  /// Removes a name, as `ip netns del` does: detach the bind mount, then
  /// unlink. The namespace itself goes when nothing else holds it. A mount
  /// that another mount namespace keeps busy is retried briefly, then
  /// reported with the processes that pin it.
  public func delete(_ name: NamespaceName) throws {
    let file = path(of: name)
    guard case .success(let type) = FileSystem.entryType(file) else {
      throw KernelError("remove namespace", "\"\(name)\"", code: ENOENT)
    }
    if type == .directory {
      throw KernelError("remove namespace", "\"\(name)\"", code: EISDIR)
    }
    for attempt in 0..<5 {
      // NOFOLLOW: for a link, never unmount what it points to.
      umount2(file, Int32(MNT_DETACH) | Int32(UMOUNT_NOFOLLOW))
      if unlink(file) == 0 { return }
      let code = lastErrno()
      guard code == EBUSY, attempt < 4 else {
        var note: String?
        if code == EBUSY {
          let holders = MountHolders.processes(mounting: file)
          if !holders.isEmpty {
            note = "still mounted in the mount namespace of " + holders.map { "pid \($0.pid) (\($0.command))" }.joined(separator: ", ")
          }
        }
        throw KernelError("remove namespace", "\"\(name)\"", code: code, kernelMessage: note)
      }
      usleep(20_000)
    }
  }

  // MARK: - Listing

  /// Every name, sorted, with what it is. `ids` gives each namespace's id
  /// as seen from the socket's namespace (`ip netns list` shows it).
  public func list(ids socket: RouteSocket? = nil) -> [Entry] {
    guard case .success(let names) = FileSystem.list(path) else { return [] }
    return names.sorted().compactMap { entry(named: $0, ids: socket) }
  }

  func entry(named name: String, ids socket: RouteSocket?) -> Entry? {
    let file = path + "/" + name
    guard case .success(let type) = FileSystem.entryType(file) else { return nil }
    switch type {
    case .symlink:
      let target = (try? FileSystem.readLink(file).get()) ?? ""
      let pid = Self.pid(fromLinkTarget: target)
      var id: Int32?
      var dangling = true
      if let namespace = try? NetworkNamespace.open(path: file, name: name) {
        dangling = false
        id = socket?.namespaceID(of: namespace)
      }
      return Entry(name: name, kind: .link(target: target), pid: pid, dangling: dangling, id: id)
    case .regular:
      guard let namespace = try? NetworkNamespace.open(path: file, name: name) else {
        return Entry(name: name, kind: .placeholder, pid: nil, dangling: false, id: nil)
      }
      return Entry(name: name, kind: .namespace, pid: nil, dangling: false, id: socket?.namespaceID(of: namespace))
    case .directory, .other:
      return nil
    }
  }

  /// The PID in "/proc/PID/ns/net".
  static func pid(fromLinkTarget target: String) -> Int32? {
    let parts = target.split(separator: "/", omittingEmptySubsequences: true)
    guard parts.count == 4, parts[0] == "proc", parts[2] == "ns", parts[3] == "net" else { return nil }
    return Int32(parts[1])
  }

  /// Removes what cannot be used any more: links whose process is gone, and
  /// placeholders older than `placeholderAge` seconds (younger ones may
  /// belong to an `add` in progress). Never touches a namespace.
  /// Returns what it removed (or, with `dryRun`, what it would remove).
  public func prune(placeholderAge: Int = 10, dryRun: Bool = false) throws -> [Entry] {
    var removed: [Entry] = []
    for entry in list() {
      let file = path + "/" + entry.name
      let stale: Bool
      switch entry.kind {
      case .link: stale = entry.dangling
      case .placeholder: stale = (FileSystem.age(file) ?? 0) >= placeholderAge
      case .namespace: stale = false
      }
      guard stale else { continue }
      if !dryRun {
        // Look again right before removing: a link may have been replaced.
        guard let now = self.entry(named: entry.name, ids: nil), now.kind == entry.kind,
          now.dangling == entry.dangling || entry.kind == .placeholder
        else { continue }
        if case .placeholder = entry.kind, (try? NetworkNamespace.open(path: file, name: nil)) != nil { continue }
        guard unlink(file) == 0 || lastErrno() == ENOENT else {
          throw KernelError("remove stale namespace name", "\"\(entry.name)\"", code: lastErrno())
        }
      }
      removed.append(entry)
    }
    return removed
  }

  // MARK: - Processes

  /// The names under which the namespace of `pid` (default: cnet's own) is
  /// known (`ip netns identify`).
  public func identify(pid: Int32?) throws -> [String] {
    // thread-self: correct even when called from a threaded process.
    let target = pid.map { "/proc/\($0)/ns/net" } ?? "/proc/thread-self/ns/net"
    guard case .success(let identity) = FileSystem.identity(target) else {
      throw KernelError("find process", pid.map(String.init) ?? "self", code: ESRCH)
    }
    return list().filter { entry in
      guard entry.kind != .placeholder, !entry.dangling,
        case .success(let other) = FileSystem.identity(path + "/" + entry.name)
      else { return false }
      return other == identity
    }.map(\.name)
  }

  /// The processes running in a named namespace (`ip netns pids`).
  public func pids(in name: NamespaceName) throws -> [Int32] {
    let namespace = try open(name)
    guard let identity = namespace.identity else {
      throw KernelError("read namespace", "\"\(name)\"", code: EBADF)
    }
    return ProcessTable.allPIDs().filter { pid in
      guard case .success(let other) = FileSystem.identity("/proc/\(pid)/ns/net") else { return false }
      return other == identity
    }
  }
}
