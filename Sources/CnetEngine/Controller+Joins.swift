import CnetCore
import CnetKernel
import CnetStore

extension Controller {
  /// Joins an endpoint to a sandbox, creating the sandbox if needed.
  public func join(_ endpointReference: String, to sandboxName: String) throws -> (EndpointRecord, SandboxRecord) {
    let endpoint = try endpoint(endpointReference)
    try requireReady(endpoint.state, "endpoint \"\(endpoint.name)\"")
    if let current = endpoint.sandboxID {
      let sandbox = try store.sandbox(id: current)
      throw CnetError(.conflict, "endpoint \"\(endpoint.name)\" is already joined to sandbox \"\(sandbox?.name ?? current)\"")
    }
    guard let network = try store.network(id: endpoint.networkID) else {
      throw CnetError(.notFound, "the network of endpoint \"\(endpoint.name)\" is gone")
    }
    let (sandbox, isNew) = try sandboxForJoin(sandboxName, spec: nil, network: network)
    try realiseIfMissing(network)
    return try attach(.existing(endpoint), on: network, to: sandbox, sandboxIsNew: isNew)
  }

  /// `connect NETWORK SANDBOX`: the sandbox if needed (a new namespace, or
  /// the namespace of `spec.pid` linked under the sandbox's name), an
  /// endpoint named after the sandbox, and the join, in one
  /// reserve -> apply -> commit. An endpoint of that name that is not
  /// joined is reused: a container that comes back gets its address back.
  ///
  /// `prepared` is a namespace the caller started making before it took
  /// the lock (`speculativeNamespace`), so that the kernel's work on it
  /// overlaps the store's; it is used if the sandbox is new and cnet's own,
  /// and discarded otherwise. It is anonymous until it is bound to the
  /// sandbox's name, after the reservation: crash safety is unchanged,
  /// but for one window. A sandbox that leaves through the gateway bridge
  /// has that pair made early too, and recorded only by the second join;
  /// a crash between the two joins leaves the pair, marked with its
  /// endpoint's id, for `cnet gc` to remove (its endpoint is not in the
  /// store), as it leaves the sandbox without its way out.
  public func connect(_ networkReference: String, _ sandboxSpec: SandboxSpec, endpoint spec: EndpointSpec,
                      prepared: PendingNamespace? = nil) throws -> (EndpointRecord, SandboxRecord)
  {
    let network: NetworkRecord
    let joined: (EndpointRecord, SandboxRecord)
    var outside: [PortMapping] = []
    // The gateway bridge's endpoint, when its veth pair was made early.
    var gatewayLinks: String?
    do {
      network = try self.network(networkReference)
      // An overlay endpoint publishes nothing itself: its sandbox's ports
      // go to the gateway bridge (Controller+GatewayBridge).
      var own = spec
      if try driver(network.driver).needsGatewayBridge, !network.isInternal {
        outside = spec.ports
        own.ports = []
      }
      joined = try connect(network, sandboxSpec, own, prepared: prepared, gatewayLinks: &gatewayLinks)
    } catch {
      // Refused or failed before the namespace was taken: what its thread
      // made in the host goes now (attach undoes it once taken).
      if let prepared { warnEach(prepared.discard()) }
      throw error
    }
    do {
      try joinGatewayBridge(joined.1, after: network, ports: outside, linksMade: gatewayLinks)
    } catch {
      attempt("undo the connect of \"\(sandboxSpec.name)\" to \"\(network.name)\"") {
        _ = try disconnect(network.id, joined.1.id)
      }
      // The pair made early for the gateway bridge, when the sandbox stays.
      if let gatewayLinks {
        attempt("remove the gateway bridge's pair of \"\(sandboxSpec.name)\"") { try removeGatewayBridgeLinks(gatewayLinks) }
      }
      throw error
    }
    return joined
  }

