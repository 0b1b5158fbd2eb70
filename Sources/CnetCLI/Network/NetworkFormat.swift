import CnetCore
import CnetEngine
import CnetStore

/// How networks are shown: a table row, a text block, and JSON shaped like
/// `docker network inspect`.
enum NetworkFormat {
  static func table(_ networks: [NetworkRecord]) -> Table {
    var table = Table("NETWORK ID", "NAME", "DRIVER", "SCOPE", "SUBNETS")
    for network in networks {
      let subnets = network.pools.map(\.subnet.description)
      table.add([Engine.shortID(network.id), network.name, network.driver, scope(network),
                 subnets.isEmpty ? "-" : subnets.joined(separator: ",")])
    }
    return table
  }

  /// Docker's word for where a network exists: on every host of the
  /// cluster (an overlay network), or on this one.
  static func scope(_ network: NetworkRecord) -> String { network.driver == "overlay" ? "global" : "local" }

  static func json(_ network: NetworkRecord, endpoints: [EndpointRecord], sandboxes: [String: String]) -> JSON {
    var fields: [(String, JSON)] = [
      ("Name", .string(network.name)),
      ("Id", .string(network.id)),
      ("Created", .string(network.created)),
      ("Scope", .string(scope(network))),
      ("Driver", .string(network.driver)),
      ("EnableIPv6", .bool(network.ipv6)),
      ("IPAM", .object([
        ("Driver", .string(network.ipamDriver)),
        ("Config", .array(network.pools.map { pool in
          var config: [(String, JSON)] = [("Subnet", .string(pool.subnet.description))]
          if let range = pool.range { config.append(("IPRange", .string(range.description))) }
          if let gateway = pool.gateway { config.append(("Gateway", .string(gateway.address.description))) }
          return .object(config)
        })),
      ])),
      ("Internal", .bool(network.isInternal)),
    ]
    if let bridge = network.bridge { fields.append(("Bridge", .string(bridge))) }
    if let mtu = network.mtu { fields.append(("MTU", .int(mtu))) }
    fields.append(("Endpoints", .array(endpoints.map { EndpointFormat.summary($0, sandbox: $0.sandboxID.flatMap { sandboxes[$0] }) })))
    fields.append(("Options", jsonObject(network.options)))
    fields.append(("Labels", jsonObject(network.labels)))
    if network.state != .ready { fields.append(("State", .string(network.state.rawValue))) }
    return .object(fields)
  }

  static func text(_ network: NetworkRecord, endpoints: [EndpointRecord], sandboxes: [String: String]) -> String {
    var lines: [(String, String)] = [
      ("Name", network.name), ("ID", network.id), ("Driver", network.driver), ("Scope", scope(network)),
      ("IPAM driver", network.ipamDriver),
    ]
    if let bridge = network.bridge { lines.append(("Bridge", bridge)) }
    for pool in network.pools {
      var text = pool.subnet.description
      if let gateway = pool.gateway { text += ", gateway \(gateway.address)" }
      if let range = pool.range { text += ", range \(range)" }
      lines.append(("Subnet", text))
    }
    lines.append(("IPv6", network.ipv6 ? "yes" : "no"))
    lines.append(("Internal", network.isInternal ? "yes" : "no"))
    if let mtu = network.mtu { lines.append(("MTU", String(mtu))) }
    for option in network.options { lines.append(("Option", "\(option.key)=\(option.value)")) }
    for label in network.labels { lines.append(("Label", "\(label.key)=\(label.value)")) }
    lines.append(("Created", network.created))
    if network.state != .ready { lines.append(("State", network.state.rawValue)) }
    for endpoint in endpoints {
      var text = endpoint.name + " " + endpoint.addresses.map(\.address.description).joined(separator: " ")
      if let id = endpoint.sandboxID { text += " (sandbox \(sandboxes[id] ?? id), \(endpoint.interface ?? "-"))" }
      lines.append(("Endpoint", text))
    }
    return keyValueLines(lines)
  }
}

/// "Key:   value" lines, aligned.
func keyValueLines(_ lines: [(String, String)]) -> String {
  let width = (lines.map(\.0.count).max() ?? 0) + 2
  return lines.map { $0.0 + ":" + String(repeating: " ", count: width - $0.0.count - 1) + $0.1 }.joined(separator: "\n")
}
