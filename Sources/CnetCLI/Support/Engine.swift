import CnetCluster
import CnetCore
import CnetEngine
import CnetKernel
import CnetPlugin
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// How CNM commands reach the controller.
enum Engine {
  /// The controller of the command that is changing things. Kept to the
  /// end of the process, which `finishForExit` ends (see there), or in a
  /// batch until `release`.
  nonisolated(unsafe) private static var active: Controller?
  /// Whether `active` settled and repaired when it was made, as a batch's
  /// next lines need: one made for `gc --dry-run` did neither.
  nonisolated(unsafe) private static var activeSettled = false

  /// For commands that change something: waits for the operation lock
  /// (CNET_LOCK_TIMEOUT seconds, 60 by default) and settles whatever an
  /// interrupted command left.
  static func changing(settle: Bool = true, repair: Bool = true, storeMayBeNew: Bool = false) throws -> Controller {
    if keepsController, active != nil {
      // `gc` and `firewall reload` settle and repair themselves, and say
      // what they did: they get a controller of their own, as they would
      // one command at a time, with what the batch held back written; and
      // a line after them gets one that settled.
      if settle, repair, !storeMayBeNew, activeSettled, let active { return active }
      try release()
    }
    var settings = try settings()
    settings.storeMayBeNew = storeMayBeNew
    // A batch's connection leaves the store to readers (ls, inspect),
    // which would otherwise wait for the whole batch.
    settings.exclusiveStore = !keepsController
    let controller = try Controller.forChanges(settings, settle: settle, repair: repair)
    if keepsController { controller.deferHostsFiles() }
    active = controller
    activeSettled = settle && repair
    return controller
  }

  /// Within a batch: the controller of the first line that changes
  /// something is kept for the next lines (one store connection, one hold
  /// of the lock; the first settles what an interrupted command left, as
  /// a single command does), until `release`.
  nonisolated(unsafe) static var keepsController = false

  /// Within a batch: writes what its lines held back (hosts files) and
  /// lets the kept controller go, its store connection and the lock with
  /// it; the next line that changes something opens a new one, which
  /// settles what another command may have left meanwhile.
  static func release() throws {
    // A socket kept in a namespace keeps the namespace alive: with the
    // lock let go, another command may delete a sandbox's, and the kernel
    // must then reap what is inside.
    Kernel.forgetNamespaces()
    guard let controller = active else { return }
    active = nil
    try controller.writeDeferredFiles()
    // (A reader may hold the log a moment: the next holder's checkpoint
    // will do.)
    try? controller.store.checkpoint()
  }

  /// Within a batch, between two lines: when another cnet command waits
  /// for the lock, lets it go (`release`) until the waiters have had
  /// their turn.
  static func yieldIfWanted() throws {
    guard let (path, timeout) = wantedLock() else { return }
    try release()
    OperationLock.yield(path: path, timeout: timeout)
  }

  /// The kept controller's lock, when another command waits for it. (Its
  /// own function: no reference to the controller may outlive `release`,
  /// whose end lets the lock go.)
  private static func wantedLock() -> (path: String, timeout: Double)? {
    guard let active, active.lockIsWanted, let path = active.lockPath else { return nil }
    return (path, active.lockTimeout)
  }

  /// For `doctor` and `gc --dry-run`, which look under a shared lock: a
  /// batch's kept controller goes first (its exclusive lock would make
  /// them wait for the batch itself).
  static func diagnosing(_ settings: Controller.Settings = Controller.Settings()) throws -> (Controller, storeFound: Bool) {
    try release()
    return try Controller.forDiagnosis(settings)
  }

  /// A command's settings: drivers beyond the built-in ones (a cluster's
  /// overlay driver, plugins), found by name only when a network names
  /// one; warnings on stderr; the lock timeout.
  static func settings() throws -> Controller.Settings {
    var settings = Controller.Settings()
    settings.plugins = ClusterResolver(inner: PluginResolver(stateDirectory: settings.stateDirectory),
                                       stateDirectory: settings.stateDirectory, runDirectory: settings.runDirectory)
    settings.catalog = ClusterCatalog(stateDirectory: settings.stateDirectory)
    settings.warn = { writeError(messagePrefix() + "warning: " + $0 + "\n") }
    if let seconds = try lockTimeout() { settings.lockTimeout = seconds }
    return settings
  }

  /// CNET_LOCK_TIMEOUT, when set.
  static func lockTimeout() throws -> Double? {
    guard let text = getenv("CNET_LOCK_TIMEOUT").map({ String(cString: $0) }) else { return nil }
    guard let seconds = Double(text), seconds >= 0, seconds.isFinite else {
      throw CnetError(.invalidArgument, "invalid CNET_LOCK_TIMEOUT \"\(text)\": expected seconds")
    }
    return seconds
  }

