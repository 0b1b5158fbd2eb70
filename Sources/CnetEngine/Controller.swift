import CnetCore
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// The Container Network Model's controller: networks, endpoints and
/// sandboxes, their drivers and IPAM, and the rules that tie them together
/// (DESIGN §1):
///
/// - an endpoint reserves its addresses when it is created, before any
///   sandbox exists;
/// - joining creates the sandbox if needed; leaving keeps the addresses;
///   the last leave removes a sandbox that join made;
/// - deleting an endpoint releases its addresses; a network with
///   endpoints cannot be deleted.
///
/// Every change goes reserve -> apply -> commit: the store records the
/// intent (records in state `creating`, `removing`, or joins `joining`,
/// `leaving`), the drivers change the kernel, and the store records the
/// result. A failure rolls the kernel back and drops the reservation; a
/// kill leaves the intent in the store, and the next controller opened for
/// changes settles it before doing anything else.
public final class Controller {
  public let store: Store
  let settings: Settings
  /// Held for the controller's life when it makes changes.
  let lock: OperationLock?
  let kernel = KernelContext()
  let netns: NetnsDirectory
  let files: SandboxFiles
  // Drivers by name, as lists of a handful of entries (a dictionary's
  // first use costs the runtime a scan of the binary's conformances;
  // scripts/instruction-budget keeps such costs in check).
  let drivers: [(name: String, driver: any NetworkDriver)]
  var ipams: [(name: String, driver: any IPAMDriver)] = []
  var pluginDrivers: [(name: String, driver: any NetworkDriver)] = []
  var pluginIPAMs: [(name: String, driver: any IPAMDriver)] = []
  /// The gateway bridge network's id once looked up (nil inside: there is none).
  var gatewayBridgeLookup: String??
  /// Called once a join has its new sandbox's namespace made (and the
  /// pair in it): a batch starts its next line's namespace then.
  public var afterNamespace: (() -> Void)?

  /// Where things live. The defaults are DESIGN §5's; tests point them at
  /// their own throwaway directories.
  public struct Settings: Sendable {
    public var stateDirectory = Store.defaultDirectory
    public var runDirectory = "/run/cnet"
    public var netnsDirectory = NetnsDirectory.standard.path
    public var etcNetnsDirectory = "/etc/netns"
    /// Seconds to wait for another command's lock.
    public var lockTimeout = 60.0
    /// Whether the store's connection keeps SQLite's lock for its life
    /// (Store.open); a batch's, kept for many lines, leaves it to readers.
    public var exclusiveStore = true
    /// Whether a changing controller blocks termination signals for the
    /// rest of the process (a command's); a server handles them itself.
    public var holdsSignals = true
    /// Network and IPAM drivers beyond the built-in ones (remote plugins,
    /// the overlay driver of a cluster), looked up by name when first needed.
    public var plugins: (any DriverResolver)?
    /// Networks shared beyond this host (a cluster's overlay networks),
    /// taken into the store when a command names one it does not know.
    public var catalog: (any NetworkCatalog)?
    /// Whether a missing or empty store may be made anew even when the
    /// kernel holds what cnet made with one (`gc --adopt`, `gc --force`).
    public var storeMayBeNew = false
    /// Where the namespaces of overlay networks (their bridge and VXLAN
    /// device) are named: under the run directory, not with the sandboxes.
    public var overlayNamespaces: String { Self.overlayNamespaces(runDirectory: runDirectory) }
    public static func overlayNamespaces(runDirectory: String) -> String { runDirectory + "/overlay" }
    /// Where a command's warnings go: something went wrong beside the
    /// command's own work, which went on (a command prints them on stderr,
    /// the plugin server logs them).
    public var warn: @Sendable (String) -> Void = { _ in }

    public init() {}
  }

