import CnetCore

/// The network driver contract, after libnetwork's driverapi: one method
/// per CNM verb. A driver sees plain values (ids, options, addresses: the
/// `...Info` types below, never the store's rows or a kernel handle) and
/// hands back plans of the kernel work a verb needs (KernelPlan); one
/// executor carries every plan out and undoes a plan that failed half-way.
/// The controller owns the records, the IPAM calls, the order of things
/// and the rollback.
///
/// The controller calls a driver:
///
///     network create:  checkOptions -> prepare -> (store: creating) -> createNetwork's plan -> (store: ready)
///     endpoint create: (IPAM addresses) -> createEndpoint -> (store)
///     join:            (store: joining) -> startPublishing -> joinLinks' and join's plans
///                      -> programExternalConnectivity's -> (publication confirmed) -> (store: joined)
///     leave:           (store: leaving) -> revokeExternalConnectivity's plan -> leave's -> (store: not joined)
///     endpoint delete: deleteEndpoint -> (IPAM release) -> (store)
///     network delete:  (store: removing) -> deleteNetwork's plan -> (IPAM release) -> (store)
///
/// always with the operation lock held, never concurrently. A command can
/// be killed at any point, so the plans of createNetwork, deleteNetwork,
/// leave and revokeExternalConnectivity must be safe to carry out again on
/// whatever an interrupted one left: the next command finishes or undoes
/// an interrupted change with them (creating is undone with delete and
/// leave, removing is finished with them).
public protocol NetworkDriver: AnyObject {
  /// The name `-d` selects.
  var name: String { get }

  /// Where the sandboxes joined to this driver's networks live: a namespace
  /// of their own, or the host's (a host network's sandbox shares the host's
  /// stack and cannot join anything else).
  var sandboxNamespace: SandboxNamespace { get }

  /// Whether its networks have subnets and endpoints addresses (false for
  /// host and null).
  var assignsAddresses: Bool { get }

  /// Whether endpoints of this driver's networks may publish ports (`-p`):
  /// checked when the endpoint is created.
  var publishesPorts: Bool { get }

  /// The IPAM driver its networks use unless `--ipam-driver` names one.
  var defaultIPAM: String { get }

  /// Whether a sandbox's default route may go through its networks'
  /// gateways (not an overlay's: a sandbox on one leaves through a local
  /// gateway bridge, as Docker's do through docker_gwbridge).
  var providesDefaultRoute: Bool { get }

  /// Whether its networks' sandboxes reach the outside through the local
  /// gateway bridge network (Controller.gatewayBridge), which also
  /// publishes their ports.
  var needsGatewayBridge: Bool { get }

  /// Whether the driver can serve now (a store it needs is reachable):
  /// asked before a change that needs it begins, so that one that cannot
  /// be carried out fails with one line and changes nothing.
  func checkReady() throws

  /// Whether `network` may be removed: asked before the removal begins (an
  /// overlay network with endpoints on another host may not).
  func checkRemoval(_ network: NetworkInfo) throws

  /// Checks the network's `-o` options before anything is made: unknown keys
  /// and bad values are refused here, with the key named.
  func checkOptions(_ options: [KeyValue]) throws

  /// What the driver decides about a new network (its bridge's name, MTU,
  /// MAC) before the network is stored. `others` are the existing networks,
  /// `links` the host's links, to refuse clashes.
  func prepare(_ network: NetworkInfo, others: [NetworkInfo], links: LinkLookup) throws -> NetworkChoices

  /// CreateNetwork: the plan that makes the network real. It also realises
  /// the network again after a reboot or after its parts went: it must
  /// succeed when some or all of it exists already.
  func createNetwork(_ network: NetworkInfo) throws -> KernelPlan

  /// Whether what createNetwork made is there (cheaply: for the bridge
  /// driver, one lookup of its bridge); when not, the controller realises
  /// the network again before joining anything to it.
  func isRealised(_ network: NetworkInfo, links: LinkLookup) throws -> Bool

  /// DeleteNetwork: the plan that removes what createNetwork made; what is
  /// missing is not an error, and nothing the driver did not make is
  /// touched.
  func deleteNetwork(_ network: NetworkInfo) throws -> KernelPlan

