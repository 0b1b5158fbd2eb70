import CnetCore
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// A store that is missing or empty while the kernel holds what cnet made
/// with one (its file deleted or emptied, its filesystem not mounted yet)
/// must never be taken for a new store: the next `gc` would remove every
/// network's bridge, every sandbox's link and the firewall tables, since
/// none of them would be in it. Changing commands refuse, and say how to
/// go on: `gc --adopt` takes over into the store what the kernel and cnet's
/// files still tell, `gc --force` removes it.
extension Controller {
  /// What cnet made that this host still holds, found without a store: a
  /// line per kind.
  static func cnetObjects(_ settings: Settings) throws -> [String] {
    let kernel = KernelContext()
    var bridges = 0
    var links = 0
    for link in try kernel.host().links() {
      guard let mark = OwnerMark.parse(link.alias) else { continue }
      if mark.kind == "network" { bridges += 1 } else { links += 1 }
    }
    var found: [String] = []
    if bridges > 0 { found.append("\(bridges) network bridge\(bridges == 1 ? "" : "s")") }
    if links > 0 { found.append("\(links) endpoint link\(links == 1 ? "" : "s")") }
    let tables = try kernel.firewall.netfilterSocket().nftablesTables()
    if tables.contains(where: { $0.name == Firewall.table }) { found.append("cnet's nftables tables") }
    let hosts = try HostsFiles(runDirectory: settings.runDirectory, etcDirectory: settings.etcNetnsDirectory)
      .directory(create: false)?.names() ?? []
    if !hosts.isEmpty { found.append("\(hosts.count) hosts file\(hosts.count == 1 ? "" : "s") in \(settings.runDirectory)/hosts") }
    return found
  }

  /// The refusal, when the store is missing or empty and cnet's objects
  /// are not.
  static func refuseMissingStore(_ settings: Settings) throws {
    let found = try cnetObjects(settings)
    guard !found.isEmpty else { return }
    let path = settings.stateDirectory + "/cnet.db"
    throw CnetError(.conflict,
      "the store \(path) is missing or empty, but this host holds what cnet made with one (\(found.joined(separator: ", "))); nothing was changed. If \(settings.stateDirectory) is on a filesystem not mounted yet, mount it; `cnet gc --adopt` takes over what it can into a new store, `cnet gc --force` removes it all")
  }

  // MARK: - Adopting

  /// `gc --adopt`: what the kernel holds of cnet's and the store does not
  /// know, taken into the store where the kernel and cnet's files tell
  /// enough: networks from their bridges (id from the bridge's mark, name
  /// from their hosts file, subnets and gateways from the bridge's
  /// addresses, MAC, MTU, internal from cnet's firewall tables), and the
  /// endpoints joined to them from their links (id from the mark, sandbox
  /// from the named namespace the link's peer is in, addresses and MAC from
  /// the peer, name and aliases from the hosts file). What cannot be told
  /// (published ports, DNS settings) is left out and said. Returns what it
  /// did.
  public func adopt(dryRun: Bool) throws -> [String] {
    var report: [String] = []
    let host = try kernel.host()
    let links = try host.links()
    let addresses = try host.addresses()
    let known = Set(try store.networks().map(\.id))
    var adopted: [String: NetworkRecord] = [:]
    let internalSet = (try? Nftables.run("list set inet cnet internal", operation: "read cnet's firewall tables")) ?? ""
    let natSets = ((try? Nftables.run("list set inet cnet nat4", operation: "read cnet's firewall tables")) ?? "")
      + ((try? Nftables.run("list set inet cnet nat6", operation: "read cnet's firewall tables")) ?? "")

    for link in links where link.kind == "bridge" {
      guard let mark = OwnerMark.parse(link.alias), mark.kind == "network", !known.contains(mark.id) else { continue }
      let id = mark.id
      let header = try files.hosts.directory(create: false)?.readText(id)?.split(separator: "\n").first.map(String.init)
      var name = "adopted-" + String(id.prefix(12))
      if let header, header.hasPrefix("# hosts of network \""), let close = header.dropFirst(20).firstIndex(of: "\"") {
        name = String(header.dropFirst(20)[..<close])
      }
      guard (try? Names.check(name, "network")) != nil, try store.network(named: name) == nil else {
        report.append("leave bridge \(link.name) alone: its network's name \"\(name)\" is taken or invalid")
        continue
      }
      let gateways = addresses.filter { $0.linkIndex == link.index && $0.scope == 0 }.map(\.cidr)
      guard !gateways.isEmpty else {
        report.append("leave bridge \(link.name) alone: it has no address to tell its subnet")
        continue
      }
      var options: [KeyValue] = []
      if link.name != "cnet-" + id.prefix(10) { options.append(KeyValue(BridgeDriver.bridgeNameOption, link.name)) }
      if link.mtu != 1500 { options.append(KeyValue(BridgeDriver.mtuOption, String(link.mtu))) }
      let isInternal = internalSet.contains("\"\(link.name)\"")
      if !isInternal, gateways.allSatisfy({ !natSets.contains($0.masked.description) }) {
        options.append(KeyValue(BridgeDriver.masqueradeOption, "false"))
      }
      var network = NetworkRecord(
        id: id, name: name, driver: "bridge", ipamDriver: "default", bridge: link.name,
        mac: formatLinkAddress(link.address), mtu: link.mtu == 1500 ? nil : Int(link.mtu), isInternal: isInternal,
        ipv6: gateways.contains { $0.family == .v6 }, options: options, created: Names.now(), state: .ready)
      report.append("adopt network \"\(name)\" (bridge \(link.name), \(gateways.map { $0.masked.description }.joined(separator: ", ")))")
      if dryRun {
        adopted[id] = network
        continue
      }
      let ipam = try ipam("default")
      let reservation = IPAMReservation(ipam)
      try store.transaction {
        do {
          for gateway in gateways {
            let pool = try reservation.pool(space: try ipam.defaultAddressSpaces().local, subnet: gateway.masked, range: nil,
                                            v6: gateway.family == .v6)
            _ = try reservation.address(pool: pool.id, gateway.address, gateway: true)
            network.pools.append(PoolAssignment(poolID: pool.id, subnet: pool.subnet, gateway: gateway))
          }
          try store.insert(network)
        } catch {
          reservation.undo()
          throw error
        }
      }
      adopted[id] = network
    }

    report += try adoptEndpoints(links: links, networks: adopted, dryRun: dryRun)
    return report
  }

