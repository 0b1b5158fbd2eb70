import CnetCore
import CnetKernel
import CnetStore

extension Controller {
  /// For a batch (`cnet batch`), which keeps one controller from line to
  /// line: the networks' hosts files are edited in memory from now on and
  /// written by `writeDeferredFiles` (see DeferredHosts). Every line is
  /// still its own reserve -> apply -> commit in the store and the kernel.
  public func deferHostsFiles() {
    let deferred = files.hosts.deferred
    deferred.isOn = true
    deferred.beforeFirst = { [unowned self] in try files.hosts.markUnwritten() }
  }

  /// Writes what the batch held back: the networks' hosts files, then the
  /// hosts files of their sandboxes that keep files of their own; then
  /// takes the mark away. Called when the batch ends and before it
  /// lets the lock go, so that no other command sees them unwritten.
  public func writeDeferredFiles() throws {
    let deferred = files.hosts.deferred
    guard deferred.isOn, deferred.marked || !deferred.order.isEmpty || !deferred.ownHostsStale.isEmpty else { return }
    let hadMark = deferred.marked
    _ = try files.hosts.writeDeferred()
    let stale = deferred.ownHostsStale
    deferred.ownHostsStale = []
    deferred.isOn = false
    defer { deferred.isOn = true }
    for network in stale { try refreshOwnHosts(on: network) }
    if hadMark {
      files.hosts.clearUnwritten()
      deferred.marked = false
    }
  }

  /// Whether another cnet process waits for the operation lock this
  /// controller holds (see OperationLock.isWanted).
  public var lockIsWanted: Bool { lock?.isWanted ?? false }

  /// The directory this controller's lock is on, when it holds one.
  public var lockPath: String? { lock?.path }

  /// How long this controller's commands wait for the lock.
  public var lockTimeout: Double { settings.lockTimeout }
}
