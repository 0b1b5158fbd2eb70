import CnetCore
import CnetKernel
import CnetStore

/// What `network create` asks for.
public struct NetworkSpec: Sendable {
  public var name: String
  public var driver = "bridge"
  /// nil: the driver's usual one (default for bridge, null for host and null).
  public var ipamDriver: String?
  public var subnets: [CIDR] = []
  public var gateways: [IPAddress] = []
  public var ranges: [CIDR] = []
  public var ipv6 = false
  public var isInternal = false
  public var options: [KeyValue] = []
  public var labels: [KeyValue] = []
  /// The caller's id for the network (dockerd's), instead of a new one.
  public var id: String?
  /// Pools the caller has already requested from the IPAM driver (dockerd
  /// asks for pools and the gateway before CreateNetwork); used as they
  /// are, instead of asking for them here.
  public var adoptedPools: [PoolAssignment]?

  public init(name: String) { self.name = name }
}

extension Controller {
  /// Creates a network: pools and gateways from its IPAM driver, then the
  /// driver makes it real. Overlapping subnets are refused.
  public func createNetwork(_ spec: NetworkSpec) throws -> NetworkRecord {
    try Names.check(spec.name, "network")
    let driver = try driver(spec.driver)
    try driver.checkOptions(spec.options)
    let addressed = driver.assignsAddresses
    try driver.checkReady()
    let ipam = try ipam(spec.ipamDriver ?? driver.defaultIPAM)
    if try store.network(named: spec.name) != nil {
      throw CnetError(.alreadyExists, "network \"\(spec.name)\" already exists")
    }
    if !addressed, !(spec.subnets.isEmpty && spec.gateways.isEmpty && spec.ranges.isEmpty && !spec.ipv6) {
      throw CnetError(.invalidArgument, "the \(driver.name) driver takes no --subnet, --gateway, --ip-range or --ipv6")
    }
    if !addressed, spec.isInternal {
      throw CnetError(.invalidArgument, "--internal applies to networks with addresses (bridge, plugins)")
    }
    let plan = try Self.planPools(spec)
    let others = try store.networks()
    for subnet in plan.compactMap(\.subnet) {
      for other in others {
        if let clash = other.pools.first(where: { $0.subnet.overlaps(subnet) }) {
          throw CnetError(.conflict, "subnet \(subnet) overlaps \(clash.subnet) of network \"\(other.name)\"")
        }
      }
    }

    if let id = spec.id, try store.network(id: id) != nil {
      throw CnetError(.alreadyExists, "network id \(id) already exists")
    }
    // Where its hosts file goes must be what cnet keeps there.
    try files.hosts.check()
    var network = NetworkRecord(
      id: spec.id ?? Names.newID(), name: spec.name, driver: driver.name, ipamDriver: ipam.name, isInternal: spec.isInternal,
      ipv6: spec.ipv6 || spec.subnets.contains { $0.family == .v6 }, options: spec.options, labels: spec.labels,
      created: Names.now())
    let choices = try driver.prepare(network.info, others: others.map(\.info), links: kernel)
    network.bridge = choices.bridge
    network.mtu = choices.mtu
    network.mac = choices.mac
    network.options += choices.options.filter { added in !network.options.contains { $0.key == added.key } }

    // Reserve: pools and gateways, and the record in state `creating`.
    let reservation = IPAMReservation(ipam)
    try store.transaction {
      do {
        if let adopted = spec.adoptedPools {
          network.pools = adopted
        } else if addressed {
          var wanted = plan
          if !wanted.contains(where: { $0.family == .v4 }) { wanted.insert(PoolPlan(family: .v4), at: 0) }
          if network.ipv6, !wanted.contains(where: { $0.family == .v6 }) { wanted.append(PoolPlan(family: .v6)) }
          let space = try ipam.defaultAddressSpaces().local
          for pool in wanted {
            let got = try reservation.pool(space: space, subnet: pool.subnet, range: pool.range, v6: pool.family == .v6)
            // An IPAM driver may name the gateway with the pool (a remote
            // one's Data); the user's --gateway still wins.
            let gateway = try (pool.gateway == nil ? got.gateway : nil)
              ?? reservation.address(pool: got.id, pool.gateway, gateway: true)
            network.pools.append(PoolAssignment(poolID: got.id, subnet: got.subnet, range: pool.range, gateway: gateway))
          }
        }
        try store.insert(network)
      } catch {
        reservation.undo()
        throw error
      }
    }

    // Apply, then commit.
    do {
      try execute(try driver.createNetwork(network.info))
      try files.hosts.ensureNetwork(network)
      // Its traffic must pass the host's other firewalls too: a network
      // Docker's FORWARD policy drops is no network.
      try ensureHostFirewalls()
      try store.transaction { try store.setState(ofNetwork: network.id, .ready) }
    } catch {
      try? finishRemoving(network)
      throw error
    }
    network.state = .ready
    return network
  }

  /// A subnet asked for, with its gateway and range.
  struct PoolPlan {
    var family: IPFamily
    var subnet: CIDR?
    var gateway: IPAddress?
    var range: CIDR?
  }

