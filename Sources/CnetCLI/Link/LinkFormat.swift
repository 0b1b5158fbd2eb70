import CnetCore
import CnetKernel

/// How links are shown: the words `ip link` uses for flags, states and
/// types, a table row, and `ip -j link`'s JSON shape.
enum LinkFormat {
  /// IFF_* in the order iproute2's print_link_flags prints them.
  private static let flagNames: [(UInt32, String)] = [
    (0x8, "LOOPBACK"), (0x2, "BROADCAST"), (0x10, "POINTOPOINT"), (0x1000, "MULTICAST"),
    (0x80, "NOARP"), (0x200, "ALLMULTI"), (0x100, "PROMISC"), (0x20, "NOTRAILERS"),
    (0x4, "DEBUG"), (0x8000, "DYNAMIC"), (0x4000, "AUTOMEDIA"), (0x2000, "PORTSEL"),
    (0x400, "MASTER"), (0x800, "SLAVE"), (0x1, "UP"), (0x10000, "LOWER_UP"),
    (0x20000, "DORMANT"), (0x40000, "ECHO"),
  ]

  static func flags(_ link: LinkInfo) -> [String] {
    var names: [String] = []
    let running: UInt32 = 0x40
    if link.flags & 0x1 != 0, link.flags & running == 0 { names.append("NO-CARRIER") }
    for (bit, name) in flagNames where link.flags & bit != 0 { names.append(name) }
    return names
  }

  /// IF_OPER_* as `ip` names them.
  static func operState(_ state: UInt8) -> String {
    switch state {
    case 1: "NOTPRESENT"
    case 2: "DOWN"
    case 3: "LOWERLAYERDOWN"
    case 4: "TESTING"
    case 5: "DORMANT"
    case 6: "UP"
    default: "UNKNOWN"
    }
  }

  /// ARPHRD_* as `ip` names them (the common ones).
  static func linkType(_ type: UInt16) -> String {
    switch type {
    case 1: "ether"
    case 772: "loopback"
    case 768: "ipip"
    case 776: "sit"
    case 778: "gre"
    case 823: "ip6gre"
    case 65534: "none"
    default: "[\(type)]"
    }
  }

  static func name(of index: Int32, in links: [LinkInfo]) -> String? {
    links.first { $0.index == index }?.name
  }

  /// The fields of `ip -j link show`, plus linkinfo.info_kind (which ip
  /// prints with -d) and ifalias.
  static func json(_ link: LinkInfo, among links: [LinkInfo]) -> JSON {
    var fields: [(String, JSON)] = [
      ("ifindex", .int(Int(link.index))),
      ("ifname", .string(link.name)),
    ]
    if link.link != 0 {
      if link.linkNetnsID == nil, let peer = name(of: link.link, in: links) {
        fields.append(("link", .string(peer)))
      } else {
        fields.append(("link_index", .int(Int(link.link))))
        if let id = link.linkNetnsID { fields.append(("link_netnsid", .int(Int(id)))) }
      }
    }
    fields.append(("flags", .array(flags(link).map { .string($0) })))
    fields.append(("mtu", .int(Int(link.mtu))))
    if link.master != 0, let master = name(of: link.master, in: links) {
      fields.append(("master", .string(master)))
    }
    fields.append(("operstate", .string(operState(link.operState))))
    fields.append(("link_type", .string(linkType(link.hardwareType))))
    if !link.address.isEmpty { fields.append(("address", .string(formatLinkAddress(link.address)))) }
    if !link.broadcast.isEmpty { fields.append(("broadcast", .string(formatLinkAddress(link.broadcast)))) }
    if let alias = link.alias { fields.append(("ifalias", .string(alias))) }
    if let kind = link.kind { fields.append(("linkinfo", .object([("info_kind", .string(kind))]))) }
    return .object(fields)
  }

  static func table(_ shown: [LinkInfo], among links: [LinkInfo]) -> Table {
    var table = Table("NAME", "TYPE", "STATE", "MTU", "ADDRESS", "MASTER", "FLAGS")
    for link in shown {
      var name = link.name
      // As `ip link` shows a veth's peer: name@peer, or name@ifN elsewhere.
      if link.link != 0 {
        if link.linkNetnsID == nil, let peer = Self.name(of: link.link, in: links) {
          name += "@" + peer
        } else {
          name += "@if\(link.link)"
        }
      }
      table.add([
        name,
        link.kind ?? linkType(link.hardwareType),
        operState(link.operState),
        String(link.mtu),
        link.address.isEmpty ? "-" : formatLinkAddress(link.address),
        link.master == 0 ? "-" : (Self.name(of: link.master, in: links) ?? "if\(link.master)"),
        flags(link).joined(separator: ","),
      ])
    }
    return table
  }
}