  init(store: Store, settings: Settings, lock: OperationLock?) {
    self.store = store
    self.settings = settings
    self.lock = lock
    netns = NetnsDirectory(path: settings.netnsDirectory)
    let hosts = HostsFiles(runDirectory: settings.runDirectory, etcDirectory: settings.etcNetnsDirectory)
    files = SandboxFiles(etcDirectory: settings.etcNetnsDirectory, hosts: hosts)
    drivers = [("bridge", BridgeDriver()), ("host", HostDriver()), ("null", NullDriver())]
    let defaultIPAM = DefaultIPAM(store: store) { [unowned self] in try self.takenSubnets() }
    ipams = [("default", defaultIPAM), ("null", NullIPAM())]
  }

  /// A controller for a command that changes something: waits for the
  /// operation lock, opens (creating) the store, notices a new boot, and,
  /// unless `settle` is off, finishes or undoes whatever an interrupted
  /// command left and, unless `repair` is off too, puts back what the
  /// firewalls lost (`gc` and `firewall reload` do that themselves, and
  /// report it). Termination signals are held back from
  /// here on, so a Ctrl-C cannot stop a change half-way; they are
  /// discarded at exit.
  public static func forChanges(_ settings: Settings = Settings(), settle: Bool = true, repair: Bool = true) throws
    -> Controller
  {
    let lock = try OperationLock(path: settings.runDirectory, timeout: settings.lockTimeout)
    if settings.holdsSignals { holdTerminationSignals() }
    if !settings.storeMayBeNew, Store.isMissingOrEmpty(directory: settings.stateDirectory) {
      try refuseMissingStore(settings)
    }
    guard let store = try Store.open(directory: settings.stateDirectory, create: true, exclusive: settings.exclusiveStore) else {
      throw StoreError("cannot open the store in \(settings.stateDirectory)")
    }
    let controller = Controller(store: store, settings: settings, lock: lock)
    try controller.reconcileBoot()
    if settle { _ = try controller.settle(dryRun: false) }
    if settle, repair {
      try controller.ensureFirewall()
      controller.ensureHostFirewallsOrWarn()
    }
    return controller
  }

  /// A controller for reading (ls, inspect): no lock, nothing settled; nil
  /// when cnet has never stored anything.
  public static func forReading(_ settings: Settings = Settings()) throws -> Controller? {
    guard let store = try Store.open(directory: settings.stateDirectory, create: false) else { return nil }
    return Controller(store: store, settings: settings, lock: nil)
  }

  /// The signals a command holds back while it changes things.
  public static let terminationSignals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

  static func holdTerminationSignals() {
    var set = sigset_t()
    sigemptyset(&set)
    for signal in terminationSignals { sigaddset(&set, signal) }
    sigprocmask(SIG_BLOCK, &set, nil)
  }

  // MARK: - Drivers

  func driver(_ name: String) throws -> NetworkDriver {
    guard let driver = try lookupDriver(name) else {
      throw CnetError(.invalidArgument,
        "unknown network driver \"\(name)\" (built in: \(drivers.map(\.name).sorted().joined(separator: ", ")); plugins: cnet plugin ls)")
    }
    return driver
  }

  func ipam(_ name: String) throws -> IPAMDriver {
    guard let ipam = try lookupIPAM(name) else {
      throw CnetError(.invalidArgument,
        "unknown IPAM driver \"\(name)\" (built in: \(ipams.map(\.name).sorted().joined(separator: ", ")); plugins: cnet plugin ls)")
    }
    return ipam
  }

  /// A driver for cleaning up: nil when it cannot be had (a plugin gone).
  func knownDriver(_ name: String) -> NetworkDriver? {
    (try? lookupDriver(name)) ?? nil
  }

  func knownIPAM(_ name: String) -> IPAMDriver? {
    (try? lookupIPAM(name)) ?? nil
  }

  // A built-in driver, or a plugin's, activated once per controller (it is
  // a round trip); nil when there is none of that name. Typed lists, not a
  // cast from AnyObject to a protocol.
  private func lookupDriver(_ name: String) throws -> NetworkDriver? {
    if let builtIn = drivers.first(where: { $0.name == name }) { return builtIn.driver }
    if let cached = pluginDrivers.first(where: { $0.name == name }) { return cached.driver }
    guard let found = try settings.plugins?.networkDriver(name) else { return nil }
    pluginDrivers.append((name, found))
    return found
  }

