import CnetCore
import CnetEngine
import CnetKernel

/// The overlay driver: networks that span the hosts of a cluster, over
/// VXLAN, as libnetwork's overlay driver builds them.
///
/// Per network and host, a namespace of cnet's own (`ov-` and 12
/// characters of the network's id, under /run/cnet/overlay) holds a bridge
/// with the gateway address and the network's VXLAN device (made in the
/// host's namespace, so its UDP socket stays on the underlay, then moved
/// in; learning off, ARP answered from its neighbour table). Each endpoint
/// is a veth pair: one end on that bridge, the other in the sandbox. The
/// agent (Agent) puts a static neighbour entry (IP to MAC) and forwarding
/// entry (MAC to the remote host's VTEP) on the VXLAN device for every
/// endpoint other hosts publish.
///
/// What hosts share is in etcd (ClusterKeys): the network, its name and
/// VNI taken once in one transaction; each address owned by a host
/// (ClusterIPAM); each endpoint being joined published under the host's
/// lease, with its address's claim or, when it had its address already,
/// at its join.
/// A sandbox leaves the network only through the local gateway bridge
/// (Controller+GatewayBridge), which carries its default route.
public final class OverlayDriver: NetworkDriver, @unchecked Sendable {
  public let name = "overlay"
  public let sandboxNamespace = SandboxNamespace.own
  public let assignsAddresses = true
  /// Its sandboxes publish through the gateway bridge.
  public let publishesPorts = false
  public let defaultIPAM = ClusterIPAM.driverName
  public let providesDefaultRoute = false
  public let needsGatewayBridge = true

  let config: ClusterConfig
  let runDirectory: String
  private var client: EtcdClient?

  public static let vniOption = "vxlan.id"
  public static let mtuOption = "com.docker.network.driver.mtu"
  static let vniRange: ClosedRange<UInt32> = 256...16_777_215
  /// What VXLAN adds to a frame: inner Ethernet 14, outer IP 20, UDP 8,
  /// VXLAN 8.
  public static let encapsulation = 50

  public init(config: ClusterConfig, runDirectory: String) {
    self.config = config
    self.runDirectory = runDirectory
  }

  var keys: ClusterKeys { config.keys }

  func etcd() throws -> EtcdClient {
    if let client { return client }
    let made = try config.client()
    client = made
    return made
  }

  /// The namespace that holds a network's bridge and VXLAN device here.
  public static func namespace(of networkID: String) -> String { "ov-" + String(networkID.prefix(12)) }
  static let bridge = try! InterfaceName("br0")
  static func vxlanDevice(_ vni: UInt32) -> InterfaceName { (try? InterfaceName("vx-\(vni)")) ?? bridge }
  static func port(_ endpointID: String) -> InterfaceName { (try? InterfaceName("ve" + String(endpointID.prefix(12)))) ?? bridge }

  // MARK: - Checks

  public func checkReady() throws {
    // One read, within the client's timeout: a store that is down fails
    // the command here, before anything changes.
    _ = try etcd().range(keys.host(config.hostID), prefix: false, keysOnly: true, serializable: false)
  }

  public func checkOptions(_ options: [KeyValue]) throws {
    for option in options {
      switch option.key {
      case Self.vniOption:
        guard let vni = UInt32(option.value), (1...16_777_215).contains(vni) else {
          throw CnetError(.invalidArgument, "invalid -o \(option.key)=\(option.value): expected a VXLAN id of 1-16777215")
        }
      case Self.mtuOption:
        guard let mtu = Int(option.value), (1280...65535).contains(mtu) else {
          throw CnetError(.invalidArgument, "invalid MTU \(option.value): expected 1280-65535 for an overlay network")
        }
      default:
        throw CnetError(.invalidArgument,
          "unknown option \"\(option.key)\" for the overlay driver (known: \(Self.vniOption), \(Self.mtuOption))")
      }
    }
  }

