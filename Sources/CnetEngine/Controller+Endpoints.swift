import CnetCore
import CnetStore

/// What `endpoint create` (or `connect`) asks for.
public struct EndpointSpec: Sendable {
  public var name: String
  public var ipv4: IPAddress?
  public var ipv6: IPAddress?
  public var mac: MACAddress?
  public var aliases: [String] = []
  /// `-p`: published while the endpoint is joined.
  public var ports: [PortMapping] = []
  /// A CNI runtime's attachment: the name of its network configuration.
  public var cniConfig: String?

  public init(name: String) { self.name = name }
}

extension Controller {
  /// Creates an endpoint: its addresses are reserved now, before any
  /// sandbox exists. Nothing changes in the kernel until it joins.
  public func createEndpoint(on networkReference: String, _ spec: EndpointSpec) throws -> EndpointRecord {
    let network = try network(networkReference)
    try requireReady(network.state, "network \"\(network.name)\"")
    try checkEndpoint(spec, on: network)
    let reservation = IPAMReservation(try ipam(network.ipamDriver))
    return try store.transaction {
      do {
        var endpoint = try reserveEndpoint(spec, on: network, auto: false, reservation: reservation)
        endpoint.state = .ready
        try store.insert(endpoint)
        return endpoint
      } catch {
        reservation.undo()
        throw error
      }
    }
  }

  /// `known`: the caller has looked the name up already and it is free.
  func checkEndpoint(_ spec: EndpointSpec, on network: NetworkRecord, known: Bool = false) throws {
    try Names.check(spec.name, "endpoint")
    for alias in spec.aliases { try Names.checkHostname(alias, "alias") }
    try checkNames(spec, on: network)
    if let mac = spec.mac { try checkMAC(mac, on: network) }
    if !known, try store.endpoint(network: network.id, named: spec.name) != nil {
      throw CnetError(.alreadyExists, "endpoint \"\(spec.name)\" already exists on network \"\(network.name)\"")
    }
    if let ip = spec.ipv4 {
      guard ip.family == .v4 else { throw CnetError(.invalidArgument, "--ip \(ip) is not an IPv4 address (use --ip6)") }
      guard network.pools.contains(where: { $0.subnet.family == .v4 }) else {
        throw CnetError(.invalidArgument, "network \"\(network.name)\" has no IPv4 subnet for --ip \(ip)")
      }
    }
    if let ip = spec.ipv6 {
      guard ip.family == .v6 else { throw CnetError(.invalidArgument, "--ip6 \(ip) is not an IPv6 address (use --ip)") }
      guard network.pools.contains(where: { $0.subnet.family == .v6 }) else {
        throw CnetError(.invalidArgument, "network \"\(network.name)\" has no IPv6 subnet for --ip6 \(ip)")
      }
    }
    try checkPorts(spec.ports, on: network)
  }

  /// An alias is another name on the network's shared hosts file: it must
  /// not shadow localhost, nor the name of another sandbox or endpoint
  /// there, whose lookups would then find this endpoint.
  func checkNames(_ spec: EndpointSpec, on network: NetworkRecord) throws {
    guard !spec.aliases.isEmpty else { return }
    let reserved = ["localhost", "ip6-localhost", "ip6-loopback"]
    let others = try store.endpoints(network: network.id).filter { $0.name != spec.name }
    let sandboxes = try store.sandboxes()
    for alias in spec.aliases {
      if reserved.contains(alias.lowercased()) {
        throw CnetError(.invalidArgument, "invalid alias \"\(alias)\": it names the loopback address in every hosts file")
      }
      if let other = others.first(where: { $0.name == alias || $0.aliases.contains(alias) }) {
        throw CnetError(.conflict, "alias \"\(alias)\" is already a name of endpoint \"\(other.name)\" on network \"\(network.name)\"")
      }
      if let sandbox = sandboxes.first(where: { ($0.name == alias || $0.hostname == alias) && $0.name != spec.name }) {
        throw CnetError(.conflict, "alias \"\(alias)\" is the name of sandbox \"\(sandbox.name)\"; it would shadow it")
      }
    }
  }

