import CnetCore
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// The default driver: one Linux bridge per network carrying the gateway
/// addresses; per joined endpoint a veth pair, the host end on the bridge,
/// the peer created directly inside the sandbox with its final name. The
/// network's NAT, isolation and published ports are elements of cnet's
/// nftables tables (CnetKernel's Firewall), added and removed with what
/// they serve.
public final class BridgeDriver: NetworkDriver {
  public let name = "bridge"
  public let sandboxNamespace = SandboxNamespace.own

  public init() {}

  /// The options it takes, with Docker's names.
  public static let bridgeNameOption = "com.docker.network.bridge.name"
  public static let mtuOption = "com.docker.network.driver.mtu"
  /// "false": traffic leaving the network keeps its sandbox's address.
  public static let masqueradeOption = "com.docker.network.bridge.enable_ip_masquerade"
  /// "false": the network's sandboxes cannot reach each other.
  public static let iccOption = "com.docker.network.bridge.enable_icc"
  static let known = [bridgeNameOption, mtuOption, masqueradeOption, iccOption]

  public func checkOptions(_ options: [KeyValue]) throws {
    for option in options {
      switch option.key {
      case Self.bridgeNameOption:
        _ = try InterfaceName(option.value)
      case Self.mtuOption:
        guard let mtu = Int(option.value), (68...65535).contains(mtu) else {
          throw CnetError(.invalidArgument, "invalid -o \(option.key)=\(option.value): expected an MTU of 68-65535")
        }
      case Self.masqueradeOption, Self.iccOption:
        guard option.value == "true" || option.value == "false" else {
          throw CnetError(.invalidArgument, "invalid -o \(option.key)=\(option.value): expected true or false")
        }
      default:
        throw CnetError(.invalidArgument, "unknown option \"\(option.key)\" for the bridge driver (known: \(Self.known.joined(separator: ", ")))")
      }
    }
  }

  public func prepare(_ network: inout NetworkRecord, others: [NetworkRecord], kernel: KernelContext) throws {
    let bridge = network.option(Self.bridgeNameOption) ?? "cnet-" + network.id.prefix(10)
    if let other = others.first(where: { $0.bridge == bridge }) {
      throw CnetError(.conflict, "bridge \"\(bridge)\" already belongs to network \"\(other.name)\"")
    }
    let name = try InterfaceName(bridge)
    if let existing = try kernel.host().linkIfPresent(named: name) {
      throw CnetError(.conflict, "a \(existing.kind ?? "link") named \"\(bridge)\" already exists; choose another with -o \(Self.bridgeNameOption)=NAME")
    }
    network.bridge = bridge
    network.mtu = network.option(Self.mtuOption).flatMap(Int.init)
    // A bridge without an address of its own takes the lowest of its
    // ports' and changes it as sandboxes come and go; sandboxes that
    // cached the gateway's old one lose their way out until their ARP
    // entry expires. So it gets one for good, as Docker's bridges do.
    network.mac = MACAddress.randomLocal().description
  }

