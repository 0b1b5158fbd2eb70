import CnetCore
import CnetEngine
import CnetHTTP
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// `cnet agent`: what an overlay host runs beside the commands (the one
/// long-running process besides `plugin serve`).
///
/// - It keeps the host alive in the cluster: the host's key under a lease
///   renewed every third of its TTL; a lease that ended (the host was cut
///   off longer than that) is replaced, and this host's endpoints are
///   published again under it (except those whose address another host
///   owns meanwhile: those are in conflict, said, and not published).
/// - It lists the cluster's state at a revision, then watches every change
///   from the next one, as flannel does; after a compaction or a broken
///   connection (backoff 0.1 s to 5 s) it lists again.
/// - From that state it programs the kernel: on each overlay network with
///   a data plane here, a neighbour and a forwarding entry per endpoint
///   other hosts publish, always by replace (an address may move to
///   another host); what should not be there goes. Networks made on other
///   hosts are taken into this host's store, and those removed leave it.
/// - It records when it first saw a host gone (`gone/<hostID>`), which
///   `cnet gc --grace` reads to free a dead host's addresses.
///
/// SIGTERM or SIGINT stops it; the lease is kept (it ends by itself), so
/// an agent restarted within its TTL takes it up again and no other host
/// sees this one go.
public final class Agent: @unchecked Sendable {
  let config: ClusterConfig
  let stateDirectory: String
  let runDirectory: String
  let etcd: EtcdClient
  let keys: ClusterKeys
  /// A controller for a moment of work on this host's store (it holds the
  /// operation lock while it lives).
  let openController: () throws -> Controller
  let log: @Sendable (String) -> Void
  let namespaces: NetnsDirectory

  private let monitor = Monitor()
  private var stopping = false
  private var watch: EtcdWatch?
  private var lease: Int64 = 0
  /// Set by the keepalive thread when the lease was replaced.
  private var republish = false

  // The cluster as last listed and watched.
  private var networks: [String: ClusterRecord.Network] = [:]
  private var endpoints: [String: [String: ClusterRecord.Endpoint]] = [:]
  private var aliveHosts: Set<String> = []
  /// This host's publications found to have their endpoint in the store.
  private var confirmed: Set<String> = []
  private var revision: Int64 = 0

  public init(config: ClusterConfig, stateDirectory: String, runDirectory: String,
              openController: @escaping () throws -> Controller, log: @escaping @Sendable (String) -> Void) throws {
    self.config = config
    self.stateDirectory = stateDirectory
    self.runDirectory = runDirectory
    etcd = try config.client()
    keys = config.keys
    self.openController = openController
    self.log = log
    namespaces = NetnsDirectory(path: Controller.Settings.overlayNamespaces(runDirectory: runDirectory))
  }

  // MARK: - Running

  /// Runs until `stop`.
  public func run() throws {
    try checkPort()
    try takeLease()
    let keeper = try Worker { [self] in keepAlive() }
    defer {
      stop()
      keeper.join()
    }
    var backoff = 0.1
    while !isStopping {
      do {
        try listAndReconcile()
        backoff = 0.1
        try follow()
      } catch let error as EtcdError {
        if isStopping { break }
        if case .compacted(let now) = error {
          log("the watch fell behind etcd's compaction (now at \(now)); listing again")
          continue
        }
        log("\(error.message); trying again in \(backoff) s")
      } catch let error as ReportableError {
        log(error.message)
      }
      pause(backoff)
      backoff = min(backoff * 2, 5)
    }
    log("stopped")
  }

  public func stop() {
    let current = monitor.locked { () -> EtcdWatch? in
      stopping = true
      monitor.signal()
      return watch
    }
    current?.cancel()
  }

  var isStopping: Bool { monitor.locked { stopping } }

  private func pause(_ seconds: Double) {
    var until = timespec()
    clock_gettime(CLOCK_MONOTONIC, &until)
    let end = Double(until.tv_sec) + Double(until.tv_nsec) / 1e9 + seconds
    while !isStopping {
      var now = timespec()
      clock_gettime(CLOCK_MONOTONIC, &now)
      let left = end - (Double(now.tv_sec) + Double(now.tv_nsec) / 1e9)
      if left <= 0 { return }
      usleep(UInt32(min(left, 0.1) * 1_000_000))
    }
  }

  /// An agent whose port is not the cluster's would program devices that
  /// talk past every other host's.
  func checkPort() throws {
    guard let kv = try etcd.range(keys.config).kvs.first else { return }
    let cluster = try ClusterRecord.decode(ClusterRecord.Config.self, kv.value, key: kv.key)
    guard cluster.vxlanPort == config.vxlanPort else {
      throw CnetError(.conflict, "the cluster's VXLAN port is \(cluster.vxlanPort), this host's \(config.vxlanPort): cnet cluster leave, then join again")
    }
  }