  /// `linksMade`: the id of the endpoint to make, whose links an earlier
  /// join's early plan made (the gateway bridge's pair). `gatewayLinks`:
  /// set to the id of the gateway bridge's endpoint when this join's early
  /// plan made its pair too.
  func connect(_ network: NetworkRecord, _ sandboxSpec: SandboxSpec, _ spec: EndpointSpec, prepared: PendingNamespace?,
               linksMade: String? = nil, gatewayLinks: inout String?) throws -> (EndpointRecord, SandboxRecord)
  {
    try Names.check(sandboxSpec.name, "sandbox")
    try requireReady(network.state, "network \"\(network.name)\"")
    var source: EndpointSource
    if let existing = try store.endpoint(network: network.id, named: spec.name) {
      // A new endpoint's first request to a store the driver needs is its
      // IPAM's, in the reservation, before anything changes; an existing
      // one's comes after the join's links are made.
      try driver(network.driver).checkReady()
      if existing.sandboxID != nil {
        throw CnetError(.alreadyExists, "sandbox \"\(sandboxSpec.name)\" is already connected to network \"\(network.name)\"")
      }
      if spec.ipv4 != nil || spec.ipv6 != nil || spec.mac != nil || !spec.aliases.isEmpty || !spec.ports.isEmpty {
        throw CnetError(.conflict, "endpoint \"\(spec.name)\" exists on network \"\(network.name)\" with its own addresses and ports; remove it or connect without --ip/--ip6/--mac/--alias/-p")
      }
      try requireReady(existing.state, "endpoint \"\(existing.name)\"")
      source = .existing(existing)
    } else {
      try checkEndpoint(spec, on: network, known: true)
      source = .new(spec)
    }
    let (sandbox, isNew) = try sandboxForJoin(sandboxSpec.name, spec: sandboxSpec, network: network)
    // A new endpoint into a namespace still being made: once all that the
    // request and the store can refuse is checked (its addresses, the last
    // of it), the namespace's thread may start on the join's links while
    // this one reserves in the store; the endpoint's id is drawn here for
    // that. A sandbox that leaves through the gateway bridge gets that
    // pair in the same early plan.
    var endpointID = linksMade
    let available = try { if case .new(let spec) = source { try addressesAvailable(spec, on: network) } else { true } }()
    try realiseIfMissing(network)
    if isNew, case .new = source, let prepared, available, sandbox.origin == .created {
      let id = Names.newID()
      var early = KernelPlan()
      let links = try driver(network.driver).joinLinks(endpointID: id, network: network.info,
                                                       interface: Self.nextInterface(after: []))
      if let links { early += links }
      let gateway = try gatewayBridgeLinks(sandboxSpec.name, after: network)
      if let gateway { early += gateway.plan }
      if !early.isEmpty, prepared.runEarly(early, namespaces: NetnsDirectory(path: settings.overlayNamespaces)) {
        if links != nil { endpointID = id }
        gatewayLinks = gateway?.id
      }
    }
    return try attach(source, on: network, to: sandbox, sandboxIsNew: isNew, prepared: prepared, endpointID: endpointID)
  }

  /// A network whose kernel side went behind cnet's back (its bridge
  /// deleted) is realised again, the same id, MAC and gateway, before
  /// anything joins it: drift repaired, as `gc` repairs it.
  func realiseIfMissing(_ network: NetworkRecord) throws {
    let driver = try driver(network.driver)
    guard try !driver.isRealised(network.info, links: kernel) else { return }
    try execute(try driver.createNetwork(network.info))
    try files.hosts.ensureNetwork(network)
    try reattachPorts(of: network)
  }

  /// Starts making the namespace a `connect` of `spec` will probably
  /// need, before the caller waits for the lock: when the sandbox would be a
  /// new namespace of cnet's (no --pid or --netns, no such name yet).
  /// A guess; `connect` discards a wrong one. The same thread then makes
  /// the join's links (NetworkDriver.joinLinks, asked by `connect`) while
  /// this one reserves in the store.
  public static func speculativeNamespace(for spec: SandboxSpec, settings: Settings = Settings()) -> PendingNamespace? {
    guard spec.pid == nil, spec.netns == nil, let name = try? NamespaceName(spec.name),
      !NetnsDirectory(path: settings.netnsDirectory).exists(name)
    else { return nil }
    return try? PendingNamespace.start(.sandbox, name: name.value)
  }

  enum EndpointSource {
    case existing(EndpointRecord)
    case new(EndpointSpec)
  }

