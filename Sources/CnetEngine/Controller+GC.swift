import CnetCore
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

extension Controller {
  /// `cnet gc`: settles interrupted commands, then removes what cnet made
  /// whose owner is gone: sandboxes whose namespace went away (their
  /// process exited, someone deleted the name), cnet-marked links with no
  /// network or joined endpoint behind them, cnet's files in /etc/netns and
  /// /run/cnet with no sandbox or network, and addresses leased to nobody;
  /// and puts back what went missing: a network's bridge, cnet's firewall
  /// tables and their entries, its accepts in the host's other firewalls.
  /// Never touches anything cnet did not make. Returns what it did (or
  /// would do).
  ///
  /// With `adopt`, what cnet made that the store does not know is first
  /// taken over where it can be (see `adopt`), and what cannot is left
  /// alone and said. Each step goes on whatever the one before met: a
  /// step that fails is in `failures`, with why.
  public func collectGarbage(dryRun: Bool, adopt: Bool = false) throws -> (report: [String], failures: [String]) {
    var report: [String] = []
    var failures: [String] = []
    func step(_ what: String, _ body: () throws -> [String]) {
      do {
        report += try body()
      } catch let error as ReportableError {
        failures.append("cannot \(what): \(error.message)")
      } catch {
        failures.append("cannot \(what): \(error)")
      }
    }
    if adopt { step("adopt what cnet made") { try self.adopt(dryRun: dryRun) } }
    step("settle interrupted commands") { try settle(dryRun: dryRun) }
    step("remove sandboxes whose namespace is gone") { try collectSandboxes(dryRun: dryRun) }
    step("realise drifted networks") { try realiseDrifted(dryRun: dryRun) }
    step("remove links whose owner is gone") { try collectLinks(dryRun: dryRun, keep: adopt) }
    // Firewall entries with no owner, or missing; cnet's accepts in the
    // host's other firewalls as the networks need them.
    step("repair cnet's firewall tables") { try collectFirewall(dryRun: dryRun) }
    step("repair cnet's accepts in the host's other firewalls") { try ensureHostFirewalls(dryRun: dryRun) }
    step("remove files whose owner is gone") { try collectFiles(dryRun: dryRun, keep: adopt) }
    step("write missing files again") { try rebuildFiles(dryRun: dryRun) }
    step("release addresses nobody holds") { try collectLeases(dryRun: dryRun) }
    return (report, failures)
  }