  // MARK: - The lease

  /// Takes up the lease a previous agent left, if it still lives, else
  /// registers under a new one; then publishes this host's endpoints.
  func takeLease() throws {
    if let kept = HostLease.read(runDirectory: runDirectory), (try? etcd.keepAlive(kept)) ?? 0 > 0,
      try etcd.range(keys.host(config.hostID)).kvs.first?.lease == kept
    {
      monitor.locked { lease = kept }
      log("alive in the cluster as \(config.name) (\(config.hostID)), keeping lease \(kept)")
    } else {
      let made = try Membership.register(config, etcd: etcd, runDirectory: runDirectory)
      monitor.locked { lease = made.id }
      log("alive in the cluster as \(config.name) (\(config.hostID)) under lease \(made.id)")
    }
    try publishLocalEndpoints()
  }

  /// The keepalive thread: renews every third of the TTL; a lease that
  /// ended is replaced, and the main loop publishes again under it.
  private func keepAlive() {
    let interval = max(Double(config.ttl) / 3, 1)
    while !isStopping {
      pause(interval)
      if isStopping { return }
      let current = monitor.locked { lease }
      // `cnet cluster leave` removed the host and revoked its lease: it
      // must not come back by itself (a lease it took meanwhile goes too).
      guard (try? ClusterConfig.load(stateDirectory: stateDirectory)) == config else {
        log("this host left the cluster (or joined another): stopping")
        try? etcd.revokeLease(current)
        stop()
        return
      }
      do {
        if try etcd.keepAlive(current) > 0 { continue }
        log("lease \(current) ended; registering again")
        let made = try Membership.register(config, etcd: etcd, runDirectory: runDirectory)
        monitor.locked {
          lease = made.id
          republish = true
        }
        // Wake the main loop's watch so it publishes at once.
        monitor.locked { watch }?.cancel()
      } catch let error as ReportableError {
        log("cannot renew lease \(current): \(error.message)")
      } catch {
        log("cannot renew lease \(current): \(error)")
      }
    }
  }

  /// Publishes every endpoint of this host on an overlay network under the
  /// current lease. An endpoint whose address another host owns now (this
  /// host was gone past the grace period and `gc` gave it away) is in
  /// conflict: it is not published, and it is said; one whose address is
  /// free again takes it back first.
  func publishLocalEndpoints() throws {
    let current = monitor.locked { lease }
    let controller = try openController()
    var conflicts: [String] = []
    for network in try controller.store.networks() where network.driver == "overlay" {
      for endpoint in try controller.store.endpoints(network: network.id) where endpoint.joinState == .joined {
        guard let ipv4 = endpoint.ipv4, let mac = endpoint.mac,
          let pool = network.pools.first(where: { $0.subnet.contains(ipv4.address) })
        else { continue }
        let addressKey = ClusterIPAM.key(keys, pool.subnet, ipv4.address)
        let record = OverlayDriver.record(config, ip: ipv4.address, mac: mac, name: endpoint.name)
        let mine = try ClusterRecord.encode(ClusterRecord.Address(host: config.hostID, endpoint: nil))
        let publish = EtcdOperation.put(keys.endpoint(network.id, endpoint.id), try ClusterRecord.encode(record), lease: current)
        // Twice at most: a first try whose answer was lost may have taken
        // the address, which the second then finds this host's.
        var published = false
        var rival: String?
        for _ in 0..<2 where !published && rival == nil {
          let held = try etcd.range(addressKey).kvs.first
          var compare: [EtcdCompare] = [.leased(keys.host(config.hostID), current)]
          var success = [publish]
          if let held {
            let owner = try ClusterRecord.decode(ClusterRecord.Address.self, held.value, key: addressKey)
            guard owner.host == config.hostID else {
              rival = owner.host
              break
            }
            compare.append(EtcdCompare(addressKey, .mod, .equal, number: held.modRevision))
          } else {
            compare.append(.absent(addressKey))
            success.insert(.put(addressKey, mine, lease: 0), at: 0)
          }
          published = try etcd.txn(compare, success: success, failure: []).succeeded
        }
        if let rival {
          conflicts.append("\(endpoint.name) (\(ipv4.address)) on \(network.name): the address belongs to host \(rival.prefix(12)) now")
        } else if !published {
          conflicts.append("\(endpoint.name) (\(ipv4.address)) on \(network.name): its address changed hands meanwhile")
        }
      }
    }
    for conflict in conflicts { log("conflict, not published: \(conflict)") }
    try Conflicts.write(conflicts, runDirectory: runDirectory)
  }