  public func createNetwork(_ network: NetworkRecord, kernel: KernelContext) throws {
    let host = try kernel.host()
    let name = try bridgeName(network)
    let mark = OwnerMark.network(network.id)
    let mac = try network.mac.map(MACAddress.unicast)
    var bridge = try host.linkIfPresent(named: name)
    if let existing = bridge {
      guard existing.kind == "bridge", existing.alias == mark else {
        throw CnetError(.conflict, "cannot realise network \"\(network.name)\": \"\(name)\" exists and is not its bridge")
      }
      if let mac, existing.address != mac.bytes { try host.setLink(existing, LinkChanges(address: mac)) }
    } else {
      // The kernel keeps an address given at creation as the device's own
      // (NET_ADDR_SET): ports joining later do not change it.
      try host.addLink(name, .bridge, mtu: network.mtu.map(UInt32.init), address: mac, up: true)
      try host.setLink(named: name, LinkChanges(alias: mark))
      bridge = try host.link(named: name)
    }
    guard let bridge else { return }
    let present = Set(try host.addresses(on: bridge).map(\.cidr))
    for gateway in network.pools.compactMap(\.gateway) where !present.contains(gateway) {
      try host.addAddress(gateway, to: bridge, noDAD: true)
    }
    if !bridge.isUp { try host.setLink(bridge, LinkChanges(up: true)) }

    // The host's own loopback traffic to a published port is DNATed into
    // the bridge with its 127.0.0.1 source: only route_localnet lets it out
    // (on this bridge alone; the firewall masquerades it, and drops what
    // sandboxes send to 127/8).
    try Sysctl.ensure(["net", "ipv4", "conf", name.value, "route_localnet"], "1")
    if !network.isInternal {
      try Sysctl.ensure(["net", "ipv4", "ip_forward"], "1")
      if network.pools.contains(where: { $0.subnet.family == .v6 }) {
        try Sysctl.ensure(["net", "ipv6", "conf", "all", "forwarding"], "1")
      }
    }
    try kernel.firewall.add(Self.firewallNetwork(network, bridge: name))
  }

  public func isRealised(_ network: NetworkRecord, kernel: KernelContext) throws -> Bool {
    do {
      _ = try kernel.host().index(of: try bridgeName(network))
      return true
    } catch let error as KernelError where error.code == ENODEV {
      return false
    }
  }

  static func firewallNetwork(_ network: NetworkRecord, bridge: InterfaceName) -> FirewallNetwork {
    FirewallNetwork(bridge: bridge, subnets: network.pools.map(\.subnet), isInternal: network.isInternal,
                    masquerade: network.option(masqueradeOption) != "false", owner: "network " + network.id)
  }

  /// The firewall's view of a network of this driver (nil without a bridge).
  public static func firewallNetwork(_ network: NetworkRecord) -> FirewallNetwork? {
    network.bridge.flatMap { try? InterfaceName($0) }.map { firewallNetwork(network, bridge: $0) }
  }

  public func deleteNetwork(_ network: NetworkRecord, kernel: KernelContext) throws {
    if let rules = Self.firewallNetwork(network), try kernel.firewall.isInstalled() {
      try kernel.firewall.remove(rules)
      // The last network takes cnet's tables along.
      if try kernel.firewall.entryCounts()["bridges", default: 0] == 0 { try kernel.firewall.uninstall() }
    }
    let host = try kernel.host()
    guard let name = network.bridge.flatMap({ try? InterfaceName($0) }),
      let bridge = try host.linkIfPresent(named: name), bridge.alias == OwnerMark.network(network.id)
    else { return }
    try host.deleteLink(bridge)
  }

  public func createEndpoint(_ endpoint: inout EndpointRecord, network: NetworkRecord) throws {
    if endpoint.mac == nil { endpoint.mac = Self.mac(for: endpoint).description }
  }

  public func deleteEndpoint(_ endpoint: EndpointRecord, network: NetworkRecord) throws {}

  public let publishesPorts = true
  public let assignsAddresses = true

  /// The published ports, per address of the endpoint: a mapping with a
  /// host address goes to the endpoint's address of that family, one
  /// without to each of them.
  public static func publications(_ endpoint: EndpointRecord) -> [PortPublication] {
    let owner = "endpoint " + endpoint.id
    return endpoint.ports.flatMap { mapping -> [PortPublication] in
      let targets: [CIDR?] = switch mapping.hostAddress?.family {
      case .v4?: [endpoint.ipv4]
      case .v6?: [endpoint.ipv6]
      case nil: [endpoint.ipv4, endpoint.ipv6]
      }
      return targets.compactMap { $0.map { PortPublication(mapping, to: $0.address, owner: owner) } }
    }
  }

  /// The host end of a joined endpoint on a network whose sandboxes may not
  /// talk to each other.
  static func isolatedPort(_ endpoint: EndpointRecord, network: NetworkRecord) -> InterfaceName? {
    guard network.option(iccOption) == "false" else { return nil }
    return endpoint.hostInterface.flatMap { try? InterfaceName($0) }
  }

