import CnetCore
import CnetEngine
import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// Joining, listing and leaving the cluster (`cnet cluster ...`).
public enum Membership {
  public static let defaultPort = 4789
  public static let defaultTTL = 15

  /// `cnet cluster join`: checks this host's side, then records the
  /// cluster's VXLAN port if it is the first host (refusing another port
  /// than the cluster's), records the host as a member and alive under a
  /// new lease, and keeps the configuration in `stateDirectory`.
  public static func join(endpoints: [String], advertise: String, name: String?, vxlanPort: Int?, ttl: Int?,
                          stateDirectory: String, runDirectory: String) throws -> ClusterConfig {
    guard let vtep = IPAddress(advertise), CIDR.hostReason(vtep) == nil else {
      throw CnetError(.invalidArgument, "invalid --advertise \"\(advertise)\": expected this host's unicast address on the underlay")
    }
    if let vxlanPort, !(1024...49151).contains(vxlanPort) {
      throw CnetError(.invalidArgument, "invalid --vxlan-port \(vxlanPort): expected 1024-49151")
    }
    if let ttl, !(5...3600).contains(ttl) {
      throw CnetError(.invalidArgument, "invalid --ttl \(ttl): expected 5-3600 seconds")
    }
    let hostName = name ?? Self.hostName()
    guard !hostName.isEmpty, hostName.utf8.count <= 64, !hostName.contains("/"), !hostName.contains("\n") else {
      throw CnetError(.invalidArgument, "invalid --name \"\(hostName)\": at most 64 characters, no '/'")
    }
    let mtu = try underlayMTU(of: vtep)
    let existing = try ClusterConfig.load(stateDirectory: stateDirectory)
    if let existing, existing.endpoints != endpoints || existing.advertise != advertise {
      throw CnetError(.conflict, "this host is in a cluster already (\(existing.endpoints.joined(separator: ",")) as \(existing.advertise)); cnet cluster leave first")
    }
    var config = ClusterConfig(
      endpoints: endpoints, advertise: vtep.description, name: hostName, hostID: existing?.hostID ?? String(Names.newID().prefix(16)),
      vxlanPort: vxlanPort ?? defaultPort, ttl: ttl ?? existing?.ttl ?? defaultTTL, underlayMTU: mtu)
    let etcd = try config.client()
    let keys = config.keys

    // The cluster's port: the first host sets it.
    let wanted = try ClusterRecord.encode(ClusterRecord.Config(vxlanPort: config.vxlanPort))
    let set = try etcd.txn([.absent(keys.config)], success: [.put(keys.config, wanted, lease: 0)],
                           failure: [.range(keys.config, prefix: false)])
    if !set.succeeded, let found = set.ranges.first??.kvs.first {
      let cluster = try ClusterRecord.decode(ClusterRecord.Config.self, found.value, key: keys.config)
      if let vxlanPort, vxlanPort != cluster.vxlanPort {
        throw CnetError(.conflict, "the cluster's VXLAN port is \(cluster.vxlanPort); this host asked for \(vxlanPort)")
      }
      config.vxlanPort = cluster.vxlanPort
    }

    // A VTEP is one host's: another member with this address is refused.
    for member in try etcd.range(keys.members, prefix: true).kvs {
      let record = try ClusterRecord.decode(ClusterRecord.Member.self, member.value, key: member.key)
      let id = String(member.key.dropFirst(keys.members.count))
      if id != config.hostID, record.vtep == config.advertise {
        throw CnetError(.conflict, "host \"\(record.name)\" (\(id)) has joined with \(record.vtep) already")
      }
    }
    try etcd.put(keys.member(config.hostID), try ClusterRecord.encode(
      ClusterRecord.Member(name: config.name, vtep: config.advertise, joined: Names.now())), lease: 0)
    try register(config, etcd: etcd, runDirectory: runDirectory)
    try config.save(stateDirectory: stateDirectory)
    return config
  }

  /// Puts the host's liveness key under a new lease and keeps the lease's
  /// id for commands and the agent. Returns the lease.
  @discardableResult
  public static func register(_ config: ClusterConfig, etcd: EtcdClient, runDirectory: String) throws -> EtcdLease {
    let lease = try etcd.grantLease(ttl: config.ttl)
    let record = ClusterRecord.Host(name: config.name, vtep: config.advertise, bootID: bootID(), mtu: config.underlayMTU)
    try etcd.put(config.keys.host(config.hostID), try ClusterRecord.encode(record), lease: lease.id)
    try HostLease.write(lease.id, runDirectory: runDirectory)
    return lease
  }

  /// A member as `cluster ls` shows it.
  public struct MemberState: Sendable, Equatable {
    public var id: String
    public var name: String
    public var vtep: String
    public var alive: Bool
    public var endpoints: Int
  }

  /// The hosts whose lease lives (a linearizable read: a host that just
  /// came back counts as alive).
  static func aliveHosts(_ etcd: EtcdClient, _ keys: ClusterKeys) throws -> Set<String> {
    Set(try etcd.range(keys.hosts, prefix: true, keysOnly: true, serializable: false).kvs.map {
      String($0.key.dropFirst(keys.hosts.count))
    })
  }