  /// Pairs each --gateway and --ip-range with the --subnet it lies in.
  static func planPools(_ spec: NetworkSpec) throws -> [PoolPlan] {
    // Whichever IPAM driver serves them, before anything is asked of it.
    for subnet in spec.subnets { try subnet.checkSubnet() }
    var plans = spec.subnets.map { PoolPlan(family: $0.family, subnet: $0) }
    for (i, a) in spec.subnets.enumerated() {
      for b in spec.subnets[(i + 1)...] where a.overlaps(b) {
        throw CnetError(.invalidArgument, "--subnet \(a) and --subnet \(b) overlap")
      }
    }
    for gateway in spec.gateways {
      guard let i = plans.firstIndex(where: { $0.subnet?.contains(gateway) == true }) else {
        throw CnetError(.invalidArgument, "--gateway \(gateway) is in no --subnet")
      }
      guard plans[i].gateway == nil else {
        throw CnetError(.invalidArgument, "two gateways for subnet \(plans[i].subnet.map(\.description) ?? "")")
      }
      plans[i].gateway = gateway
    }
    for range in spec.ranges {
      guard let i = plans.firstIndex(where: { $0.subnet?.contains(range.address) == true }) else {
        throw CnetError(.invalidArgument, "--ip-range \(range) is in no --subnet")
      }
      guard plans[i].range == nil else {
        throw CnetError(.invalidArgument, "two ranges for subnet \(plans[i].subnet.map(\.description) ?? "")")
      }
      try plans[i].subnet?.checkSubnet(range: range)
      plans[i].range = range
    }
    return plans
  }

  /// Deletes networks; refused while a network has endpoints, and the
  /// error names them. Every name is checked before any is removed.
  /// `byCaller`: the removal comes from the caller that made the network
  /// (dockerd's DeleteNetwork); a network a caller made is the caller's to
  /// remove, since it still holds the network's pools and ids.
  public func removeNetworks(_ references: [String], byCaller: Bool = false) throws -> [NetworkRecord] {
    let networks = try references.map { try network($0) }
    for network in networks {
      if !byCaller, let owner = network.label(Self.callerLabel) {
        throw CnetError(.conflict, "network \"\(network.name)\" is \(owner)'s; remove it there (docker network rm)")
      }
      let endpoints = try store.endpoints(network: network.id)
      guard endpoints.isEmpty else {
        throw CnetError(.conflict,
          "network \"\(network.name)\" has endpoints: \(endpoints.map(\.name).joined(separator: ", ")) (remove or disconnect them first)")
      }
      if let driver = knownDriver(network.driver) {
        try driver.checkReady()
        try driver.checkRemoval(network.info)
      }
    }
    for network in networks {
      try store.transaction { try store.setState(ofNetwork: network.id, .removing) }
      try finishRemoving(network)
    }
    return networks
  }

  /// Removes the networks without endpoints (`network prune`); a caller's
  /// networks are left to it.
  public func pruneNetworks() throws -> [NetworkRecord] {
    var removed: [NetworkRecord] = []
    for network in try store.networks() where network.label(Self.callerLabel) == nil {
      guard try store.endpoints(network: network.id).isEmpty else { continue }
      removed += try removeNetworks([network.id])
    }
    return removed
  }

  /// Takes a network out of the kernel and gives its pools back: the end of
  /// a removal, and the undoing of a creation that did not finish.
  func finishRemoving(_ network: NetworkRecord) throws {
    if let driver = knownDriver(network.driver) {
      try execute(try driver.deleteNetwork(network.info))
    }
    files.hosts.removeNetwork(network.id)
    try store.transaction {
      if let ipam = knownIPAM(network.ipamDriver) {
        for pool in network.pools {
          if let gateway = pool.gateway { try? ipam.releaseAddress(poolID: pool.poolID, address: gateway.address) }
          try? ipam.releasePool(id: pool.poolID)
        }
      }
      try store.deleteNetwork(id: network.id)
    }
    // Its accepts in iptables and its binding in firewalld go with it.
    ensureHostFirewallsOrWarn()
  }
}

/// What an operation requested from an IPAM driver, so that a failure can
/// give it all back. Undo inside the store transaction that is about to
/// roll back: for the default driver the undoing rolls back with the rest,
/// for a remote driver it is the only way back.
final class IPAMReservation {
  let ipam: IPAMDriver
  private var pools: [String] = []
  private var addresses: [(String, IPAddress)] = []

  init(_ ipam: IPAMDriver) { self.ipam = ipam }

  func pool(space: String, subnet: CIDR?, range: CIDR?, v6: Bool) throws -> IPAMPool {
    let pool = try ipam.requestPool(addressSpace: space, pool: subnet, subPool: range, options: [:], v6: v6)
    pools.append(pool.id)
    return pool
  }

  /// `joining`: the endpoint the address is for, when it is being joined
  /// (told to an IPAM driver that wantsJoiningEndpoint).
  func address(pool: String, _ address: IPAddress?, gateway: Bool = false, joining: EndpointRecord? = nil) throws -> CIDR? {
    var options = gateway ? [IPAMOptions.requestAddressType: IPAMOptions.gatewayType] : [:]
    if let joining, ipam.wantsJoiningEndpoint {
      options[IPAMOptions.networkID] = joining.networkID
      options[IPAMOptions.endpointID] = joining.id
      options[IPAMOptions.endpointName] = joining.name
      if let mac = joining.mac { options[IPAMOptions.macAddress] = mac }
    }
    let got = try ipam.requestAddress(poolID: pool, address: address, options: options)
    if let got { addresses.append((pool, got.address)) }
    return got
  }

  func undo() {
    for (pool, address) in addresses.reversed() { try? ipam.releaseAddress(poolID: pool, address: address) }
    for pool in pools.reversed() { try? ipam.releasePool(id: pool) }
  }
}