  public func prepare(_ network: NetworkInfo, others: [NetworkInfo], links: LinkLookup) throws -> NetworkChoices {
    guard !network.ipv6, network.subnets.allSatisfy({ $0.subnet.family == .v4 }) else {
      throw CnetError(.invalidArgument, "overlay networks are IPv4 only")
    }
    let etcd = try etcd()
    // A network another host made, taken into this host's store: it keeps
    // what that host decided.
    if let taken = try etcd.range(keys.name(network.name)).kvs.first {
      guard taken.text == network.id else {
        throw CnetError(.alreadyExists, "network \"\(network.name)\" exists in the cluster (id \(taken.text.prefix(12)))")
      }
      return NetworkChoices(mtu: network.option(Self.mtuOption).flatMap(Int.init) ?? network.mtu)
    }
    let mtu = network.option(Self.mtuOption).flatMap(Int.init) ?? config.underlayMTU - Self.encapsulation
    guard mtu >= 1280 else {
      throw CnetError(.invalidArgument, "the underlay's MTU (\(config.underlayMTU)) leaves \(mtu) for the overlay; give --mtu")
    }
    var options: [KeyValue] = []
    if network.option(Self.vniOption) == nil {
      options.append(KeyValue(Self.vniOption, String(try freeVNI(etcd))))
    }
    return NetworkChoices(mtu: mtu, options: options)
  }

  /// A VNI no network holds, from a random start (two hosts creating at
  /// once then rarely pick the same; if they do, the transaction refuses
  /// the second).
  func freeVNI(_ etcd: EtcdClient) throws -> UInt32 {
    let taken = Set(try etcd.range(keys.allVNIs, prefix: true, keysOnly: true, serializable: false).kvs.compactMap {
      UInt32($0.key.dropFirst(keys.allVNIs.count))
    })
    let span = UInt32(Self.vniRange.count)
    let start = UInt32.random(in: 0..<span)
    for step in 0..<span {
      let vni = Self.vniRange.lowerBound + (start + step) % span
      if !taken.contains(vni) { return vni }
    }
    throw CnetError(.conflict, "every VXLAN id is taken")
  }

  static func vni(_ network: NetworkInfo) throws -> UInt32 {
    guard let vni = network.option(vniOption).flatMap(UInt32.init) else {
      throw CnetError(.failed, "overlay network \"\(network.name)\" has no VXLAN id recorded")
    }
    return vni
  }

  // MARK: - Networks