  /// `cnet cluster ls`: every member, whether its lease lives, and how many
  /// endpoints it publishes.
  public static func list(_ config: ClusterConfig) throws -> [MemberState] {
    let etcd = try config.client()
    let keys = config.keys
    let alive = try aliveHosts(etcd, keys)
    var counts: [String: Int] = [:]
    for endpoint in try etcd.range(keys.allEndpoints, prefix: true).kvs {
      if let record = try? ClusterRecord.decode(ClusterRecord.Endpoint.self, endpoint.value, key: endpoint.key) {
        counts[record.host, default: 0] += 1
      }
    }
    return try etcd.range(keys.members, prefix: true).kvs.map { member in
      let id = String(member.key.dropFirst(keys.members.count))
      let record = try ClusterRecord.decode(ClusterRecord.Member.self, member.value, key: member.key)
      return MemberState(id: id, name: record.name, vtep: record.vtep, alive: alive.contains(id), endpoints: counts[id, default: 0])
    }.sorted { $0.name < $1.name }
  }

  /// `cnet cluster leave`: the caller has checked that no endpoint of this
  /// host is on an overlay network. The member, its liveness and its lease
  /// go, and the local configuration.
  public static func leave(_ config: ClusterConfig, stateDirectory: String, runDirectory: String) throws {
    let etcd = try config.client()
    let keys = config.keys
    try etcd.delete(keys.member(config.hostID), prefix: false)
    try etcd.delete(keys.host(config.hostID), prefix: false)
    if let lease = HostLease.read(runDirectory: runDirectory) { try etcd.revokeLease(lease) }
    HostLease.remove(runDirectory: runDirectory)
    try ClusterConfig.remove(stateDirectory: stateDirectory)
  }

  // MARK: - This host

  static func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "host" }
    return String(cString: buffer)
  }

  static func bootID() -> String {
    guard let directory = try? Directory.base("/proc/sys/kernel/random", create: false),
      let text = directory.readText("boot_id")
    else { return "" }
    return text.split(separator: "\n").first.map(String.init) ?? ""
  }

  /// The MTU of the link that holds `address` in this host's namespace;
  /// refused when no link does.
  static func underlayMTU(of address: IPAddress) throws -> Int {
    let socket = try RouteSocket.current()
    guard let found = try socket.addresses().first(where: { $0.cidr.address == address }) else {
      throw CnetError(.invalidArgument, "--advertise \(address) is not an address of this host")
    }
    guard let link = try socket.links().first(where: { $0.index == found.linkIndex }) else { return 1500 }
    return Int(link.mtu)
  }
}

extension Membership {
  /// `cnet gc` on a cluster's host: the addresses of hosts gone longer than
  /// `grace` seconds are freed (a host is gone from the moment an agent
  /// first saw its lease end, recorded under `gone/`). Each is deleted in
  /// a transaction that checks the host is still gone, so a host that is
  /// back is never robbed; one that comes back after finds its addresses
  /// taken and says so (Agent.publishLocalEndpoints). Returns what it did
  /// (with `dryRun`, would do).
  public static func collectAddresses(_ config: ClusterConfig, grace: Int, dryRun: Bool) throws -> [String] {
    let etcd = try config.client()
    let keys = config.keys
    let alive = try aliveHosts(etcd, keys)
    var names: [String: String] = [:]
    for member in try etcd.range(keys.members, prefix: true).kvs {
      let id = String(member.key.dropFirst(keys.members.count))
      names[id] = (try? ClusterRecord.decode(ClusterRecord.Member.self, member.value, key: member.key))?.name ?? id
    }
    var since: [String: Int64] = [:]
    for kv in try etcd.range(keys.gone, prefix: true).kvs {
      since[String(kv.key.dropFirst(keys.gone.count))] = Int64(kv.text)
    }
    let now = Int64(time(nil))
    var gone: Set<String> = []
    for (id, _) in names where !alive.contains(id) {
      if let start = since[id] {
        if now - start >= Int64(grace) { gone.insert(id) }
      } else if !dryRun {
        // Not seen gone before: the grace period starts now.
        _ = try etcd.txn([.absent(keys.gone + id), .absent(keys.host(id))],
                         success: [.put(keys.gone + id, Array(String(now).utf8), lease: 0)], failure: [])
      }
    }
    guard !gone.isEmpty else { return [] }
    var report: [String] = []
    for kv in try etcd.range(keys.prefix + "ipam/", prefix: true).kvs {
      guard let owner = try? ClusterRecord.decode(ClusterRecord.Address.self, kv.value, key: kv.key), gone.contains(owner.host),
        owner.endpoint != "gateway"
      else { continue }
      let address = kv.key.split(separator: "/").last.map(String.init) ?? kv.key
      report.append("free address \(address) of host \(names[owner.host] ?? owner.host) (gone for more than \(grace) s)")
      if dryRun { continue }
      _ = try etcd.txn([.absent(keys.host(owner.host)), EtcdCompare(kv.key, .mod, .equal, number: kv.modRevision)],
                       success: [.delete(kv.key, prefix: false)], failure: [])
    }
    return report
  }

  /// "10m", "90s", "1h" or plain seconds.
  public static func seconds(_ text: String) -> Int? {
    let units: [(Character, Int)] = [("s", 1), ("m", 60), ("h", 3600)]
    if let last = text.last, let unit = units.first(where: { $0.0 == last }) {
      return Int(text.dropLast()).flatMap { $0 >= 0 ? $0 * unit.1 : nil }
    }
    return Int(text).flatMap { $0 >= 0 ? $0 : nil }
  }
}
