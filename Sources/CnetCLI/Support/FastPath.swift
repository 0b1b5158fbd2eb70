import CnetCore
import CnetEngine

/// The commands scripts run over and over, run without ArgumentParser when
/// their arguments need no parsing.
///
/// Why: building ArgumentParser's parser costs about 8.5 million
/// instructions at every start (its protocol-conformance lookups scan the
/// ~3,800 conformance records of the binary; measured with callgrind), about
/// 1.2 ms: more than all of `ip netns list`, and a third of a `connect`.
/// So an argument vector that is exactly one of these commands, with only
/// positional arguments (plus `--json` and `-n NS` for the list commands),
/// is dispatched here to the same function the parsed command calls:
///
///     netns list|ls|show, link|addr|route|bridge list|ls|show [--json] [-n NS]
///     netns add NAME, netns del|delete|rm NAME...
///     exec NAME CMD..., netns exec NAME CMD...
///     connect NETWORK SANDBOX [-p|--publish PORT]..., disconnect NETWORK SANDBOX
///     --version (scripts ask it before they use a tool; through
///     ArgumentParser it took 3.1 ms, here 0.8)
///
/// Anything else (any option, an alias of a group, --help, a word starting
/// with '-', a typo) goes through ArgumentParser as usual. CnetCLITests
/// checks that both routes pick the same command with the same values.
enum FastPath: Equatable {
  case netnsList(json: Bool)
  case linkList(json: Bool, namespace: String?)
  case addrList(json: Bool, namespace: String?)
  case routeList(json: Bool, namespace: String?)
  case bridgeList(json: Bool, namespace: String?)
  case netnsAdd(String)
  case netnsDelete([String])
  case exec(String, [String])
  case connect(network: String, sandbox: String, publish: [String])
  case disconnect(network: String, sandbox: String)
  case version

  /// The command `arguments` name, if they are that simple.
  static func match(_ arguments: [String], namespace global: String?) -> FastPath? {
    if global == nil, let plain = matchPlain(arguments) { return plain }
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

  /// The commands that take only positional words.
  private static func matchPlain(_ arguments: [String]) -> FastPath? {
    func plain(_ words: ArraySlice<String>) -> Bool { words.allSatisfy { !$0.hasPrefix("-") } }
    switch arguments.first {
    case "--version" where arguments.count == 1:
      return .version
    case "connect" where arguments.count >= 3 && plain(arguments[1...2]):
      // Publishing many ports is what a runtime does at every start, and a
      // hundred -p took ArgumentParser as long as the rest of the connect.
      var publish: [String] = []
      var rest = arguments.dropFirst(3)
      while let flag = rest.first {
        guard flag == "-p" || flag == "--publish", let value = rest.dropFirst().first, !value.hasPrefix("-") else {
          return nil
        }
        publish.append(value)
        rest = rest.dropFirst(2)
      }
      return .connect(network: arguments[1], sandbox: arguments[2], publish: publish)
    case "disconnect" where arguments.count == 3 && plain(arguments[1...]):
      return .disconnect(network: arguments[1], sandbox: arguments[2])
    case "exec" where arguments.count >= 3 && !arguments[1].hasPrefix("-"):
      return .exec(arguments[1], Array(arguments[2...]))
    case "netns":
      guard arguments.count >= 3 else { return nil }
      switch arguments[1] {
      case "add" where arguments.count == 3 && plain(arguments[2...]): return .netnsAdd(arguments[2])
      case "del", "delete", "rm": return plain(arguments[2...]) ? .netnsDelete(Array(arguments[2...])) : nil
      case "exec" where arguments.count >= 4 && !arguments[2].hasPrefix("-"):
        return .exec(arguments[2], Array(arguments[3...]))
      default: return nil
      }
    default:
      return nil
    }
  }

  func run() throws {
    switch self {
    case .netnsList(let json): NetnsList.render(json: json)
    case .linkList(let json, let namespace): try LinkList.render(name: nil, type: nil, json: json, namespace: namespace)
    case .addrList(let json, let namespace): try AddrList.render(dev: nil, ipv4: false, ipv6: false, json: json, namespace: namespace)
    case .routeList(let json, let namespace): try RouteList.render(ipv4: false, ipv6: false, json: json, namespace: namespace)
    case .bridgeList(let json, let namespace): try BridgeList.render(json: json, namespace: namespace)
    case .netnsAdd(let name): try NetnsAdd.perform(name)
    case .netnsDelete(let names): try NetnsDelete.perform(names)
    case .exec(let name, let command): try ExecArguments.perform(name: name, command: command)
    case .connect(let network, let sandbox, let publish):
      var endpoint = EndpointSpec(name: sandbox)
      endpoint.ports = try publish.map { try PortMapping($0) }
      try Engine.connect(network, SandboxSpec(name: sandbox), endpoint)
    case .disconnect(let network, let sandbox): _ = try Engine.changing().disconnect(network, sandbox)
    case .version: print(CnetCommand.version)
    }
  }
}
