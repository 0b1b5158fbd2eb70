import CnetCore
import CnetStore

/// The built-in IPAM driver: pools and leases in cnet's store, so an
/// address is never handed out twice, whatever runs concurrently (every
/// caller holds the operation lock and a store transaction).
///
/// - Pools are keyed by (address space, subnet, range); identical requests
///   share one pool, counted, and the pool goes with its last release.
/// - Dynamic addresses come from the range (or the subnet), in order, after
///   the last one handed out, wrapping around: an address just released is
///   not reused at once.
/// - The network address (and for IPv4 the broadcast address) is never
///   handed out; the gateway is an ordinary lease.
public final class DefaultIPAM: IPAMDriver {
  public let name = "default"
  public static let localSpace = "LocalDefault"
  public static let globalSpace = "GlobalDefault"

  let store: Store
  /// Subnets an automatic pool must not overlap: the host's routes and
  /// every network's subnets (whichever IPAM driver gave them).
  let taken: () throws -> [CIDR]

  public init(store: Store, taken: @escaping () throws -> [CIDR]) {
    self.store = store
    self.taken = taken
  }

  public func defaultAddressSpaces() throws -> (local: String, global: String) {
    (Self.localSpace, Self.globalSpace)
  }

  public func requestPool(addressSpace: String, pool: CIDR?, subPool: CIDR?, options: [String: String], v6: Bool) throws -> IPAMPool {
    guard addressSpace == Self.localSpace || addressSpace == Self.globalSpace else {
      throw CnetError(.invalidArgument, "unknown address space \"\(addressSpace)\" (the default IPAM driver has \(Self.localSpace) and \(Self.globalSpace))")
    }
    let subnet: CIDR
    if let pool {
      subnet = try Self.check(pool: pool, subPool: subPool)
    } else {
      guard subPool == nil else { throw CnetError(.invalidArgument, "a range needs a subnet") }
      subnet = try pick(v6: v6)
    }
    if let existing = try store.pool(space: addressSpace, subnet: subnet, range: subPool) {
      try store.setRefs(ofPool: existing.id, existing.refs + 1)
      return IPAMPool(id: existing.id, subnet: subnet)
    }
    let id = [addressSpace, subnet.description, subPool?.description].compactMap { $0 }.joined(separator: "/")
    try store.insert(PoolRecord(id: id, addressSpace: addressSpace, subnet: subnet, range: subPool))
    return IPAMPool(id: id, subnet: subnet)
  }

  /// A subnet must be a network address with room for a gateway and a
  /// host, of addresses a host may have; a range must lie inside it.
  static func check(pool: CIDR, subPool: CIDR?) throws -> CIDR {
    try pool.checkSubnet(range: subPool)
    return pool
  }

  private func pick(v6: Bool) throws -> CIDR {
    let inUse = try taken() + (try store.pools().map(\.subnet))
    for candidate in DefaultPools.candidates(v6: v6) where !inUse.contains(where: { $0.overlaps(candidate) }) {
      return candidate
    }
    throw CnetError(.conflict, "no free \(v6 ? "IPv6" : "IPv4") subnet left in the default pools; give one with --subnet")
  }

  public func releasePool(id: String) throws {
    guard let pool = try store.pool(id: id) else {
      throw CnetError(.notFound, "no pool \"\(id)\"")
    }
    if pool.refs > 1 {
      try store.setRefs(ofPool: id, pool.refs - 1)
    } else {
      try store.deletePool(id: id)
    }
  }

  public func requestAddress(poolID: String, address: IPAddress?, options: [String: String]) throws -> CIDR? {
    guard let pool = try store.pool(id: poolID) else {
      throw CnetError(.notFound, "no pool \"\(poolID)\"")
    }
    let bounds = Bounds(pool)
    let chosen: IPAddress
    if let address {
      try bounds.check(address, in: pool.subnet)
      guard try store.insertLease(pool: poolID, address: address.bytes) else {
        throw Self.inUse(address, pool)
      }
      chosen = address
    } else if options[IPAMOptions.requestAddressType] == IPAMOptions.gatewayType {
      // Docker's choice: the subnet's first address, whatever the range.
      chosen = IPAddress(family: pool.subnet.family, numeric: bounds.subnetFirst)
      guard try store.insertLease(pool: poolID, address: chosen.bytes) else {
        throw CnetError(.conflict, "the gateway \(chosen) of \(pool.subnet) is already in use")
      }
    } else {
      guard let free = try nextFree(pool, bounds) else { throw Self.exhausted(pool) }
      chosen = IPAddress(family: pool.subnet.family, numeric: free)
      guard try store.insertLease(pool: poolID, address: chosen.bytes) else {
        throw StoreError("lease \(chosen) was free a moment ago")
      }
      try store.setCursor(ofPool: poolID, chosen.bytes)
    }
    return try CIDR(address: chosen, prefixLength: pool.subnet.prefixLength)
  }

