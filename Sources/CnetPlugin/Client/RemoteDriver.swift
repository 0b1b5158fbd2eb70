import CnetCore
import CnetEngine

/// A plugin's NetworkDriver as cnet's NetworkDriver: each CNM verb is the
/// call libnetwork's remote driver makes, with the shapes dockerd sends
/// (the `Interface` object always there, Options under dockerd's keys), so
/// that a plugin written for Docker works unchanged.
///
/// The plugin makes the link; cnet plumbs it as libnetwork does: Join names
/// a link in the host's namespace (`SrcName`), which cnet moves into the
/// sandbox as the endpoint's interface (eth0, eth1, ...) with the
/// endpoint's MAC and addresses, up, with the static routes Join asked
/// for; the default route is the controller's, via the network's gateway.
/// At leave, after the plugin's Leave, the link goes back to the host's
/// namespace under its `SrcName` (remembered in its alias meanwhile), where
/// the plugin expects it at DeleteEndpoint — unless the sandbox is going,
/// when the kernel takes the link with the namespace.
///
/// Teardown calls (DeleteNetwork, DeleteEndpoint, Leave, Revoke) do not
/// fail the command, as with dockerd: a plugin that lost its state must
/// not keep cnet's records alive.
public final class RemoteDriver: NetworkDriver {
  public let name: String
  let plugin: PluginConnection
  /// "local" or "global", from GetCapabilities.
  public let scope: String

  public let sandboxNamespace = SandboxNamespace.own
  public let assignsAddresses = true
  /// The plugin gets the port map; publishing is its job.
  public let publishesPorts = true

  /// Registration as dockerd does it: GetCapabilities, whose Scope must be
  /// "local" or "global".
  init(plugin: PluginConnection) throws {
    name = plugin.name
    self.plugin = plugin
    guard let capabilities = try plugin.call(.network, "GetCapabilities", NoBody?.none, reply: CapabilitiesResponse.self),
      capabilities.Scope == "local" || capabilities.Scope == "global"
    else { throw CnetError(.failed, "plugin \"\(plugin.name)\": GetCapabilities gave no valid Scope") }
    scope = capabilities.Scope
  }

  public func checkOptions(_ options: [KeyValue]) throws {}

  public func prepare(_ network: NetworkInfo, others: [NetworkInfo], links: LinkLookup) throws -> NetworkChoices {
    NetworkChoices()
  }

  /// The plugin makes what it needs on CreateNetwork; nothing is left for
  /// cnet to do in the kernel.
  public func createNetwork(_ network: NetworkInfo) throws -> KernelPlan {
    var options: [String: JSONValue] = [
      DockerOptions.enableIPv6: .bool(network.ipv6),
      DockerOptions.generic: .object(Dictionary(network.options.map { ($0.key, .string($0.value)) }, uniquingKeysWith: { $1 })),
    ]
    if network.isInternal { options[DockerOptions.isInternal] = .bool(true) }
    let data: (IPFamily) -> [IPAMData] = { family in
      network.subnets.filter { $0.subnet.family == family }.map { pool in
        IPAMData(AddressSpace: Self.addressSpace(of: pool.poolID), Pool: pool.subnet.description,
                 Gateway: pool.gateway?.description)
      }
    }
    let request = CreateNetworkRequest(NetworkID: network.id, Options: options, IPv4Data: data(.v4), IPv6Data: data(.v6))
    do {
      _ = try plugin.call(.network, "CreateNetwork", request, reply: NetworkReply.self)
    } catch {
      failedCreations.insert(network.id)
      throw error
    }
    return KernelPlan()
  }

  /// Networks whose CreateNetwork failed in this process: the controller's
  /// rollback removes them, but a plugin gets no DeleteNetwork for a
  /// network it refused (dockerd sends none; the plugin undid its part).
  private var failedCreations: Set<String> = []

  /// The address space a pool id names, for pool ids made as dockerd's
  /// IPAM and cnet's make them ("SPACE/subnet/range"); the engine does not
  /// keep the space apart.
  static func addressSpace(of poolID: String) -> String {
    poolID.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
  }

  public func deleteNetwork(_ network: NetworkInfo) throws -> KernelPlan {
    if !failedCreations.contains(network.id) {
      _ = try? plugin.call(.network, "DeleteNetwork", NetworkRequest(NetworkID: network.id), reply: NetworkReply.self)
    }
    return KernelPlan()
  }