  /// The sandbox a join goes to: the existing one (checked for fit) or a
  /// new one, described but not yet made.
  private func sandboxForJoin(_ name: String, spec: SandboxSpec?, network: NetworkRecord) throws -> (SandboxRecord, Bool) {
    let driver = try driver(network.driver)
    let host = driver.sandboxNamespace == .host
    if let existing = try store.sandbox(named: name) {
      try requireReady(existing.state, "sandbox \"\(existing.name)\"")
      if existing.origin == .external {
        throw CnetError(.conflict, "sandbox \"\(name)\" is dockerd's; connect it with docker network connect")
      }
      if existing.origin == .cni {
        throw CnetError(.conflict, "sandbox \"\(name)\" is a CNI runtime's container; its runtime connects it (a network configuration of type cnet)")
      }
      if let spec, spec.pid != nil || spec.netns != nil {
        throw CnetError(.conflict, "sandbox \"\(name)\" exists already; --pid and --netns apply to a new one")
      }
      let joined = try store.networkIDs(ofSandbox: existing.id)
      if host, existing.origin != .host || !joined.isEmpty {
        throw CnetError(.conflict, "a host network needs a sandbox of its own: \"\(name)\" has a namespace of its own")
      }
      if !host, existing.origin == .host {
        throw CnetError(.conflict, "sandbox \"\(name)\" is on a host network, which shares the host's stack; it cannot join other networks")
      }
      // Its name may lead elsewhere since it was made.
      if !host, let namespace = openNamespace(existing) { try Self.refuseHost(namespace, existing.netns) }
      try files.check(existing)
      return (existing, false)
    }
    return (try prepareSandbox(spec ?? SandboxSpec(name: name), auto: true, hostNamespace: host, known: true), true)
  }

