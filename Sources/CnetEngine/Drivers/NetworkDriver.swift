import CnetCore
import CnetKernel
import CnetStore

/// The network driver contract, after libnetwork's driverapi: one method
/// per CNM verb. The controller owns the records, the IPAM calls and the
/// order of things; a driver owns only what it makes in the kernel.
///
/// The controller calls a driver:
///
///     network create:  checkOptions -> prepare -> (store: creating) -> createNetwork -> (store: ready)
///     endpoint create: (IPAM addresses) -> createEndpoint -> (store)
///     join:            (store: joining) -> join -> programExternalConnectivity -> (store: joined)
///     leave:           (store: leaving) -> revokeExternalConnectivity -> leave -> (store: not joined)
///     endpoint delete: deleteEndpoint -> (IPAM release) -> (store)
///     network delete:  (store: removing) -> deleteNetwork -> (IPAM release) -> (store)
///
/// always with the operation lock held, never concurrently. A command can
/// be killed at any point, so `createNetwork`, `deleteNetwork`, `join`,
/// `leave` and the external connectivity calls must be safe to call again
/// on whatever an interrupted call left:
/// the next command finishes or undoes it by calling them once more
/// (creating is undone with delete/leave, removing is finished with them).
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

  /// Checks the network's `-o` options before anything is made: unknown keys
  /// and bad values are refused here, with the key named.
  func checkOptions(_ options: [KeyValue]) throws

  /// Fills in what the driver decides about a new network (the bridge's
  /// name, the MTU) before the record is stored. `others` are the existing
  /// networks, to refuse clashes.
  func prepare(_ network: inout NetworkRecord, others: [NetworkRecord], kernel: KernelContext) throws

  /// CreateNetwork: makes the network real. Also realises it again after a
  /// reboot: must succeed when some or all of it exists already.
  func createNetwork(_ network: NetworkRecord, kernel: KernelContext) throws

  /// Whether what createNetwork made is there (cheaply: for the bridge
  /// driver, one lookup of its bridge); when not, the controller realises
  /// the network again before joining anything to it.
  func isRealised(_ network: NetworkRecord, kernel: KernelContext) throws -> Bool

  /// DeleteNetwork: removes what createNetwork made; what is missing is
  /// not an error. Never touches what the driver did not make.
  func deleteNetwork(_ network: NetworkRecord, kernel: KernelContext) throws

  /// CreateEndpoint: the endpoint has its addresses; the driver fills in
  /// what it decides (the MAC address). Nothing changes in the kernel: a
  /// bridge endpoint exists there only while joined.
  func createEndpoint(_ endpoint: inout EndpointRecord, network: NetworkRecord) throws

  /// DeleteEndpoint: the endpoint is not joined and is about to go.
  func deleteEndpoint(_ endpoint: EndpointRecord, network: NetworkRecord) throws

  /// The interface a join makes in the host's namespace, if any: recorded
  /// before the join, so an interrupted one can be undone and `gc` knows
  /// what is cnet's.
  func hostInterface(for endpoint: EndpointRecord) -> String?

  /// Join: puts the endpoint into the sandbox as `interface` (eth0, eth1,
  /// ... in join order), up, with its addresses. The default route is the
  /// controller's: a sandbox has one per family, via the first joined
  /// network that has a gateway and is not internal.
  func join(_ endpoint: EndpointRecord, network: NetworkRecord, sandbox: SandboxContext, interface: String,
            kernel: KernelContext) throws

  /// An optional head start for a join into a sandbox whose namespace is
  /// still being made (`pending`), for the endpoint that has or will get
  /// `endpointID`, once everything the request and the store can refuse
  /// has been checked (a refused request must change nothing): the driver
  /// may have the namespace's thread make kernel objects meanwhile, and
  /// find them at `join` (through SandboxContext.pending). Returns whether
  /// it asked for anything. If the join fails before it collects them, the
  /// controller removes what was made (PendingNamespace.discardPair).
  func prepareJoin(endpointID: String, network: NetworkRecord, interface: String, pending: PendingNamespace) -> Bool

  /// Whether endpoints of this driver's networks may publish ports (`-p`):
  /// checked when the endpoint is created.
  var publishesPorts: Bool { get }

  /// ProgramExternalConnectivity: after a join, makes the endpoint's
  /// published ports reachable from outside (the bridge driver's DNAT).
  func programExternalConnectivity(_ endpoint: EndpointRecord, network: NetworkRecord, kernel: KernelContext) throws

  /// RevokeExternalConnectivity: before a leave, undoes the above; what is
  /// missing is not an error.
  func revokeExternalConnectivity(_ endpoint: EndpointRecord, network: NetworkRecord, kernel: KernelContext) throws

  /// Leave: takes the endpoint out of the sandbox. When `sandboxGoing` is
  /// set the sandbox's namespace is about to be deleted and the kernel will
  /// reap whatever is inside, so nothing needs deleting one by one (it is
  /// up to 30 times slower). `sandbox` is nil when its namespace is gone.
  func leave(_ endpoint: EndpointRecord, network: NetworkRecord, sandbox: SandboxContext?, sandboxGoing: Bool,
             kernel: KernelContext) throws
}

extension NetworkDriver {
  public func isRealised(_ network: NetworkRecord, kernel: KernelContext) throws -> Bool { true }

  public func prepareJoin(endpointID: String, network: NetworkRecord, interface: String,
                          pending: PendingNamespace) -> Bool { false }
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

/// The host's namespace as the drivers reach it: one netlink socket, opened
/// when first needed and kept for the command.
public final class KernelContext {
  private var socket: RouteSocket?
  /// cnet's nftables tables (see Firewall).
  public let firewall = Firewall()
  /// cnet's accepts in iptables, beside Docker's or another tool's
  /// forward policy (see ForwardAccepts).
  public let forwardAccepts: ForwardAccepts

  public init() {
    forwardAccepts = ForwardAccepts(netfilter: { [firewall] in try firewall.netfilterSocket() })
  }

  public func host() throws -> RouteSocket {
    if let socket { return socket }
    let opened = try RouteSocket.current()
    socket = opened
    return opened
  }
}

/// A sandbox during join and leave: its record, a handle on its namespace,
/// and a socket inside it, opened when first needed.
public final class SandboxContext {
  public let record: SandboxRecord
  public let namespace: NetworkNamespace
  private var inside: RouteSocket?
  /// The namespace's creation, when a driver's prepareJoin asked it for
  /// something.
  public let pending: PendingNamespace?

  public init(record: SandboxRecord, namespace: NetworkNamespace, socket: RouteSocket? = nil,
              pending: PendingNamespace? = nil) {
    self.record = record
    self.namespace = namespace
    inside = socket
    self.pending = pending
  }

  public func socket() throws -> RouteSocket {
    if let inside { return inside }
    let opened = try RouteSocket.inside(namespace)
    inside = opened
    return opened
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
