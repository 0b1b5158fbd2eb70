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
    return try createNetwork(spec)
  }

  /// After `sandbox` joined `network`: its way out, when the network's
  /// driver has it leave through the gateway bridge and it has none yet.
  /// `ports` are published there.
  func joinGatewayBridge(_ sandbox: SandboxRecord, after network: NetworkRecord, ports: [PortMapping]) throws {
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
    _ = try connect(gateway.name, SandboxSpec(name: sandbox.name), endpoint: spec)
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
