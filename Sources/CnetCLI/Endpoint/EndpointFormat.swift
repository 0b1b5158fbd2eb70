import CnetCore
import CnetEngine
import CnetStore

enum EndpointFormat {
  static func table(_ endpoints: [EndpointRecord], networks: [String: String], sandboxes: [String: String]) -> Table {
    var table = Table("ENDPOINT ID", "NAME", "NETWORK", "IPV4", "IPV6", "SANDBOX", "INTERFACE")
    for e in endpoints {
      table.add([
        Engine.shortID(e.id), e.name, networks[e.networkID] ?? Engine.shortID(e.networkID),
        e.ipv4?.description ?? "-", e.ipv6?.description ?? "-",
        e.sandboxID.map { sandboxes[$0] ?? Engine.shortID($0) } ?? "-", e.interface ?? "-",
      ])
    }
    return table
  }

  /// What a network's inspect shows of each endpoint.
  static func summary(_ e: EndpointRecord, sandbox: String?) -> JSON {
    var fields: [(String, JSON)] = [("Name", .string(e.name)), ("EndpointID", .string(e.id))]
    if let sandbox { fields.append(("Sandbox", .string(sandbox))) }
    if let mac = e.mac { fields.append(("MacAddress", .string(mac))) }
    fields.append(("IPv4Address", .string(e.ipv4?.description ?? "")))
    fields.append(("IPv6Address", .string(e.ipv6?.description ?? "")))
    return .object(fields)
  }

  static func json(_ e: EndpointRecord, network: String?, sandbox: String?) -> JSON {
    var fields: [(String, JSON)] = [
      ("Name", .string(e.name)), ("Id", .string(e.id)), ("Network", .string(network ?? e.networkID)),
      ("NetworkID", .string(e.networkID)),
    ]
    fields.append(("IPv4Address", .string(e.ipv4?.description ?? "")))
    fields.append(("IPv6Address", .string(e.ipv6?.description ?? "")))
    fields.append(("MacAddress", .string(e.mac ?? "")))
    fields.append(("Aliases", .array(e.aliases.map { .string($0) })))
    fields.append(("Ports", ports(e)))
    fields.append(("Sandbox", sandbox.map { .string($0) } ?? .null))
    fields.append(("Interface", e.interface.map { .string($0) } ?? .null))
    fields.append(("HostInterface", e.hostInterface.map { .string($0) } ?? .null))
    fields.append(("Created", .string(e.created)))
    if e.state != .ready { fields.append(("State", .string(e.state.rawValue))) }
    if let join = e.joinState, join != .joined { fields.append(("JoinState", .string(join.rawValue))) }
    return .object(fields)
  }

  /// Published ports, shaped like Docker's PortBindings: the port inside
  /// ("80/tcp", or a range) and where on the host it is published.
  static func ports(_ e: EndpointRecord) -> JSON {
    .array(e.ports.map { port in
      .object([
        ("Port", .string("\(range(port.ports))/\(port.proto.rawValue)")),
        ("HostIp", .string(port.hostAddress?.description ?? "")),
        ("HostPort", .string(range(port.hostPorts))),
      ])
    })
  }

  private static func range(_ ports: ClosedRange<UInt16>) -> String {
    ports.count == 1 ? "\(ports.lowerBound)" : "\(ports.lowerBound)-\(ports.upperBound)"
  }

  static func text(_ e: EndpointRecord, network: String?, sandbox: String?) -> String {
    var lines: [(String, String)] = [("Name", e.name), ("ID", e.id), ("Network", network ?? e.networkID)]
    if let a = e.ipv4 { lines.append(("IPv4", a.description)) }
    if let a = e.ipv6 { lines.append(("IPv6", a.description)) }
    if let mac = e.mac { lines.append(("MAC", mac)) }
    if !e.aliases.isEmpty { lines.append(("Aliases", e.aliases.joined(separator: " "))) }
    for port in e.ports { lines.append(("Published", port.description)) }
    lines.append(("Sandbox", sandbox.map { "\($0) (\(e.interface ?? "-"))" } ?? "-"))
    if let host = e.hostInterface { lines.append(("Host interface", host)) }
    lines.append(("Created", e.created))
    if e.state != .ready { lines.append(("State", e.state.rawValue)) }
    return keyValueLines(lines)
  }
}

extension Controller {
  func networkNames() throws -> [String: String] {
    Dictionary(try store.networks().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
  }
}