  /// CreateEndpoint: the endpoint has its addresses; the driver says what
  /// it decides (the MAC address; nil: none). Nothing changes in the
  /// kernel: a bridge endpoint exists there only while joined.
  func createEndpoint(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> String?

  /// DeleteEndpoint: the endpoint is not joined and is about to go.
  func deleteEndpoint(_ endpoint: EndpointInfo, network: NetworkInfo) throws

  /// The interface a join makes in the host's namespace, if any: recorded
  /// before the join, so an interrupted one can be undone and `gc` knows
  /// what is cnet's.
  func hostInterface(endpointID: String) -> String?

  /// The links a join makes, as far as they can be known from the ids
  /// alone (the bridge driver's veth pair): the controller may have them
  /// made while it reserves the endpoint, on the thread that makes a new
  /// sandbox's namespace, then runs `join`'s plan. nil: nothing ahead.
  func joinLinks(endpointID: String, network: NetworkInfo, interface: String) -> KernelPlan?

  /// Join: the rest of what puts the endpoint into the sandbox as
  /// `join.interface` (eth0, eth1, ... in join order), up, with its
  /// addresses, after joinLinks' plan. The default route is the
  /// controller's: a sandbox has one per family, via the first joined
  /// network that has a gateway and is not internal.
  func join(_ join: JoinInfo, network: NetworkInfo) throws -> KernelPlan

  /// ProgramExternalConnectivity: after a join, the plan that makes the
  /// endpoint's published ports reachable from outside (the bridge driver's
  /// DNAT).
  func programExternalConnectivity(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> KernelPlan

  /// Starts telling the world outside this host of a joining endpoint, as
  /// far as that takes a round trip (the overlay driver publishes it in
  /// etcd): called once the endpoint is reserved, before the join's files
  /// and kernel plan, so that the round trip overlaps them. The controller
  /// calls what it returns (which waits for the answer, and throws if the
  /// publication failed) before the join commits, and before it undoes a
  /// join that failed; revokeExternalConnectivity takes it back. nil:
  /// nothing to tell.
  func startPublishing(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> PendingPublication?

  /// Whether a new endpoint's publication goes with its address's claim,
  /// in the IPAM driver's write (IPAMDriver.wantsJoiningEndpoint): the
  /// controller then tells the IPAM driver whose address it is, asks
  /// startPublishing only for endpoints that had their address already,
  /// and withdraws the publication (revokeExternalConnectivity) with a
  /// reservation it undoes.
  var publishesWithAddress: Bool { get }

  /// RevokeExternalConnectivity: before a leave, undoes the above; what is
  /// missing is not an error.
  func revokeExternalConnectivity(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> KernelPlan

  /// Leave: the plan that takes the endpoint out of the sandbox. When
  /// `sandboxGoing`, the sandbox's namespace is about to be deleted and the
  /// kernel will reap whatever is inside, so nothing needs deleting one by
  /// one (it is up to 30 times slower). `sandboxPresent` is false when the
  /// sandbox's namespace is gone already. Called before the plugin's or
  /// the kernel's part is known to be there: what is missing is no error.
  func leave(_ endpoint: EndpointInfo, network: NetworkInfo, sandboxPresent: Bool, sandboxGoing: Bool) throws -> KernelPlan
}

/// A publication sent (NetworkDriver.startPublishing), its answer to come.
public struct PendingPublication {
  /// Waits for the answer; throws if the publication failed.
  public let confirm: () throws -> Void
  /// For a join that is being undone: reads an answer already on its way,
  /// so that the withdrawal comes after it, and sends nothing again.
  public let settle: () -> Void

  public init(confirm: @escaping () throws -> Void, settle: @escaping () -> Void) {
    self.confirm = confirm
    self.settle = settle
  }
}

extension NetworkDriver {
  public func isRealised(_ network: NetworkInfo, links: LinkLookup) throws -> Bool { true }
  public func joinLinks(endpointID: String, network: NetworkInfo, interface: String) -> KernelPlan? { nil }
  public func startPublishing(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> PendingPublication? { nil }
  public var publishesWithAddress: Bool { false }
  public var defaultIPAM: String { assignsAddresses ? "default" : "null" }
  public var providesDefaultRoute: Bool { true }
  public var needsGatewayBridge: Bool { false }
  public func checkReady() throws {}
  public func checkRemoval(_ network: NetworkInfo) throws {}
}

/// Networks that live beyond this host (an overlay network another host
/// of the cluster created): found by name or id when this host's store
/// does not know them, and taken into it.
public protocol NetworkCatalog: Sendable {
  func network(_ reference: String) throws -> NetworkSpec?
}

/// Drivers that are not built in: Docker plugins, found and activated by
/// name. nil when nothing of that name is there; an error when something
/// is but cannot serve (unreachable, or not that kind of driver).
public protocol DriverResolver: Sendable {
  func networkDriver(_ name: String) throws -> (any NetworkDriver)?
  func ipamDriver(_ name: String) throws -> (any IPAMDriver)?
}

public enum SandboxNamespace: Sendable {
  /// Each sandbox has a network namespace of its own.
  case own
  /// The sandbox is the host's namespace.
  case host
}

/// A network, as a driver sees it.
public struct NetworkInfo: Sendable, Equatable {
  public var id: String
  public var name: String
  public var options: [KeyValue]
  public var isInternal: Bool
  public var ipv6: Bool
  public var subnets: [SubnetInfo]
  /// What the driver chose when the network was made (NetworkChoices).
  public var bridge: String?
  public var mtu: Int?
  public var mac: String?

  public init(id: String, name: String, options: [KeyValue] = [], isInternal: Bool = false, ipv6: Bool = false,
              subnets: [SubnetInfo] = [], bridge: String? = nil, mtu: Int? = nil, mac: String? = nil) {
    self.id = id
    self.name = name
    self.options = options
    self.isInternal = isInternal
    self.ipv6 = ipv6
    self.subnets = subnets
    self.bridge = bridge
    self.mtu = mtu
    self.mac = mac
  }

  public func option(_ key: String) -> String? { options.first { $0.key == key }?.value }
}

/// A subnet of a network, from its IPAM driver.
public struct SubnetInfo: Sendable, Equatable {
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

/// What a driver decides about a new network.
public struct NetworkChoices: Sendable, Equatable {
  public var bridge: String?
  public var mtu: Int?
  public var mac: String?
  /// Options it adds to the network's (an overlay network's VXLAN id).
  public var options: [KeyValue]

  public init(bridge: String? = nil, mtu: Int? = nil, mac: String? = nil, options: [KeyValue] = []) {
    self.bridge = bridge
    self.mtu = mtu
    self.mac = mac
    self.options = options
  }
}

/// An endpoint, as a driver sees it.
public struct EndpointInfo: Sendable, Equatable {
  public var id: String
  public var networkID: String
  public var name: String
  public var ipv4: CIDR?
  public var ipv6: CIDR?
  public var mac: String?
  public var ports: [PortMapping]
  /// While joined: its interface in the sandbox, and its link in the host.
  public var interface: String?
  public var hostInterface: String?

  public init(id: String, networkID: String, name: String, ipv4: CIDR? = nil, ipv6: CIDR? = nil, mac: String? = nil,
              ports: [PortMapping] = [], interface: String? = nil, hostInterface: String? = nil) {
    self.id = id
    self.networkID = networkID
    self.name = name
    self.ipv4 = ipv4
    self.ipv6 = ipv6
    self.mac = mac
    self.ports = ports
    self.interface = interface
    self.hostInterface = hostInterface
  }

  public var addresses: [CIDR] { [ipv4, ipv6].compactMap { $0 } }
}

/// A join, as a driver sees it.
public struct JoinInfo: Sendable, Equatable {
  public var endpoint: EndpointInfo
  /// eth0, eth1, ... in join order.
  public var interface: String
  /// The sandbox's namespace file (/var/run/netns/NAME): what a plugin's
  /// Join gets as SandboxKey.
  public var sandboxKey: String

  public init(endpoint: EndpointInfo, interface: String, sandboxKey: String) {
    self.endpoint = endpoint
    self.interface = interface
    self.sandboxKey = sandboxKey
  }
}

/// The host's links, as far as a driver may look: by name, what kind and
/// whose mark.
public protocol LinkLookup {
  func link(named name: InterfaceName) throws -> LinkSummary?
  /// Whether a link of that name is there (cheaper than `link(named:)`).
  func exists(_ name: InterfaceName) throws -> Bool
}

public struct LinkSummary: Sendable, Equatable {
  /// IFLA_INFO_KIND ("bridge", "veth", ...); nil for plain devices.
  public var kind: String?
  public var alias: String?

  public init(kind: String?, alias: String?) {
    self.kind = kind
    self.alias = alias
  }
}

/// The mark cnet puts on what it makes (IFLA_IFALIAS), so that cleaning up
/// never touches what it did not make.
public enum OwnerMark {
  public static func network(_ id: String) -> String { "cnet:network:\(id)" }
  public static func endpoint(_ id: String) -> String { "cnet:endpoint:\(id)" }

  /// The network or endpoint id a mark names.
  public static func parse(_ alias: String?) -> (kind: String, id: String)? {
    guard let alias, alias.hasPrefix("cnet:") else { return nil }
    let parts = alias.split(separator: ":", maxSplits: 2)
    guard parts.count == 3 else { return nil }
    return (String(parts[1]), String(parts[2]))
  }
}