  /// The hosts files and the sandboxes' files as the store says they are:
  /// a network's file missing, or without the lines of an endpoint joined
  /// to it (/run/cnet emptied under running commands, say), is written
  /// again; a sandbox's files that went are written again.
  /// `all`: every network's file is written again, whatever it names
  /// (after a batch killed before it wrote what it held back: an endpoint
  /// may be named with an old address).
  func rebuildFiles(dryRun: Bool, all: Bool = false) throws -> [String] {
    var report: [String] = []
    let sandboxes = try store.sandboxes().filter { $0.state == .ready }
    let byID = Dictionary(sandboxes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    for network in try store.networks() where network.state == .ready && !network.pools.isEmpty {
      let joined = try store.endpoints(network: network.id).compactMap { endpoint -> (EndpointRecord, SandboxRecord)? in
        guard endpoint.joinState == .joined, !endpoint.addresses.isEmpty, let sandbox = endpoint.sandboxID.flatMap({ byID[$0] })
        else { return nil }
        return (endpoint, sandbox)
      }
      let wanted = Set(joined.map(\.0.id))
      guard let found = try files.hosts.endpointIDs(in: network.id) else {
        report.append("write \(files.hosts.path)/\(network.id) again (network \"\(network.name)\"): it is missing")
        if !dryRun { try files.hosts.rebuild(network, joined: joined) }
        continue
      }
      guard found != wanted || all else { continue }
      if found != wanted { report.append("write \(files.hosts.path)/\(network.id) again (network \"\(network.name)\"): it names \(found.count) endpoint(s), the store \(wanted.count)") }
      if !dryRun { try files.hosts.rebuild(network, joined: joined) }
    }
    let etc = try Directory.base(settings.etcNetnsDirectory, create: false)
    for sandbox in sandboxes where SandboxFiles.writesFiles(sandbox) {
      let directory = try etc?.subdirectory(sandbox.netns, create: false)
      let missing = SandboxFiles.names.filter { directory?.kind(of: $0) == nil }
      guard !missing.isEmpty else { continue }
      report.append("write \(files.path(sandbox))/{\(missing.joined(separator: ","))} again (sandbox \"\(sandbox.name)\"): missing")
      if !dryRun { try files.create(sandbox, joinedNetworks: try namedNetworks(try store.networkIDs(ofSandbox: sandbox.id))) }
    }
    return report
  }

  /// Sandboxes whose namespace is gone.
  func collectSandboxes(dryRun: Bool) throws -> [String] {
    var report: [String] = []
    for sandbox in try store.sandboxes() where sandbox.state == .ready && openNamespace(sandbox) == nil {
      report.append("remove sandbox \"\(sandbox.name)\": its namespace is gone")
      if dryRun { continue }
      try remove(sandbox)
    }
    return report
  }

  /// Networks of the built-in drivers whose kernel side is not what the
  /// store says (a bridge deleted behind cnet's back, its address or MAC
  /// changed, left down): realised again, with the same id, MAC and
  /// gateway.
  func realiseDrifted(dryRun: Bool) throws -> [String] {
    var report: [String] = []
    for (network, reason) in try driftedNetworks() {
      report.append("realise network \"\(network.name)\" again: \(reason)")
      if dryRun { continue }
      if let driver = knownDriver(network.driver) { try execute(try driver.createNetwork(network.info)) }
      try files.hosts.ensureNetwork(network)
      try reattachPorts(of: network)
    }
    return report
  }

  /// The host ends of a network's joined endpoints back on its bridge: a
  /// bridge deleted lets its ports go without deleting them.
  func reattachPorts(of network: NetworkRecord) throws {
    guard let bridge = network.bridge.flatMap({ try? InterfaceName($0) }) else { return }
    let host = try kernel.host()
    let index = try host.index(of: bridge)
    for endpoint in try store.endpoints(network: network.id) where endpoint.joinState == .joined {
      guard let name = endpoint.hostInterface.flatMap({ try? InterfaceName($0) }),
        let link = try host.linkIfPresent(named: name), link.alias == OwnerMark.endpoint(endpoint.id), link.master != index
      else { continue }
      try host.setLink(link, LinkChanges(master: index))
      // A port's bridge flags went with the old bridge (BridgeDriver says why hairpin).
      if !endpoint.ports.isEmpty { try host.setHairpin(try host.link(named: name), true) }
    }
  }

  /// The ready bridge networks whose bridge differs from the store, each
  /// with what differs.
  func driftedNetworks() throws -> [(NetworkRecord, String)] {
    let networks = try store.networks().filter { $0.state == .ready && $0.driver == "bridge" && $0.bridge != nil }
    guard !networks.isEmpty else { return [] }
    let host = try kernel.host()
    let links = try host.links()
    let addresses = try host.addresses()
    var drifted: [(NetworkRecord, String)] = []
    for network in networks {
      guard let bridge = network.bridge, let link = links.first(where: { $0.name == bridge }) else {
        drifted.append((network, "its bridge \"\(network.bridge ?? "")\" is missing"))
        continue
      }
      // Someone else's link of that name: not cnet's to change (doctor says).
      guard link.alias == OwnerMark.network(network.id) else { continue }
      let present = Set(addresses.filter { $0.linkIndex == link.index }.map(\.cidr))
      if let missing = network.pools.compactMap(\.gateway).first(where: { !present.contains($0) }) {
        drifted.append((network, "its bridge \"\(bridge)\" lacks the gateway address \(missing)"))
      } else if let mac = network.mac.flatMap({ try? MACAddress($0) }), link.address != mac.bytes {
        drifted.append((network, "its bridge \"\(bridge)\" has MAC \(formatLinkAddress(link.address)), not \(mac)"))
      } else if !link.isUp {
        drifted.append((network, "its bridge \"\(bridge)\" is down"))
      } else if let port = try store.endpoints(network: network.id).lazy.compactMap({ endpoint -> String? in
        guard endpoint.joinState == .joined, let name = endpoint.hostInterface,
          let port = links.first(where: { $0.name == name }), port.alias == OwnerMark.endpoint(endpoint.id)
        else { return nil }
        return port.master == link.index ? nil : name
      }).first {
        drifted.append((network, "the port \(port) is off its bridge \"\(bridge)\""))
      }
    }
    return drifted
  }

  /// Links cnet marked whose owner is gone; with `keep`, only said.
  func collectLinks(dryRun: Bool, keep: Bool = false) throws -> [String] {
    var report: [String] = []
    let host = try kernel.host()
    let networks = try store.networks()
    let joined = Set(try store.endpoints().filter { $0.sandboxID != nil }.map(\.id))
    for link in try host.links() {
      guard let mark = OwnerMark.parse(link.alias) else { continue }
      let alive = mark.kind == "network" ? networks.contains { $0.id == mark.id } : joined.contains(mark.id)
      guard !alive else { continue }
      if keep {
        report.append("leave link \"\(link.name)\" alone: its \(mark.kind) is not in the store (cnet gc removes it)")
        continue
      }
      report.append("delete link \"\(link.name)\": its \(mark.kind) is gone")
      if !dryRun { try? host.deleteLink(link) }
    }
    return report
  }

  /// cnet's files with no sandbox or network; with `keep`, only said.
  func collectFiles(dryRun: Bool, keep: Bool = false) throws -> [String] {
    var report: [String] = []
    let netnsNames = Set(try store.sandboxes().map(\.netns))
    if let etc = try Directory.base(settings.etcNetnsDirectory, create: false) {
      for name in etc.names() where !netnsNames.contains(name) && !Directory.isTemporary(name) {
        guard etc.kind(of: name) == .directory, files.isCnets(name, in: etc) else { continue }
        report.append(keep ? "leave \(etc.path)/\(name) alone: its sandbox is not in the store"
                           : "remove \(etc.path)/\(name): its sandbox is gone")
        if !dryRun, !keep { SandboxFiles.remove(name, in: etc) }
      }
    }
    let networkIDs = Set(try store.networks().map(\.id))
    if let hosts = try files.hosts.directory(create: false) {
      for name in hosts.names() where !networkIDs.contains(name) {
        report.append(keep ? "leave \(hosts.path)/\(name) alone: its network is not in the store"
                           : "remove \(hosts.path)/\(name): its network is gone")
        if !dryRun, !keep { hosts.remove(name) }
      }
    }
    return report
  }

  /// Leases of the default IPAM that no gateway or endpoint holds.
  func collectLeases(dryRun: Bool) throws -> [String] {
    var report: [String] = []
    let networks = try store.networks()
    var held: Set<String> = []
    for network in networks {
      for pool in network.pools {
        if let gateway = pool.gateway { held.insert(pool.poolID + " " + gateway.address.description) }
      }
    }
    for endpoint in try store.endpoints() {
      if let pool = endpoint.ipv4Pool, let a = endpoint.ipv4 { held.insert(pool + " " + a.address.description) }
      if let pool = endpoint.ipv6Pool, let a = endpoint.ipv6 { held.insert(pool + " " + a.address.description) }
    }
    let usedPools = Set(networks.flatMap { $0.pools.map(\.poolID) })
    for pool in try store.pools() {
      guard usedPools.contains(pool.id) else {
        report.append("release pool \(pool.subnet): no network uses it")
        if !dryRun { try store.transaction { try store.deletePool(id: pool.id) } }
        continue
      }
      for lease in try store.leases(pool: pool.id, from: [], limit: Int.max) {
        guard let address = IPAddress(bytes: lease), !held.contains(pool.id + " " + address.description) else { continue }
        report.append("release address \(address) of \(pool.subnet): no endpoint holds it")
        if !dryRun { try store.transaction { _ = try store.deleteLease(pool: pool.id, address: lease) } }
      }
    }
    return report
  }
}
