import CnetCore
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

// The engine driven by a CNI runtime (podman, containerd, CRI-O, libcni):
// the runtime makes the container's namespace and names an attachment by
// (container id, interface name); cnet makes the interface in that
// namespace on one of its networks, under the same lock and with the same
// reserve -> apply -> commit as `cnet connect`. The container is a cnet
// sandbox (origin `cni`, its namespace file linked under the sandbox's
// name, so `cnet exec` and `ip netns exec` reach it) and each attachment
// is an endpoint joined to it, so `cnet sandbox ls` lists the runtime's
// containers and the network's hosts file names them.
//
// The runtime tears down with DEL, which must succeed whatever is
// already gone (the namespace, the records): what is missing is no error.

/// An attachment a CNI runtime asks for (ADD).
public struct ContainerAttachmentSpec: Sendable {
  /// CNI_CONTAINERID.
  public var containerID: String
  /// CNI_IFNAME: the interface's name in the container.
  public var interface: String
  /// CNI_NETNS: the container's namespace file.
  public var netns: String
  /// The container's name, when the runtime gives one (K8S_POD_NAME): the
  /// sandbox's, the endpoint's and the host name, when free.
  public var name: String?
  /// Its addresses, MAC and published ports (the endpoint's name is chosen
  /// here).
  public var endpoint = EndpointSpec(name: "")

  public init(containerID: String, interface: String, netns: String) {
    self.containerID = containerID
    self.interface = interface
    self.netns = netns
  }
}

/// One interface of a runtime's container, as the store has it.
public struct ContainerAttachment: Sendable {
  public var endpoint: EndpointRecord
  public var sandbox: SandboxRecord
  public var network: NetworkRecord
  /// All the sandbox's endpoints, when known without asking the store (a
  /// sandbox the attachment made has it alone).
  var sandboxEndpoints: [EndpointRecord]?
}

extension Controller {
  /// The network a runtime's configuration names, made as a bridge network
  /// from its `subnet` and `gateway` when there is none of that name
  /// (`made`). An existing network must agree with both: a configuration
  /// is refused rather than silently given another subnet.
  public func containerNetwork(named name: String, subnet: CIDR?, gateway: IPAddress?) throws
    -> (network: NetworkRecord, made: Bool)
  {
    if let existing = try checkContainerNetwork(named: name, subnet: subnet, gateway: gateway) {
      return (existing, false)
    }
    var spec = NetworkSpec(name: name)
    if let subnet { spec.subnets = [subnet] }
    if let gateway { spec.gateways = [gateway] }
    return (try createNetwork(spec), true)
  }

  /// The network of that name if there is one, checked as
  /// `containerNetwork` checks it; nil when there is none.
  public func checkContainerNetwork(named name: String, subnet: CIDR?, gateway: IPAddress?) throws -> NetworkRecord? {
    if let gateway, subnet == nil {
      throw CnetError(.invalidArgument, "gateway \(gateway) is given without a subnet")
    }
    guard let existing = try store.network(named: name) else { return nil }
    try requireReady(existing.state, "network \"\(name)\"")
    if let subnet {
      guard let pool = existing.pools.first(where: { $0.subnet == subnet }) else {
        let has = existing.pools.map(\.subnet.description).joined(separator: ", ")
        throw CnetError(.invalidArgument, "network \"\(name)\" exists with subnet \(has.isEmpty ? "none" : has), not \(subnet)")
      }
      if let gateway, pool.gateway?.address != gateway {
        throw CnetError(.invalidArgument, "network \"\(name)\" exists with gateway \(pool.gateway?.address.description ?? "none"), not \(gateway)")
      }
    }
    let driver = try driver(existing.driver)
    guard driver.sandboxNamespace == .own else {
      throw CnetError(.invalidArgument, "network \"\(name)\" is a \(existing.driver) network; a container's interface needs one that makes it")
    }
    // An overlay's container leaves through a second interface on the
    // gateway bridge, which a CNI attachment (one interface) has no room for.
    guard !driver.needsGatewayBridge else {
      throw CnetError(.invalidArgument, "network \"\(name)\" is a \(existing.driver) network, which CNI attachments cannot use yet")
    }
    return existing
  }