  public func programExternalConnectivity(_ endpoint: EndpointRecord, network: NetworkRecord,
                                          kernel: KernelContext) throws {
    let publications = Self.publications(endpoint)
    let isolated = Self.isolatedPort(endpoint, network: network).map { [$0] } ?? []
    guard !publications.isEmpty || !isolated.isEmpty else { return }
    if !publications.isEmpty, let name = endpoint.hostInterface.flatMap({ try? InterfaceName($0) }) {
      // A sandbox reaching its own published port through a host address:
      // with bridge netfilter on (the kernel's default once loaded), the
      // DNATed frame is bridged, back out of the port it came in by,
      // which the bridge allows only in hairpin mode (Docker does the same).
      let host = try kernel.host()
      try host.setHairpin(try host.link(named: name), true)
    }
    try kernel.firewall.publish(publications, isolating: isolated)
  }

  public func revokeExternalConnectivity(_ endpoint: EndpointRecord, network: NetworkRecord,
                                         kernel: KernelContext) throws {
    let publications = Self.publications(endpoint)
    let isolated = Self.isolatedPort(endpoint, network: network).map { [$0] } ?? []
    guard !publications.isEmpty || !isolated.isEmpty, try kernel.firewall.isInstalled() else { return }
    try kernel.firewall.unpublish(publications, isolating: isolated)
  }

  /// "cv" and the first 12 characters of the endpoint's id.
  public func hostInterface(for endpoint: EndpointRecord) -> String? {
    hostInterface(forID: endpoint.id)
  }

  func hostInterface(forID id: String) -> String {
    // String(...): concatenating a Substring goes through a generic path
    // that costs the runtime a conformance lookup at its first use.
    "cv" + String(id.prefix(12))
  }

  /// The pair below, made by the new namespace's thread (as soon as the
  /// namespace is there) while the controller reserves the endpoint and
  /// writes the sandbox's files: creating it and bringing its host end up
  /// on a bridge of hundreds of ports took 0.9-1.2 ms of a connect at 500
  /// containers; this way the two overlap. The peer gets its MAC in `join`
  /// (it comes from the address, which may not be reserved yet).
  public func prepareJoin(endpointID: String, network: NetworkRecord, interface: String,
                          pending: PendingNamespace) -> Bool {
    guard let host = try? InterfaceName(hostInterface(forID: endpointID)), let peer = try? InterfaceName(interface),
      let bridge = try? bridgeName(network)
    else { return false }
    return pending.requestPair(host: host, peer: peer, bridge: bridge, mtu: network.mtu.map(UInt32.init),
                               alias: OwnerMark.endpoint(endpointID))
  }

