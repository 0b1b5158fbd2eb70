import CnetCore
import CnetStore

/// The way out of overlay networks: a sandbox on one (not internal) also
/// joins a local bridge network, `cnet_gwbridge`, with NAT, which carries
/// its default route and publishes its ports; the overlay carries only the
/// traffic between its sandboxes, on any host. Docker does the same with
/// docker_gwbridge.
extension Controller {
  public static let gatewayBridgeName = "cnet_gwbridge"

  /// The gateway bridge network, made the first time a sandbox needs it.
  func gatewayBridge() throws -> NetworkRecord {
    if let found = try store.network(named: Self.gatewayBridgeName) { return found }
    var spec = NetworkSpec(name: Self.gatewayBridgeName)
    // Sandboxes of different overlay networks must not meet here.
    spec.options = [KeyValue(BridgeDriver.bridgeNameOption, Self.gatewayBridgeName), KeyValue(BridgeDriver.iccOption, "false")]
    let made = try createNetwork(spec)
    gatewayBridgeLookup = .some(made.id)
    return made
  }

  /// The networks whose names a sandbox's hosts file lists, of those it
  /// joined: all but the gateway bridge, a way out and nothing more (as
  /// Docker's docker_gwbridge). A sandbox on one overlay network then
  /// shares that network's file, and a join to the gateway bridge does not
  /// write again the file of every sandbox on it.
  func namedNetworks(_ joined: [String]) throws -> [String] {
    guard joined.count > 1 else { return joined }
    if gatewayBridgeLookup == nil { gatewayBridgeLookup = .some(try store.network(named: Self.gatewayBridgeName)?.id) }
    guard let gateway = gatewayBridgeLookup ?? nil else { return joined }
    return joined.filter { $0 != gateway }
  }

  /// After `sandbox` joined `network`: its way out, when the network's
  /// driver has it leave through the gateway bridge and it has none yet.
  /// `ports` are published there.
  /// `linksMade`: the endpoint whose veth pair the join's early plan made
  /// (gatewayBridgeLinks).
  func joinGatewayBridge(_ sandbox: SandboxRecord, after network: NetworkRecord, ports: [PortMapping],
                         linksMade: String? = nil) throws {
    guard !network.isInternal, let driver = knownDriver(network.driver), driver.needsGatewayBridge else { return }
    let gateway = try gatewayBridge()
    if try store.endpoints(sandbox: sandbox.id).contains(where: { $0.networkID == gateway.id }) {
      guard ports.isEmpty else {
        throw CnetError(.conflict, "sandbox \"\(sandbox.name)\" publishes through \(Self.gatewayBridgeName) already; give -p with its first overlay network")
      }
      return
    }
    var spec = EndpointSpec(name: sandbox.name)
    spec.ports = ports
    var unused: String?
    _ = try connect(gateway, SandboxSpec(name: sandbox.name), spec, prepared: nil, linksMade: linksMade, gatewayLinks: &unused)
  }

  /// For a new sandbox joining `network`: the veth pair it will have on
  /// the gateway bridge (as `eth1`, after the network's `eth0`) and the id
  /// of the endpoint it is for, so that the thread making the sandbox's
  /// namespace makes it with the network's own pair while this one waits
  /// on the store; nil when the sandbox will not leave through the gateway
  /// bridge, or the bridge is not there yet (the join makes it).
  func gatewayBridgeLinks(_ sandboxName: String, after network: NetworkRecord) throws -> (id: String, plan: KernelPlan)? {
    guard !network.isInternal, try driver(network.driver).needsGatewayBridge,
      let gateway = try store.network(named: Self.gatewayBridgeName), gateway.state == .ready,
      try store.endpoint(network: gateway.id, named: sandboxName) == nil
    else { return nil }
    let driver = try driver(gateway.driver)
    guard try driver.isRealised(gateway.info, links: kernel) else { return nil }
    let id = Names.newID()
    guard let plan = driver.joinLinks(endpointID: id, network: gateway.info, interface: "eth1") else { return nil }
    return (id, plan)
  }

  /// Removes the pair gatewayBridgeLinks gave for `endpointID` when no
  /// join recorded it (what is gone already is no error).
  func removeGatewayBridgeLinks(_ endpointID: String) throws {
    guard let gateway = try store.network(named: Self.gatewayBridgeName), try store.endpoint(id: endpointID) == nil else { return }
    let info = EndpointInfo(id: endpointID, networkID: gateway.id, name: "")
    try execute(try driver(gateway.driver).leave(info, network: gateway.info, sandboxPresent: true, sandboxGoing: false))
  }

  /// `disconnect` from a network that needed the gateway bridge, of a
  /// sandbox a join made whose one other endpoint is on the gateway bridge:
  /// the sandbox goes with both, as `sandbox rm` takes it, its namespace's
  /// removal reaping both veth pairs. (A veth deleted by itself waits for
  /// the kernel to let go of it, tens of milliseconds; the links of a
  /// namespace that goes are freed in the background.) False when the
  /// sandbox does not qualify; the caller then disconnects one by one.
  func disconnectWithGatewayBridge(_ endpoint: EndpointRecord, from sandbox: SandboxRecord,
                                   sandboxEndpoints: [EndpointRecord]) throws -> Bool {
    guard sandbox.isAuto, sandboxEndpoints.count == 2,
      let other = sandboxEndpoints.first(where: { $0.id != endpoint.id }),
      try namedNetworks([endpoint.networkID, other.networkID]) == [endpoint.networkID]
    else { return false }
    try requireReady(endpoint.state, "endpoint \"\(endpoint.name)\"")
    try requireReady(other.state, "endpoint \"\(other.name)\"")
    try requireReady(sandbox.state, "sandbox \"\(sandbox.name)\"")
    try store.transaction {
      try store.markLeaving(endpoint: endpoint.id, removing: true)
      try store.markLeaving(endpoint: other.id, removing: true)
      try store.setState(ofSandbox: sandbox.id, .removing)
    }
    try finishRemoving(sandbox)
    return true
  }

  /// After the sandbox named `sandboxName` left a network: it leaves the
  /// gateway bridge too when no network that needs it is left.
  func leaveGatewayBridgeIfUnused(_ sandboxName: String) throws {
    guard let sandbox = try store.sandbox(named: sandboxName),
      let gateway = try store.network(named: Self.gatewayBridgeName)
    else { return }
    let endpoints = try store.endpoints(sandbox: sandbox.id)
    guard endpoints.contains(where: { $0.networkID == gateway.id }) else { return }
    for endpoint in endpoints where endpoint.networkID != gateway.id {
      guard let network = try store.network(id: endpoint.networkID) else { continue }
      if !network.isInternal, knownDriver(network.driver)?.needsGatewayBridge == true { return }
    }
    _ = try disconnect(gateway.id, sandbox.id)
  }
}
