import CnetCore
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// One thing `cnet doctor` found that breaks (or will break) cnet's
/// traffic or state, with the command that fixes it.
public struct Finding: Sendable, Equatable {
  /// What was checked: iptables, ip6tables, firewalld, forwarding,
  /// nftables, network, sandbox, endpoint, leftover, route, mtu.
  public var check: String
  public var problem: String
  public var fix: String

  public init(_ check: String, _ problem: String, fix: String) {
    self.check = check
    self.problem = problem
    self.fix = fix
  }
}

extension Controller {
  /// A controller for `cnet doctor`: the store when there is one (an
  /// empty one in memory when there is none, so that everything cnet-made
  /// in the kernel shows as unknown), and the operation lock shared, so
  /// that no change is half-way while it looks. Creates nothing.
  public static func forDiagnosis(_ settings: Settings = Settings()) throws -> (Controller, storeFound: Bool) {
    let lock = try OperationLock(path: settings.runDirectory, timeout: settings.lockTimeout, shared: true)
    if let store = try Store.open(directory: settings.stateDirectory, create: false) {
      return (Controller(store: store, settings: settings, lock: lock), true)
    }
    return (Controller(store: try Store.inMemory(), settings: settings, lock: lock), false)
  }

  /// Everything that would break cnet's traffic or state on this host.
  /// Changes nothing.
  public func diagnose() throws -> [Finding] {
    var findings: [Finding] = []
    let networks = try store.networks()
    let forward = try forwardNetworks()
    let tables = try kernel.firewall.netfilterSocket().nftablesTables()

    // The host's other firewalls.
    for family in [IPFamily.v4, .v6] {
      let wanted = forward.filter { $0.families.contains(family) }
      let view = try kernel.forwardAccepts.view(family, tables: tables)
      let program = family == .v4 ? "iptables" : "ip6tables"
      let missing = view.missing(for: wanted)
      if !missing.isEmpty {
        let why = view.placement == .dockerUser
          ? "Docker's \(ForwardAccepts.dockerChain) chain decides what FORWARD lets through"
          : "the FORWARD policy is DROP"
        findings.append(Finding(program,
          "\(why), and cnet's accepts for \(Self.names(missing)) are missing: their forwarded traffic is dropped",
          fix: "cnet firewall reload"))
      }
      let strays = Set(view.strays(for: wanted)).sorted()
      if !strays.isEmpty {
        findings.append(Finding(program, "rules of cnet's for networks it no longer has: \(strays.joined(separator: ", "))",
                                fix: "cnet firewall reload"))
      }
      if view.placement != .ownChain, view.hasOwnChain {
        findings.append(Finding(program, "cnet's chain \(ForwardAccepts.ownChain) is left over (nothing drops forwarded traffic, or DOCKER-USER took over)",
                                fix: "cnet firewall reload"))
      }
    }
    let firewalldTable = tables.contains { $0.family == Firewalld.tableFamily && $0.name == Firewalld.tableName }
    if !forward.isEmpty, firewalldTable || Firewalld.isRunning() {
      for network in forward where (try? Firewalld.zone(of: network.bridge)) != Firewalld.zone {
        findings.append(Finding("firewalld",
          "bridge \(network.bridge.value) of network \"\(network.name)\" is not in firewalld's \(Firewalld.zone) zone: firewalld rejects its forwarded traffic",
          fix: "cnet firewall reload"))
      }
    }

    // Forwarding, where a network needs a way out.
    let outward = networks.filter { $0.driver == "bridge" && !$0.isInternal }
    if outward.contains(where: { $0.pools.contains { $0.subnet.family == .v4 } }),
      Sysctl.read(["net", "ipv4", "ip_forward"]) != "1"
    {
      findings.append(Finding("forwarding", "net.ipv4.ip_forward is off: \(Self.names(outward)) cannot reach beyond the host",
                              fix: "sysctl -w net.ipv4.ip_forward=1"))
    }
    let outward6 = outward.filter { $0.pools.contains { $0.subnet.family == .v6 } }
    if !outward6.isEmpty, Sysctl.read(["net", "ipv6", "conf", "all", "forwarding"]) != "1" {
      findings.append(Finding("forwarding", "net.ipv6.conf.all.forwarding is off: \(Self.names(outward6)) cannot reach beyond the host over IPv6",
                              fix: "sysctl -w net.ipv6.conf.all.forwarding=1"))
    }

    // Drift between the store and the kernel.
    for line in try collectFirewall(dryRun: true) {
      findings.append(Finding("nftables", line, fix: "cnet firewall reload"))
    }
    for (network, reason) in try driftedNetworks() {
      findings.append(Finding("network", "network \"\(network.name)\": \(reason)", fix: "cnet gc"))
    }
    let host = try kernel.host()
    let links = try host.links()
    for network in networks where network.state == .ready && network.driver == "bridge" {
      guard let bridge = network.bridge, let link = links.first(where: { $0.name == bridge }),
        link.alias != OwnerMark.network(network.id)
      else { continue }
      findings.append(Finding("network",
        "network \"\(network.name)\": \"\(bridge)\" is not its bridge (a \(link.kind ?? "link") someone else made)",
        fix: "ip link del \(bridge) && cnet gc"))
    }
    for line in try collectSandboxes(dryRun: true) {
      findings.append(Finding("sandbox", line, fix: "cnet gc"))
    }
    for endpoint in try store.endpoints() where endpoint.joinState == .joined {
      guard let name = endpoint.hostInterface, !links.contains(where: { $0.name == name }),
        let sandboxID = endpoint.sandboxID, let sandbox = try store.sandbox(id: sandboxID), openNamespace(sandbox) != nil,
        let network = networks.first(where: { $0.id == endpoint.networkID }), network.driver == "bridge"
      else { continue }
      let reference = "\(network.name)/\(endpoint.name)"
      findings.append(Finding("endpoint",
        "endpoint \"\(reference)\" is joined to sandbox \"\(sandbox.name)\" but its link \"\(name)\" is gone",
        fix: "cnet endpoint leave \(reference) \(sandbox.name) && cnet endpoint join \(reference) \(sandbox.name)"))
    }
    for line in try settle(dryRun: true) + collectLinks(dryRun: true) + collectFiles(dryRun: true)
      + collectLeases(dryRun: true)
    {
      findings.append(Finding("leftover", line, fix: "cnet gc"))
    }
    for line in try rebuildFiles(dryRun: true) {
      findings.append(Finding("files", line, fix: "cnet gc"))
    }

    // Routes that take a network's subnet elsewhere.
    let indexes = Dictionary(links.map { ($0.index, $0.name) }, uniquingKeysWith: { first, _ in first })
    for route in try host.routes() {
      guard let destination = route.destination, destination.prefixLength > 0, route.table == 254 else { continue }
      for network in networks where network.driver == "bridge" {
        guard let subnet = network.pools.map(\.subnet).first(where: { $0.overlaps(destination) }) else { continue }
        let device = route.linkIndex.flatMap { indexes[$0] }
        guard device != network.bridge else { continue }
        let via = route.gateway.map { " via \($0)" } ?? ""
        let dev = device.map { " dev \($0)" } ?? ""
        findings.append(Finding("route",
          "route \(destination)\(via)\(dev) overlaps subnet \(subnet) of network \"\(network.name)\": traffic for some of its addresses goes elsewhere",
          fix: "ip route del \(destination)\(via)\(dev)"))
      }
    }

    // A bridge and its ports must agree on the MTU, or large frames are lost.
    for network in networks where network.driver == "bridge" {
      guard let bridge = links.first(where: { $0.name == network.bridge && $0.alias == OwnerMark.network(network.id) })
      else { continue }
      for port in links where port.master == bridge.index && port.mtu != bridge.mtu {
        findings.append(Finding("mtu",
          "port \(port.name) of bridge \(bridge.name) (network \"\(network.name)\") has MTU \(port.mtu), the bridge \(bridge.mtu)",
          fix: "ip link set dev \(port.name) mtu \(bridge.mtu)"))
      }
    }
    return findings
  }

  /// `network "a"`, `networks "a", "b"`.
  static func names(_ networks: [ForwardNetwork]) -> String {
    (networks.count == 1 ? "network " : "networks ") + networks.map { "\"\($0.name)\"" }.joined(separator: ", ")
  }

  static func names(_ networks: [NetworkRecord]) -> String {
    (networks.count == 1 ? "network " : "networks ") + networks.map { "\"\($0.name)\"" }.joined(separator: ", ")
  }
}
