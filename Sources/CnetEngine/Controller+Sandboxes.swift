import CnetCore
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// What `sandbox create` (or a join that makes a sandbox) asks for.
public struct SandboxSpec: Sendable {
  public var name: String
  /// Link the namespace of this process under the sandbox's name.
  public var pid: Int32?
  /// Use this existing named namespace.
  public var netns: String?
  public var hostname: String?
  public var dns: [IPAddress] = []
  public var dnsSearch: [String] = []
  public var extraHosts: [(host: String, address: IPAddress)] = []

  public init(name: String) { self.name = name }
}

extension Controller {
  /// Decides what a new sandbox will be, checking everything; changes
  /// nothing. `hostNamespace`: it is for a host network.
  /// `known`: the caller has looked the name up already and it is free.
  func prepareSandbox(_ spec: SandboxSpec, auto: Bool, hostNamespace: Bool, known: Bool = false) throws -> SandboxRecord {
    try Names.check(spec.name, "sandbox")
    if !known, try store.sandbox(named: spec.name) != nil {
      throw CnetError(.alreadyExists, "sandbox \"\(spec.name)\" already exists")
    }
    let hostname = spec.hostname ?? spec.name
    try Names.checkHostname(hostname, "host name")
    for domain in spec.dnsSearch { try Names.checkHostname(domain, "search domain") }
    for server in spec.dns {
      // A server a resolver can send a query to: one host's unicast address.
      if let reason = CIDR.hostReason(server) {
        throw CnetError(.invalidArgument, "invalid --dns \(server): \(reason)")
      }
    }
    for entry in spec.extraHosts { try Names.checkHostname(entry.host, "--add-host name") }
    if spec.pid != nil, spec.netns != nil {
      throw CnetError(.invalidArgument, "--pid and --netns exclude each other")
    }
    if hostNamespace, spec.pid != nil || spec.netns != nil {
      throw CnetError(.invalidArgument, "a sandbox on a host network is the host's namespace; --pid and --netns do not apply")
    }

    var origin = SandboxOrigin.created
    var netnsName = spec.name
    let name = try NamespaceName(spec.name)
    let nameTaken = netns.exists(name)
    if hostNamespace {
      origin = .host
    } else if let pid = spec.pid {
      guard pid > 0, ProcessTableProbe.exists(pid) else {
        throw CnetError(.notFound, "cannot find process \(pid)")
      }
      if try NetworkNamespace.of(pid: pid).isHostNamespace {
        throw CnetError(.conflict, "process \(pid) is in the host's own network namespace; a sandbox needs one of its own")
      }
      origin = .pid
    } else if let existing = spec.netns {
      let existingName = try NamespaceName(existing)
      try Self.refuseHost(try netns.open(existingName), existing)
      if let user = try store.sandboxes().first(where: { $0.netns == existing }) {
        throw CnetError(.conflict, "namespace \"\(existing)\" is already sandbox \"\(user.name)\"")
      }
      origin = .netns
      netnsName = existing
    } else if nameTaken {
      // A namespace of that name exists (`ip netns add`): a join adopts it,
      // an explicit create asks for --netns.
      guard auto else {
        throw CnetError(.alreadyExists, "a namespace named \"\(spec.name)\" exists; use --netns \(spec.name) to make it a sandbox")
      }
      try Self.refuseHost(try netns.open(name), name.value)
      origin = .netns
    }
    if origin != .netns, nameTaken {
      throw CnetError(.alreadyExists, "a namespace named \"\(spec.name)\" exists already")
    }
    let sandbox = SandboxRecord(
      id: Names.newID(), name: spec.name, netns: netnsName, origin: origin, pid: spec.pid, isAuto: auto,
      hostname: hostname, dns: spec.dns.map(\.description), dnsSearch: spec.dnsSearch,
      extraHosts: spec.extraHosts.map { "\($0.host):\($0.address)" }, created: Names.now())
    try files.check(sandbox)
    return sandbox
  }

  /// A sandbox is never the host's own namespace (a name that is a link to
  /// /proc/self/ns/net, a host process's namespace): joining it would put
  /// an eth0 and a default route into the host.
  static func refuseHost(_ namespace: NetworkNamespace, _ name: String) throws {
    if namespace.isHostNamespace {
      throw CnetError(.conflict, "namespace \"\(name)\" is the host's own network namespace; a sandbox needs one of its own")
    }
  }

  /// Creates a sandbox on its own (`sandbox create`); it stays until
  /// `sandbox rm`.
  public func createSandbox(_ spec: SandboxSpec) throws -> SandboxRecord {
    var sandbox = try prepareSandbox(spec, auto: false, hostNamespace: false)
    try store.transaction { try store.insert(sandbox) }
    do {
      _ = try realize(sandbox)
      try files.create(sandbox, joinedNetworks: [])
      try store.transaction { try store.setState(ofSandbox: sandbox.id, .ready) }
    } catch {
      files.remove(sandbox)
      unrealize(sandbox)
      try? store.transaction { try store.deleteSandbox(id: sandbox.id) }
      throw error
    }
    sandbox.state = .ready
    return sandbox
  }

