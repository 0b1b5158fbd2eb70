import CnetCore
import CnetKernel
import CnetStore

/// The engine driven by a caller that keeps part of the model itself:
/// dockerd, through the plugin protocol (cnet plugin serve). dockerd asks
/// the IPAM driver for pools and addresses before it tells the network
/// driver anything, names networks and endpoints by its own ids, and moves,
/// names, addresses and routes the sandbox's interface itself. cnet keeps
/// the records, the bridge, the veths and the firewall, in the same store
/// and under the same lock as its own commands: a Docker network is a cnet
/// network (`cnet network ls` shows it as docker-ID), its containers'
/// endpoints are cnet endpoints with addresses from cnet's IPAM, and its
/// containers' namespaces are cnet sandboxes (linked as docker-ID, so
/// `cnet exec` and `ip netns exec` reach them).
///
/// dockerd ignores the failures of teardown calls and may send them for
/// what a restart of either side already removed, so those are idempotent:
/// what is not there is not an error.
public struct CallerSubnet: Sendable {
  /// The space the caller's IPAM driver named (nil: any).
  public var addressSpace: String?
  public var pool: CIDR
  public var gateway: CIDR?

  public init(addressSpace: String?, pool: CIDR, gateway: CIDR?) {
    self.addressSpace = addressSpace
    self.pool = pool
    self.gateway = gateway
  }
}

/// CreateNetwork, as the caller asks for it.
public struct CallerNetworkSpec: Sendable {
  public var id: String
  public var subnets: [CallerSubnet] = []
  public var ipv6 = false
  public var isInternal = false
  /// The driver options (`docker network create -o`).
  public var options: [KeyValue] = []

  public init(id: String) { self.id = id }
}

/// What a join leaves for the caller to finish: the link to move into the
/// sandbox, and the gateways for its default routes (none on an internal
/// network).
public struct CallerJoin: Sendable {
  public var interface: String
  public var gateway: IPAddress?
  public var gatewayIPv6: IPAddress?
}

extension Controller {
  /// The label that marks a network a caller made, with the caller's name:
  /// cnet's own commands leave such a network to its caller.
  public static let callerLabel = "cnet.caller"

  /// The name a caller's network gets in cnet.
  public static func callerName(_ id: String) -> String { "docker-" + String(id.prefix(12)) }

  /// The default IPAM driver, for the caller's IpamDriver calls: one store
  /// transaction per call, so a failed call leaves nothing.
  public func withCallerIPAM<T>(_ body: (IPAMDriver) throws -> T) throws -> T {
    let ipam = try ipam("default")
    return try store.transaction { try body(ipam) }
  }

  /// CreateNetwork: a bridge network under the caller's id. Pools the
  /// caller requested from cnet's IPAM (RequestPool before CreateNetwork)
  /// are adopted as they are; pools from another IPAM driver (dockerd's
  /// own) are requested from cnet's, so that cnet's own endpoints on the
  /// network never get an address a container has.
  public func createCallerNetwork(_ spec: CallerNetworkSpec) throws -> NetworkRecord {
    if let existing = try store.network(id: spec.id) { return existing }
    let pools = try store.pools()
    var adopted: [PoolAssignment] = []
    var foreign: [CallerSubnet] = []
    for subnet in spec.subnets {
      let match = pools.first { pool in
        pool.subnet == subnet.pool && (subnet.addressSpace == nil || subnet.addressSpace == pool.addressSpace)
      }
      if let pool = match {
        adopted.append(PoolAssignment(poolID: pool.id, subnet: pool.subnet, range: pool.range, gateway: subnet.gateway))
      } else {
        foreign.append(subnet)
      }
    }
    guard adopted.isEmpty || foreign.isEmpty else {
      throw CnetError(.invalidArgument, "network \(spec.id): some subnets are from cnet's IPAM driver and some are not")
    }
    var network = NetworkSpec(name: Self.callerName(spec.id))
    network.id = spec.id
    network.ipamDriver = "default"
    network.ipv6 = spec.ipv6
    network.isInternal = spec.isInternal
    network.options = spec.options
    network.labels = [KeyValue(Self.callerLabel, "dockerd")]
    network.subnets = spec.subnets.map(\.pool)
    if adopted.isEmpty {
      network.gateways = foreign.compactMap { $0.gateway?.address }
    } else {
      network.adoptedPools = adopted
    }
    return try createNetwork(network)
  }

  /// DeleteNetwork; refused while cnet's own endpoints are on it.
  public func deleteCallerNetwork(_ id: String) throws {
    guard try store.network(id: id) != nil else { return }
    _ = try removeNetworks([id], byCaller: true)
  }