  /// A join, from reservation to commit. `interface`: the name the
  /// sandbox's end gets (a CNI runtime's CNI_IFNAME; the caller has checked
  /// it is free), else the next ethN. `opened`: a new sandbox's namespace
  /// and a socket inside, when the caller has them (see realize).
  func attach(_ source: EndpointSource, on network: NetworkRecord, to sandbox: SandboxRecord, sandboxIsNew: Bool,
              prepared: PendingNamespace? = nil, endpointID: String? = nil, interface named: String? = nil,
              opened: (NetworkNamespace, RouteSocket)? = nil) throws
    -> (EndpointRecord, SandboxRecord)
  {
    let driver = try driver(network.driver)
    let before = sandboxIsNew ? [] : try store.endpoints(sandbox: sandbox.id)
    let interface = driver.sandboxNamespace == .host ? nil : named ?? Self.nextInterface(after: before)
    var endpoint: EndpointRecord
    var endpointIsNew = false

    // Reserve.
    let reservation = IPAMReservation(try ipam(network.ipamDriver))
    // A new endpoint once its addresses are reserved.
    var reserved: EndpointRecord?
    endpoint = try store.transaction {
      do {
        if sandboxIsNew { try store.insert(sandbox) }
        var chosen: EndpointRecord
        reserved = nil
        switch source {
        case .existing(let existing):
          chosen = existing
        case .new(let spec):
          chosen = try reserveEndpoint(spec, on: network, auto: true, reservation: reservation, id: endpointID,
                                       joining: driver.publishesWithAddress)
          reserved = chosen
          endpointIsNew = true
        }
        chosen.sandboxID = sandbox.id
        chosen.interface = interface
        chosen.hostInterface = driver.hostInterface(endpointID: chosen.id)
        chosen.joinState = .joining
        if endpointIsNew {
          try store.insert(chosen)
        } else {
          try store.setJoin(ofEndpoint: chosen.id, sandbox: sandbox.id, interface: interface,
                            hostInterface: chosen.hostInterface, state: .joining)
        }
        return chosen
      } catch {
        // A publication that went with the address's claim goes first.
        if let reserved, driver.publishesWithAddress {
          _ = try? execute(try driver.revokeExternalConnectivity(reserved.info, network: network.info))
        }
        reservation.undo()
        throw error
      }
    }

    // Apply. A new sandbox's namespace is meanwhile still being made on
    // the other core (speculativeNamespace); if its thread has not been
    // given the join's links yet (the IPAM driver could not say beforehand
    // whether the addresses would be given), it may have them now.
    // `linksEarly`: whether this join's links are made (or being made).
    var linksEarly = endpointID != nil && endpointIsNew
    // (Only into a namespace cnet makes: a name that exists by the time
    // the lock is held, `ip netns add` in between, is adopted, and the
    // guess is discarded.)
    if sandboxIsNew, let prepared, sandbox.origin == .created, endpointID == nil, let interface,
      let links = driver.joinLinks(endpointID: endpoint.id, network: network.info, interface: interface)
    {
      linksEarly = prepared.runEarly(links, namespaces: NetnsDirectory(path: settings.overlayNamespaces))
    }
    let joinedAfter = before.map(\.networkID) + [network.id]
    var context: SandboxContext?
    // What the join has made in the kernel so far, for the rollback.
    var made = PlanExecutor.Record()
    // The driver's publication, its answer still to be heard.
    var publishing: PendingPublication?
    do {
      // (A new endpoint went with its address's claim.)
      if !(endpointIsNew && driver.publishesWithAddress) {
        publishing = try driver.startPublishing(endpoint.info, network: network.info)
      }
      // The files first: they need only the reservation, and a new
      // sandbox's namespace is meanwhile still being made on the other
      // core. (Whatever fails below, they are removed again.)
      try files.hosts.add(endpoint, of: sandbox, to: network)
      if sandboxIsNew {
        try files.create(sandbox, joinedNetworks: try namedNetworks(joinedAfter))
      } else {
        try files.update(sandbox, joinedNetworks: try namedNetworks(joinedAfter))
      }
      try refreshOwnHosts(on: network.id, except: sandbox.id)
      if sandboxIsNew {
        context = try realize(sandbox, prepared: prepared, opened: opened)
        afterNamespace?()
      } else {
        guard let opened = openNamespace(sandbox) else {
          throw CnetError(.notFound, "the namespace of sandbox \"\(sandbox.name)\" is gone; run `cnet gc`")
        }
        context = SandboxContext(record: sandbox, namespace: opened)
      }
      if let context {
        let info = endpoint.info
        var plan = KernelPlan()
        switch context.early {
        case .success(let record)?:
          made = record
        case .failure(let error)?:
          throw error
        case nil:
          break
        }
        if !linksEarly, let interface,
          let links = driver.joinLinks(endpointID: endpoint.id, network: network.info, interface: interface)
        {
          plan += links
        }
        let sandboxKey = netns.path + "/" + sandbox.netns
        plan += try driver.join(JoinInfo(endpoint: info, interface: interface ?? "", sandboxKey: sandboxKey),
                                network: network.info)
        if driver.sandboxNamespace == .own {
          plan += try defaultRoutes(for: endpoint, on: network, before: before)
        }
        made = made + (try execute(plan, in: context))
        made = made + (try execute(try driver.programExternalConnectivity(info, network: network.info), in: context))
      }
      if let published = publishing {
        publishing = nil
        try published.confirm()
      }
    } catch {
      // Roll back, every step whatever the others did, then drop the
      // reservation; a publication on its way is heard of first, so that
      // its withdrawal (revokeExternalConnectivity) comes after it.
      publishing?.settle()
      undo(made, in: context)
      attempt("undo the join in the kernel") { try leave(driver, endpoint, network: network, sandbox: context, going: sandboxIsNew) }
      attempt("update the network's hosts file") { try files.hosts.remove(endpoint.id, from: network.id) }
      if sandboxIsNew {
        files.remove(sandbox)
        unrealize(sandbox)
      } else {
        attempt("update the sandbox's files") { try files.update(sandbox, joinedNetworks: try namedNetworks(before.map(\.networkID))) }
      }
      attempt("undo the join's reservation in the store") {
        try store.transaction {
          if endpointIsNew {
            try releaseAndDelete(endpoint)
          } else {
            try store.setJoin(ofEndpoint: endpoint.id, sandbox: nil, interface: nil, hostInterface: nil, state: nil)
          }
          if sandboxIsNew { try store.deleteSandbox(id: sandbox.id) }
        }
      }
      attempt("update the hosts files") { try refreshOwnHosts(on: network.id, except: sandbox.id) }
      throw error
    }

    // Commit.
    try store.transaction {
      try store.markJoined(endpoint: endpoint.id)
      try store.markReady(sandbox: sandbox.id, ownHosts: !HostsFiles.canLink(sandbox, joinedNetworks: try namedNetworks(joinedAfter)))
    }
    endpoint.state = .ready
    endpoint.joinState = .joined
    var committed = sandbox
    committed.state = .ready
    return (endpoint, committed)
  }

  /// eth0, eth1, ...: the lowest number no joined endpoint uses.
  static func nextInterface(after joined: [EndpointRecord]) -> String {
    let used = Set(joined.compactMap(\.interface))
    var n = 0
    while used.contains("eth\(n)") { n += 1 }
    return "eth\(n)"
  }