  /// Takes back this host's publications whose endpoint is not in its
  /// store: those of a connect that died between its address's claim
  /// (which publishes) and its reservation's commit, or whose withdrawal
  /// failed. Under the operation lock, which a connect holds from its
  /// claim to its commit, so that no connect under way loses its own. The
  /// store is read only for publications not seen there before.
  func withdrawStrayPublications() throws {
    var mine: [String: String] = [:]
    for (networkID, published) in endpoints {
      for (id, endpoint) in published where endpoint.host == config.hostID { mine[id] = keys.endpoint(networkID, id) }
    }
    confirmed.formIntersection(mine.keys)
    let unknown = mine.filter { !confirmed.contains($0.key) }
    guard !unknown.isEmpty else { return }
    let controller = try openController()
    let known = Set(try controller.store.endpoints().map(\.id))
    for (id, key) in unknown {
      if known.contains(id) {
        confirmed.insert(id)
      } else {
        log("withdrawing publication \(key): its endpoint is not in this host's store")
        try etcd.delete(key, prefix: false)
      }
    }
  }

  // MARK: - Listing and watching

  func listAndReconcile() throws {
    let found = try etcd.range(keys.prefix, prefix: true)
    networks = [:]
    endpoints = [:]
    aliveHosts = []
    for kv in found.kvs { absorb(EtcdEvent(.put, kv)) }
    revision = found.revision
    try mirrorNetworks()
    try reconcileAll()
    try noteGoneHosts()
  }

  /// Watches from the listed revision on; returns when stopped.
  func follow() throws {
    let started = try etcd.watch(prefix: keys.prefix, from: revision + 1)
    monitor.locked { watch = started }
    defer { monitor.locked { watch = nil } }
    var lastFull = StreamSocket.now()
    while !isStopping {
      if monitor.locked({ republish }) {
        monitor.locked { republish = false }
        try publishLocalEndpoints()
      }
      let next: (events: [EtcdEvent], revision: Int64)?
      do {
        next = try started.next(until: StreamSocket.now() + 1)
      } catch {
        if isStopping || monitor.locked({ republish }) { continue }
        throw error
      }
      if let next {
        var changed: Set<String> = []
        var networksChanged = false
        var hostsChanged = false
        for event in next.events {
          let effect = absorb(event)
          if let network = effect.network { changed.insert(network) }
          networksChanged = networksChanged || effect.networks
          hostsChanged = hostsChanged || effect.hosts
        }
        if next.revision > 0 { revision = next.revision }
        if networksChanged { try mirrorNetworks() }
        for network in changed { try reconcile(network) }
        if hostsChanged { try noteGoneHosts() }
      }
      // A full pass now and then mends what a change missed (a device
      // deleted behind cnet's back, a namespace made by a join since).
      if StreamSocket.now() - lastFull > 10 {
        try reconcileAll()
        try withdrawStrayPublications()
        lastFull = StreamSocket.now()
      }
    }
  }

  /// Takes one change into the state; says what it touched.
  @discardableResult
  func absorb(_ event: EtcdEvent) -> (network: String?, networks: Bool, hosts: Bool) {
    let key = event.kv.key
    if let parts = keys.rest(of: key, under: keys.allEndpoints), parts.count == 2 {
      let (network, endpoint) = (parts[0], parts[1])
      if event.kind == .put, let record = try? ClusterRecord.decode(ClusterRecord.Endpoint.self, event.kv.value, key: key) {
        endpoints[network, default: [:]][endpoint] = record
      } else {
        endpoints[network]?[endpoint] = nil
      }
      return (network, false, false)
    }
    if let parts = keys.rest(of: key, under: keys.networks), parts.count == 1 {
      if event.kind == .put, let record = try? ClusterRecord.decode(ClusterRecord.Network.self, event.kv.value, key: key) {
        networks[parts[0]] = record
      } else {
        networks[parts[0]] = nil
      }
      return (parts[0], true, false)
    }
    if let parts = keys.rest(of: key, under: keys.hosts), parts.count == 1 {
      if event.kind == .put { aliveHosts.insert(parts[0]) } else { aliveHosts.remove(parts[0]) }
      return (nil, false, true)
    }
    return (nil, false, false)
  }

  // MARK: - This host's store

