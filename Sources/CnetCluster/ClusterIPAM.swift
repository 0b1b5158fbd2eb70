import CnetCore
import CnetEngine

/// The IPAM driver of overlay networks: addresses owned cluster-wide, in
/// etcd, one key per address (`ipam/<subnet>/<ip>`), taken with a
/// create-if-absent transaction that also checks this host's lease is
/// alive. No bitmap is read and rewritten, so hosts allocating at once
/// contend on nothing but the address they both want; an address is never
/// given twice. Subnets of overlay networks do not overlap (the overlay
/// driver checks when it records a network), so the subnet names the pool.
public final class ClusterIPAM: IPAMDriver, @unchecked Sendable {
  public static let driverName = "cluster"
  public let name = driverName

  let config: ClusterConfig
  let runDirectory: String
  private var client: EtcdClient?

  public init(config: ClusterConfig, runDirectory: String) {
    self.config = config
    self.runDirectory = runDirectory
  }

  /// A joining endpoint is published with its address (OverlayDriver):
  /// one transaction where there would be two.
  public var wantsJoiningEndpoint: Bool { true }

  /// The publication of the joining endpoint `options` name, for the
  /// address `address`, under `lease`: the write that goes with the claim.
  func publication(_ options: [String: String], address: IPAddress, lease: Int64) throws -> EtcdOperation? {
    guard let networkID = options[IPAMOptions.networkID], let id = options[IPAMOptions.endpointID],
      let name = options[IPAMOptions.endpointName]
    else { return nil }
    let mac = OverlayDriver.mac(options[IPAMOptions.macAddress], ipv4: try CIDR(address: address, prefixLength: 32))
    let record = OverlayDriver.record(config, ip: address, mac: mac, name: name)
    return .put(keys.endpoint(networkID, id), try ClusterRecord.encode(record), lease: lease)
  }

  func etcd() throws -> EtcdClient {
    if let client { return client }
    let made = try config.client()
    client = made
    return made
  }

  var keys: ClusterKeys { config.keys }

  /// Where a subnet's addresses are kept ("10.200.0.0_24").
  static func prefix(_ keys: ClusterKeys, _ subnet: CIDR) -> String {
    keys.prefix + "ipam/" + subnet.masked.description.split(separator: "/").joined(separator: "_") + "/"
  }

  static func key(_ keys: ClusterKeys, _ subnet: CIDR, _ address: IPAddress) -> String {
    prefix(keys, subnet) + address.description
  }

  public func defaultAddressSpaces() throws -> (local: String, global: String) { ("GlobalDefault", "GlobalDefault") }

  /// A given subnet as it is; none: a /24 of 10.0.0.0/8 that no overlay
  /// network has (Docker's swarm default pool).
  public func requestPool(addressSpace: String, pool: CIDR?, subPool: CIDR?, options: [String: String], v6: Bool) throws -> IPAMPool {
    guard !v6 else { throw CnetError(.invalidArgument, "overlay networks are IPv4 only") }
    if let pool {
      if let subPool { try pool.checkSubnet(range: subPool) }
      return IPAMPool(id: Self.driverName + "/" + pool.masked.description, subnet: pool.masked)
    }
    var taken: [CIDR] = []
    for kv in try etcd().range(keys.networks, prefix: true).kvs {
      let network = try ClusterRecord.decode(ClusterRecord.Network.self, kv.value, key: kv.key)
      taken += network.subnets.compactMap { try? CIDR($0.subnet) }
    }
    for second in 0...255 {
      for third in 0...255 {
        guard let candidate = try? CIDR("10.\(second).\(third).0/24") else { continue }
        if !taken.contains(where: { $0.overlaps(candidate) }) {
          return IPAMPool(id: Self.driverName + "/" + candidate.description, subnet: candidate)
        }
      }
    }
    throw CnetError(.conflict, "no /24 of 10.0.0.0/8 is free for an overlay network; give --subnet")
  }

  public func releasePool(id: String) throws {}

  static func subnet(of poolID: String) throws -> CIDR {
    guard poolID.hasPrefix(driverName + "/"), let subnet = try? CIDR(String(poolID.dropFirst(driverName.count + 1))) else {
      throw CnetError(.invalidArgument, "pool \(poolID) is not the cluster IPAM's")
    }
    return subnet
  }