  /// Takes an endpoint out of its sandbox; it keeps its addresses. The last
  /// endpoint to leave a sandbox that a join made removes the sandbox.
  public func leave(_ endpointReference: String, from sandboxReference: String) throws -> EndpointRecord {
    let endpoint = try endpoint(endpointReference)
    let sandbox = try sandbox(sandboxReference)
    try Self.refuseContainer(sandbox)
    guard endpoint.sandboxID == sandbox.id else {
      throw CnetError(.notFound, "endpoint \"\(endpoint.name)\" is not joined to sandbox \"\(sandbox.name)\"")
    }
    try detach(endpoint, from: sandbox, deleteEndpoint: false)
    return endpoint
  }

  /// `disconnect NETWORK SANDBOX`: leaves and deletes the endpoint, and
  /// removes the sandbox if a join made it and this was its last endpoint.
  public func disconnect(_ networkReference: String, _ sandboxReference: String) throws -> EndpointRecord {
    let network = try network(networkReference)
    let sandbox = try sandbox(sandboxReference)
    try Self.refuseContainer(sandbox)
    let sandboxEndpoints = try store.endpoints(sandbox: sandbox.id)
    guard let endpoint = sandboxEndpoints.first(where: { $0.networkID == network.id }) else {
      throw CnetError(.notFound, "sandbox \"\(sandbox.name)\" is not connected to network \"\(network.name)\"")
    }
    let driver = try driver(network.driver)
    try driver.checkReady()
    if driver.needsGatewayBridge,
      try disconnectWithGatewayBridge(endpoint, from: sandbox, sandboxEndpoints: sandboxEndpoints)
    {
      return endpoint
    }
    try detach(endpoint, from: sandbox, network: network, sandboxEndpoints: sandboxEndpoints, deleteEndpoint: true)
    if driver.needsGatewayBridge { try leaveGatewayBridgeIfUnused(sandbox.name) }
    return endpoint
  }

  /// `network` and `sandboxEndpoints` (all of the sandbox's) when the
  /// caller has read them already; read here otherwise.
  func detach(_ endpoint: EndpointRecord, from sandbox: SandboxRecord, network known: NetworkRecord? = nil,
                      sandboxEndpoints: [EndpointRecord]? = nil, deleteEndpoint: Bool) throws {
    try requireReady(endpoint.state, "endpoint \"\(endpoint.name)\"")
    try requireReady(sandbox.state, "sandbox \"\(sandbox.name)\"")
    guard let network = try known ?? store.network(id: endpoint.networkID) else {
      throw CnetError(.notFound, "the network of endpoint \"\(endpoint.name)\" is gone")
    }
    let driver = try driver(network.driver)
    let all = try sandboxEndpoints ?? store.endpoints(sandbox: sandbox.id)
    let joined = all.map(\.networkID)
    let sandboxGoes = sandbox.isAuto && joined.count == 1

    // Reserve: mark what is going.
    try store.transaction {
      try store.markLeaving(endpoint: endpoint.id, removing: deleteEndpoint)
      if sandboxGoes { try store.setState(ofSandbox: sandbox.id, .removing) }
    }

    // Apply. Removing the namespace reaps the veth: no link is deleted one
    // by one when the sandbox goes.
    let context = openNamespace(sandbox).map { SandboxContext(record: sandbox, namespace: $0) }
    try leave(driver, endpoint, network: network, sandbox: context, going: sandboxGoes)
    if !sandboxGoes, let context, driver.sandboxNamespace == .own {
      let others = all.filter { $0.id != endpoint.id }
      try execute(try movedDefaultRoutes(from: endpoint, on: network, remaining: others), in: context)
    }
    try files.hosts.remove(endpoint.id, from: network.id)
    var remaining = joined
    if let index = remaining.firstIndex(of: network.id) { remaining.remove(at: index) }
    if sandboxGoes {
      files.remove(sandbox)
      unrealize(sandbox)
    } else {
      try files.update(sandbox, joinedNetworks: try namedNetworks(remaining))
    }
    try refreshOwnHosts(on: network.id, except: sandbox.id)

    // Commit.
    try store.transaction {
      if deleteEndpoint {
        try driver.deleteEndpoint(endpoint.info, network: network.info)
        try releaseAndDelete(endpoint, network: network)
      } else {
        try store.setJoin(ofEndpoint: endpoint.id, sandbox: nil, interface: nil, hostInterface: nil, state: nil)
      }
      if sandboxGoes {
        try store.deleteSandbox(id: sandbox.id)
      } else {
        try store.markReady(sandbox: sandbox.id, ownHosts: !HostsFiles.canLink(sandbox, joinedNetworks: try namedNetworks(remaining)))
      }
    }
  }
}
