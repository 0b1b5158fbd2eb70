import CnetCore
import CnetEngine
import CnetStore

enum SandboxFormat {
  static func table(_ sandboxes: [SandboxRecord], networks: [String: [String]]) -> Table {
    var table = Table("SANDBOX ID", "NAME", "NETNS", "ORIGIN", "NETWORKS")
    for s in sandboxes {
      let on = networks[s.id] ?? []
      table.add([Engine.shortID(s.id), s.name, s.netns, s.origin.rawValue, on.isEmpty ? "-" : on.joined(separator: ",")])
    }
    return table
  }

  static func json(_ s: SandboxRecord, endpoints: [EndpointRecord], networks: [String: String]) -> JSON {
    var fields: [(String, JSON)] = [
      ("Name", .string(s.name)), ("Id", .string(s.id)), ("Netns", .string("/var/run/netns/" + s.netns)),
      ("Origin", .string(s.origin.rawValue)),
    ]
    if let pid = s.pid { fields.append(("Pid", .int(Int(pid)))) }
    fields.append(("RemovedWithLastEndpoint", .bool(s.isAuto)))
    fields.append(("Hostname", .string(s.hostname)))
    fields.append(("Dns", .array(s.dns.map { .string($0) })))
    fields.append(("DnsSearch", .array(s.dnsSearch.map { .string($0) })))
    fields.append(("ExtraHosts", .array(s.extraHosts.map { .string($0) })))
    fields.append(("Endpoints", .array(endpoints.map { e in
      .object([
        ("Name", .string(e.name)), ("EndpointID", .string(e.id)), ("Network", .string(networks[e.networkID] ?? e.networkID)),
        ("Interface", .string(e.interface ?? "")), ("IPv4Address", .string(e.ipv4?.description ?? "")),
        ("IPv6Address", .string(e.ipv6?.description ?? "")), ("MacAddress", .string(e.mac ?? "")),
        ("Ports", EndpointFormat.ports(e)),
      ])
    })))
    fields.append(("Created", .string(s.created)))
    if s.state != .ready { fields.append(("State", .string(s.state.rawValue))) }
    return .object(fields)
  }

  static func text(_ s: SandboxRecord, endpoints: [EndpointRecord], networks: [String: String]) -> String {
    var lines: [(String, String)] = [("Name", s.name), ("ID", s.id), ("Netns", "/var/run/netns/" + s.netns), ("Origin", s.origin.rawValue)]
    if let pid = s.pid { lines.append(("PID", String(pid))) }
    lines.append(("Host name", s.hostname))
    if !s.dns.isEmpty { lines.append(("DNS", s.dns.joined(separator: " "))) }
    if !s.dnsSearch.isEmpty { lines.append(("DNS search", s.dnsSearch.joined(separator: " "))) }
    for entry in s.extraHosts { lines.append(("Extra host", entry)) }
    lines.append(("Removed with", s.isAuto ? "its last endpoint" : "sandbox rm"))
    for e in endpoints {
      lines.append(("Endpoint", "\(e.interface ?? "-") \(e.name) on \(networks[e.networkID] ?? e.networkID) \(e.addresses.map(\.description).joined(separator: " "))"))
      for port in e.ports { lines.append(("Published", "\(port) (\(e.name))")) }
    }
    lines.append(("Created", s.created))
    if s.state != .ready { lines.append(("State", s.state.rawValue)) }
    return keyValueLines(lines)
  }
}