  /// Makes the sandbox's namespace exist under its name, and returns a
  /// context on it (with the socket inside, when creating made one).
  /// `prepared`: a namespace already being made (see `connect`); used for
  /// a namespace cnet makes, discarded otherwise. `opened`: the namespace
  /// of a sandbox whose file the caller has opened already (a CNI
  /// runtime's), with a socket inside, for the context.
  func realize(_ sandbox: SandboxRecord, prepared: PendingNamespace? = nil,
               opened: (NetworkNamespace, RouteSocket)? = nil) throws -> SandboxContext {
    let name = try NamespaceName(sandbox.netns)
    if sandbox.origin != .created, let prepared { warnEach(prepared.discard()) }
    switch sandbox.origin {
    case .created:
      let made = try netns.add(name, from: prepared ?? PendingNamespace.start(.sandbox, name: name.value))
      warnEach(made.warnings)
      return SandboxContext(record: sandbox, namespace: made.namespace, socket: made.socket, early: made.early)
    case .pid:
      try netns.link(pid: sandbox.pid ?? 0, as: name, bind: false)
    case .host:
      // Bind cnet's own namespace, the host's, under the name.
      try netns.link(pid: getpid(), as: name, bind: true)
    case .external, .cni:
      try netns.link(file: sandbox.target ?? "", as: name)
      if let (namespace, socket) = opened { return SandboxContext(record: sandbox, namespace: namespace, socket: socket) }
    case .netns:
      break
    }
    return SandboxContext(record: sandbox, namespace: try netns.open(name))
  }

  func warnEach(_ lines: [String]) {
    for line in lines { settings.warn(line) }
  }

  /// Removes what `realize` made: the namespace cnet created (the kernel
  /// then reaps everything inside), or the name it put on someone else's.
  /// What is missing is skipped.
  func unrealize(_ sandbox: SandboxRecord) {
    guard sandbox.origin != .netns, let name = try? NamespaceName(sandbox.netns) else { return }
    try? netns.delete(name)
  }

  /// The sandbox's namespace, or nil when it is gone (its process exited,
  /// someone deleted the name). A name cnet does not pin (a link, someone
  /// else's name) that leads to the host's own namespace now (a
  /// /proc/PID/ns/net whose pid a host process got) leads to no
  /// sandbox's: nothing is to be done to the host in the sandbox's name.
  func openNamespace(_ sandbox: SandboxRecord) -> NetworkNamespace? {
    guard let name = try? NamespaceName(sandbox.netns), let namespace = try? netns.open(name) else { return nil }
    if sandbox.origin != .created, sandbox.origin != .host, namespace.isHostNamespace { return nil }
    return namespace
  }

  /// Removes a sandbox (`sandbox rm`): its endpoints leave (those `connect`
  /// made are deleted, the others keep their addresses), then its namespace
  /// and files go.
  public func removeSandbox(_ reference: String) throws -> SandboxRecord {
    let sandbox = try sandbox(reference)
    try Self.refuseContainer(sandbox)
    try remove(sandbox)
    return sandbox
  }

  /// Removes a sandbox (`sandbox rm`, and `gc` or a runtime's ADD for one
  /// whose namespace is gone): marks what is going, then finishes.
  func remove(_ sandbox: SandboxRecord) throws {
    let endpoints = try store.endpoints(sandbox: sandbox.id)
    try store.transaction {
      for endpoint in endpoints {
        try store.setJoinState(ofEndpoint: endpoint.id, .leaving)
        if endpoint.isAuto { try store.setState(ofEndpoint: endpoint.id, .removing) }
      }
      try store.setState(ofSandbox: sandbox.id, .removing)
    }
    try finishRemoving(sandbox)
  }

  /// The end of a sandbox's removal, and the undoing of an unfinished
  /// creation: endpoints leave, the namespace and files go, records follow.
  func finishRemoving(_ sandbox: SandboxRecord) throws {
    let context = openNamespace(sandbox).map { SandboxContext(record: sandbox, namespace: $0) }
    var touched: Set<String> = []
    for endpoint in try store.endpoints(sandbox: sandbox.id) {
      guard let network = try store.network(id: endpoint.networkID) else { continue }
      if let driver = knownDriver(network.driver) {
        try leave(driver, endpoint, network: network, sandbox: context, going: true)
      }
      try files.hosts.remove(endpoint.id, from: network.id)
      touched.insert(network.id)
    }
    files.remove(sandbox)
    unrealize(sandbox)
    try store.transaction {
      for endpoint in try store.endpoints(sandbox: sandbox.id) {
        if endpoint.state == .ready {
          try store.setJoin(ofEndpoint: endpoint.id, sandbox: nil, interface: nil, hostInterface: nil, state: nil)
        } else {
          try releaseAndDelete(endpoint)
        }
      }
      try store.deleteSandbox(id: sandbox.id)
    }
    for network in touched { try refreshOwnHosts(on: network) }
  }

  /// Writes again the hosts files of the sandboxes that have one of their
  /// own and are on `network` (a sandbox on one network shares the
  /// network's file and needs nothing).
  func refreshOwnHosts(on network: String, except skipped: String? = nil) throws {
    // Within a batch, once for the network when its file is written.
    if files.hosts.deferred.isOn {
      try files.hosts.deferred.holdOwnHosts(of: network)
      return
    }
    for sandbox in try store.sandboxesWithOwnHosts(on: network, except: skipped) {
      try files.update(sandbox, joinedNetworks: try namedNetworks(try store.networkIDs(ofSandbox: sandbox.id)))
    }
  }
}

/// Whether a process exists (a zombie counts), without the kernel layer.
enum ProcessTableProbe {
  static func exists(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
  }
}
