import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// cnet's state: networks and endpoints (persistent), sandboxes and joins
/// (runtime facts, dropped when the machine boots again), and the default
/// IPAM's pools and leases, in SQLite with write-ahead logging.
///
/// Writers are serialized by the OperationLock, so a transaction never
/// waits on another writer; readers (ls, inspect) never wait at all.
public final class Store {
  public let database: Database

  /// DESIGN §5.
  public static let defaultDirectory = "/var/lib/cnet"

  public init(database: Database) {
    self.database = database
  }

  /// Opens the store in `directory` (creating it when asked), sets WAL and
  /// brings the schema up to date. Without `create`, a missing store is nil:
  /// nothing has been made yet, and a store that cannot be written (a
  /// read-only filesystem) is read as it is.
  ///
  /// `exclusive` is for the holder of the operation lock: it keeps SQLite's
  /// lock for the connection's life, so SQLite needs no shared-memory index
  /// (one file and a mapping less to set up in every short-lived command);
  /// readers wait the few milliseconds a command takes.
  public static func open(directory: String = defaultDirectory, create: Bool = true, exclusive: Bool = false) throws -> Store? {
    let path = directory + "/cnet.db"
    // An empty file is no store either: SQLite would take it for a new
    // database and a reader would write the schema into it.
    if !create, isMissingOrEmpty(directory: directory) { return nil }
    if create {
      try makeDirectory(directory)
    }
    do {
      let database = try Database(path: path, create: create)
      if exclusive { try database.execute("PRAGMA locking_mode = EXCLUSIVE", "open") }
      // WAL: readers never block the writer. NORMAL: a commit reaches the OS
      // at once (so a killed process loses nothing) and the disk at
      // checkpoints.
      try database.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", "open")
      try Migrations.run(on: database)
      return Store(database: database)
    } catch let error as StoreError where create {
      // SQLite says "disk I/O error" when its files cannot be written.
      if access(directory, W_OK) != 0, errno == EROFS {
        throw StoreError("cannot change the store \(path): it is on a read-only filesystem")
      }
      throw error
    } catch let error as StoreError where !create {
      // A reader of a store that cannot be written (a read-only file or
      // filesystem, where not even its log can be made): read as it is.
      guard let database = try? Database(path: path, create: false, immutable: true) else { throw error }
      return try readOnly(database, path: path)
    }
  }

  /// A store that can only be read: fine for listing, if its schema is
  /// this cnet's.
  private static func readOnly(_ database: Database, path: String) throws -> Store {
    try Migrations.check(database)
    return Store(database: database)
  }

  /// Whether the store in `directory` is missing or an empty file (which
  /// SQLite would take for a new database).
  public static func isMissingOrEmpty(directory: String = defaultDirectory) -> Bool {
    var st = stat()
    return stat(directory + "/cnet.db", &st) != 0 || st.st_size == 0
  }

  /// `directory` made if missing (its parent must exist).
  static func makeDirectory(_ directory: String) throws {
    if mkdir(directory, 0o700) != 0, errno != EEXIST {
      throw StoreError("cannot create \(directory): \(String(cString: strerror(errno)))")
    }
  }

  /// An empty store in memory, with the newest schema: what a host
  /// without a store has, for a reader that must not create one.
  public static func inMemory() throws -> Store {
    let database = try Database(path: ":memory:", create: true)
    try Migrations.run(on: database)
    return Store(database: database)
  }

  public func transaction<T>(_ body: () throws -> T) throws -> T {
    try database.transaction(body)
  }

  /// See `Database.checkpoint`.
  public func checkpoint() throws {
    try database.checkpoint()
  }

  // MARK: - Meta

  public func meta(_ key: String) throws -> String? {
    try database.statement("SELECT value FROM meta WHERE key = ?").bind(.text(key)).first { $0.text(0) }
  }