  /// CreateEndpoint: the endpoint under the caller's id, with the addresses
  /// its IPAM gave. An address cnet's IPAM leased to the caller already is
  /// the caller's to release (ReleaseAddress after DeleteEndpoint); one it
  /// did not (another IPAM driver's) is leased here and released with the
  /// endpoint. Returns the record, with the MAC the driver chose if the
  /// caller had none.
  public func createCallerEndpoint(network networkID: String, id: String, ipv4: CIDR?, ipv6: CIDR?, mac: MACAddress?,
                                   ports: [PortMapping]) throws -> EndpointRecord {
    if let existing = try store.endpoint(id: id) { return existing }
    let network = try callerNetwork(networkID)
    try requireReady(network.state, "network \"\(network.name)\"")
    try checkPorts(ports, on: network)
    if let mac { try checkMAC(mac, on: network) }
    let reservation = IPAMReservation(try ipam(network.ipamDriver))
    return try store.transaction {
      do {
        var endpoint = EndpointRecord(
          id: id, networkID: network.id, name: String(id.prefix(12)), mac: mac?.description, aliases: [],
          isAuto: false, created: Names.now(), ports: ports)
        if let ipv4 {
          endpoint.ipv4 = ipv4
          endpoint.ipv4Pool = try callerAddress(ipv4, on: network, reservation: reservation)
        }
        if let ipv6 {
          endpoint.ipv6 = ipv6
          endpoint.ipv6Pool = try callerAddress(ipv6, on: network, reservation: reservation)
        }
        endpoint.mac = try driver(network.driver).createEndpoint(endpoint.info, network: network.info)
        endpoint.state = .ready
        try store.insert(endpoint)
        return endpoint
      } catch {
        reservation.undo()
        throw error
      }
    }
  }

  /// The pool an endpoint's address is leased from by cnet, or nil when the
  /// caller holds the lease.
  private func callerAddress(_ address: CIDR, on network: NetworkRecord, reservation: IPAMReservation) throws -> String? {
    guard let pool = network.pools.first(where: { $0.subnet.contains(address.address) }) else {
      throw CnetError(.invalidArgument, "address \(address) is in no subnet of network \"\(network.name)\"")
    }
    do {
      _ = try reservation.address(pool: pool.poolID, address.address)
      return pool.poolID
    } catch let error as CnetError where error.kind == .conflict {
      let holders = try store.endpoints(network: network.id).filter { $0.addresses.contains { $0.address == address.address } }
      guard holders.isEmpty, pool.gateway?.address != address.address else { throw error }
      return nil
    }
  }

  /// DeleteEndpoint: by now the caller has moved the interface back into
  /// the host's namespace; removing the host end removes the pair.
  public func deleteCallerEndpoint(_ id: String) throws {
    guard var endpoint = try store.endpoint(id: id) else { return }
    if endpoint.sandboxID != nil {
      try leaveCaller(id)
      endpoint = try store.endpoint(id: id) ?? endpoint
    }
    guard let network = try store.network(id: endpoint.networkID) else {
      try store.transaction { try store.deleteEndpoint(id: id) }
      return
    }
    let driver = try driver(network.driver)
    try store.transaction { try store.setState(ofEndpoint: id, .removing) }
    try execute(try driver.leave(endpoint.info, network: network.info, sandboxPresent: false, sandboxGoing: false))
    try store.transaction {
      try driver.deleteEndpoint(endpoint.info, network: network.info)
      try releaseAndDelete(endpoint, network: network)
    }
  }

