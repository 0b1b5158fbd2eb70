import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// A new network namespace, made on a thread of its own: unshare moves only
/// the thread that calls it, so each new namespace gets a thread that ends
/// once its work there is done, and the rest of the process never changes
/// namespace (DESIGN §4). This is the one place cnet makes a namespace.
///
/// The caller may go on meanwhile (`connect` reserves in the store while
/// the kernel makes a sandbox's namespace on the other core), and may hand
/// the thread the first part of a plan to carry out as soon as the
/// namespace exists (`runEarly`: a join's veth pairs, and the mending of
/// the devices they hang on); `finish` then waits
/// and hands everything over. Until the namespace is bound to a name, only
/// this process holds it: if the process dies, the kernel frees it with
/// whatever is inside. A creation is always finished or discarded: its
/// thread waits for one or the other.
public final class PendingNamespace: @unchecked Sendable {
  public enum Kind: Sendable {
    /// As `ip netns add` makes one: only `lo`, down.
    case bare
    /// A sandbox's: `lo` up, and a netlink socket inside for the join.
    case sandbox
  }

  /// What `finish` hands over.
  public struct Made {
    public let namespace: NetworkNamespace
    /// The socket inside (a sandbox's namespace).
    public let socket: RouteSocket?
    /// What the early plan made, for undoing it later, or why it failed
    /// (what it had made is undone then); nil when none was asked for.
    public let early: Result<PlanExecutor.Record, any Error>?
    /// What the early plan's undoing could not do, a line each.
    public let warnings: [String]
    /// Where the early plan found namespaces of cnet's own (`.named`
    /// places), for undoing it.
    let namespaces: NetnsDirectory?
  }

  private let kind: Kind
  private let name: String?
  private let monitor = Monitor()
  private var worker: Worker?
  // `decided` and `earlyPlan` are shared under the monitor; the rest is
  // written by the thread before it ends, and read after joining it.
  private var decided = false
  private var earlyPlan: KernelPlan?
  private var earlyNamespaces: NetnsDirectory?
  private var made: (namespace: NetworkNamespace, socket: RouteSocket?)?
  private var failure: (any Error)?
  private var earlyOutcome: Result<PlanExecutor.Record, any Error>?
  private var warnings: [String] = []
  private var collected = false

  private init(kind: Kind, name: String?) {
    self.kind = kind
    self.name = name
  }

  /// Starts making a namespace; `name` is for messages (the name it will be
  /// bound to).
  public static func start(_ kind: Kind, name: String? = nil) throws -> PendingNamespace {
    let pending = PendingNamespace(kind: kind, name: name)
    // A sandbox's runs beside the caller's work, so it is kept off the
    // caller's CPU; a bare one is waited for at once.
    pending.worker = try Worker(elsewhere: kind == .sandbox) { pending.make() }
    return pending
  }

  private func make() {
    // A socket's namespace is the one it was made in: the one for the
    // early plan's host steps is made before unshare.
    let host = kind == .sandbox ? try? RouteSocket.current() : nil
    do {
      var fd: Int32 = -1
      let rc = cnet_netns_unshare_here(&fd)
      guard rc == 0 else { throw KernelError("create network namespace", name.map { "\"\($0)\"" } ?? "", code: -rc) }
      let namespace = NetworkNamespace(fd: fd, name: name)
      var socket: RouteSocket?
      if kind == .sandbox {
        let inside = try RouteSocket.current()
        inside.namespaceName = name
        // `lo` is always index 1 in a new namespace.
        try inside.setLink(index: 1, name: "lo", LinkChanges(up: true))
        socket = inside
      }
      made = (namespace, socket)
    } catch {
      failure = error
    }
    let (plan, namespaces) = monitor.locked {
      monitor.wait { decided }
      return (earlyPlan, earlyNamespaces)
    }
    guard let plan, let made, let socket = made.socket else { return }
    guard let host else {
      earlyOutcome = .failure(KernelError("open netlink socket", "", code: EMFILE))
      return
    }
    let executor = PlanExecutor(host: { host }, firewall: nil, sandbox: made.namespace, sandboxSocket: { socket },
                                namespaces: namespaces, warn: { [self] in warnings.append($0) })
    earlyOutcome = Result { try executor.run(plan) }
  }

  /// Hands the thread `plan` to carry out as soon as the namespace exists
  /// (its sandbox steps inside it, its host steps in the caller's
  /// namespace, its `.named` steps in those of `namespaces`), unless
  /// `finish` or `discard` came first or a plan was handed already;
  /// whether it took it. Only for a sandbox's namespace.
  public func runEarly(_ plan: KernelPlan, namespaces: NetnsDirectory? = nil) -> Bool {
    guard kind == .sandbox else { return false }
    return monitor.locked {
      guard !decided else { return false }
      earlyPlan = plan
      earlyNamespaces = namespaces
      decided = true
      monitor.signal()
      return true
    }
  }

  /// Waits for the namespace (and the early plan) and takes them; once.
  public func finish() throws -> Made {
    guard !collected else { throw KernelError("create network namespace", name ?? "", code: EALREADY) }
    collected = true
    settle()
    if let failure { throw failure }
    guard let made else { throw KernelError("create network namespace", name ?? "", code: EIO) }
    return Made(namespace: made.namespace, socket: made.socket, early: earlyOutcome, warnings: warnings,
                namespaces: earlyNamespaces)
  }

  /// For a command that failed before it took the namespace: waits, and
  /// undoes what an early plan made (see `undoEarly`). Returns what could
  /// not be undone, a line each.
  @discardableResult
  public func discard() -> [String] {
    guard !collected else { return [] }
    collected = true
    settle()
    guard let made else { return warnings }
    return warnings + Self.undoEarly(Made(namespace: made.namespace, socket: made.socket, early: earlyOutcome, warnings: [],
                                          namespaces: earlyNamespaces))
  }

  /// Undoes what the early plan of `made` made: the namespace's own content
  /// goes with it, but the kernel frees a namespace in the background,
  /// after the command's exit, and a failed command must leave nothing in
  /// the host. Returns what could not be undone, a line each.
  public static func undoEarly(_ made: Made) -> [String] {
    guard case .success(let record)? = made.early, !record.isEmpty else { return [] }
    var lines: [String] = []
    let executor = PlanExecutor(host: { try RouteSocket.current() }, firewall: nil, sandbox: made.namespace,
                                sandboxSocket: made.socket.map { socket in { socket } }, namespaces: made.namespaces,
                                warn: { lines.append($0) })
    executor.undo(record)
    return lines
  }

  private func settle() {
    monitor.locked {
      if !decided {
        decided = true
        monitor.signal()
      }
    }
    worker?.join()
  }
}