  /// Called just before the process ends (with _exit): empties the store's
  /// log into its file, which is all that closing it would achieve, and
  /// leaves the rest (statements, caches, the lock) for the kernel to drop
  /// with the process. Tearing the controller down would cost a tenth of
  /// a millisecond of a command that takes a few.
  static func finishForExit() {
    try? active?.writeDeferredFiles()
    try? active?.store.checkpoint()
  }

  /// `connect`, with the sandbox's namespace (when it will be a new one)
  /// created while the command waits for the lock and reads the store.
  static func connect(_ network: String, _ sandbox: SandboxSpec, _ endpoint: EndpointSpec) throws {
    let prepared = takeAhead(sandbox) ?? Controller.speculativeNamespace(for: sandbox)
    // A guess the connect did not take (the sandbox existed, or no
    // controller could be had): its thread waits to be told. (Nothing to
    // do once taken.)
    defer { if let prepared { warnEach(prepared.discard()) } }
    let controller = try changing()
    // Within a batch: once this line's namespace and pair are made, the
    // next line's namespace is started on the other core, while this one
    // finishes (earlier, both would compete for the kernel's locks).
    if let next = nextConnect {
      controller.afterNamespace = { prepareAhead(next.line, next.sandbox, next.options) }
    }
    defer { controller.afterNamespace = nil }
    _ = try controller.connect(network, sandbox, endpoint: endpoint, prepared: prepared)
  }

  /// Within a batch: a connect on the next line, when the input holds it
  /// already (BatchRunner).
  nonisolated(unsafe) static var nextConnect: (line: Int, sandbox: String, options: SandboxRequest)?
  /// The namespaces started for the next line's connect, by line number.
  nonisolated(unsafe) private static var ahead: [(line: Int, name: String, namespace: PendingNamespace)] = []

  private static func prepareAhead(_ line: Int, _ sandbox: String, _ options: SandboxRequest) {
    guard !ahead.contains(where: { $0.line == line }), let spec = try? options.spec(name: sandbox),
      let namespace = Controller.speculativeNamespace(for: spec)
    else { return }
    ahead.append((line, sandbox, namespace))
  }

  /// The namespace started ahead for this line's `sandbox`, when it was.
  private static func takeAhead(_ sandbox: SandboxSpec) -> PendingNamespace? {
    // (Made only for a sandbox without --pid or --netns, as is a guess.)
    guard let line = batchLine, sandbox.pid == nil, sandbox.netns == nil,
      let index = ahead.firstIndex(where: { $0.line == line && $0.name == sandbox.name })
    else { return nil }
    return ahead.remove(at: index).namespace
  }

  /// Namespaces started ahead for lines up to `line` (all without one)
  /// that did not take them: discarded.
  static func discardAhead(upTo line: Int = .max) {
    while let first = ahead.first, first.line <= line {
      ahead.removeFirst()
      warnEach(first.namespace.discard())
    }
  }

  private static func warnEach(_ lines: [String]) {
    for line in lines { writeError(messagePrefix() + "warning: " + line + "\n") }
  }

  /// For ls and inspect: nil when cnet has stored nothing yet.
  static func reading() throws -> Controller? {
    // A batch's kept controller: one connection for the whole batch.
    if let active { return active }
    return try Controller.forReading()
  }

  /// Parses KEY=VALUE for `flag`.
  static func keyValue(_ text: String, _ flag: String) throws -> KeyValue {
    guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
      throw CnetError(.invalidArgument, "invalid \(flag) \"\(text)\": expected KEY=VALUE")
    }
    let key = String(text[..<equals])
    guard !key.utf8.contains(UInt8(ascii: "\n")), !text.utf8.contains(UInt8(ascii: "\n")) else {
      throw CnetError(.invalidArgument, "invalid \(flag) \"\(text)\": no newlines")
    }
    return KeyValue(key, String(text[text.index(after: equals)...]))
  }

  static func address(_ text: String, _ flag: String) throws -> IPAddress {
    guard let address = IPAddress(text) else {
      throw CnetError(.invalidArgument, "invalid \(flag) \"\(text)\": not an IPv4 or IPv6 address")
    }
    return address
  }

  /// HOST:IP, as Docker's --add-host takes it (the IP may be IPv6).
  static func extraHost(_ text: String) throws -> (host: String, address: IPAddress) {
    guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
      throw CnetError(.invalidArgument, "invalid --add-host \"\(text)\": expected HOST:IP")
    }
    return (String(text[..<colon]), try address(String(text[text.index(after: colon)...]), "--add-host address"))
  }

  static func shortID(_ id: String) -> String { String(id.prefix(12)) }
}

/// KEY=VALUE pairs as a JSON object.
func jsonObject(_ pairs: [KeyValue]) -> JSON {
  .object(pairs.map { ($0.key, .string($0.value)) })
}