  /// ADD: the interface `spec.interface` of the container, in its
  /// namespace, on the network named `network`, made from `subnet` and
  /// `gateway` when there is none (and removed again when the attachment
  /// fails). The container's sandbox is made with its first attachment. An
  /// attachment that exists already is refused, as is a namespace file
  /// that is no network namespace, or is the host's; all of that before
  /// the network is made.
  public func attachContainer(_ spec: ContainerAttachmentSpec, network name: String, subnet: CIDR?, gateway: IPAddress?)
    throws -> ContainerAttachment
  {
    let target = try containerTarget(spec)
    if let subnet, let outside = [spec.endpoint.ipv4, spec.endpoint.ipv6].compactMap({ $0 }).first(where: {
      $0.family == subnet.family && !subnet.contains($0)
    }) {
      throw CnetError(.invalidArgument, "address \(outside) is not in subnet \(subnet)")
    }
    let (network, made) = try containerNetwork(named: name, subnet: subnet, gateway: gateway)
    do {
      return try attachContainer(target, to: network, spec)
    } catch {
      if made { attempt("remove network \"\(network.name)\" again") { _ = try removeNetworks([network.id]) } }
      throw error
    }
  }

  /// Where an attachment goes: the container's sandbox (new or not), its
  /// namespace, and a socket inside.
  private struct ContainerTarget {
    var sandbox: SandboxRecord
    var isNew: Bool
    var namespace: NetworkNamespace
    var inside: RouteSocket
  }

  /// Everything an ADD's request and the store can tell, then what the
  /// namespace can: that the interface is not in it yet. Nothing changes,
  /// but for what is stale: a sandbox whose namespace is gone, a pair cnet
  /// left in the namespace.
  private func containerTarget(_ spec: ContainerAttachmentSpec) throws -> ContainerTarget {
    // The specification's characters, and no length limit of its own:
    // podman's and containerd's ids are 64 hex digits.
    try Names.check(spec.containerID, "container id", limit: 1024)
    _ = try InterfaceName(spec.interface)
    guard spec.netns.hasPrefix("/") else {
      throw CnetError(.invalidArgument, "namespace \"\(spec.netns)\" is not an absolute path")
    }
    if let stale = try store.sandbox(container: spec.containerID), stale.state == .ready, openNamespace(stale) == nil {
      // Its namespace went without a DEL (the runtime's cleanup died): its
      // records go, as `cnet gc` would take them.
      try remove(stale)
    }
    if let existing = try store.sandbox(container: spec.containerID) {
      try requireReady(existing.state, "sandbox \"\(existing.name)\"")
      guard existing.target == spec.netns else {
        throw CnetError(.conflict, "container \(spec.containerID) is attached already in namespace \(existing.target ?? "-"), not \(spec.netns)")
      }
      let joined = try store.endpoints(sandbox: existing.id)
      if let same = joined.first(where: { $0.interface == spec.interface }) {
        throw CnetError(.alreadyExists, "container \(spec.containerID) has interface \(spec.interface) already (endpoint \"\(same.name)\")")
      }
      guard let namespace = openNamespace(existing) else {
        throw CnetError(.notFound, "the namespace of container \(spec.containerID) is gone")
      }
      let inside = try RouteSocket.inside(namespace)
      try clearInterface(spec.interface, in: inside, netns: spec.netns)
      return ContainerTarget(sandbox: existing, isNew: false, namespace: namespace, inside: inside)
    }
    if let other = try store.sandbox(target: spec.netns) {
      throw CnetError(.conflict, "namespace \(spec.netns) is sandbox \"\(other.name)\" already")
    }
    let namespace: NetworkNamespace
    do {
      namespace = try NetworkNamespace.open(path: spec.netns, name: nil)
    } catch {
      throw CnetError(.notFound, "cannot open namespace \(spec.netns): \(error.message)")
    }
    try Self.refuseHost(namespace, spec.netns)
    let name = try containerSandboxName(spec)
    let inside = try RouteSocket.inside(namespace)
    try clearInterface(spec.interface, in: inside, netns: spec.netns)
    // The container's name is its host name too, when it is a valid one.
    let hostname = spec.name.flatMap { given in (try? Names.checkHostname(given, "host name")) != nil ? given : nil }
    let sandbox = SandboxRecord(id: Names.newID(), name: name, netns: name, origin: .cni, isAuto: true,
                                hostname: hostname ?? name, created: Names.now(), target: spec.netns,
                                containerID: spec.containerID)
    return ContainerTarget(sandbox: sandbox, isNew: true, namespace: namespace, inside: inside)
  }

