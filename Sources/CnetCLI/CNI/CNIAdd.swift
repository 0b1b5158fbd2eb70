import CnetCNI
import CnetCore
import CnetEngine

/// ADD: the interface CNI_IFNAME in the namespace CNI_NETNS, on the cnet
/// network the configuration names (made from its subnet and gateway when
/// there is none), with an address from cnet's IPAM or the one the
/// runtime asks for (CNI_ARGS IP=, runtimeConfig.ips), its MAC (CNI_ARGS
/// MAC=, runtimeConfig.mac), its default route and its published ports
/// (runtimeConfig.portMappings). The result lists the network's bridge,
/// the host's end and the container's interface, after what an earlier
/// plugin of the chain gave (prevResult).
enum CNIAdd {
  static func run(_ environment: CNIEnvironment, _ config: CNIConfig) throws -> JSON {
    let networkName = try CNIPlugin.network(config)
    var spec = ContainerAttachmentSpec(containerID: environment.containerID ?? "", interface: environment.interface ?? "",
                                       netns: environment.netns ?? "")
    spec.name = environment.arg("K8S_POD_NAME")
    var wanted = config.ips
    if let text = environment.arg("IP") {
      for part in text.split(separator: ",") {
        guard let address = CNIConfig.address(String(part)) else {
          throw CNIError(CNIError.invalidEnvironment, "invalid CNI_ARGS IP=\(text): \"\(part)\" is not an IP address")
        }
        if !wanted.contains(address) { wanted.append(address) }
      }
    }
    for address in wanted {
      if let other = address.family == .v4 ? spec.endpoint.ipv4 : spec.endpoint.ipv6 {
        throw CNIError(CNIError.invalidConfiguration, "two addresses of one family asked for: \(other) and \(address)")
      }
      if address.family == .v4 { spec.endpoint.ipv4 = address } else { spec.endpoint.ipv6 = address }
    }
    if let text = environment.arg("MAC") {
      do { spec.endpoint.mac = try MACAddress.unicast(text) } catch {
        throw CNIError(CNIError.invalidEnvironment, "invalid CNI_ARGS MAC=\(text): \(error.message)")
      }
    } else {
      spec.endpoint.mac = config.mac
    }
    spec.endpoint.ports = config.portMappings
    spec.endpoint.cniConfig = config.name

    let controller = try Engine.changing()
    let attachment = try controller.attachContainer(spec, network: networkName, subnet: config.subnet,
                                                    gateway: config.gateway)
    var result = try self.result(attachment, controller: controller)
    result.dns = config.dns
    if let previous = config.prevResult { result = previous.appending(result) }
    return result.json(version: config.cniVersion)
  }

  /// What ADD made, as a result: the bridge, the host's end and the
  /// container's interface; its addresses with their gateways; the default
  /// routes it gives.
  static func result(_ attachment: ContainerAttachment, controller: Controller) throws -> CNIResult {
    let endpoint = attachment.endpoint
    let network = attachment.network
    var result = CNIResult()
    if let bridge = network.bridge { result.interfaces.append(.init(name: bridge, mac: network.mac)) }
    if let host = endpoint.hostInterface { result.interfaces.append(.init(name: host)) }
    result.interfaces.append(.init(name: endpoint.interface ?? "", mac: endpoint.mac, sandbox: attachment.sandbox.target))
    let index = result.interfaces.count - 1
    for address in endpoint.addresses {
      let gateway = network.isInternal
        ? nil : network.pools.first { $0.subnet.contains(address.address) }?.gateway?.address
      result.ips.append(.init(address: address, gateway: gateway, interface: index))
    }
    for gateway in try controller.defaultGateways(of: attachment) {
      result.routes.append(.init(destination: CIDR.any(gateway.family), gateway: gateway.address))
    }
    return result
  }
}
