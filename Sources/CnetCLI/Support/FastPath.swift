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
///     connect NETWORK SANDBOX with its options, disconnect NETWORK SANDBOX
///     --version (scripts ask it before they use a tool; through
///     ArgumentParser it took 3.1 ms, here 0.8)
///     link add|set|del, addr add|del, route add|del with their options
///     (these and connect's words as PlainWords reads them). Lab scripts
///     run them by the thousand, and through ArgumentParser `addr add`
///     took 11.2 million instructions, 64% of them the runtime's
///     conformance scans, and 2.3 ms where `ip addr add` takes 1.5.
///
/// Anything else (an option not listed, `--opt=value`, an option given
/// twice, an alias of a group, --help, a value that does not convert, a
/// typo) goes through ArgumentParser as usual, which then parses it or
/// says what is wrong. CnetCLITests checks that both routes pick the same
/// command with the same values. The values themselves are checked by the
/// same functions on both routes (the commands' perform functions).
enum FastPath: Equatable {
  case netnsList(json: Bool)
  case linkList(json: Bool, namespace: String?)
  case addrList(json: Bool, namespace: String?)
  case routeList(json: Bool, namespace: String?)
  case bridgeList(json: Bool, namespace: String?)
  case netnsAdd(String)
  case netnsDelete([String])
  case exec(String, [String])
  case connect(network: String, sandbox: String, endpoint: EndpointAddressRequest, options: SandboxRequest)
  case disconnect(network: String, sandbox: String)
  case version
  case linkAdd(LinkAddRequest, namespace: String?)
  case linkSet(LinkSetRequest, namespace: String?)
  case linkDelete([String], namespace: String?)
  case addrAdd(cidr: String, dev: String, noDAD: Bool, namespace: String?)
  case addrDelete(cidr: String, dev: String, namespace: String?)
  case routeAdd(RouteRequest, namespace: String?)
  case routeDelete(RouteRequest, namespace: String?)