  /// The same checks as requestAddress (an address of the pool's, and not
  /// taken; or a free one left), with nothing written.
  public func checkAddress(poolID: String, address: IPAddress?) throws -> Bool? {
    guard let pool = try store.pool(id: poolID) else {
      throw CnetError(.notFound, "no pool \"\(poolID)\"")
    }
    let bounds = Bounds(pool)
    if let address {
      try bounds.check(address, in: pool.subnet)
      guard try store.leases(pool: poolID, from: address.bytes, limit: 1).first != address.bytes else {
        throw Self.inUse(address, pool)
      }
    } else {
      guard try nextFree(pool, bounds) != nil else { throw Self.exhausted(pool) }
    }
    return true
  }

  static func inUse(_ address: IPAddress, _ pool: PoolRecord) -> CnetError {
    CnetError(.conflict, "address \(address) is already in use in \(pool.subnet)")
  }

  static func exhausted(_ pool: PoolRecord) -> CnetError {
    CnetError(.conflict, "no free address left in \(pool.range ?? pool.subnet)")
  }

  public func releaseAddress(poolID: String, address: IPAddress) throws {
    guard try store.deleteLease(pool: poolID, address: address.bytes) else {
      throw CnetError(.notFound, "address \(address) is not in use in pool \(poolID)")
    }
  }

  /// The first free address after the cursor (wrapping), or nil.
  private func nextFree(_ pool: PoolRecord, _ bounds: Bounds) throws -> UInt128? {
    let family = pool.subnet.family
    var start = bounds.low
    if let cursor = pool.cursor.flatMap({ IPAddress(bytes: $0)?.numeric }), cursor >= bounds.low, cursor < bounds.high {
      start = cursor + 1
    }
    if let found = try firstFree(pool.id, family, from: start, to: bounds.high) { return found }
    if start > bounds.low { return try firstFree(pool.id, family, from: bounds.low, to: start - 1) }
    return nil
  }

  /// Walks the taken addresses from `low` upwards; the first gap wins.
  private func firstFree(_ poolID: String, _ family: IPFamily, from low: UInt128, to high: UInt128) throws -> UInt128? {
    var candidate = low
    while candidate <= high {
      let taken = try store.leases(pool: poolID, from: IPAddress(family: family, numeric: candidate).bytes, limit: 256)
      var index = 0
      while index < taken.count, let value = IPAddress(bytes: taken[index])?.numeric, value == candidate {
        if candidate == high { return nil }
        candidate += 1
        index += 1
      }
      if index < taken.count || taken.count < 256 { return candidate <= high ? candidate : nil }
    }
    return nil
  }

  /// The addresses a pool may hand out.
  struct Bounds {
    /// The subnet's first usable address (after the network address).
    var subnetFirst: UInt128
    /// The subnet's last usable address (before the IPv4 broadcast).
    var subnetLast: UInt128
    /// The dynamic range, inside those.
    var low: UInt128
    var high: UInt128

    init(_ pool: PoolRecord) {
      let subnet = pool.subnet
      subnetFirst = subnet.network.numeric + 1
      subnetLast = subnet.lastAddress.numeric - (subnet.family == .v4 ? 1 : 0)
      let range = pool.range ?? subnet
      low = max(range.network.numeric, subnetFirst)
      high = min(range.lastAddress.numeric, subnetLast)
    }

    func check(_ address: IPAddress, in subnet: CIDR) throws {
      guard subnet.contains(address) else {
        throw CnetError(.invalidArgument, "address \(address) is not in subnet \(subnet)")
      }
      let value = address.numeric
      if value == subnet.network.numeric {
        throw CnetError(.invalidArgument, "address \(address) is the network address of \(subnet)")
      }
      if subnet.family == .v4, value == subnet.lastAddress.numeric {
        throw CnetError(.invalidArgument, "address \(address) is the broadcast address of \(subnet)")
      }
    }
  }
}
