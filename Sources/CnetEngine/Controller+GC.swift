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
  /// /run/cnet with no sandbox or network, and addresses leased to nobody.
  /// Never anything cnet did not make. Returns what it did (or would do).
  public func collectGarbage(dryRun: Bool) throws -> [String] {
    var report = try settle(dryRun: dryRun)

    // Sandboxes whose namespace is gone.
    for sandbox in try store.sandboxes() where sandbox.state == .ready && openNamespace(sandbox) == nil {
      report.append("remove sandbox \"\(sandbox.name)\": its namespace is gone")
      if dryRun { continue }
      let endpoints = try store.endpoints(sandbox: sandbox.id)
      try store.transaction {
        for endpoint in endpoints {
          try store.setJoinState(ofEndpoint: endpoint.id, .leaving)
          if endpoint.isAuto { try store.setState(ofEndpoint: endpoint.id, .removing) }
        }
        try store.setState(ofSandbox: sandbox.id, .removing)
      }
      try finishRemoving(sandbox)
    }

    // Links cnet marked whose owner is gone.
    let host = try kernel.host()
    let networks = try store.networks()
    let joined = Set(try store.endpoints().filter { $0.sandboxID != nil }.map(\.id))
    for link in try host.links() {
      guard let mark = OwnerMark.parse(link.alias) else { continue }
      let alive = mark.kind == "network" ? networks.contains { $0.id == mark.id } : joined.contains(mark.id)
      guard !alive else { continue }
      report.append("delete link \"\(link.name)\": its \(mark.kind) is gone")
      if !dryRun { try? host.deleteLink(link) }
    }

    // Firewall entries with no owner, or missing.
    report += try collectFirewall(dryRun: dryRun)

    // cnet's files with no sandbox or network.
    let netnsNames = Set(try store.sandboxes().map(\.netns))
    if case let names? = try? listDirectory(settings.etcNetnsDirectory) {
      for name in names where !netnsNames.contains(name) {
        let directory = settings.etcNetnsDirectory + "/" + name
        guard files.isCnets(directory: directory) else { continue }
        report.append("remove \(directory): its sandbox is gone")
        if !dryRun { SandboxFiles.remove(directory: directory) }
      }
    }
    let networkIDs = Set(networks.map(\.id))
    if case let names? = try? listDirectory(files.hosts.directory, temporaries: true) {
      for name in names where !networkIDs.contains(name) {
        report.append("remove \(files.hosts.directory)/\(name): its network is gone")
        if !dryRun { unlink(files.hosts.directory + "/" + name) }
      }
    }

    // Leases of the default IPAM that no gateway or endpoint holds.
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

  /// The names in a directory; `.tmp.` files (a write killed half-way)
  /// only with `temporaries`.
  private func listDirectory(_ path: String, temporaries: Bool = false) throws -> [String] {
    guard let dir = opendir(path) else { throw CnetError(.notFound, path) }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafePointer(to: entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name != "." && name != ".." && (temporaries || !name.contains(".tmp.")) { names.append(name) }
    }
    return names
  }
}