  /// The rest of an ADD, on its network.
  private func attachContainer(_ target: ContainerTarget, to network: NetworkRecord, _ spec: ContainerAttachmentSpec)
    throws -> ContainerAttachment
  {
    try requireReady(network.state, "network \"\(network.name)\"")
    let sandbox = target.sandbox
    let sandboxIsNew = target.isNew
    var endpoint = spec.endpoint
    endpoint.name = sandbox.name
    if try store.endpoint(network: network.id, named: endpoint.name) != nil {
      endpoint.name = sandbox.name + "-" + spec.interface
      if try store.endpoint(network: network.id, named: endpoint.name) != nil {
        throw CnetError(.alreadyExists, "endpoint \"\(endpoint.name)\" already exists on network \"\(network.name)\"")
      }
    }
    try checkEndpoint(endpoint, on: network, known: true)
    _ = try addressesAvailable(endpoint, on: network)
    try realiseIfMissing(network)
    let (joined, committed) = try attach(.new(endpoint), on: network, to: sandbox, sandboxIsNew: sandboxIsNew,
                                         interface: spec.interface,
                                         opened: sandboxIsNew ? (target.namespace, target.inside) : nil)
    return ContainerAttachment(endpoint: joined, sandbox: committed, network: network,
                               sandboxEndpoints: sandboxIsNew ? [joined] : nil)
  }

  /// Refuses an interface of that name in the container's namespace
  /// (the specification makes it an error), but for one cnet left there:
  /// the pair of an attachment a DEL removed while the runtime kept the
  /// namespace (see KernelContext.leave), deleted now.
  private func clearInterface(_ interface: String, in inside: RouteSocket, netns path: String) throws {
    let name = try InterfaceName(interface)
    guard let link = try inside.linkIfPresent(named: name) else { return }
    let refused = CnetError(.alreadyExists, "interface \(interface) exists already in namespace \(path)")
    // The host's end of a veth cnet made: its peer, marked with an
    // endpoint the store no longer has.
    guard link.kind == "veth", link.linkNetnsID != nil,
      let host = try kernel.host().links().first(where: { $0.index == link.link && $0.link == link.index }),
      let mark = OwnerMark.parse(host.alias), mark.kind == "endpoint", try store.endpoint(id: mark.id) == nil
    else { throw refused }
    do {
      try kernel.host().deleteLink(host)
    } catch let error as KernelError where error.code == ENODEV {
      // Gone meanwhile, with its namespace's end.
    }
  }

  /// A runtime's container leaves its networks through its runtime
  /// (DEL): cnet's own commands would take it off behind the runtime's
  /// back, and leave records that no DEL finds.
  static func refuseContainer(_ sandbox: SandboxRecord) throws {
    guard sandbox.origin == .cni else { return }
    throw CnetError(.conflict, "sandbox \"\(sandbox.name)\" is a CNI runtime's container; its runtime takes it off its networks (CNI DEL)")
  }

  /// The sandbox's name: the container's name when it is a valid one that
  /// no sandbox or namespace has, else cni- and the start of its id.
  private func containerSandboxName(_ spec: ContainerAttachmentSpec) throws -> String {
    var candidates: [String] = []
    if let name = spec.name { candidates.append(name) }
    candidates.append("cni-" + String(spec.containerID.prefix(12)))
    candidates.append("cni-" + String(spec.containerID.prefix(59)))
    for name in candidates {
      guard (try? Names.check(name, "sandbox")) != nil, let namespaceName = try? NamespaceName(name),
        try store.sandbox(named: name) == nil, !netns.exists(namespaceName)
      else { continue }
      return name
    }
    throw CnetError(.alreadyExists, "no free sandbox name for container \(spec.containerID): \(candidates.joined(separator: ", ")) are taken")
  }

  /// The attachment (container id, interface), or nil.
  public func containerAttachment(_ containerID: String, interface: String) throws -> ContainerAttachment? {
    guard let sandbox = try store.sandbox(container: containerID),
      let endpoint = try store.endpoints(sandbox: sandbox.id).first(where: { $0.interface == interface }),
      let network = try store.network(id: endpoint.networkID)
    else { return nil }
    return ContainerAttachment(endpoint: endpoint, sandbox: sandbox, network: network, sandboxEndpoints: nil)
  }