  private func lookupIPAM(_ name: String) throws -> IPAMDriver? {
    if let builtIn = ipams.first(where: { $0.name == name }) { return builtIn.driver }
    if let cached = pluginIPAMs.first(where: { $0.name == name }) { return cached.driver }
    guard let found = try settings.plugins?.ipamDriver(name) else { return nil }
    pluginIPAMs.append((name, found))
    return found
  }

  /// What an automatic subnet must avoid: every route of the host's (in
  /// any table, but the default routes) and every network's subnets.
  func takenSubnets() throws -> [CIDR] {
    let routes = try kernel.host().routes().compactMap(\.destination).filter { $0.prefixLength > 0 }
    return routes + (try store.networks().flatMap { $0.pools.map(\.subnet) })
  }

  // MARK: - Finding things

  /// A network by name, id, or unique id prefix.
  public func network(_ reference: String) throws -> NetworkRecord {
    if let found = try store.network(named: reference) { return found }
    if let found = try store.network(id: reference) { return found }
    let matches = reference.utf8.count >= 3 ? try store.networks(idPrefix: reference) : []
    if matches.count == 1 { return matches[0] }
    if matches.count > 1 {
      throw CnetError(.invalidArgument, "network id prefix \"\(reference)\" is ambiguous: \(matches.map(\.name).joined(separator: ", "))")
    }
    // A cluster's network this host has not seen yet: taken into the
    // store, by a command that may change it.
    if lock != nil, let catalog = settings.catalog, let spec = try catalog.network(reference) {
      return try createNetwork(spec)
    }
    throw CnetError(.notFound, "network \"\(reference)\" not found")
  }

  /// An endpoint by NETWORK/NAME, id, unique id prefix, or a name that is
  /// on one network only.
  public func endpoint(_ reference: String) throws -> EndpointRecord {
    if let slash = reference.firstIndex(of: "/") {
      let network = try network(String(reference[..<slash]))
      let name = String(reference[reference.index(after: slash)...])
      guard let found = try store.endpoint(network: network.id, named: name) else {
        throw CnetError(.notFound, "endpoint \"\(name)\" not found on network \"\(network.name)\"")
      }
      return found
    }
    let named = try store.endpoints(named: reference)
    if named.count == 1 { return named[0] }
    if named.count > 1 {
      let networks = try named.map { try store.network(id: $0.networkID)?.name ?? $0.networkID }
      throw CnetError(.invalidArgument,
        "endpoint name \"\(reference)\" is on several networks (\(networks.joined(separator: ", "))); write NETWORK/\(reference)")
    }
    if let found = try store.endpoint(id: reference) { return found }
    let matches = reference.utf8.count >= 3 ? try store.endpoints(idPrefix: reference) : []
    if matches.count == 1 { return matches[0] }
    throw CnetError(.notFound, "endpoint \"\(reference)\" not found")
  }

  /// A sandbox by name, id or unique id prefix; nil when there is none.
  public func sandboxIfPresent(_ reference: String) throws -> SandboxRecord? {
    if let found = try store.sandbox(named: reference) { return found }
    if let found = try store.sandbox(id: reference) { return found }
    let matches = reference.utf8.count >= 3 ? try store.sandboxes(idPrefix: reference) : []
    return matches.count == 1 ? matches[0] : nil
  }

  public func sandbox(_ reference: String) throws -> SandboxRecord {
    guard let found = try sandboxIfPresent(reference) else {
      throw CnetError(.notFound, "sandbox \"\(reference)\" not found")
    }
    return found
  }

  /// Refuses to work on a record another command left half-done (only a
  /// read-only controller can see one; a changing one settles them first).
  func requireReady(_ state: RecordState, _ what: String) throws {
    guard state == .ready else {
      throw CnetError(.conflict, "\(what) is being \(state == .creating ? "created" : "removed") by an interrupted command; run `cnet gc`")
    }
  }
}