  /// Records the network in the cluster: its name, its VNI and its
  /// definition in one transaction that also checks no other network came
  /// meanwhile with an overlapping subnet. A network that is there with
  /// this id already (taken in from another host) needs nothing. The data
  /// plane is made at the first join on each host.
  public func createNetwork(_ network: NetworkInfo) throws -> KernelPlan {
    let etcd = try etcd()
    let vni = try Self.vni(network)
    let record = ClusterRecord.Network(
      name: network.name, vni: vni,
      subnets: network.subnets.map { ClusterRecord.Subnet(subnet: $0.subnet.description, gateway: $0.gateway?.description) },
      mtu: network.mtu ?? config.underlayMTU - Self.encapsulation, isInternal: network.isInternal, ipv6: network.ipv6,
      options: network.options.map { "\($0.key)=\($0.value)" }, created: Names.now(), host: config.hostID)
    for _ in 0..<10 {
      let existing = try etcd.range(keys.networks, prefix: true)
      if let mine = existing.kvs.first(where: { $0.key == keys.network(network.id) }) {
        let found = try ClusterRecord.decode(ClusterRecord.Network.self, mine.value, key: mine.key)
        guard found.name == network.name else {
          throw CnetError(.conflict, "network id \(network.id.prefix(12)) is \"\(found.name)\" in the cluster")
        }
        return KernelPlan()
      }
      let others = try existing.kvs.map { try ClusterRecord.decode(ClusterRecord.Network.self, $0.value, key: $0.key) }
      // The name first: two hosts creating one name at once (each with
      // the same automatic subnet) must hear that the name is taken.
      if let (kv, _) = zip(existing.kvs, others).first(where: { $0.1.name == network.name }) {
        let holder = kv.key.dropFirst(keys.networks.count).prefix(12)
        throw CnetError(.alreadyExists, "network \"\(network.name)\" exists in the cluster (id \(holder))")
      }
      for found in others {
        for subnet in network.subnets {
          if let clash = found.subnets.first(where: { (try? CIDR($0.subnet))?.overlaps(subnet.subnet) == true }) {
            throw CnetError(.conflict, "subnet \(subnet.subnet) overlaps \(clash.subnet) of overlay network \"\(found.name)\"")
          }
        }
      }
      var writes: [EtcdOperation] = [
        .put(keys.network(network.id), try ClusterRecord.encode(record), lease: 0),
        .put(keys.name(network.name), Array(network.id.utf8), lease: 0),
        .put(keys.vni(vni), Array(network.id.utf8), lease: 0),
      ]
      for subnet in network.subnets {
        if let gateway = subnet.gateway {
          writes.append(.put(ClusterIPAM.key(keys, subnet.subnet, gateway.address),
                             try ClusterRecord.encode(ClusterRecord.Address(host: config.hostID, endpoint: "gateway")), lease: 0))
        }
      }
      let result = try etcd.txn(
        [.absent(keys.name(network.name)), .absent(keys.vni(vni)), .unchanged(prefix: keys.networks, since: existing.revision)],
        success: writes, failure: [.range(keys.name(network.name), prefix: false), .range(keys.vni(vni), prefix: false)])
      if result.succeeded { return KernelPlan() }
      if let holder = result.ranges.first??.kvs.first {
        throw CnetError(.alreadyExists, "network \"\(network.name)\" exists in the cluster (id \(holder.text.prefix(12)))")
      }
      if let holder = result.ranges.dropFirst().first??.kvs.first {
        throw CnetError(.conflict, "VXLAN id \(vni) is taken by network \(holder.text.prefix(12)); choose another with -o \(Self.vniOption)=N")
      }
      // Another network came meanwhile: check the subnets again.
    }
    throw CnetError(.failed, "network \"\(network.name)\": the cluster's networks kept changing; try again")
  }

  public func checkRemoval(_ network: NetworkInfo) throws {
    let elsewhere = try etcd().range(keys.endpoints(network.id), prefix: true).kvs.compactMap {
      try? ClusterRecord.decode(ClusterRecord.Endpoint.self, $0.value, key: $0.key)
    }.filter { $0.host != config.hostID }
    guard elsewhere.isEmpty else {
      let names = elsewhere.map { "\($0.name) on \($0.host.prefix(12))" }.joined(separator: ", ")
      throw CnetError(.conflict, "network \"\(network.name)\" has endpoints on other hosts: \(names)")
    }
  }

  /// Takes the network out of the cluster (its name, VNI, addresses) when
  /// it is there with this id, and removes its data plane here.
  public func deleteNetwork(_ network: NetworkInfo) throws -> KernelPlan {
    let etcd = try etcd()
    let id = Array(network.id.utf8)
    if let vni = try? Self.vni(network) {
      // Only what this network holds: a create that lost a race to another
      // host's network of the same name (and, unasked, the same subnet),
      // rolled back, must not take that network's records with it.
      var deletes: [EtcdOperation] = [.delete(keys.network(network.id), prefix: false)]
      for subnet in network.subnets {
        deletes.append(.delete(ClusterIPAM.prefix(keys, subnet.subnet), prefix: true))
      }
      _ = try etcd.txn([.holds(keys.name(network.name), id)], success: [.delete(keys.name(network.name), prefix: false)], failure: [])
      _ = try etcd.txn([.holds(keys.vni(vni), id)], success: [.delete(keys.vni(vni), prefix: false)], failure: [])
      _ = try etcd.txn([EtcdCompare(keys.network(network.id), .create, .greater, number: 0)], success: deletes, failure: [])
    }
    return KernelPlan([.deleteNamespace(Self.namespace(of: network.id))])
  }

  // MARK: - Endpoints

