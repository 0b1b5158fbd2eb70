import CnetCore

/// Where a record is in its life. Records in a transitional state are the
/// journal: a command interrupted (kill -9) leaves them, and the next
/// mutating command or `cnet gc` undoes (`creating`) or finishes
/// (`removing`) what they describe.
public enum RecordState: String, Sendable {
  case creating
  case ready
  case removing
}

/// Where an endpoint is in joining a sandbox.
public enum JoinState: String, Sendable {
  /// Being joined; undone if interrupted.
  case joining
  case joined
  /// Leaving; finished if interrupted.
  case leaving
}

public struct NetworkRecord: Sendable, Equatable {
  public var id: String
  public var name: String
  public var driver: String
  public var ipamDriver: String
  /// The Linux bridge of a bridge network.
  public var bridge: String?
  /// The bridge's MAC address, fixed when the network is made.
  public var mac: String?
  public var mtu: Int?
  public var isInternal: Bool
  public var ipv6: Bool
  public var options: [KeyValue]
  public var labels: [KeyValue]
  public var created: String
  public var state: RecordState
  public var pools: [PoolAssignment]

  public init(id: String, name: String, driver: String, ipamDriver: String, bridge: String? = nil, mac: String? = nil,
              mtu: Int? = nil, isInternal: Bool = false, ipv6: Bool = false, options: [KeyValue] = [],
              labels: [KeyValue] = [], created: String, state: RecordState = .creating, pools: [PoolAssignment] = []) {
    self.id = id
    self.name = name
    self.driver = driver
    self.ipamDriver = ipamDriver
    self.bridge = bridge
    self.mac = mac
    self.mtu = mtu
    self.isInternal = isInternal
    self.ipv6 = ipv6
    self.options = options
    self.labels = labels
    self.created = created
    self.state = state
    self.pools = pools
  }

  public func option(_ key: String) -> String? { options.first { $0.key == key }?.value }
  public func label(_ key: String) -> String? { labels.first { $0.key == key }?.value }
}

/// A pool a network got from its IPAM driver, with the gateway reserved in it.
public struct PoolAssignment: Sendable, Equatable {
  public var poolID: String
  public var subnet: CIDR
  public var range: CIDR?
  /// The gateway address with the subnet's prefix length.
  public var gateway: CIDR?

  public init(poolID: String, subnet: CIDR, range: CIDR? = nil, gateway: CIDR? = nil) {
    self.poolID = poolID
    self.subnet = subnet
    self.range = range
    self.gateway = gateway
  }
}

/// How a sandbox's namespace came to be, which decides how it goes.
public enum SandboxOrigin: String, Sendable {
  /// cnet made the namespace; removing the sandbox deletes it.
  case created
  /// cnet linked a process's namespace under the name; removing the sandbox
  /// removes the link, the namespace stays with its process.
  case pid
  /// A named namespace someone else made; cnet never deletes it.
  case netns
  /// The host's own namespace, for host networks; cnet removes only the name.
  case host
  /// A namespace file another manager made and owns (dockerd's sandbox, in
  /// `target`): cnet links it under the sandbox's name, removes only the
  /// link, and writes none of the sandbox's files (dockerd writes its own).
  case external
  /// The namespace a CNI runtime made for a container (CNI_NETNS, in
  /// `target`; the container in `containerID`): cnet links it under the
  /// sandbox's name, makes the container's interface in it, removes only
  /// the link, and writes none of the sandbox's files (the runtime writes
  /// the container's own).
  case cni
}

public struct SandboxRecord: Sendable, Equatable {
  public var id: String
  public var name: String
  /// The name under /var/run/netns.
  public var netns: String
  public var origin: SandboxOrigin
  public var pid: Int32?
  /// Made by join/connect: removed with its last endpoint.
  public var isAuto: Bool
  public var hostname: String
  public var dns: [String]
  public var dnsSearch: [String]
  /// `HOST:IP` entries for the hosts file.
  public var extraHosts: [String]
  public var created: String
  public var state: RecordState
  /// The namespace file of an `external` or `cni` sandbox.
  public var target: String?
  /// The container of a `cni` sandbox (CNI_CONTAINERID).
  public var containerID: String?

  public init(id: String, name: String, netns: String, origin: SandboxOrigin, pid: Int32? = nil, isAuto: Bool,
              hostname: String, dns: [String] = [], dnsSearch: [String] = [], extraHosts: [String] = [],
              created: String, state: RecordState = .creating, target: String? = nil, containerID: String? = nil) {
    self.id = id
    self.name = name
    self.netns = netns
    self.origin = origin
    self.pid = pid
    self.isAuto = isAuto
    self.hostname = hostname
    self.dns = dns
    self.dnsSearch = dnsSearch
    self.extraHosts = extraHosts
    self.created = created
    self.state = state
    self.target = target
    self.containerID = containerID
  }
}

public struct EndpointRecord: Sendable, Equatable {
  public var id: String
  public var networkID: String
  public var name: String
  public var ipv4: CIDR?
  public var ipv4Pool: String?
  public var ipv6: CIDR?
  public var ipv6Pool: String?
  public var mac: String?
  public var aliases: [String]
  /// Made by `connect`: `disconnect` deletes it.
  public var isAuto: Bool
  public var created: String
  public var state: RecordState
  public var sandboxID: String?
  /// The interface's name inside the sandbox (eth0, eth1, ...).
  public var interface: String?
  /// The host end of the bridge driver's veth pair.
  public var hostInterface: String?
  public var joinState: JoinState?
  /// Published ports (the bridge driver's DNAT while joined).
  public var ports: [PortMapping]
  /// For a CNI runtime's attachment: the name of the network
  /// configuration it was made under (what the runtime's GC lists).
  public var cniConfig: String?

  public init(id: String, networkID: String, name: String, ipv4: CIDR? = nil, ipv4Pool: String? = nil,
              ipv6: CIDR? = nil, ipv6Pool: String? = nil, mac: String? = nil, aliases: [String] = [],
              isAuto: Bool = false, created: String, state: RecordState = .creating, ports: [PortMapping] = []) {
    self.id = id
    self.networkID = networkID
    self.name = name
    self.ipv4 = ipv4
    self.ipv4Pool = ipv4Pool
    self.ipv6 = ipv6
    self.ipv6Pool = ipv6Pool
    self.mac = mac
    self.aliases = aliases
    self.isAuto = isAuto
    self.created = created
    self.state = state
    self.ports = ports
  }

  public var addresses: [CIDR] { [ipv4, ipv6].compactMap { $0 } }
}
