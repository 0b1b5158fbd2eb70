import CnetCore
import CnetEngine
import CnetStore

/// The cluster's drivers for the engine: `-d overlay` and its IPAM
/// (`cluster`) when this host has joined a cluster; every other name goes
/// to `inner` (plugins). The configuration is read only when one of these
/// names is asked for, so nothing else ever waits on etcd.
public struct ClusterResolver: DriverResolver {
  public var inner: (any DriverResolver)?
  public var stateDirectory: String
  public var runDirectory: String

  public init(inner: (any DriverResolver)?, stateDirectory: String, runDirectory: String) {
    self.inner = inner
    self.stateDirectory = stateDirectory
    self.runDirectory = runDirectory
  }

  func config() throws -> ClusterConfig {
    guard let config = try ClusterConfig.load(stateDirectory: stateDirectory) else {
      throw CnetError(.invalidArgument, "overlay networks need a cluster: cnet cluster join ETCD_URL --advertise IP")
    }
    return config
  }

  public func networkDriver(_ name: String) throws -> (any NetworkDriver)? {
    if name == "overlay" { return OverlayDriver(config: try config(), runDirectory: runDirectory) }
    return try inner?.networkDriver(name)
  }

  public func ipamDriver(_ name: String) throws -> (any IPAMDriver)? {
    if name == ClusterIPAM.driverName { return ClusterIPAM(config: try config(), runDirectory: runDirectory) }
    return try inner?.ipamDriver(name)
  }
}

/// The cluster's overlay networks for a command that names one this host
/// has not taken into its store yet (made on another host a moment ago,
/// before the agent saw it).
public struct ClusterCatalog: NetworkCatalog {
  public var stateDirectory: String

  public init(stateDirectory: String) { self.stateDirectory = stateDirectory }

  public func network(_ reference: String) throws -> NetworkSpec? {
    guard let config = try ClusterConfig.load(stateDirectory: stateDirectory) else { return nil }
    let etcd = try config.client()
    let keys = config.keys
    var id = reference
    if let named = try etcd.range(keys.name(reference)).kvs.first { id = named.text }
    guard !id.contains("/"), let kv = try etcd.range(keys.network(id)).kvs.first else { return nil }
    return try Self.spec(id: id, try ClusterRecord.decode(ClusterRecord.Network.self, kv.value, key: kv.key))
  }

  /// A network of the cluster as this host's store takes it in: the id,
  /// pools and options the creating host recorded.
  static func spec(id: String, _ record: ClusterRecord.Network) throws -> NetworkSpec {
    var spec = NetworkSpec(name: record.name)
    spec.id = id
    spec.driver = "overlay"
    spec.ipamDriver = ClusterIPAM.driverName
    spec.isInternal = record.isInternal
    spec.options = record.options.compactMap { text in
      text.firstIndex(of: "=").map { KeyValue(String(text[..<$0]), String(text[text.index(after: $0)...])) }
    }
    if !spec.options.contains(where: { $0.key == OverlayDriver.mtuOption }) {
      spec.options.append(KeyValue(OverlayDriver.mtuOption, String(record.mtu)))
    }
    spec.adoptedPools = try record.subnets.map { subnet in
      let cidr = try CIDR(subnet.subnet)
      return PoolAssignment(poolID: ClusterIPAM.driverName + "/" + cidr.description, subnet: cidr,
                            gateway: try subnet.gateway.map { try CIDR($0) })
    }
    return spec
  }
}