  public func setMeta(_ key: String, _ value: String) throws {
    try database.statement("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .bind(.text(key), .text(value)).run()
  }

  // MARK: - Networks

  private static let networkColumns =
    "id, name, driver, ipam_driver, bridge, mtu, internal, ipv6, options, labels, created, state, mac"

  public func insert(_ network: NetworkRecord) throws {
    try database.statement("INSERT INTO networks(\(Self.networkColumns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)").bind(
      .text(network.id), .text(network.name), .text(network.driver), .text(network.ipamDriver),
      optional(network.bridge), network.mtu.map { .int($0) } ?? .null, .int(network.isInternal ? 1 : 0),
      .int(network.ipv6 ? 1 : 0), .text(encode(network.options)), .text(encode(network.labels)),
      .text(network.created), .text(network.state.rawValue), optional(network.mac)
    ).run()
    try setPools(network.pools, of: network.id)
  }

  public func setPools(_ pools: [PoolAssignment], of networkID: String) throws {
    try database.statement("DELETE FROM network_pools WHERE network_id = ?").bind(.text(networkID)).run()
    for (position, pool) in pools.enumerated() {
      try database.statement(
        "INSERT INTO network_pools(network_id, position, pool_id, subnet, ip_range, gateway) VALUES (?,?,?,?,?,?)"
      ).bind(.text(networkID), .int(position), .text(pool.poolID), .text(pool.subnet.description),
             optional(pool.range?.description), optional(pool.gateway?.description)).run()
    }
  }

  public func networks() throws -> [NetworkRecord] {
    try networks(where: "1 ORDER BY name", [])
  }

  public func network(id: String) throws -> NetworkRecord? {
    try networks(where: "id = ?", [.text(id)]).first
  }

  public func network(named name: String) throws -> NetworkRecord? {
    try networks(where: "name = ?", [.text(name)]).first
  }

  /// Networks whose id starts with `prefix`.
  public func networks(idPrefix prefix: String) throws -> [NetworkRecord] {
    try networks(where: "substr(id, 1, ?) = ?", [.int(prefix.utf8.count), .text(prefix)])
  }

  public func unsettledNetworks() throws -> [NetworkRecord] {
    try networks(where: "state != 'ready'", [])
  }

  private func networks(where clause: String, _ values: [Statement.Value]) throws -> [NetworkRecord] {
    let s = try database.statement("SELECT \(Self.networkColumns) FROM networks WHERE \(clause)").bind(values)
    var found = try s.rows { s in
      var record = NetworkRecord(
        id: s.text(0), name: s.text(1), driver: s.text(2), ipamDriver: s.text(3), bridge: s.optionalText(4),
        mtu: s.optionalInt(5), isInternal: s.int(6) != 0, ipv6: s.int(7) != 0, options: decodePairs(s.text(8)),
        labels: decodePairs(s.text(9)), created: s.text(10),
        state: try read("networks", s.text(0), "state", s.text(11), RecordState.init(rawValue:)))
      record.mac = s.optionalText(12)
      return record
    }
    for i in found.indices { found[i].pools = try pools(of: found[i].id) }
    return found
  }

  private func pools(of networkID: String) throws -> [PoolAssignment] {
    let s = try database.statement(
      "SELECT pool_id, subnet, ip_range, gateway FROM network_pools WHERE network_id = ? ORDER BY position"
    ).bind(.text(networkID))
    return try s.rows { s in
      let pool = s.text(0)
      return PoolAssignment(
        poolID: pool, subnet: try read("network_pools", pool, "subnet", s.text(1), CIDR.parse),
        range: try s.optionalText(2).map { try read("network_pools", pool, "ip_range", $0, CIDR.parse) },
        gateway: try s.optionalText(3).map { try read("network_pools", pool, "gateway", $0, CIDR.parse) })
    }
  }

  public func setState(ofNetwork id: String, _ state: RecordState) throws {
    try database.statement("UPDATE networks SET state = ? WHERE id = ?").bind(.text(state.rawValue), .text(id)).run()
  }

  public func deleteNetwork(id: String) throws {
    try database.statement("DELETE FROM networks WHERE id = ?").bind(.text(id)).run()
  }

  // MARK: - Sandboxes

  private static let sandboxColumns =
    "id, name, netns, origin, pid, auto, hostname, dns, dns_search, extra_hosts, created, state, target, container_id"

  public func insert(_ sandbox: SandboxRecord) throws {
    try database.statement("INSERT INTO sandboxes(\(Self.sandboxColumns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)").bind(
      .text(sandbox.id), .text(sandbox.name), .text(sandbox.netns), .text(sandbox.origin.rawValue),
      sandbox.pid.map { .int(Int($0)) } ?? .null, .int(sandbox.isAuto ? 1 : 0), .text(sandbox.hostname),
      .text(sandbox.dns.joined(separator: "\n")), .text(sandbox.dnsSearch.joined(separator: "\n")),
      .text(sandbox.extraHosts.joined(separator: "\n")), .text(sandbox.created), .text(sandbox.state.rawValue),
      optional(sandbox.target), optional(sandbox.containerID)
    ).run()
  }

  public func sandboxes() throws -> [SandboxRecord] { try sandboxes(where: "1 ORDER BY name", []) }

  public func sandbox(id: String) throws -> SandboxRecord? { try sandboxes(where: "id = ?", [.text(id)]).first }

  public func sandbox(named name: String) throws -> SandboxRecord? {
    try sandboxes(where: "name = ?", [.text(name)]).first
  }

  /// The sandbox of a CNI runtime's container.
  public func sandbox(container id: String) throws -> SandboxRecord? {
    try sandboxes(where: "container_id = ?", [.text(id)]).first
  }

  /// The sandboxes of CNI runtimes' containers.
  public func containerSandboxes() throws -> [SandboxRecord] {
    try sandboxes(where: "container_id IS NOT NULL ORDER BY name", [])
  }

  /// The external sandbox whose namespace file is `target`.
  public func sandbox(target: String) throws -> SandboxRecord? {
    try sandboxes(where: "target = ?", [.text(target)]).first
  }

  public func sandboxes(idPrefix prefix: String) throws -> [SandboxRecord] {
    try sandboxes(where: "substr(id, 1, ?) = ?", [.int(prefix.utf8.count), .text(prefix)])
  }

  public func unsettledSandboxes() throws -> [SandboxRecord] { try sandboxes(where: "state != 'ready'", []) }

  private func sandboxes(where clause: String, _ values: [Statement.Value]) throws -> [SandboxRecord] {
    let s = try database.statement("SELECT \(Self.sandboxColumns) FROM sandboxes WHERE \(clause)").bind(values)
    return try s.rows { s in
      SandboxRecord(
        id: s.text(0), name: s.text(1), netns: s.text(2),
        origin: try read("sandboxes", s.text(0), "origin", s.text(3), SandboxOrigin.init(rawValue:)),
        pid: s.optionalInt(4).map { Int32(truncatingIfNeeded: $0) }, isAuto: s.int(5) != 0, hostname: s.text(6),
        dns: lines(s.text(7)), dnsSearch: lines(s.text(8)), extraHosts: lines(s.text(9)), created: s.text(10),
        state: try read("sandboxes", s.text(0), "state", s.text(11), RecordState.init(rawValue:)), target: s.optionalText(12),
        containerID: s.optionalText(13))
    }
  }

  public func setState(ofSandbox id: String, _ state: RecordState) throws {
    try database.statement("UPDATE sandboxes SET state = ? WHERE id = ?").bind(.text(state.rawValue), .text(id)).run()
  }

  /// The end of a join: the endpoint (new or not) is ready and joined.
  public func markJoined(endpoint id: String) throws {
    try database.statement("UPDATE endpoints SET state = 'ready', join_state = 'joined' WHERE id = ?").bind(.text(id)).run()
  }

  /// The end of a sandbox's creation or of a change of its joins.
  public func markReady(sandbox id: String, ownHosts: Bool) throws {
    try database.statement("UPDATE sandboxes SET state = 'ready', hosts_mode = ? WHERE id = ?")
      .bind(.text(ownHosts ? "own" : "link"), .text(id)).run()
  }

  public func hasNetworks(driver: String) throws -> Bool {
    try database.statement("SELECT EXISTS (SELECT 1 FROM networks WHERE driver = ?)").bind(.text(driver))
      .first { $0.int(0) != 0 } ?? false
  }

  /// Whether any record is in a transitional state: one cheap question
  /// before looking at each kind.
  public func hasUnsettledRecords() throws -> Bool {
    try database.statement("""
      SELECT EXISTS (SELECT 1 FROM endpoints WHERE state != 'ready' OR join_state IN ('joining', 'leaving'))
        OR EXISTS (SELECT 1 FROM sandboxes WHERE state != 'ready')
        OR EXISTS (SELECT 1 FROM networks WHERE state != 'ready')
      """).first { $0.int(0) != 0 } ?? false
  }

  public func setHostsMode(ofSandbox id: String, own: Bool) throws {
    try database.statement("UPDATE sandboxes SET hosts_mode = ? WHERE id = ?").bind(.text(own ? "own" : "link"), .text(id)).run()
  }

  /// Ready sandboxes, but `skipped`, with a hosts file of their own that
  /// are joined to the network.
  public func sandboxesWithOwnHosts(on networkID: String, except skipped: String? = nil) throws -> [SandboxRecord] {
    // Usually there are none at all (a sandbox on one network shares its
    // network's file), and this probe compiles in a fraction of the query.
    let probe = "SELECT 1 FROM sandboxes WHERE hosts_mode = 'own' AND state = 'ready' AND id IS NOT ? LIMIT 1"
    guard try database.statement(probe).bind(optional(skipped)).first({ _ in true }) != nil else { return [] }
    return try sandboxes(where: """
      state = 'ready' AND id IS NOT ? AND
      hosts_mode = 'own' AND EXISTS (SELECT 1 FROM endpoints e WHERE e.sandbox_id = sandboxes.id AND e.network_id = ?)
      """, [optional(skipped), .text(networkID)])
  }

  public func deleteSandbox(id: String) throws {
    try database.statement("DELETE FROM sandboxes WHERE id = ?").bind(.text(id)).run()
  }

  // MARK: - Endpoints

  private static let endpointColumns = """
    id, network_id, name, ipv4, ipv4_pool, ipv6, ipv6_pool, mac, aliases, auto, created, state, \
    sandbox_id, interface, host_interface, join_state, ports, cni_config
    """

  public func insert(_ endpoint: EndpointRecord) throws {
    try database.statement("INSERT INTO endpoints(\(Self.endpointColumns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)").bind(
      .text(endpoint.id), .text(endpoint.networkID), .text(endpoint.name), optional(endpoint.ipv4?.description),
      optional(endpoint.ipv4Pool), optional(endpoint.ipv6?.description), optional(endpoint.ipv6Pool),
      optional(endpoint.mac), .text(endpoint.aliases.joined(separator: "\n")), .int(endpoint.isAuto ? 1 : 0),
      .text(endpoint.created), .text(endpoint.state.rawValue), optional(endpoint.sandboxID),
      optional(endpoint.interface), optional(endpoint.hostInterface), optional(endpoint.joinState?.rawValue),
      .text(endpoint.ports.map(\.description).joined(separator: "\n")), optional(endpoint.cniConfig)
    ).run()
  }

  public func endpoints() throws -> [EndpointRecord] { try endpoints(where: "1 ORDER BY name", []) }

  public func endpoint(id: String) throws -> EndpointRecord? { try endpoints(where: "id = ?", [.text(id)]).first }

  public func endpoints(network networkID: String) throws -> [EndpointRecord] {
    try endpoints(where: "network_id = ? ORDER BY name", [.text(networkID)])
  }

  public func endpoint(network networkID: String, named name: String) throws -> EndpointRecord? {
    try endpoints(where: "network_id = ? AND name = ?", [.text(networkID), .text(name)]).first
  }

  /// Endpoints of that name on any network.
  public func endpoints(named name: String) throws -> [EndpointRecord] {
    try endpoints(where: "name = ?", [.text(name)])
  }

  public func endpoints(idPrefix prefix: String) throws -> [EndpointRecord] {
    try endpoints(where: "substr(id, 1, ?) = ?", [.int(prefix.utf8.count), .text(prefix)])
  }

  /// The networks a sandbox is joined to (joining and leaving included).
  public func networkIDs(ofSandbox id: String) throws -> [String] {
    try database.statement("SELECT network_id FROM endpoints WHERE sandbox_id = ? ORDER BY interface").bind(.text(id))
      .rows { $0.text(0) }
  }

  /// The endpoints joined to (or joining, or leaving) a sandbox.
  public func endpoints(sandbox sandboxID: String) throws -> [EndpointRecord] {
    try endpoints(where: "sandbox_id = ? ORDER BY interface", [.text(sandboxID)])
  }

  /// Endpoints with published ports.
  public func publishingEndpoints() throws -> [EndpointRecord] {
    try endpoints(where: "ports != ''", [])
  }

  public func unsettledEndpoints() throws -> [EndpointRecord] {
    try endpoints(where: "state != 'ready' OR join_state IN ('joining', 'leaving')", [])
  }

  private func endpoints(where clause: String, _ values: [Statement.Value]) throws -> [EndpointRecord] {
    let s = try database.statement("SELECT \(Self.endpointColumns) FROM endpoints WHERE \(clause)").bind(values)
    return try s.rows { s in
      let id = s.text(0)
      var e = EndpointRecord(
        id: id, networkID: s.text(1), name: s.text(2),
        ipv4: try s.optionalText(3).map { try read("endpoints", id, "ipv4", $0, CIDR.parse) },
        ipv4Pool: s.optionalText(4),
        ipv6: try s.optionalText(5).map { try read("endpoints", id, "ipv6", $0, CIDR.parse) }, ipv6Pool: s.optionalText(6),
        mac: s.optionalText(7), aliases: lines(s.text(8)), isAuto: s.int(9) != 0, created: s.text(10),
        state: try read("endpoints", id, "state", s.text(11), RecordState.init(rawValue:)))
      e.sandboxID = s.optionalText(12)
      e.interface = s.optionalText(13)
      e.hostInterface = s.optionalText(14)
      e.joinState = try s.optionalText(15).map { try read("endpoints", id, "join_state", $0, JoinState.init(rawValue:)) }
      e.ports = try lines(s.text(16)).map { try read("endpoints", id, "ports", $0, PortMapping.parse) }
      e.cniConfig = s.optionalText(17)
      return e
    }
  }

  public func setState(ofEndpoint id: String, _ state: RecordState) throws {
    try database.statement("UPDATE endpoints SET state = ? WHERE id = ?").bind(.text(state.rawValue), .text(id)).run()
  }

  /// Records a join (or, with a nil sandbox, that the endpoint left).
  public func setJoin(ofEndpoint id: String, sandbox: String?, interface: String?, hostInterface: String?,
                      state: JoinState?) throws {
    try database.statement(
      "UPDATE endpoints SET sandbox_id = ?, interface = ?, host_interface = ?, join_state = ? WHERE id = ?"
    ).bind(optional(sandbox), optional(interface), optional(hostInterface), optional(state?.rawValue), .text(id)).run()
  }

  /// The start of a leave: the endpoint is leaving, and going too when
  /// `removing` (one statement: it runs at every disconnect).
  public func markLeaving(endpoint id: String, removing: Bool) throws {
    try database.statement(
      "UPDATE endpoints SET join_state = 'leaving', state = CASE WHEN ? THEN 'removing' ELSE state END WHERE id = ?"
    ).bind(.int(removing ? 1 : 0), .text(id)).run()
  }

  public func setJoinState(ofEndpoint id: String, _ state: JoinState) throws {
    try database.statement("UPDATE endpoints SET join_state = ? WHERE id = ?").bind(.text(state.rawValue), .text(id)).run()
  }

  public func deleteEndpoint(id: String) throws {
    try database.statement("DELETE FROM endpoints WHERE id = ?").bind(.text(id)).run()
  }

}

// MARK: - Encoding

func optional(_ text: String?) -> Statement.Value { text.map { .text($0) } ?? .null }

/// A column cnet wrote from a value it parsed or an enum, read back. One
/// that does not read (a hand edit, a newer cnet's store) is an error that
/// names the row and the column, never a guess: guessing `ready` for a
/// state, or dropping a pool, would have cnet act on what is not so.
func read<T>(_ table: String, _ id: String, _ column: String, _ text: String, _ parse: (String) -> T?) throws -> T {
  guard let value = parse(text) else {
    throw StoreError("row \(id) of table \(table) has \(column) \"\(text)\", which this cnet cannot read (edited by hand, or written by another version?); restore the store from a backup, or remove the store and run `cnet gc --adopt`")
  }
  return value
}

extension CIDR {
  /// CIDR(_:) as an optional, for `read`.
  static func parse(_ text: String) -> CIDR? { try? CIDR(text) }
}

extension PortMapping {
  static func parse(_ text: String) -> PortMapping? { try? PortMapping(text) }
}

func lines(_ text: String) -> [String] {
  text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
}

func encode(_ pairs: [KeyValue]) -> String {
  pairs.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
}

func decodePairs(_ text: String) -> [KeyValue] {
  lines(text).map { line in
    let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
    return KeyValue(String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
  }
}
