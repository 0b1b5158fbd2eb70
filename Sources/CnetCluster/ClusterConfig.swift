import CnetCore
import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// This host's membership of a cluster, kept in the state directory
/// (`/var/lib/cnet/cluster.json`, written by `cnet cluster join`, removed
/// by `cluster leave`): the store's endpoints and where this host is. Its
/// absence means no cluster: nothing else in cnet ever waits on etcd.
public struct ClusterConfig: Sendable, Equatable {
  public var endpoints: [String]
  /// This host's address on the underlay: its VXLAN endpoint (VTEP).
  public var advertise: String
  public var name: String
  public var hostID: String
  public var vxlanPort: Int
  /// Seconds the host's lease lives without renewal.
  public var ttl: Int
  /// The MTU of the interface that holds `advertise`, when it joined.
  public var underlayMTU: Int
  public var prefix: String

  public init(endpoints: [String], advertise: String, name: String, hostID: String, vxlanPort: Int, ttl: Int,
              underlayMTU: Int, prefix: String = "/cnet/v1/") {
    self.endpoints = endpoints
    self.advertise = advertise
    self.name = name
    self.hostID = hostID
    self.vxlanPort = vxlanPort
    self.ttl = ttl
    self.underlayMTU = underlayMTU
    self.prefix = prefix
  }

  public static let fileName = "cluster.json"

  public var keys: ClusterKeys { ClusterKeys(prefix: prefix) }

  public var vtep: IPAddress? { IPAddress(advertise) }

  public func client(timeout: Double = 5) throws -> EtcdClient { try EtcdGateway(urls: endpoints, timeout: timeout) }

  /// The configuration in `stateDirectory`, or nil when this host is in
  /// no cluster.
  public static func load(stateDirectory: String) throws -> ClusterConfig? {
    guard let directory = try Directory.base(stateDirectory, create: false), let bytes = directory.read(fileName) else {
      return nil
    }
    guard let json = try? JSON.parse(bytes), let config = ClusterConfig(json) else {
      throw CnetError(.failed, "\(stateDirectory)/\(fileName) cannot be read: remove it and run cnet cluster join again")
    }
    return config
  }

  /// The file's fields, in name order.
  var json: JSON {
    .object([
      ("advertise", .string(advertise)), ("endpoints", .array(endpoints.map(JSON.string))), ("hostID", .string(hostID)),
      ("name", .string(name)), ("prefix", .string(prefix)), ("ttl", .int(ttl)), ("underlayMTU", .int(underlayMTU)),
      ("vxlanPort", .int(vxlanPort)),
    ])
  }

  init?(_ json: JSON) {
    guard let endpoints = json["endpoints"]?.array?.compactMap(\.string), let advertise = json["advertise"]?.string,
      let name = json["name"]?.string, let hostID = json["hostID"]?.string, let vxlanPort = json["vxlanPort"]?.integer,
      let ttl = json["ttl"]?.integer, let underlayMTU = json["underlayMTU"]?.integer, let prefix = json["prefix"]?.string
    else { return nil }
    self.init(endpoints: endpoints, advertise: advertise, name: name, hostID: hostID, vxlanPort: vxlanPort, ttl: ttl,
              underlayMTU: underlayMTU, prefix: prefix)
  }

  public func save(stateDirectory: String) throws {
    guard let directory = try Directory.base(stateDirectory, create: true, mode: 0o700) else {
      throw CnetError(.failed, "cannot create \(stateDirectory)")
    }
    try directory.write(Self.fileName, json.pretty + "\n", mode: 0o600)
  }

  public static func remove(stateDirectory: String) throws {
    try Directory.base(stateDirectory, create: false)?.remove(fileName)
  }
}

/// The lease that keeps this host alive in the cluster, as the agent
/// holds it: its id in `/run/cnet/cluster-lease`, so that commands can
/// publish this host's endpoints under it, and a restarted agent can keep
/// it instead of making every other host drop and add this one's entries.
public enum HostLease {
  public static let fileName = "cluster-lease"

  public static func read(runDirectory: String) -> Int64? {
    guard let directory = try? Directory.base(runDirectory, create: false), let text = directory.readText(fileName) else {
      return nil
    }
    return Int64(text.split(separator: "\n").first.map(String.init) ?? "")
  }

  public static func write(_ lease: Int64, runDirectory: String) throws {
    guard let directory = try Directory.base(runDirectory, create: true) else {
      throw CnetError(.failed, "cannot create \(runDirectory)")
    }
    try directory.write(fileName, String(lease) + "\n", mode: 0o600)
  }

  public static func remove(runDirectory: String) {
    try? Directory.base(runDirectory, create: false)?.remove(fileName)
  }
}
