import ArgumentParser
import CnetCore
import CnetKernel

struct RouteList: FastPathed, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List the routes of the main table.",
    discussion: """
      Like `ip route show` followed by `ip -6 route show`, in the same words; \
      --json prints `ip -j route` objects with a "family" field added.
      """,
    aliases: ["ls", "show"])

  @Flag(name: .customShort("4"), help: "Only IPv4.")
  var ipv4 = false

  @Flag(name: .customShort("6"), help: "Only IPv6.")
  var ipv6 = false

  @OptionGroup var output: JSONOption
  @OptionGroup var scope: NamespaceOption

  /// RT_TABLE_MAIN, and RTM_F_CLONED (cache entries `ip route` hides).
  static let mainTable: UInt32 = 254
  static let clonedFlag: UInt32 = 0x200

  var fastPath: FastPath { .routeList(ipv4: ipv4, ipv6: ipv6, json: output.json, namespace: scope.netns) }

  /// What the command runs (FastPath.run), parsed or not.
  static func render(ipv4: Bool, ipv6: Bool, json: Bool, namespace: String?) throws {
    if ipv4 && ipv6 { throw CnetError(.invalidArgument, "-4 and -6 contradict each other") }
    let families: [IPFamily] = ipv4 ? [.v4] : ipv6 ? [.v6] : [.v4, .v6]
    let socket = try Kernel.socket(in: namespace)
    let links = try socket.links()
    let routes = try socket.routes(families: families).filter {
      $0.table == Self.mainTable && $0.flags & Self.clonedFlag == 0
    }
    if json {
      emit(.array(routes.map { RouteFormat.json($0, links) }))
    } else {
      for route in routes { print(RouteFormat.text(route, links)) }
    }
  }
}

/// Routes in `ip route`'s words: proto boot and global scope are left out,
/// as ip leaves them out.
enum RouteFormat {
  static func fields(_ route: RouteInfo, _ links: [LinkInfo]) -> [(String, JSON)] {
    var fields: [(String, JSON)] = []
    if route.type != 1 { fields.append(("type", .string(typeName(route.type)))) }
    fields.append(("dst", .string(route.destination?.description ?? "default")))
    if let gateway = route.gateway { fields.append(("gateway", .string(gateway.description))) }
    if let index = route.linkIndex {
      fields.append(("dev", .string(links.first { $0.index == index }?.name ?? "if\(index)")))
    }
    if route.proto != 3 { fields.append(("protocol", .string(protoName(route.proto)))) }
    if route.scope != 0 { fields.append(("scope", .string(scopeName(route.scope)))) }
    if let source = route.preferredSource { fields.append(("prefsrc", .string(source.description))) }
    if let metric = route.metric { fields.append(("metric", .int(Int(metric)))) }
    return fields
  }

  static func json(_ route: RouteInfo, _ links: [LinkInfo]) -> JSON {
    var all = fields(route, links)
    var flags: [JSON] = []
    if route.flags & 0x1 != 0 { flags.append(.string("onlink")) }
    if route.flags & 0x10 != 0 { flags.append(.string("linkdown")) }
    all.append(("flags", .array(flags)))
    all.append(("family", .string(route.family.name)))
    return .object(all)
  }

  static func text(_ route: RouteInfo, _ links: [LinkInfo]) -> String {
    var words: [String] = []
    for (key, value) in fields(route, links) {
      let text: String
      switch value {
      case .string(let s): text = s
      case .int(let n): text = String(n)
      default: continue
      }
      switch key {
      case "dst", "type": words.append(text)
      case "gateway": words += ["via", text]
      case "protocol": words += ["proto", text]
      case "prefsrc": words += ["src", text]
      default: words += [key, text]
      }
    }
    if route.flags & 0x10 != 0 { words.append("linkdown") }
    return words.joined(separator: " ")
  }

  static func protoName(_ proto: UInt8) -> String {
    switch proto {
    case 0: "unspec"
    case 1: "redirect"
    case 2: "kernel"
    case 3: "boot"
    case 4: "static"
    case 9: "ra"
    case 16: "dhcp"
    case 42: "babel"
    case 186: "bgp"
    case 187: "isis"
    case 188: "ospf"
    case 189: "rip"
    default: String(proto)
    }
  }

  static func typeName(_ type: UInt8) -> String {
    switch type {
    case 1: "unicast"
    case 2: "local"
    case 3: "broadcast"
    case 4: "anycast"
    case 5: "multicast"
    case 6: "blackhole"
    case 7: "unreachable"
    case 8: "prohibit"
    case 9: "throw"
    default: String(type)
    }
  }
}