  /// Two ports of one bridge with one MAC would take each other's frames.
  func checkMAC(_ mac: MACAddress, on network: NetworkRecord) throws {
    if network.mac.flatMap({ try? MACAddress($0) }) == mac {
      throw CnetError(.conflict, "MAC \(mac) is the bridge's of network \"\(network.name)\"")
    }
    let text = mac.description
    if let other = try store.endpoints(network: network.id).first(where: { $0.mac == text }) {
      throw CnetError(.conflict, "MAC \(mac) is already endpoint \"\(other.name)\"'s on network \"\(network.name)\"")
    }
  }

  /// Published ports need a driver that publishes, a network with a way
  /// out, an address of each named host address's family, and host ports
  /// nobody else has.
  func checkPorts(_ ports: [PortMapping], on network: NetworkRecord, except endpointID: String? = nil) throws {
    guard let first = ports.first else { return }
    guard try driver(network.driver).publishesPorts else {
      throw CnetError(.invalidArgument, "-p \(first): network \"\(network.name)\" (driver \(network.driver)) publishes no ports")
    }
    guard !network.isInternal else {
      throw CnetError(.invalidArgument, "-p \(first): network \"\(network.name)\" is internal and publishes no ports")
    }
    for mapping in ports {
      if let family = mapping.hostAddress?.family, !network.pools.contains(where: { $0.subnet.family == family }) {
        throw CnetError(.invalidArgument,
          "-p \(mapping): network \"\(network.name)\" has no \(family == .v4 ? "IPv4" : "IPv6") subnet")
      }
    }
    // Clashes among the request's own: sorted by protocol and first host
    // port, a mapping can only clash with those after it that start within
    // its range (a hundred -p compare a hundred times, not five thousand).
    let keys = ports.map { UInt32($0.proto.number) << 16 | UInt32($0.hostPorts.lowerBound) }
    let sorted = keys.indices.sorted { a, b in keys[a] != keys[b] ? keys[a] < keys[b] : a < b }
    for (position, i) in sorted.enumerated() {
      for j in sorted[(position + 1)...] {
        guard keys[j] >> 16 == keys[i] >> 16, ports[j].hostPorts.lowerBound <= ports[i].hostPorts.upperBound else { break }
        if ports[i].clashes(with: ports[j]) {
          let (first, second) = i < j ? (ports[i], ports[j]) : (ports[j], ports[i])
          throw CnetError(.conflict, "-p \(second) and -p \(first) take the same host port")
        }
      }
    }
    for endpoint in try store.publishingEndpoints() where endpoint.id != endpointID {
      for mapping in ports {
        if let taken = endpoint.ports.first(where: { $0.clashes(with: mapping) }) {
          let owner = try store.network(id: endpoint.networkID)?.name ?? "?"
          throw CnetError(.conflict,
            "-p \(mapping): host port \(taken.hostText)/\(taken.proto.rawValue) is already published by endpoint \"\(endpoint.name)\" of network \"\(owner)\"")
        }
      }
    }
  }

  /// Inside a store transaction: the addresses from the network's IPAM
  /// driver (see `pickAddress`), then the driver's part. The record is
  /// returned in state `creating`, not yet stored.
  /// `joining`: reserved for a join that follows at once (see
  /// IPAMReservation.address).
  func reserveEndpoint(_ spec: EndpointSpec, on network: NetworkRecord, auto: Bool,
                       reservation: IPAMReservation, id: String? = nil, joining: Bool = false) throws -> EndpointRecord {
    var endpoint = EndpointRecord(
      id: id ?? Names.newID(), networkID: network.id, name: spec.name, mac: spec.mac?.description, aliases: spec.aliases,
      isAuto: auto, created: Names.now(), ports: spec.ports)
    endpoint.cniConfig = spec.cniConfig
    for family in [IPFamily.v4, .v6] {
      let wanted = family == .v4 ? spec.ipv4 : spec.ipv6
      guard let (cidr, pool) = try pickAddress(wanted, family: family, on: network, ask: { pool, address in
        try reservation.address(pool: pool.poolID, address, joining: joining ? endpoint : nil)
      }) else { continue }
      if family == .v4 {
        endpoint.ipv4 = cidr
        endpoint.ipv4Pool = pool.poolID
      } else {
        endpoint.ipv6 = cidr
        endpoint.ipv6Pool = pool.poolID
      }
    }
    endpoint.mac = try driver(network.driver).createEndpoint(endpoint.info, network: network.info)
    return endpoint
  }