  /// Every attachment of every runtime's container, or those on `network`.
  public func containerAttachments(on network: String? = nil) throws -> [ContainerAttachment] {
    var all: [ContainerAttachment] = []
    var networks: [String: NetworkRecord] = [:]
    for sandbox in try store.containerSandboxes() {
      for endpoint in try store.endpoints(sandbox: sandbox.id) where network == nil || endpoint.networkID == network {
        guard let record = try networks[endpoint.networkID] ?? store.network(id: endpoint.networkID) else { continue }
        networks[record.id] = record
        all.append(ContainerAttachment(endpoint: endpoint, sandbox: sandbox, network: record, sandboxEndpoints: nil))
      }
    }
    return all
  }

  /// DEL: removes the attachment: its ports, the pair (when the namespace
  /// is still there), the endpoint and its addresses, and the sandbox with
  /// its last attachment (only the name cnet gave the namespace: the
  /// namespace is the runtime's). Returns false when there was none.
  @discardableResult
  public func detachContainer(_ containerID: String, interface: String) throws -> Bool {
    guard let attachment = try containerAttachment(containerID, interface: interface) else { return false }
    // An interrupted change was settled when the controller was made;
    // what is still unsettled is another's, under way.
    try detach(attachment.endpoint, from: attachment.sandbox, network: attachment.network, deleteEndpoint: true)
    return true
  }

  /// The gateways of the default routes the attachment gives its
  /// container (one per family at most): those it provides as the
  /// container's first interface on a network with a gateway.
  public func defaultGateways(of attachment: ContainerAttachment) throws -> [CIDR] {
    let all = try attachment.sandboxEndpoints ?? store.endpoints(sandbox: attachment.sandbox.id)
    var gateways: [CIDR] = []
    for family in [IPFamily.v4, .v6] {
      guard let (provider, gateway) = try gatewayProvider(family, among: all, known: [attachment.network]),
        provider.id == attachment.endpoint.id
      else { continue }
      gateways.append(gateway)
    }
    return gateways
  }

  /// CHECK: what ADD made is still there: the namespace, the interface in
  /// it with its MAC (`mac`, what the runtime's result says, which a later
  /// plugin may have changed; else the endpoint's) and the endpoint's
  /// addresses, the host's end on the network's bridge. Throws the first
  /// difference.
  public func checkContainer(_ attachment: ContainerAttachment, mac expected: MACAddress? = nil) throws {
    let endpoint = attachment.endpoint
    let sandbox = attachment.sandbox
    try requireReady(endpoint.state, "endpoint \"\(endpoint.name)\"")
    guard let namespace = openNamespace(sandbox) else {
      throw CnetError(.notFound, "the namespace of container \(sandbox.containerID ?? sandbox.name) is gone")
    }
    let inside = try RouteSocket.inside(namespace)
    let name = try InterfaceName(endpoint.interface ?? "")
    guard let link = try inside.linkIfPresent(named: name) else {
      throw CnetError(.notFound, "interface \(name) is missing in the container's namespace")
    }
    if let want = try expected ?? endpoint.mac.map(MACAddress.init), link.address != want.bytes {
      let have = MACAddress(bytes: link.address)?.description ?? "none"
      throw CnetError(.conflict, "interface \(name) has MAC \(have), not \(want)")
    }
    let have = Set(try inside.addresses(on: link).map(\.cidr))
    for address in endpoint.addresses where !have.contains(address) {
      throw CnetError(.notFound, "interface \(name) lacks address \(address)")
    }
    let driver = try driver(attachment.network.driver)
    if let host = endpoint.hostInterface, let hostName = try? InterfaceName(host) {
      guard let hostLink = try kernel.host().linkIfPresent(named: hostName) else {
        throw CnetError(.notFound, "the host's end \(host) of interface \(name) is missing")
      }
      if let bridge = attachment.network.bridge, let bridgeName = try? InterfaceName(bridge) {
        let master = try kernel.host().index(of: bridgeName)
        guard hostLink.master == master else {
          throw CnetError(.conflict, "the host's end \(host) of interface \(name) is not on bridge \(bridge)")
        }
      }
    }
    guard try driver.isRealised(attachment.network.info, links: kernel) else {
      throw CnetError(.notFound, "network \"\(attachment.network.name)\" is not realised in the kernel; run `cnet gc`")
    }
  }
}