  /// The endpoints joined to adopted networks, and their sandboxes.
  private func adoptEndpoints(links: [LinkInfo], networks: [String: NetworkRecord], dryRun: Bool) throws -> [String] {
    var report: [String] = []
    let host = try kernel.host()
    let namespaces = netns.list(ids: host).filter { $0.id != nil }
    let bridges = Dictionary(links.filter { $0.kind == "bridge" }.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
    var sandboxes: [String: SandboxRecord] = [:]
    for link in links {
      guard let mark = OwnerMark.parse(link.alias), mark.kind == "endpoint",
        let network = networks.values.first(where: { $0.bridge == bridges[link.master] })
      else { continue }
      guard try store.endpoint(id: mark.id) == nil else { continue }
      guard let nsid = link.linkNetnsID, let entry = namespaces.first(where: { $0.id == nsid }),
        let name = try? NamespaceName(entry.name), let namespace = try? netns.open(name)
      else {
        report.append("leave link \(link.name) alone: its peer is in no named namespace")
        continue
      }
      let inside = try RouteSocket.inside(namespace)
      guard let peer = try inside.links().first(where: { $0.index == link.link }) else {
        report.append("leave link \(link.name) alone: its peer is gone")
        continue
      }
      let peerAddresses = try inside.addresses(on: peer).filter { $0.scope == 0 }.map(\.cidr)
      let line = try files.hosts.directory(create: false)?.readText(network.id)?.split(separator: "\n")
        .first { $0.hasSuffix(HostsFiles.tag(mark.id)) }
      let names = line.flatMap { $0.split(separator: "\t").dropFirst().first }.map { $0.split(separator: " ").map(String.init) } ?? []
      let endpointName = names.first ?? entry.name
      var sandbox = sandboxes[entry.name] ?? SandboxRecord(
        id: Names.newID(), name: entry.name, netns: entry.name, origin: entry.pid != nil ? .pid : .created,
        pid: entry.pid, isAuto: true, hostname: entry.name, created: Names.now(), state: .ready)
      if sandboxes[entry.name] == nil, let etc = try Directory.base(settings.etcNetnsDirectory, create: false),
        let hostname = try etc.subdirectory(entry.name, create: false)?.readText("hostname")?.split(separator: "\n").first
      {
        sandbox.hostname = String(hostname)
      }
      var endpoint = EndpointRecord(
        id: mark.id, networkID: network.id, name: endpointName, mac: formatLinkAddress(peer.address),
        aliases: names.filter { $0 != endpointName && $0 != sandbox.name && $0 != sandbox.hostname }, isAuto: true,
        created: Names.now(), state: .ready)
      endpoint.sandboxID = sandbox.id
      endpoint.interface = peer.name
      endpoint.hostInterface = link.name
      endpoint.joinState = .joined
      report.append("adopt endpoint \"\(endpointName)\" of network \"\(network.name)\" (\(peerAddresses.map(\.description).joined(separator: ", "))), joined to sandbox \"\(sandbox.name)\"; published ports, if any, are not")
      if dryRun { continue }
      let reservation = IPAMReservation(try ipam(network.ipamDriver))
      try store.transaction {
        do {
          if sandboxes[entry.name] == nil, try store.sandbox(named: sandbox.name) == nil { try store.insert(sandbox) }
          for address in peerAddresses {
            guard let pool = network.pools.first(where: { $0.subnet.contains(address.address) }) else { continue }
            _ = try reservation.address(pool: pool.poolID, address.address)
            if address.family == .v4 {
              endpoint.ipv4 = address
              endpoint.ipv4Pool = pool.poolID
            } else {
              endpoint.ipv6 = address
              endpoint.ipv6Pool = pool.poolID
            }
          }
          try store.insert(endpoint)
        } catch {
          reservation.undo()
          throw error
        }
      }
      sandboxes[entry.name] = sandbox
    }
    if !dryRun {
      try store.transaction {
        for sandbox in sandboxes.values {
          let joined = try store.networkIDs(ofSandbox: sandbox.id)
          try store.markReady(sandbox: sandbox.id, ownHosts: !HostsFiles.canLink(sandbox, joinedNetworks: try namedNetworks(joined)))
        }
      }
    }
    return report
  }
}