  public func requestAddress(poolID: String, address: IPAddress?, options: [String: String]) throws -> CIDR? {
    let subnet = try Self.subnet(of: poolID)
    // The gateway: the network's record takes it, in the same transaction.
    if options[IPAMOptions.requestAddressType] == IPAMOptions.gatewayType {
      let gateway = address ?? Self.host(subnet, 1)
      guard let gateway, subnet.contains(gateway) else {
        throw CnetError(.invalidArgument, "gateway \(address.map { "\($0)" } ?? "") is not in \(subnet)")
      }
      return try CIDR(address: gateway, prefixLength: subnet.prefixLength)
    }
    guard let lease = HostLease.read(runDirectory: runDirectory) else { throw OverlayDriver.notAlive }
    let etcd = try etcd()
    let claim = String(Names.newID().prefix(16))
    let owner = try ClusterRecord.encode(ClusterRecord.Address(host: config.hostID, endpoint: nil, claim: claim))
    /// Whether the address's holder is this very request (its first try
    /// went through though its answer was lost).
    func isMine(_ holder: EtcdKeyValue?, _ key: String) -> Bool {
      holder.flatMap { try? ClusterRecord.decode(ClusterRecord.Address.self, $0.value, key: key) }?.claim == claim
    }
    if let address {
      guard subnet.contains(address), CIDR.hostReason(address) == nil, address != subnet.network,
        address != subnet.broadcast.map(IPAddress.v4)
      else {
        throw CnetError(.invalidArgument, "address \(address) is not a host address of \(subnet)")
      }
      let key = Self.key(keys, subnet, address)
      let publishing = try publication(options, address: address, lease: lease)
      let result = try take(etcd, key, owner: owner, lease: lease, publishing: publishing)
      guard result.succeeded || isMine(result.ranges.first??.kvs.first, key) else {
        if let holder = result.ranges.first??.kvs.first {
          let owner = (try? ClusterRecord.decode(ClusterRecord.Address.self, holder.value, key: key))?.host ?? "?"
          throw CnetError(.conflict, "address \(address) is in use in the cluster (host \(owner.prefix(12)))")
        }
        throw OverlayDriver.notAlive
      }
      return try CIDR(address: address, prefixLength: subnet.prefixLength)
    }
    // A random address first, taken if free: in a subnet with room, one
    // request. Then the next free one after a random place, from a
    // listing: hosts allocating at once seldom want the same one, and an
    // address freed is not at once reused.
    var candidate = Self.host(subnet, Int.random(in: 1...max(Self.hostCount(subnet), 1)))
    for _ in 0..<10 {
      guard let chosen = candidate else {
        throw CnetError(.conflict, "no address is free in \(subnet)")
      }
      let key = Self.key(keys, subnet, chosen)
      let publishing = try publication(options, address: chosen, lease: lease)
      let result = try take(etcd, key, owner: owner, lease: lease, publishing: publishing)
      if result.succeeded || isMine(result.ranges.first??.kvs.first, key) {
        return try CIDR(address: chosen, prefixLength: subnet.prefixLength)
      }
      if result.ranges.first??.kvs.first == nil { throw OverlayDriver.notAlive }
      // Taken: look at what is.
      let taken = Set(try etcd.range(Self.prefix(keys, subnet), prefix: true, keysOnly: true, serializable: false).kvs.map {
        String($0.key.dropFirst(Self.prefix(keys, subnet).count))
      })
      candidate = Self.free(in: subnet, taken: taken)
    }
    throw CnetError(.conflict, "no address could be taken in \(subnet): the cluster kept taking them")
  }

  /// The claim of `key` for this host, with the publication when there is
  /// one. A claim whose answer never came may have been made, its
  /// publication with it: the agent withdraws a publication whose endpoint
  /// is not in this host's store (Agent.withdrawStrayPublications), rather
  /// than this command waiting on a store that did not answer once more.
  func take(_ etcd: EtcdClient, _ key: String, owner: [UInt8], lease: Int64,
            publishing: EtcdOperation?) throws -> EtcdTxnResult {
    try etcd.txn([.absent(key), .leased(keys.host(config.hostID), lease)],
                 success: [.put(key, owner, lease: 0)] + (publishing.map { [$0] } ?? []),
                 failure: [.range(key, prefix: false)])
  }

  /// A host address of `subnet` not in `taken`, searched from a random one.
  static func free(in subnet: CIDR, taken: Set<String>) -> IPAddress? {
    let size = hostCount(subnet)
    guard size > 0 else { return nil }
    let start = Int.random(in: 0..<size)
    for step in 0..<size {
      guard let candidate = host(subnet, (start + step) % size + 1) else { continue }
      if !taken.contains(candidate.description) { return candidate }
    }
    return nil
  }

  /// How many host addresses an IPv4 subnet has (without its network and
  /// broadcast addresses).
  static func hostCount(_ subnet: CIDR) -> Int {
    guard subnet.family == .v4, subnet.prefixLength <= 30 else { return 0 }
    return (1 << (32 - subnet.prefixLength)) - 2
  }

  /// The subnet's `n`th address (1: the first after the network address).
  static func host(_ subnet: CIDR, _ n: Int) -> IPAddress? {
    guard case .v4(let network) = subnet.network, n >= 0, n <= hostCount(subnet) + 1 else { return nil }
    return .v4(IPv4Address(network.value &+ UInt32(n)))
  }

  /// Gives an address back when this host owns it.
  public func releaseAddress(poolID: String, address: IPAddress) throws {
    let subnet = try Self.subnet(of: poolID)
    let key = Self.key(keys, subnet, address)
    let etcd = try etcd()
    guard let held = try etcd.range(key).kvs.first,
      let owner = try? ClusterRecord.decode(ClusterRecord.Address.self, held.value, key: key), owner.host == config.hostID
    else { return }
    _ = try etcd.txn([EtcdCompare(key, .mod, .equal, number: held.modRevision)], success: [.delete(key, prefix: false)],
                     failure: [])
  }

  /// A given address: whether another host holds it (one read). None:
  /// true, unasked. What refuses a random address is a full subnet or an
  /// unreachable store, neither a fault of the request, and finding out
  /// costs the round trip the claim itself makes; so the controller may
  /// start the join's links in the sandbox's new namespace meanwhile, and
  /// undoes them if the claim fails.
  public func checkAddress(poolID: String, address: IPAddress?) throws -> Bool? {
    let subnet = try Self.subnet(of: poolID)
    guard let address else { return Self.hostCount(subnet) > 0 }
    if try etcd().range(Self.key(keys, subnet, address)).kvs.first != nil {
      throw CnetError(.conflict, "address \(address) is in use in the cluster")
    }
    return true
  }
}