  public func createEndpoint(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> String? {
    let request = CreateEndpointRequest(
      NetworkID: network.id, EndpointID: endpoint.id,
      Interface: EndpointInterface(
        Address: endpoint.ipv4?.description ?? "", AddressIPv6: endpoint.ipv6?.description ?? "",
        MacAddress: endpoint.mac ?? ""),
      Options: Self.portOptions(endpoint))
    let reply = try plugin.call(.network, "CreateEndpoint", request, reply: CreateEndpointResponse.self)
    // Only what was empty may be filled in.
    guard let interface = reply?.Interface else { return endpoint.mac }
    if let address = nonEmpty(interface.Address), address != endpoint.ipv4?.description {
      throw CnetError(.failed, "plugin \"\(name)\": CreateEndpoint changed the address to \(address)")
    }
    if endpoint.mac == nil, let mac = nonEmpty(interface.MacAddress) {
      return try MACAddress.unicast(mac).description
    }
    return endpoint.mac
  }

  public func deleteEndpoint(_ endpoint: EndpointInfo, network: NetworkInfo) throws {
    _ = try? plugin.call(.network, "DeleteEndpoint", EndpointRequest(NetworkID: network.id, EndpointID: endpoint.id),
                         reply: NetworkReply.self)
  }

  /// The plugin names the link at Join; nothing is known before.
  public func hostInterface(endpointID: String) -> String? { nil }

  public func join(_ join: JoinInfo, network: NetworkInfo) throws -> KernelPlan {
    let endpoint = join.endpoint
    let request = JoinRequest(NetworkID: network.id, EndpointID: endpoint.id, SandboxKey: join.sandboxKey,
                              Options: Self.portOptions(endpoint))
    guard let reply = try plugin.call(.network, "Join", request, reply: JoinResponse.self),
      let names = reply.InterfaceName, !names.SrcName.isEmpty
    else { return KernelPlan() }
    let source = try InterfaceName(names.SrcName)
    let interface = try InterfaceName(join.interface)
    // Into the sandbox under its final name, remembering the plugin's.
    var plan = KernelPlan([
      .moveLink(source, from: .host, newName: interface, LinkSettings(up: false, alias: Self.sourceMark + names.SrcName)),
      .setLink(interface, .sandbox, LinkSettings(up: true, mac: try endpoint.mac.map(MACAddress.unicast))),
    ])
    for address in endpoint.addresses {
      plan.steps.append(.addAddress(interface, .sandbox, address, ensure: false))
    }
    for route in reply.StaticRoutes ?? [] {
      let destination = try CIDR(route.Destination)
      let gateway = route.RouteType == 0 ? nonEmpty(route.NextHop).flatMap { IPAddress($0) } : nil
      plan.steps.append(.addRoute(.sandbox, destination: destination.masked, gateway: gateway, link: interface,
                                  keepExisting: false))
    }
    return plan
  }

  /// The alias prefix under which a moved link keeps the plugin's name.
  static let sourceMark = "cnet:plugin-link:"

  public func programExternalConnectivity(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> KernelPlan {
    let request = ExternalConnectivityRequest(NetworkID: network.id, EndpointID: endpoint.id, Options: Self.portOptions(endpoint))
    _ = try plugin.call(.network, "ProgramExternalConnectivity", request, reply: NetworkReply.self, tolerate404: true)
    return KernelPlan()
  }

  public func revokeExternalConnectivity(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> KernelPlan {
    _ = try? plugin.call(.network, "RevokeExternalConnectivity", EndpointRequest(NetworkID: network.id, EndpointID: endpoint.id),
                         reply: NetworkReply.self, tolerate404: true)
    return KernelPlan()
  }

  public func leave(_ endpoint: EndpointInfo, network: NetworkInfo, sandboxPresent: Bool, sandboxGoing: Bool) throws
    -> KernelPlan
  {
    _ = try? plugin.call(.network, "Leave", EndpointRequest(NetworkID: network.id, EndpointID: endpoint.id), reply: NetworkReply.self)
    guard !sandboxGoing, sandboxPresent, let name = endpoint.interface.flatMap({ try? InterfaceName($0) }) else {
      return KernelPlan()
    }
    // Back to the host under the plugin's name, for its DeleteEndpoint.
    return KernelPlan([.restoreLink(name, from: .sandbox, aliasPrefix: Self.sourceMark)])
  }

  /// The endpoint's ports under dockerd's keys: protocol numbers, one entry
  /// per port of a range.
  static func portOptions(_ endpoint: EndpointInfo) -> [String: JSONValue] {
    var portMap: [JSONValue] = []
    var exposed: [JSONValue] = []
    for mapping in endpoint.ports {
      for (offset, port) in mapping.ports.enumerated() {
        let hostPort = Int(mapping.hostPorts.lowerBound) + offset
        let proto = JSONValue.number(Double(mapping.proto.number))
        portMap.append(.object([
          "Proto": proto, "IP": .string(""), "Port": .number(Double(port)),
          "HostIP": .string(mapping.hostAddress?.description ?? ""), "HostPort": .number(Double(hostPort)),
          "HostPortEnd": .number(Double(hostPort)),
        ]))
        exposed.append(.object(["Proto": proto, "Port": .number(Double(port))]))
      }
    }
    return [DockerOptions.exposedPorts: .array(exposed), DockerOptions.portMap: .array(portMap)]
  }
}
