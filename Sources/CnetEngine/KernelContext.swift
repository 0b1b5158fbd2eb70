import CnetCore
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// The host's namespace as the controller reaches it: one netlink socket,
/// opened when first needed and kept for the command, and cnet's firewall.
public final class KernelContext: LinkLookup {
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

  public func link(named name: InterfaceName) throws -> LinkSummary? {
    try host().linkIfPresent(named: name).map { LinkSummary(kind: $0.kind, alias: $0.alias) }
  }

  public func exists(_ name: InterfaceName) throws -> Bool {
    do {
      _ = try host().index(of: name)
      return true
    } catch let error as KernelError where error.code == ENODEV {
      return false
    }
  }
}

/// A sandbox during join and leave: its record, a handle on its namespace,
/// and a socket inside it, opened when first needed.
final class SandboxContext {
  let record: SandboxRecord
  let namespace: NetworkNamespace
  private var inside: RouteSocket?
  /// For a namespace just made: what the plan its thread carried out
  /// (NetworkDriver.joinLinks) made, or why it failed; nil when it had none.
  let early: Result<PlanExecutor.Record, any Error>?

  init(record: SandboxRecord, namespace: NetworkNamespace, socket: RouteSocket? = nil,
       early: Result<PlanExecutor.Record, any Error>? = nil) {
    self.record = record
    self.namespace = namespace
    inside = socket
    self.early = early
  }

  func socket() throws -> RouteSocket {
    if let inside { return inside }
    let opened = try RouteSocket.inside(namespace)
    inside = opened
    return opened
  }
}

extension Controller {
  /// Carries a driver's plan out, in the host's namespace and, for its
  /// sandbox steps, in `sandbox`'s. See PlanExecutor.
  @discardableResult
  func execute(_ plan: KernelPlan, in sandbox: SandboxContext? = nil) throws -> PlanExecutor.Record {
    guard !plan.isEmpty else { return PlanExecutor.Record() }
    return try executor(sandbox).run(plan)
  }

  func executor(_ sandbox: SandboxContext?) -> PlanExecutor {
    PlanExecutor(host: { [kernel] in try kernel.host() }, firewall: kernel.firewall, sandbox: sandbox?.namespace,
                 sandboxSocket: sandbox.map { context in { try context.socket() } },
                 namespaces: NetnsDirectory(path: settings.overlayNamespaces), warn: settings.warn)
  }

  /// Takes back what plans made (a join that failed after them); a failure
  /// is a warning line each, and the rest goes on.
  func undo(_ record: PlanExecutor.Record, in sandbox: SandboxContext?) {
    guard !record.isEmpty else { return }
    executor(sandbox).undo(record)
  }

  /// Runs a step of a rollback or a teardown that must go on whatever
  /// happens: a failure is a warning line, `could not WHAT: why`.
  func attempt(_ what: String, _ body: () throws -> Void) {
    warnOnFailure("could not " + what, body)
  }

  /// Runs work beside the command's own that must not fail it: a failure
  /// is a warning line, `LINE: why HINT`, and the command goes on.
  func warnOnFailure(_ line: String, hint: String = "", _ body: () throws -> Void) {
    do {
      try body()
    } catch let error as ReportableError {
      settings.warn("\(line): \(error.message)\(hint)")
    } catch {
      settings.warn("\(line): \(error)\(hint)")
    }
  }

  /// A driver's leave, its external connectivity (published ports)
  /// revoked first. `going`: the sandbox is being removed; its namespace
  /// is deleted (and the kernel reaps what is inside) when cnet made it.
  func leave(_ driver: NetworkDriver, _ endpoint: EndpointRecord, network: NetworkRecord, sandbox: SandboxContext?,
             going: Bool) throws {
    let info = endpoint.info
    let networkInfo = network.info
    try execute(try driver.revokeExternalConnectivity(info, network: networkInfo), in: sandbox)
    // A CNI runtime deletes the container's namespace right after its
    // DELs, and the kernel then reaps the pairs with it, in the background:
    // deleting a veth one by one waits for an RCU grace period (17 ms
    // here). Until then the container's end is down: the container is off
    // the network at once (its peer, the bridge port, loses carrier) and
    // the kernel drops the routes through it, so another interface of the
    // container's gets the default route. A namespace the runtime keeps
    // holds the dead interface until an ADD of its name, or `cnet gc`
    // (its host end's endpoint is gone), removes the pair. (A join rolled
    // back has deleted its pair already: PlanExecutor's undo.)
    let runtimeReaps = sandbox?.record.origin == .cni
    let reaped = going && sandbox?.record.origin == .created || runtimeReaps
    try execute(try driver.leave(info, network: networkInfo, sandboxPresent: sandbox != nil, sandboxGoing: reaped),
                in: sandbox)
    if runtimeReaps, let sandbox, let name = endpoint.interface.flatMap({ try? InterfaceName($0) }),
      let link = try sandbox.socket().linkIfPresent(named: name), link.kind == "veth"
    {
      try sandbox.socket().setLink(link, LinkChanges(up: false))
    }
  }
}

extension NetworkRecord {
  /// What a driver sees of the network.
  var info: NetworkInfo {
    NetworkInfo(
      id: id, name: name, options: options, isInternal: isInternal, ipv6: ipv6,
      subnets: pools.map { SubnetInfo(poolID: $0.poolID, subnet: $0.subnet, range: $0.range, gateway: $0.gateway) },
      bridge: bridge, mtu: mtu, mac: mac)
  }
}

extension EndpointRecord {
  /// What a driver sees of the endpoint.
  var info: EndpointInfo {
    EndpointInfo(id: id, networkID: networkID, name: name, ipv4: ipv4, ipv6: ipv6, mac: mac, ports: ports,
                 interface: interface, hostInterface: hostInterface)
  }
}