  /// Join: the sandbox is the caller's namespace file (dockerd's
  /// SandboxKey), recorded as an external sandbox the first time; the
  /// bridge driver makes the pair in the host's namespace and the endpoint's
  /// ports and isolation are programmed now (the caller's
  /// ProgramExternalConnectivity comes only for its gateway endpoint).
  public func joinCaller(_ id: String, sandboxKey: String) throws -> CallerJoin {
    guard let endpoint = try store.endpoint(id: id) else {
      throw CnetError(.notFound, "endpoint \(id) not found")
    }
    try requireReady(endpoint.state, "endpoint \"\(endpoint.name)\"")
    let network = try callerNetwork(endpoint.networkID)
    guard let bridge = try driver(network.driver) as? BridgeDriver else {
      throw CnetError(.invalidArgument, "network \"\(network.name)\" is not a bridge network")
    }
    guard sandboxKey.hasPrefix("/") else {
      throw CnetError(.invalidArgument, "sandbox key \"\(sandboxKey)\" is not a path")
    }
    if let current = endpoint.sandboxID {
      let sandbox = try store.sandbox(id: current)
      if sandbox?.target == sandboxKey { return gateways(of: network, interface: Self.callerPeer(endpoint)) }
      throw CnetError(.conflict, "endpoint \(endpoint.name) is already joined to sandbox \"\(sandbox?.name ?? current)\"")
    }
    var sandbox: SandboxRecord
    var sandboxIsNew = false
    if let existing = try store.sandbox(target: sandboxKey) {
      try requireReady(existing.state, "sandbox \"\(existing.name)\"")
      sandbox = existing
    } else {
      let base = sandboxKey.split(separator: "/").last.map(String.init) ?? ""
      let name = "docker-" + String(base.prefix(40))
      try Names.check(name, "sandbox")
      if try store.sandbox(named: name) != nil {
        throw CnetError(.alreadyExists, "sandbox \"\(name)\" exists already for another namespace")
      }
      sandbox = SandboxRecord(id: Names.newID(), name: name, netns: name, origin: .external, isAuto: true,
                              hostname: name, created: Names.now(), target: sandboxKey)
      sandboxIsNew = true
    }
    let peer = try InterfaceName(Self.callerPeer(endpoint))
    var joined = endpoint
    joined.sandboxID = sandbox.id
    joined.hostInterface = bridge.hostInterface(endpointID: endpoint.id)

    // Reserve.
    try store.transaction {
      if sandboxIsNew { try store.insert(sandbox) }
      try store.setJoin(ofEndpoint: id, sandbox: sandbox.id, interface: nil, hostInterface: joined.hostInterface,
                        state: .joining)
    }
    // Apply.
    var made = PlanExecutor.Record()
    do {
      // Only the name: the file may not be a namespace yet (see link(file:)).
      if sandboxIsNew { try netns.link(file: sandboxKey, as: try NamespaceName(sandbox.netns)) }
      made = try execute(try bridge.callerLinks(joined.info, network: network.info, peer: peer))
      made = made + (try execute(try bridge.programExternalConnectivity(joined.info, network: network.info)))
    } catch {
      undo(made, in: nil)
      if sandboxIsNew { unrealize(sandbox) }
      attempt("undo the join's reservation in the store") {
        try store.transaction {
          try store.setJoin(ofEndpoint: id, sandbox: nil, interface: nil, hostInterface: nil, state: nil)
          if sandboxIsNew { try store.deleteSandbox(id: sandbox.id) }
        }
      }
      throw error
    }
    // Commit.
    try store.transaction {
      try store.markJoined(endpoint: id)
      try store.markReady(sandbox: sandbox.id, ownHosts: false)
    }
    return gateways(of: network, interface: peer.value)
  }

  /// The link a caller's join hands over: "cp" and 12 characters of the
  /// endpoint's id (its host end is "cv" and the same).
  static func callerPeer(_ endpoint: EndpointRecord) -> String { "cp" + String(endpoint.id.prefix(12)) }

  private func gateways(of network: NetworkRecord, interface: String) -> CallerJoin {
    let gateway: (IPFamily) -> IPAddress? = { family in
      network.isInternal ? nil : network.pools.first { $0.subnet.family == family }?.gateway?.address
    }
    return CallerJoin(interface: interface, gateway: gateway(.v4), gatewayIPv6: gateway(.v6))
  }

  /// Leave: the interface is still in the sandbox (the caller moves it back
  /// afterwards, and DeleteEndpoint removes it); the endpoint's ports are
  /// unpublished, and the sandbox's record goes with its last endpoint
  /// (its namespace stays: it is the caller's).
  public func leaveCaller(_ id: String) throws {
    guard let endpoint = try store.endpoint(id: id), let sandboxID = endpoint.sandboxID else { return }
    let network = try callerNetwork(endpoint.networkID)
    let driver = try driver(network.driver)
    let sandbox = try store.sandbox(id: sandboxID)
    let last = try store.endpoints(sandbox: sandboxID).count == 1
    let sandboxGoes = last && sandbox?.origin == .external
    try store.transaction {
      try store.setJoinState(ofEndpoint: id, .leaving)
      if sandboxGoes { try store.setState(ofSandbox: sandboxID, .removing) }
    }
    try execute(try driver.revokeExternalConnectivity(endpoint.info, network: network.info))
    if sandboxGoes, let sandbox { unrealize(sandbox) }
    try store.transaction {
      try store.setJoin(ofEndpoint: id, sandbox: nil, interface: nil, hostInterface: nil, state: nil)
      if sandboxGoes { try store.deleteSandbox(id: sandboxID) }
    }
  }

  /// RevokeExternalConnectivity: unpublishes (again: Leave does too).
  public func revokeCaller(_ id: String) throws {
    guard let endpoint = try store.endpoint(id: id), endpoint.sandboxID != nil,
      let network = try store.network(id: endpoint.networkID)
    else { return }
    try execute(try driver(network.driver).revokeExternalConnectivity(endpoint.info, network: network.info))
  }

  private func callerNetwork(_ id: String) throws -> NetworkRecord {
    guard let network = try store.network(id: id) else {
      throw CnetError(.notFound, "network \(id) is not one of cnet's")
    }
    return network
  }
}