  /// The command `arguments` name, if they are that simple.
  static func match(_ arguments: [String], namespace global: String?) -> FastPath? {
    if global == nil, let plain = matchPlain(arguments) { return plain }
    if let change = matchChange(arguments, namespace: global) { return change }
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
    case "connect":
      // A runtime connects every container it starts (--pid, often -p),
      // and a hundred -p took ArgumentParser as long as the rest of the
      // connect.
      let repeatable = ["--alias", "-p", "--publish", "--dns", "--dns-search", "--add-host"]
      guard let read = PlainWords(arguments.dropFirst(), options: ["--ip", "--ip6", "--mac", "--pid", "--netns", "--hostname"],
                                  repeatable: repeatable, flags: []),
        read.positionals.count == 2,
        // Not both: SandboxOptions.validate refuses that, with usage.
        read.value("--pid") == nil || read.value("--netns") == nil
      else { return nil }
      var pid: Int32?
      if let text = read.value("--pid") {
        guard let number = Int32(text) else { return nil }
        pid = number
      }
      let endpoint = EndpointAddressRequest(
        ip: read.value("--ip"), ip6: read.value("--ip6"), mac: read.value("--mac"), alias: read.all(["--alias"]),
        publish: read.all(["-p", "--publish"]))
      let sandbox = SandboxRequest(
        pid: pid, netns: read.value("--netns"), hostname: read.value("--hostname"), dns: read.all(["--dns"]),
        dnsSearch: read.all(["--dns-search"]), addHost: read.all(["--add-host"]))
      return .connect(network: read.positionals[0], sandbox: read.positionals[1], endpoint: endpoint, options: sandbox)
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
    case .connect(let network, let sandbox, let endpoint, let options):
      try Connect.perform(network, sandbox, endpoint: endpoint, options: options)
    case .disconnect(let network, let sandbox): _ = try Engine.changing().disconnect(network, sandbox)
    case .version: print(CnetCommand.version)
    case .linkAdd(let request, let namespace): try LinkAdd.perform(request, namespace: namespace)
    case .linkSet(let request, let namespace): try LinkSet.perform(request, namespace: namespace)
    case .linkDelete(let names, let namespace): try LinkDelete.perform(names, namespace: namespace)
    case .addrAdd(let cidr, let dev, let noDAD, let namespace):
      try AddrAdd.perform(cidr: cidr, dev: dev, noDAD: noDAD, namespace: namespace)
    case .addrDelete(let cidr, let dev, let namespace): try AddrDelete.perform(cidr: cidr, dev: dev, namespace: namespace)
    case .routeAdd(let request, let namespace): try RouteAdd.perform(request, namespace: namespace)
    case .routeDelete(let request, let namespace): try RouteDelete.perform(request, namespace: namespace)
    }
  }

  /// link add|set|del, addr add|del, route add|del, when PlainWords can
  /// read their words. The namespace is the global -n or the command's own
  /// -n/--netns (link set: -n only), not both.
  private static func matchChange(_ arguments: [String], namespace global: String?) -> FastPath? {
    guard arguments.count >= 3 else { return nil }
    let words = arguments.dropFirst(2)
    let scopeNames = ["-n", "--netns"]
    func scope(_ read: PlainWords, names: [String] = scopeNames) -> String?? {
      let given = names.compactMap { read.value($0) }
      if given.count > 1 || (global != nil && !given.isEmpty) { return nil }
      return .some(given.first ?? global)
    }
    let delete = ["del", "delete", "rm"]
    switch arguments[0] {
    case "addr", "address":
      let add = arguments[1] == "add"
      guard add || delete.contains(arguments[1]),
        let read = PlainWords(words, options: ["--dev"] + scopeNames, flags: add ? ["--nodad"] : []),
        read.positionals.count == 1, let dev = read.value("--dev"), case .some(let namespace) = scope(read)
      else { return nil }
      return add
        ? .addrAdd(cidr: read.positionals[0], dev: dev, noDAD: read.flag("--nodad"), namespace: namespace)
        : .addrDelete(cidr: read.positionals[0], dev: dev, namespace: namespace)
    case "route":
      let add = arguments[1] == "add"
      guard add || delete.contains(arguments[1]),
        let read = PlainWords(words, options: ["--via", "--dev", "--metric"] + scopeNames, flags: ["-6"]),
        read.positionals.count == 1, case .some(let metric) = read.int("--metric"),
        case .some(let namespace) = scope(read)
      else { return nil }
      let request = RouteRequest(destination: read.positionals[0], via: read.value("--via"), dev: read.value("--dev"),
                                 metric: metric, ipv6: read.flag("-6"))
      return add ? .routeAdd(request, namespace: namespace) : .routeDelete(request, namespace: namespace)
    case "link":
      switch arguments[1] {
      case "add":
        guard let read = PlainWords(words, options: ["--type", "--mtu", "--address", "--master", "--peer", "--peer-netns",
                                                      "--vni", "--local", "--remote", "--dstport", "--dev", "--mode"] + scopeNames,
                                    flags: ["--up"]),
          read.positionals.count == 1, let type = read.value("--type").flatMap(LinkKind.init(rawValue:)),
          case .some(let mtu) = read.int("--mtu"), case .some(let vni) = read.int("--vni"),
          case .some(let dstport) = read.int("--dstport"), case .some(let namespace) = scope(read)
        else { return nil }
        let request = LinkAddRequest(
          name: read.positionals[0], type: type, mtu: mtu, address: read.value("--address"), master: read.value("--master"),
          up: read.flag("--up"), peer: read.value("--peer"), peerNetns: read.value("--peer-netns"), vni: vni,
          local: read.value("--local"), remote: read.value("--remote"), dstport: dstport, dev: read.value("--dev"),
          mode: read.value("--mode"))
        return .linkAdd(request, namespace: namespace)
      case "set":
        guard let read = PlainWords(words, options: ["--master", "--netns", "--mtu", "--address", "--name", "-n"],
                                    flags: ["--up", "--down", "--nomaster"]),
          read.positionals.count == 1, case .some(let mtu) = read.int("--mtu"),
          case .some(let namespace) = scope(read, names: ["-n"])
        else { return nil }
        let request = LinkSetRequest(
          name: read.positionals[0], up: read.flag("--up"), down: read.flag("--down"), master: read.value("--master"),
          nomaster: read.flag("--nomaster"), target: read.value("--netns"), mtu: mtu, address: read.value("--address"),
          newName: read.value("--name"))
        return .linkSet(request, namespace: namespace)
      case let verb where delete.contains(verb):
        guard let read = PlainWords(words, options: scopeNames, flags: []), !read.positionals.isEmpty,
          case .some(let namespace) = scope(read)
        else { return nil }
        return .linkDelete(read.positionals, namespace: namespace)
      default:
        return nil
      }
    default:
      return nil
    }
  }
}

/// The words after a command's name, when they are plain: positionals
/// (words that do not start with "-"), options from the lists as two
/// words (`--dev eth0`) with a value that does not start with "-", each
/// given once unless it is repeatable, and flags, each given once. nil for
/// anything else. Arrays of strings only, not sets, dictionaries or
/// tuples: a handful of entries, and each new generic type costs the
/// runtime its metadata at first use.
struct PlainWords {
  private(set) var positionals: [String] = []
  /// Options given, and their values at the same positions.
  private var names: [String] = []
  private var values: [String] = []
  private var flags: [String] = []

  init?(_ words: ArraySlice<String>, options: [String], repeatable: [String] = [], flags knownFlags: [String]) {
    var rest = words
    while let word = rest.popFirst() {
      if !word.hasPrefix("-") {
        positionals.append(word)
      } else if knownFlags.contains(word) {
        guard !flags.contains(word) else { return nil }
        flags.append(word)
      } else if options.contains(word) || repeatable.contains(word), let value = rest.popFirst(), !value.hasPrefix("-") {
        guard repeatable.contains(word) || !names.contains(word) else { return nil }
        names.append(word)
        values.append(value)
      } else {
        return nil
      }
    }
  }

  func value(_ name: String) -> String? { names.firstIndex(of: name).map { values[$0] } }

  /// A repeatable option's values in the order given, under any of its names.
  func all(_ wanted: [String]) -> [String] {
    var found: [String] = []
    for index in names.indices where wanted.contains(names[index]) { found.append(values[index]) }
    return found
  }

  func flag(_ name: String) -> Bool { flags.contains(name) }

  /// An integer option: .some(nil) when absent, nil when it is not an
  /// integer (ArgumentParser then says so).
  func int(_ name: String) -> Int?? {
    guard let text = value(name) else { return .some(nil) }
    guard let number = Int(text) else { return nil }
    return .some(number)
  }
}
