import CnetCore

/// A pool of the default IPAM driver.
public struct PoolRecord: Sendable, Equatable {
  public var id: String
  public var addressSpace: String
  public var subnet: CIDR
  /// Where dynamic addresses come from; nil means the whole subnet.
  public var range: CIDR?
  /// How many identical requests share the pool.
  public var refs: Int
  /// The address handed out last; allocation continues after it.
  public var cursor: [UInt8]?

  public init(id: String, addressSpace: String, subnet: CIDR, range: CIDR?, refs: Int = 1, cursor: [UInt8]? = nil) {
    self.id = id
    self.addressSpace = addressSpace
    self.subnet = subnet
    self.range = range
    self.refs = refs
    self.cursor = cursor
  }
}

/// The default IPAM driver's tables: pools and the addresses taken in them.
extension Store {
  private static let poolColumns = "id, address_space, subnet, ip_range, refs, cursor"

  public func insert(_ pool: PoolRecord) throws {
    try database.statement("INSERT INTO pools(\(Self.poolColumns)) VALUES (?,?,?,?,?,?)").bind(
      .text(pool.id), .text(pool.addressSpace), .text(pool.subnet.description), .text(pool.range?.description ?? ""),
      .int(pool.refs), pool.cursor.map { .blob($0) } ?? .null
    ).run()
  }

  public func pool(id: String) throws -> PoolRecord? {
    try pools(where: "id = ?", [.text(id)]).first
  }

  /// The pool an identical request made before, if any.
  public func pool(space: String, subnet: CIDR, range: CIDR?) throws -> PoolRecord? {
    try pools(where: "address_space = ? AND subnet = ? AND ip_range = ?",
              [.text(space), .text(subnet.description), .text(range?.description ?? "")]).first
  }

  public func pools() throws -> [PoolRecord] { try pools(where: "1", []) }

  private func pools(where clause: String, _ values: [Statement.Value]) throws -> [PoolRecord] {
    let s = try database.statement("SELECT \(Self.poolColumns) FROM pools WHERE \(clause)").bind(values)
    return try s.rows { s in
      let id = s.text(0)
      let subnet = try read("pools", id, "subnet", s.text(2), CIDR.parse)
      let range = s.text(3).isEmpty ? nil : try read("pools", id, "ip_range", s.text(3), CIDR.parse)
      let cursor = s.isNull(5) ? nil : s.blob(5)
      return PoolRecord(id: id, addressSpace: s.text(1), subnet: subnet, range: range, refs: s.int(4), cursor: cursor)
    }
  }

  public func setRefs(ofPool id: String, _ refs: Int) throws {
    try database.statement("UPDATE pools SET refs = ? WHERE id = ?").bind(.int(refs), .text(id)).run()
  }

  public func setCursor(ofPool id: String, _ cursor: [UInt8]) throws {
    try database.statement("UPDATE pools SET cursor = ? WHERE id = ?").bind(.blob(cursor), .text(id)).run()
  }

  /// Deletes a pool and, with it, its leases.
  public func deletePool(id: String) throws {
    try database.statement("DELETE FROM pools WHERE id = ?").bind(.text(id)).run()
  }

  /// Takes an address; false when it was taken already.
  public func insertLease(pool: String, address: [UInt8]) throws -> Bool {
    try database.statement("INSERT OR IGNORE INTO leases(pool_id, address) VALUES (?, ?)")
      .bind(.text(pool), .blob(address)).run()
    return database.changes == 1
  }

  /// Gives an address back; false when it was not taken.
  public func deleteLease(pool: String, address: [UInt8]) throws -> Bool {
    try database.statement("DELETE FROM leases WHERE pool_id = ? AND address = ?").bind(.text(pool), .blob(address)).run()
    return database.changes == 1
  }

  /// Taken addresses of a pool from `first` upwards, in order, at most `limit`.
  public func leases(pool: String, from first: [UInt8], limit: Int) throws -> [[UInt8]] {
    try database.statement(
      "SELECT address FROM leases WHERE pool_id = ? AND address >= ? ORDER BY address LIMIT ?"
    ).bind(.text(pool), .blob(first), .int(limit)).rows { $0.blob(0) }
  }

  public func leaseCount(pool: String) throws -> Int {
    try database.statement("SELECT count(*) FROM leases WHERE pool_id = ?").bind(.text(pool)).first { $0.int(0) } ?? 0
  }
}