  public func join(_ endpoint: EndpointRecord, network: NetworkRecord, sandbox: SandboxContext, interface: String,
                   kernel: KernelContext) throws {
    let hostName = try InterfaceName(hostInterface(for: endpoint) ?? "")
    let peerName = try InterfaceName(interface)
    let mac = try endpoint.mac.map(MACAddress.unicast)
    // The pair, the host end on the bridge, the peer born inside the sandbox
    // with its final name, MAC and MTU; then the host end's mark, and up
    // with no IPv6 addresses (the kernel ignores both on creation). A
    // bridge port needs no address, and without one the kernel skips the
    // duplicate detection and multicast work whose background locking made
    // every join slower the more there were (measured with bench/cnm).
    // Or the same, made already by the namespace's thread (prepareJoin).
    let premade = sandbox.pending?.pairHost == hostName.value
    if premade, let pending = sandbox.pending {
      try pending.finishPair()
    } else {
      let host = try kernel.host()
      let bridge = try host.index(of: try bridgeName(network))
      try host.addLink(
        hostName, .veth(VethPeer(name: peerName, namespace: sandbox.namespace, address: mac)),
        mtu: network.mtu.map(UInt32.init), master: bridge)
      try host.setLink(named: hostName, LinkChanges(up: true, alias: OwnerMark.endpoint(endpoint.id), ipv6AutoAddresses: false))
    }

    // The peer can only be brought up once both ends exist. Without an
    // IPv6 address of its own (an IPv4-only network) it gets no link-local
    // one either, as Docker's containers have no IPv6 on such networks:
    // otherwise its duplicate detection, router solicitations and
    // multicast reports are flooded by the bridge to every other port,
    // work that grows with the number of containers. The mode goes in a
    // request of its own, before the link is up: in one request the kernel
    // brings the link up first, and with its peer already up it has
    // carrier at once, so the link-local address could come before the
    // mode (it did, 19 times in 20, once nothing synced the link's state
    // in between; the host end above comes up without carrier and waits).
    let inside = try sandbox.socket()
    let peer = try inside.index(of: peerName)
    var first = LinkChanges()
    if premade { first.address = mac }
    if endpoint.ipv6 == nil { first.ipv6AutoAddresses = false }
    if first.address != nil || first.ipv6AutoAddresses != nil {
      try inside.setLink(index: peer, name: peerName.value, first)
    }
    try inside.setLink(index: peer, name: peerName.value, LinkChanges(up: true))
    for address in endpoint.addresses {
      try inside.addAddress(address, toIndex: peer, name: peerName.value, noDAD: true)
    }
  }

  /// The host's half of a join, for a caller that plumbs its sandbox
  /// itself (dockerd, through the plugin protocol): the pair is made in the
  /// host's namespace, the host end on the bridge and up, the other end
  /// named `peer` with the endpoint's MAC and left down for the caller to
  /// move into its sandbox, rename, address and route. Removing the host
  /// end (`leave`) removes both.
  public func plumb(_ endpoint: EndpointRecord, network: NetworkRecord, peer: InterfaceName,
                    kernel: KernelContext) throws {
    let host = try kernel.host()
    let bridge = try host.index(of: try bridgeName(network))
    let hostName = try InterfaceName(hostInterface(for: endpoint) ?? "")
    try host.addLink(
      hostName, .veth(VethPeer(name: peer, address: try endpoint.mac.map(MACAddress.unicast))),
      mtu: network.mtu.map(UInt32.init), master: bridge)
    try host.setLink(named: hostName, LinkChanges(up: true, alias: OwnerMark.endpoint(endpoint.id), ipv6AutoAddresses: false))
  }

  public func leave(_ endpoint: EndpointRecord, network: NetworkRecord, sandbox: SandboxContext?, sandboxGoing: Bool,
                    kernel: KernelContext) throws {
    // The namespace's deletion reaps the pair.
    if sandboxGoing, sandbox?.record.origin == .created { return }
    guard let name = hostInterface(for: endpoint).flatMap({ try? InterfaceName($0) }) else { return }
    let host = try kernel.host()
    guard let link = try host.linkIfPresent(named: name), link.alias == nil || link.alias == OwnerMark.endpoint(endpoint.id)
    else { return }
    do {
      try host.deleteLink(link)
    } catch let error as KernelError where error.code == ENODEV {
      // Gone meanwhile (its peer's namespace went): nothing to do.
    }
  }

  private func bridgeName(_ network: NetworkRecord) throws -> InterfaceName {
    guard let bridge = network.bridge else {
      throw CnetError(.failed, "network \"\(network.name)\" has no bridge recorded")
    }
    return try InterfaceName(bridge)
  }

  /// Docker's MAC: 02:42 and the IPv4 address, so it is stable across
  /// restarts; random (locally administered) without an IPv4 address.
  static func mac(for endpoint: EndpointRecord) -> MACAddress {
    if case .v4(let a)? = endpoint.ipv4?.address {
      let b = a.bytes
      return MACAddress(octets: (0x02, 0x42, b[0], b[1], b[2], b[3]))
    }
    var generator = SystemRandomNumberGenerator()
    let r = (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return MACAddress(octets: (0x02, 0x43, r[0], r[1], r[2], r[3]))
  }
}