  /// Whether the addresses `spec` asks for would be given, found without
  /// changing anything: true, or the error reserving them would throw;
  /// false when the IPAM driver cannot tell without being asked (a remote
  /// one). See IPAMDriver.checkAddress.
  func addressesAvailable(_ spec: EndpointSpec, on network: NetworkRecord) throws -> Bool {
    let ipam = try ipam(network.ipamDriver)
    for family in [IPFamily.v4, .v6] {
      let wanted = family == .v4 ? spec.ipv4 : spec.ipv6
      guard network.pools.contains(where: { $0.subnet.family == family }) else { continue }
      guard try pickAddress(wanted, family: family, on: network, ask: { pool, address in
        try ipam.checkAddress(poolID: pool.poolID, address: address)
      }) != nil else { return false }
    }
    return true
  }

  /// Where an endpoint's address of one family comes from: a static one
  /// from the pool whose subnet holds it (never the gateway), else the next
  /// free one in the first pool of the family with room. `ask` is the IPAM
  /// call: RequestAddress to reserve, checkAddress to look first. nil when
  /// the network has no pool of the family, or `ask` answers nil.
  func pickAddress<T>(_ wanted: IPAddress?, family: IPFamily, on network: NetworkRecord,
                      ask: (PoolAssignment, IPAddress?) throws -> T?) throws -> (T, PoolAssignment)? {
    let pools = network.pools.filter { $0.subnet.family == family }
    guard !pools.isEmpty else { return nil }
    if let wanted {
      guard let pool = pools.first(where: { $0.subnet.contains(wanted) }) else {
        throw CnetError(.invalidArgument,
          "address \(wanted) is not in \(pools.map(\.subnet.description).joined(separator: " or ")) of network \"\(network.name)\"")
      }
      if pool.gateway?.address == wanted {
        throw CnetError(.invalidArgument, "address \(wanted) is the gateway of network \"\(network.name)\"")
      }
      return try ask(pool, wanted).map { ($0, pool) }
    }
    var lastError: Error?
    for pool in pools {
      do {
        return try ask(pool, nil).map { ($0, pool) }
      } catch let error as CnetError where error.kind == .conflict {
        lastError = error
      }
    }
    if let lastError { throw lastError }
    return nil
  }

  /// Deletes endpoints; a joined one must leave first. Their addresses go
  /// back to the pools. Every name is checked before any is removed.
  public func removeEndpoints(_ references: [String]) throws -> [EndpointRecord] {
    let endpoints = try references.map { try endpoint($0) }
    for endpoint in endpoints where endpoint.sandboxID != nil {
      let sandbox = try endpoint.sandboxID.flatMap { try store.sandbox(id: $0) }
      throw CnetError(.conflict,
        "endpoint \"\(endpoint.name)\" is joined to sandbox \"\(sandbox?.name ?? "?")\"; leave it first (cnet endpoint leave)")
    }
    try store.transaction {
      for endpoint in endpoints {
        if let network = try store.network(id: endpoint.networkID) {
          try driver(network.driver).deleteEndpoint(endpoint.info, network: network.info)
        }
        try releaseAndDelete(endpoint)
      }
    }
    return endpoints
  }

  /// Inside a store transaction: gives the endpoint's addresses back and
  /// deletes its record.
  func releaseAndDelete(_ endpoint: EndpointRecord, network known: NetworkRecord? = nil) throws {
    if let network = try known ?? store.network(id: endpoint.networkID), let ipam = knownIPAM(network.ipamDriver) {
      if let pool = endpoint.ipv4Pool, let address = endpoint.ipv4?.address {
        try? ipam.releaseAddress(poolID: pool, address: address)
      }
      if let pool = endpoint.ipv6Pool, let address = endpoint.ipv6?.address {
        try? ipam.releaseAddress(poolID: pool, address: address)
      }
    }
    try store.deleteEndpoint(id: endpoint.id)
  }
}
