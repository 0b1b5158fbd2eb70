/// The read-only list commands, run without ArgumentParser when their
/// arguments need no parsing.
///
/// Why: building ArgumentParser's parser costs about 8.5 million
/// instructions at every start (its protocol-conformance lookups scan the
/// ~3,800 conformance records of the binary; measured with callgrind), more
/// than everything else `cnet netns list` does, and more than all of
/// `ip netns list`. Scripts and status loops call these list commands over
/// and over. So an argument vector of exactly a list command, `--json`, and
/// `-n NS` (where the command takes it) is dispatched here to the same
/// `render` function the parsed command calls; anything else (an alias,
/// any other option, --help, a typo) goes through ArgumentParser as usual.
/// CnetCLITests checks that both routes pick the same command with the
/// same values.
enum FastPath: Equatable {
  case netnsList(json: Bool)
  case linkList(json: Bool, namespace: String?)
  case addrList(json: Bool, namespace: String?)
  case routeList(json: Bool, namespace: String?)
  case bridgeList(json: Bool, namespace: String?)

  /// The command `arguments` name, if they are that simple.
  static func match(_ arguments: [String], namespace global: String?) -> FastPath? {
    guard arguments.count >= 2, ["list", "ls", "show"].contains(arguments[1]) else { return nil }
    var json = false
    var namespace: String?
    var rest = arguments.dropFirst(2)
    while let word = rest.first {
      rest = rest.dropFirst()
      if word == "--json", !json {
        json = true
      } else if word == "-n" || word == "--netns", namespace == nil, let value = rest.first {
        namespace = value
        rest = rest.dropFirst()
      } else {
        return nil
      }
    }
    // Both a global and a trailing -n is for the full parser to report.
    if global != nil && namespace != nil { return nil }
    let scope = namespace ?? global
    switch arguments[0] {
    case "netns": return scope == nil ? .netnsList(json: json) : nil
    case "link": return .linkList(json: json, namespace: scope)
    case "addr", "address": return .addrList(json: json, namespace: scope)
    case "route": return .routeList(json: json, namespace: scope)
    case "bridge": return .bridgeList(json: json, namespace: scope)
    default: return nil
    }
  }

  func run() throws {
    switch self {
    case .netnsList(let json): NetnsList.render(json: json)
    case .linkList(let json, let namespace): try LinkList.render(name: nil, type: nil, json: json, namespace: namespace)
    case .addrList(let json, let namespace): try AddrList.render(dev: nil, ipv4: false, ipv6: false, json: json, namespace: namespace)
    case .routeList(let json, let namespace): try RouteList.render(ipv4: false, ipv6: false, json: json, namespace: namespace)
    case .bridgeList(let json, let namespace): try BridgeList.render(json: json, namespace: namespace)
    }
  }
}
