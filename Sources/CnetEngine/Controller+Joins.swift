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
  /// `prepared` is a namespace the caller started creating before it took
  /// the lock (`speculativeNamespace`), so that the kernel's work on it
  /// overlaps the store's; it is used if the sandbox is new and cnet's own,
  /// and dropped otherwise. It is anonymous until it is bound to the
  /// sandbox's name, after the reservation: crash safety is unchanged.
  public func connect(_ networkReference: String, _ sandboxSpec: SandboxSpec, endpoint spec: EndpointSpec,
                      prepared: PendingNamespace? = nil) throws -> (EndpointRecord, SandboxRecord)
  {
    try Names.check(sandboxSpec.name, "sandbox")
    let network = try network(networkReference)
    try requireReady(network.state, "network \"\(network.name)\"")
    var source: EndpointSource
    if let existing = try store.endpoint(network: network.id, named: spec.name) {
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
    // of it), the driver may have the namespace's thread start on the join
    // while this one reserves in the store; the endpoint's id is drawn here
    // for that. (Reserving first and asking after let that thread sit idle:
    // connect 0.26 ms slower at 300 containers.)
    var endpointID: String?
    let available = try { if case .new(let spec) = source { try addressesAvailable(spec, on: network) } else { true } }()
    try realiseIfMissing(network)
    if isNew, case .new = source, let prepared, available {
      let id = Names.newID()
      if try driver(network.driver).prepareJoin(endpointID: id, network: network, interface: Self.nextInterface(after: []),
                                                pending: prepared) {
        endpointID = id
      }
    }
    do {
      return try attach(source, on: network, to: sandbox, sandboxIsNew: isNew, prepared: prepared, endpointID: endpointID)
    } catch {
      // A join that failed after the pair was asked for (attach).
      prepared?.discardPair()
      throw error
    }
  }

  /// A network whose kernel side went behind cnet's back (its bridge
  /// deleted) is realised again, the same id, MAC and gateway, before
  /// anything joins it: drift repaired, as `gc` repairs it.
  func realiseIfMissing(_ network: NetworkRecord) throws {
    let driver = try driver(network.driver)
    guard try !driver.isRealised(network, kernel: kernel) else { return }
    try driver.createNetwork(network, kernel: kernel)
    try files.hosts.ensureNetwork(network)
    try reattachPorts(of: network)
  }

  /// Starts creating the namespace a `connect` of `spec` will probably
  /// need, before the caller waits for the lock: when the sandbox would be a
  /// new namespace of cnet's (no --pid or --netns, no such name yet).
  /// A guess; a wrong one costs only the kernel's work on another core.
  /// The same thread then makes the join's veth pair, when the driver asks
  /// (`prepareJoin`, from `connect`), while this thread reserves in the
  /// store. (A first try at that, an earlier session's, lost; its thread
  /// then often started a millisecond late, see keep_off_this_cpu in
  /// Sources/CShim/netns.c.)
  ///
  /// For a plain `cnet connect NETWORK SANDBOX` the shim has started it
  /// already, before main, on the same guess (Sources/CShim/early_netns.c);
  /// it is taken here only if this guess agrees. (One not taken is never
  /// waited for: unnamed, it goes with the process.)
  public static func speculativeNamespace(for spec: SandboxSpec, settings: Settings = Settings()) -> PendingNamespace? {
    guard spec.pid == nil, spec.netns == nil, let name = try? NamespaceName(spec.name),
      !NetnsDirectory(path: settings.netnsDirectory).exists(name)
    else { return nil }
    if settings.netnsDirectory == NetnsDirectory.standard.path, let early = PendingNamespace.takeEarly() {
      return early
    }
    return try? NetworkNamespace.startCreating()
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

  /// A join, from reservation to commit.
  private func attach(_ source: EndpointSource, on network: NetworkRecord, to sandbox: SandboxRecord, sandboxIsNew: Bool,
                      prepared: PendingNamespace? = nil, endpointID: String? = nil) throws -> (EndpointRecord, SandboxRecord)
  {
    let driver = try driver(network.driver)
    let before = sandboxIsNew ? [] : try store.endpoints(sandbox: sandbox.id)
    let interface = driver.sandboxNamespace == .host ? nil : Self.nextInterface(after: before)
    var endpoint: EndpointRecord
    var endpointIsNew = false

    // Reserve.
    let reservation = IPAMReservation(try ipam(network.ipamDriver))
    endpoint = try store.transaction {
      do {
        if sandboxIsNew { try store.insert(sandbox) }
        var chosen: EndpointRecord
        switch source {
        case .existing(let existing):
          chosen = existing
        case .new(let spec):
          chosen = try reserveEndpoint(spec, on: network, auto: true, reservation: reservation, id: endpointID)
          endpointIsNew = true
        }
        chosen.sandboxID = sandbox.id
        chosen.interface = interface
        chosen.hostInterface = driver.hostInterface(for: chosen)
        chosen.joinState = .joining
        if endpointIsNew {
          try store.insert(chosen)
        } else {
          try store.setJoin(ofEndpoint: chosen.id, sandbox: sandbox.id, interface: interface,
                            hostInterface: chosen.hostInterface, state: .joining)
        }
        return chosen
      } catch {
        reservation.undo()
        throw error
      }
    }

    // Apply. A new sandbox's namespace is meanwhile still being made on
    // the other core (speculativeNamespace); if the driver has not had
    // that thread make the join's link yet (the IPAM driver could not say
    // beforehand whether the addresses would be given), it may now.
    if sandboxIsNew, let prepared, prepared.pairHost == nil, let interface {
      _ = driver.prepareJoin(endpointID: endpoint.id, network: network, interface: interface, pending: prepared)
    }
    let joinedAfter = before.map(\.networkID) + [network.id]
    var context: SandboxContext?
    do {
      // The files first: they need only the reservation, and a new
      // sandbox's namespace is meanwhile still being made on the other core
      // (speculativeNamespace). At 500 containers, `realize` waited 0.75 ms
      // for it after the reservation; the files took 0.26 ms after the
      // join. (Whatever fails below, they are removed again.)
      try files.hosts.add(endpoint, of: sandbox, to: network)
      if sandboxIsNew {
        try files.create(sandbox, joinedNetworks: joinedAfter)
      } else {
        try files.update(sandbox, joinedNetworks: joinedAfter)
      }
      try refreshOwnHosts(on: network.id, except: sandbox.id)
      if sandboxIsNew {
        context = try realize(sandbox, prepared: prepared)
      } else {
        guard let opened = openNamespace(sandbox) else {
          throw CnetError(.notFound, "the namespace of sandbox \"\(sandbox.name)\" is gone; run `cnet gc`")
        }
        context = SandboxContext(record: sandbox, namespace: opened)
      }
      if let context {
        try driver.join(endpoint, network: network, sandbox: context, interface: interface ?? "", kernel: kernel)
        try driver.programExternalConnectivity(endpoint, network: network, kernel: kernel)
        if driver.sandboxNamespace == .own {
          try addDefaultRoutes(for: endpoint, on: network, before: before, in: context)
        }
      }
    } catch {
      // Roll back, then drop the reservation.
      try? leave(driver, endpoint, network: network, sandbox: context, going: sandboxIsNew)
      try? files.hosts.remove(endpoint.id, from: network.id)
      if sandboxIsNew {
        files.remove(sandbox)
        unrealize(sandbox)
      } else {
        try? files.update(sandbox, joinedNetworks: before.map(\.networkID))
      }
      try? store.transaction {
        if endpointIsNew {
          try releaseAndDelete(endpoint)
        } else {
          try store.setJoin(ofEndpoint: endpoint.id, sandbox: nil, interface: nil, hostInterface: nil, state: nil)
        }
        if sandboxIsNew { try store.deleteSandbox(id: sandbox.id) }
      }
      try? refreshOwnHosts(on: network.id, except: sandbox.id)
      throw error
    }

    // Commit.
    try store.transaction {
      try store.markJoined(endpoint: endpoint.id)
      try store.markReady(sandbox: sandbox.id, ownHosts: !HostsFiles.canLink(sandbox, joinedNetworks: joinedAfter))
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
    let sandboxEndpoints = try store.endpoints(sandbox: sandbox.id)
    guard let endpoint = sandboxEndpoints.first(where: { $0.networkID == network.id }) else {
      throw CnetError(.notFound, "sandbox \"\(sandbox.name)\" is not connected to network \"\(network.name)\"")
    }
    try detach(endpoint, from: sandbox, network: network, sandboxEndpoints: sandboxEndpoints, deleteEndpoint: true)
    return endpoint
  }

  /// `network` and `sandboxEndpoints` (all of the sandbox's) when the
  /// caller has read them already; read here otherwise.
  private func detach(_ endpoint: EndpointRecord, from sandbox: SandboxRecord, network known: NetworkRecord? = nil,
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
      try moveDefaultRoutes(from: endpoint, on: network, remaining: others, in: context)
    }
    try files.hosts.remove(endpoint.id, from: network.id)
    var remaining = joined
    if let index = remaining.firstIndex(of: network.id) { remaining.remove(at: index) }
    if sandboxGoes {
      files.remove(sandbox)
      unrealize(sandbox)
    } else {
      try files.update(sandbox, joinedNetworks: remaining)
    }
    try refreshOwnHosts(on: network.id, except: sandbox.id)

    // Commit.
    try store.transaction {
      if deleteEndpoint {
        try driver.deleteEndpoint(endpoint, network: network)
        try releaseAndDelete(endpoint, network: network)
      } else {
        try store.setJoin(ofEndpoint: endpoint.id, sandbox: nil, interface: nil, hostInterface: nil, state: nil)
      }
      if sandboxGoes {
        try store.deleteSandbox(id: sandbox.id)
      } else {
        try store.markReady(sandbox: sandbox.id, ownHosts: !HostsFiles.canLink(sandbox, joinedNetworks: remaining))
      }
    }
  }
}
