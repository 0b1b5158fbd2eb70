import CnetCore

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

  public func prepare(_ network: NetworkInfo, others: [NetworkInfo], links: LinkLookup) throws -> NetworkChoices {
    let bridge = network.option(Self.bridgeNameOption) ?? "cnet-" + network.id.prefix(10)
    if let other = others.first(where: { $0.bridge == bridge }) {
      throw CnetError(.conflict, "bridge \"\(bridge)\" already belongs to network \"\(other.name)\"")
    }
    if let existing = try links.link(named: try InterfaceName(bridge)) {
      throw CnetError(.conflict, "a \(existing.kind ?? "link") named \"\(bridge)\" already exists; choose another with -o \(Self.bridgeNameOption)=NAME")
    }
    // A bridge without an address of its own takes the lowest of its
    // ports' and changes it as sandboxes come and go; sandboxes that
    // cached the gateway's old one lose their way out until their ARP
    // entry expires. So it gets one for good, as Docker's bridges do.
    return NetworkChoices(bridge: bridge, mtu: network.option(Self.mtuOption).flatMap(Int.init),
                          mac: MACAddress.randomLocal().description)
  }

  public func createNetwork(_ network: NetworkInfo) throws -> KernelPlan {
    let name = try bridgeName(network)
    // The kernel keeps an address given at creation as the device's own
    // (NET_ADDR_SET): ports joining later do not change it.
    let bridge = LinkPlan(name: name, place: .host, kind: .bridge, mtu: network.mtu.map(UInt32.init),
                          mac: try network.mac.map(MACAddress.unicast))
    var plan = KernelPlan([.ensureLink(bridge, mark: OwnerMark.network(network.id))])
    for gateway in network.subnets.compactMap(\.gateway) {
      plan.steps.append(.addAddress(name, .host, gateway, ensure: true))
    }
    plan.steps.append(.setLink(name, .host, LinkSettings(up: true)))
    // The host's own loopback traffic to a published port is DNATed into
    // the bridge with its 127.0.0.1 source: only route_localnet lets it out
    // (on this bridge alone; the firewall masquerades it, and drops what
    // sandboxes send to 127/8).
    plan.steps.append(.sysctl(["net", "ipv4", "conf", name.value, "route_localnet"], "1"))
    if !network.isInternal {
      plan.steps.append(.sysctl(["net", "ipv4", "ip_forward"], "1"))
      if network.subnets.contains(where: { $0.subnet.family == .v6 }) {
        plan.steps.append(.sysctl(["net", "ipv6", "conf", "all", "forwarding"], "1"))
      }
    }
    plan.steps.append(.firewall(.addNetwork(Self.firewallNetwork(network, bridge: name))))
    return plan
  }

  public func isRealised(_ network: NetworkInfo, links: LinkLookup) throws -> Bool {
    try links.exists(try bridgeName(network))
  }

  static func firewallNetwork(_ network: NetworkInfo, bridge: InterfaceName) -> FirewallNetwork {
    FirewallNetwork(bridge: bridge, subnets: network.subnets.map(\.subnet), isInternal: network.isInternal,
                    masquerade: network.option(masqueradeOption) != "false", owner: "network " + network.id)
  }

  /// The firewall's view of a network of this driver (nil without a bridge).
  public static func firewallNetwork(_ network: NetworkInfo) -> FirewallNetwork? {
    network.bridge.flatMap { try? InterfaceName($0) }.map { firewallNetwork(network, bridge: $0) }
  }

  public func deleteNetwork(_ network: NetworkInfo) throws -> KernelPlan {
    var plan = KernelPlan()
    if let rules = Self.firewallNetwork(network) { plan.steps.append(.firewall(.removeNetwork(rules))) }
    if let name = network.bridge.flatMap({ try? InterfaceName($0) }) {
      plan.steps.append(.deleteLink(name, .host, mark: OwnerMark.network(network.id)))
    }
    return plan
  }

  public func createEndpoint(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> String? {
    endpoint.mac ?? Self.mac(for: endpoint).description
  }

  public func deleteEndpoint(_ endpoint: EndpointInfo, network: NetworkInfo) throws {}

  public let publishesPorts = true
  public let assignsAddresses = true

  /// The published ports, per address of the endpoint: a mapping with a
  /// host address goes to the endpoint's address of that family, one
  /// without to each of them.
  public static func publications(_ endpoint: EndpointInfo) -> [PortPublication] {
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
  static func isolatedPort(_ endpoint: EndpointInfo, network: NetworkInfo) -> InterfaceName? {
    guard network.option(iccOption) == "false" else { return nil }
    return endpoint.hostInterface.flatMap { try? InterfaceName($0) }
  }

  public func programExternalConnectivity(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> KernelPlan {
    let publications = Self.publications(endpoint)
    let isolated = Self.isolatedPort(endpoint, network: network).map { [$0] } ?? []
    guard !publications.isEmpty || !isolated.isEmpty else { return KernelPlan() }
    var plan = KernelPlan()
    if !publications.isEmpty, let name = endpoint.hostInterface.flatMap({ try? InterfaceName($0) }) {
      // A sandbox reaching its own published port through a host address:
      // with bridge netfilter on (the kernel's default once loaded), the
      // DNATed frame is bridged, back out of the port it came in by,
      // which the bridge allows only in hairpin mode (Docker does the same).
      plan.steps.append(.setLink(name, .host, LinkSettings(hairpin: true)))
    }
    plan.steps.append(.firewall(.publish(publications, isolating: isolated)))
    return plan
  }

  public func revokeExternalConnectivity(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> KernelPlan {
    let publications = Self.publications(endpoint)
    let isolated = Self.isolatedPort(endpoint, network: network).map { [$0] } ?? []
    guard !publications.isEmpty || !isolated.isEmpty else { return KernelPlan() }
    return KernelPlan([.firewall(.unpublish(publications, isolating: isolated))])
  }

  /// "cv" and the first 12 characters of the endpoint's id.
  public func hostInterface(endpointID: String) -> String? {
    "cv" + String(endpointID.prefix(12))
  }

  /// The veth pair of a join: the host end on the bridge, the peer born in
  /// `place` with its final name (and the network's MTU); then the host
  /// end's mark, and up with no IPv6 addresses (the kernel ignores both on
  /// creation). A bridge port needs no address, and without one the kernel
  /// skips the duplicate detection and multicast work whose background
  /// locking made every join slower the more there were.
  func pair(endpointID: String, network: NetworkInfo, peer: InterfaceName, in place: PlanPlace, mac: MACAddress?) throws
    -> KernelPlan
  {
    let host = try InterfaceName(hostInterface(endpointID: endpointID) ?? "")
    let mtu = network.mtu.map(UInt32.init)
    return KernelPlan([
      .createLink(LinkPlan(name: host, place: .host, kind: .veth(peer: PeerPlan(name: peer, place: place, mtu: mtu, mac: mac)),
                           master: try bridgeName(network), mtu: mtu)),
      .setLink(host, .host, LinkSettings(up: true, alias: OwnerMark.endpoint(endpointID), ipv6AutoAddresses: false)),
    ])
  }

  /// The pair, its peer in the sandbox: it needs only the ids, so it can
  /// be made while the endpoint is being reserved. The peer's MAC comes in
  /// `join` (it follows from the address, which may not be reserved yet).
  public func joinLinks(endpointID: String, network: NetworkInfo, interface: String) -> KernelPlan? {
    guard let peer = try? InterfaceName(interface) else { return nil }
    return try? pair(endpointID: endpointID, network: network, peer: peer, in: .sandbox, mac: nil)
  }

  public func join(_ join: JoinInfo, network: NetworkInfo) throws -> KernelPlan {
    let peer = try InterfaceName(join.interface)
    let endpoint = join.endpoint
    // The peer can only be brought up once both ends exist. Without an
    // IPv6 address of its own (an IPv4-only network) it gets no link-local
    // one either, as Docker's containers have no IPv6 on such networks:
    // otherwise its duplicate detection, router solicitations and
    // multicast reports are flooded by the bridge to every other port,
    // work that grows with the number of containers. The mode goes in a
    // request of its own, before the link is up: in one request the kernel
    // brings the link up first, and with its peer already up it has
    // carrier at once, so the link-local address could come before the
    // mode. (The MAC goes into the pair's creation when the pair is made
    // in the same plan: KernelPlan.folded.)
    var plan = KernelPlan([
      .setLink(peer, .sandbox, LinkSettings(ipv6AutoAddresses: endpoint.ipv6 == nil ? false : nil,
                                            mac: try endpoint.mac.map(MACAddress.unicast))),
      .setLink(peer, .sandbox, LinkSettings(up: true)),
    ])
    for address in endpoint.addresses {
      plan.steps.append(.addAddress(peer, .sandbox, address, ensure: false))
    }
    return plan
  }

  /// The host's half of a join, for a caller that plumbs its sandbox
  /// itself (dockerd, through the plugin protocol): the pair in the host's
  /// namespace, the other end named `peer` with the endpoint's MAC and left
  /// down for the caller to move into its sandbox, rename, address and
  /// route. Removing the host end (`leave`) removes both.
  public func callerLinks(_ endpoint: EndpointInfo, network: NetworkInfo, peer: InterfaceName) throws -> KernelPlan {
    try pair(endpointID: endpoint.id, network: network, peer: peer, in: .host, mac: try endpoint.mac.map(MACAddress.unicast))
  }

  public func leave(_ endpoint: EndpointInfo, network: NetworkInfo, sandboxPresent: Bool, sandboxGoing: Bool) throws
    -> KernelPlan
  {
    // The namespace's deletion reaps the pair.
    if sandboxGoing { return KernelPlan() }
    // By the name the id gives: a caller's endpoint has left its sandbox
    // (and lost its recorded join) before DeleteEndpoint removes the pair.
    guard let name = hostInterface(endpointID: endpoint.id).flatMap({ try? InterfaceName($0) }) else { return KernelPlan() }
    return KernelPlan([.deleteLink(name, .host, mark: OwnerMark.endpoint(endpoint.id))])
  }

  private func bridgeName(_ network: NetworkInfo) throws -> InterfaceName {
    guard let bridge = network.bridge else {
      throw CnetError(.failed, "network \"\(network.name)\" has no bridge recorded")
    }
    return try InterfaceName(bridge)
  }

  /// Docker's MAC: 02:42 and the IPv4 address, so it is stable across
  /// restarts; random (locally administered) without an IPv4 address.
  static func mac(for endpoint: EndpointInfo) -> MACAddress { mac(ipv4: endpoint.ipv4) }

  public static func mac(ipv4: CIDR?) -> MACAddress {
    if case .v4(let a)? = ipv4?.address {
      let b = a.bytes
      return MACAddress(octets: (0x02, 0x42, b[0], b[1], b[2], b[3]))
    }
    var generator = SystemRandomNumberGenerator()
    let r = (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return MACAddress(octets: (0x02, 0x43, r[0], r[1], r[2], r[3]))
  }
}