  public func createEndpoint(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> String? {
    Self.mac(endpoint.mac, ipv4: endpoint.ipv4)
  }

  /// An endpoint's MAC: the one asked for, else one that follows from its
  /// address, as Docker's: an address that moves to another host keeps its
  /// MAC, and the entries need only replacing.
  static func mac(_ given: String?, ipv4: CIDR?) -> String {
    given ?? BridgeDriver.mac(ipv4: ipv4).description
  }

  /// What a host publishes of an endpoint.
  static func record(_ config: ClusterConfig, ip: IPAddress, mac: String, name: String) -> ClusterRecord.Endpoint {
    ClusterRecord.Endpoint(ip: ip.description, mac: mac, host: config.hostID, vtep: config.advertise, name: name)
  }

  public func deleteEndpoint(_ endpoint: EndpointInfo, network: NetworkInfo) throws {}

  /// The join makes nothing in the host's own namespace.
  public func hostInterface(endpointID: String) -> String? { nil }

  /// Whether the network's namespace is on this host: the first join
  /// makes it (and reads what other hosts publish); later ones find it.
  func hasDataPlane(_ networkID: String) -> Bool {
    guard let name = try? NamespaceName(Self.namespace(of: networkID)) else { return false }
    return NetnsDirectory(path: Controller.Settings.overlayNamespaces(runDirectory: runDirectory)).exists(name)
  }

  /// The network's bridge and VXLAN device here, each made or mended
  /// (`ensure`), then the endpoint's veth pair on that bridge, the peer in
  /// the sandbox: when the network's namespace is here already, the
  /// controller may have this made while it claims the address in etcd (a
  /// pair in a namespace still being made, undone if the claim fails).
  /// The first join on this host makes the namespace too, in `join`.
  public func joinLinks(endpointID: String, network: NetworkInfo, interface: String) -> KernelPlan? {
    guard hasDataPlane(network.id) else { return nil }
    return try? links(endpointID: endpointID, network: network, interface: interface)
  }

  func links(endpointID: String, network: NetworkInfo, interface: String) throws -> KernelPlan {
    let vni = try Self.vni(network)
    guard let vtep = config.vtep else { throw CnetError(.failed, "this host's advertise address \(config.advertise) is not an address") }
    let place = PlanPlace.named(Self.namespace(of: network.id))
    let mtu = UInt32(network.mtu ?? config.underlayMTU - Self.encapsulation)
    let mark = OwnerMark.network(network.id)
    let vxlan = Self.vxlanDevice(vni)
    var plan = KernelPlan([.ensureLink(LinkPlan(name: Self.bridge, place: place, kind: .bridge, mtu: mtu), mark: mark)])
    for gateway in network.subnets.compactMap(\.gateway) {
      plan.steps.append(.addAddress(Self.bridge, place, gateway, ensure: true))
    }
    plan.steps += [
      .setLink(Self.bridge, place, LinkSettings(up: true)),
      .ensureLink(LinkPlan(name: vxlan, place: place,
                           kind: .vxlan(VXLANPlan(vni: vni, local: vtep, port: UInt16(config.vxlanPort))),
                           master: Self.bridge, mtu: mtu), mark: mark),
      .setLink(vxlan, place, LinkSettings(up: true)),
    ]
    let peer = try InterfaceName(interface)
    let host = Self.port(endpointID)
    plan.steps += [
      .createLink(LinkPlan(name: host, place: place, kind: .veth(peer: PeerPlan(name: peer, place: .sandbox, mtu: mtu)),
                           master: Self.bridge, mtu: mtu)),
      .setLink(host, place, LinkSettings(up: true, alias: OwnerMark.endpoint(endpointID))),
    ]
    return plan
  }

  /// The rest of the join: the peer's MAC and addresses; at the first join
  /// on this host, the network's namespace and everything in `links`
  /// before them.
  public func join(_ join: JoinInfo, network: NetworkInfo) throws -> KernelPlan {
    let isFirst = !hasDataPlane(network.id)
    var plan = KernelPlan()
    if isFirst {
      plan.steps.append(.ensureNamespace(Self.namespace(of: network.id)))
      plan += try links(endpointID: join.endpoint.id, network: network, interface: join.interface)
    }
    let peer = try InterfaceName(join.interface)
    plan.steps += [
      .setLink(peer, .sandbox, LinkSettings(ipv6AutoAddresses: false, mac: try join.endpoint.mac.map(MACAddress.unicast))),
      .setLink(peer, .sandbox, LinkSettings(up: true)),
    ]
    for address in join.endpoint.addresses {
      plan.steps.append(.addAddress(peer, .sandbox, address, ensure: false))
    }
    // The first join on this host: what other hosts publish on the
    // network, so the sandbox reaches them at once. Later joins find the
    // entries there; the agent keeps them (and mends a device made anew
    // at its next full pass, every 10 s).
    if isFirst { plan.steps += try remoteEntries(network.id, vni: try Self.vni(network)) }
    return plan
  }

  /// Static entries for every endpoint other hosts publish on the network.
  func remoteEntries(_ networkID: String, vni: UInt32) throws -> [PlanStep] {
    let place = PlanPlace.named(Self.namespace(of: networkID))
    var steps: [PlanStep] = []
    for kv in try etcd().range(keys.endpoints(networkID), prefix: true).kvs {
      guard let endpoint = try? ClusterRecord.decode(ClusterRecord.Endpoint.self, kv.value, key: kv.key),
        endpoint.host != config.hostID
      else { continue }
      steps += Self.entries(endpoint).map { .setNeighbour(Self.vxlanDevice(vni), place, $0) }
    }
    return steps
  }

  /// The two entries that say where a remote endpoint is.
  static func entries(_ endpoint: ClusterRecord.Endpoint) -> [NeighbourEntry] {
    guard let mac = try? MACAddress.unicast(endpoint.mac), let vtep = IPAddress(endpoint.vtep),
      let address = (try? CIDR(endpoint.ip))?.address ?? IPAddress(endpoint.ip)
    else { return [] }
    return [NeighbourEntry(.neighbour(address), mac: mac), NeighbourEntry(.forwarding(vtep: vtep), mac: mac)]
  }

  /// A new endpoint is published with its address's claim (ClusterIPAM),
  /// in the same transaction.
  public let publishesWithAddress = true

  /// An endpoint that had its address already is published under this
  /// host's lease while the join is made here, so every other host's agent
  /// puts its entries in place (a remote host's entries for an endpoint
  /// whose pair is not there yet only lead to this host's bridge, where no
  /// port has that MAC yet). A host whose lease is gone (its agent not
  /// running) cannot publish.

  public func startPublishing(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> PendingPublication? {
    guard let ipv4 = endpoint.ipv4, let mac = endpoint.mac else { return nil }
    guard let lease = HostLease.read(runDirectory: runDirectory) else { throw Self.notAlive }
    let record = Self.record(config, ip: ipv4.address, mac: mac, name: endpoint.name)
    let sent = try etcd().sendTxn([.leased(keys.host(config.hostID), lease)],
                                  success: [.put(keys.endpoint(network.id, endpoint.id), try ClusterRecord.encode(record), lease: lease)],
                                  failure: [])
    return PendingPublication(confirm: { guard try sent.answer().succeeded else { throw Self.notAlive } },
                              settle: { sent.settle() })
  }

  public func programExternalConnectivity(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> KernelPlan { KernelPlan() }

  static let notAlive = CnetError(.failed, "this host is not alive in the cluster (no live lease in etcd): is `cnet agent` running?")

  public func revokeExternalConnectivity(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> KernelPlan {
    try etcd().delete(keys.endpoint(network.id, endpoint.id), prefix: false)
    return KernelPlan()
  }

  public func leave(_ endpoint: EndpointInfo, network: NetworkInfo, sandboxPresent: Bool, sandboxGoing: Bool) throws
    -> KernelPlan
  {
    // The sandbox's namespace going takes the pair along.
    if sandboxGoing { return KernelPlan() }
    return KernelPlan([.deleteLink(Self.port(endpoint.id), .named(Self.namespace(of: network.id)),
                                   mark: OwnerMark.endpoint(endpoint.id))])
  }
}