  /// Networks of the cluster this store lacks are taken in; overlay
  /// networks the cluster no longer has go, when nothing here uses them.
  func mirrorNetworks() throws {
    let controller = try openController()
    let local = try controller.store.networks().filter { $0.driver == "overlay" }
    for (id, record) in networks where !local.contains(where: { $0.id == id }) {
      do {
        _ = try controller.createNetwork(try ClusterCatalog.spec(id: id, record))
        log("took in network \"\(record.name)\" (\(id.prefix(12)))")
      } catch let error as ReportableError {
        log("cannot take in network \"\(record.name)\": \(error.message)")
      }
    }
    for network in local where networks[network.id] == nil && network.state == .ready {
      // What was listed may be older than a network this host's own
      // command just made: etcd is asked again, now that the lock is held.
      if try !etcd.range(keys.network(network.id), prefix: false, keysOnly: true, serializable: false).kvs.isEmpty {
        continue
      }
      guard try controller.store.endpoints(network: network.id).isEmpty else {
        log("network \"\(network.name)\" left the cluster, but endpoints here still use it")
        continue
      }
      do {
        _ = try controller.removeNetworks([network.id], byCaller: true)
        log("network \"\(network.name)\" left the cluster: removed here")
      } catch let error as ReportableError {
        log("cannot remove network \"\(network.name)\": \(error.message)")
      }
    }
  }

  // MARK: - The kernel

  func reconcileAll() throws {
    for id in networks.keys { try reconcile(id) }
  }

  /// One network's VXLAN device holds an entry pair for each endpoint other
  /// hosts publish, and nothing else.
  func reconcile(_ networkID: String) throws {
    guard let network = networks[networkID] else { return }
    let namespace = OverlayDriver.namespace(of: networkID)
    guard let name = try? NamespaceName(namespace), namespaces.exists(name) else { return }
    let device = OverlayDriver.vxlanDevice(network.vni)
    let place = PlanPlace.named(namespace)
    var wanted: Set<NeighbourEntry> = []
    for endpoint in (endpoints[networkID] ?? [:]).values where endpoint.host != config.hostID {
      wanted.formUnion(OverlayDriver.entries(endpoint))
    }
    let socket = try RouteSocket.inside(try namespaces.open(name))
    guard let link = try socket.linkIfPresent(named: device) else {
      log("network \"\(network.name)\": its VXLAN device is missing here; the next join makes it again")
      return
    }
    let present = Set(try socket.neighbours(index: link.index, name: device.value))
    var plan = KernelPlan()
    // Forwarding entries are keyed by MAC: one whose VTEP changed is
    // replaced, not added beside the old.
    for entry in wanted.subtracting(present) { plan.steps.append(.setNeighbour(device, place, entry)) }
    for entry in present.subtracting(wanted) {
      if case .forwarding = entry.kind, wanted.contains(where: { $0.mac == entry.mac && $0.isForwarding }) { continue }
      if case .neighbour(let address) = entry.kind,
        wanted.contains(where: { if case .neighbour(address) = $0.kind { return true } else { return false } })
      {
        continue
      }
      plan.steps.append(.deleteNeighbour(device, place, entry))
    }
    guard !plan.isEmpty else { return }
    let executor = PlanExecutor(host: { try RouteSocket.current() }, firewall: nil, namespaces: namespaces,
                                warn: { [log] in log($0) })
    try executor.run(plan)
  }

  // MARK: - Hosts that went

  /// Records when each member was first seen without its liveness key,
  /// and forgets it when it is back.
  func noteGoneHosts() throws {
    let members = try etcd.range(keys.members, prefix: true, keysOnly: true, serializable: false).kvs.map {
      String($0.key.dropFirst(keys.members.count))
    }
    let gone = try etcd.range(keys.gone, prefix: true).kvs
    for member in members where !aliveHosts.contains(member) && member != config.hostID {
      let key = keys.gone + member
      if !gone.contains(where: { $0.key == key }) {
        _ = try etcd.txn([.absent(key), .absent(keys.host(member))],
                         success: [.put(key, Array(String(Int64(time(nil))).utf8), lease: 0)], failure: [])
      }
    }
    for kv in gone {
      let member = String(kv.key.dropFirst((keys.gone).count))
      if aliveHosts.contains(member) { try etcd.delete(kv.key, prefix: false) }
    }
  }
}

extension NeighbourEntry {
  var isForwarding: Bool {
    if case .forwarding = kind { return true }
    return false
  }
}

/// This host's endpoints the agent could not publish, for `cluster ls`.
public enum Conflicts {
  public static let fileName = "cluster-conflicts"

  public static func write(_ lines: [String], runDirectory: String) throws {
    guard let directory = try Directory.base(runDirectory, create: true) else { return }
    if lines.isEmpty {
      directory.remove(fileName)
    } else {
      try directory.write(fileName, lines.joined(separator: "\n") + "\n", mode: 0o644)
    }
  }

  public static func read(runDirectory: String) -> [String] {
    guard let directory = try? Directory.base(runDirectory, create: false), let text = directory.readText(fileName) else {
      return []
    }
    return text.split(separator: "\n").map(String.init)
  }
}
