import ArgumentParser
import CnetCore
import CnetEngine

/// The commands scripts run over and over, run without ArgumentParser when
/// their words are plain.
///
/// Why: building ArgumentParser's parser costs more than all of `ip netns
/// list` (its protocol-conformance lookups scan every conformance record
/// of the binary; bench/README.md has the figures). So an argument
/// vector that is one of the commands below with plain words is dispatched
/// here to the same request the parsed command runs (FastPathed):
///
///     netns list, link|addr|route|bridge list, netns add, netns del,
///     exec / netns exec, connect, disconnect, link add|set|del,
///     addr add|del, route add|del, and --version alone
///
/// Which words are options, flags or repeatable, under which names, comes
/// from ArgumentParser's own declarations (the generated OptionTable); the
/// options each command reads here are listed by `reads`. Anything else (an
/// option not read here, `--opt=value`, an option given twice, a value that
/// starts with "-" or does not convert, --help, a typo) goes through
/// ArgumentParser as usual, which parses it or says what is wrong.
/// CnetCLITests checks that both routes pick the same request for what the
/// fast path takes, and that every option of these commands in
/// ArgumentParser's dump is read here or handed back on purpose.
enum FastPath: Equatable {
  case netnsList(json: Bool)
  case linkList(name: String?, type: LinkKind?, json: Bool, namespace: String?)
  case addrList(dev: String?, ipv4: Bool, ipv6: Bool, json: Bool, namespace: String?)
  case routeList(ipv4: Bool, ipv6: Bool, json: Bool, namespace: String?)
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

  /// The fast-pathed commands, by path of names.
  static let commands = [
    "netns list",
    "link list",
    "addr list",
    "route list",
    "bridge list",
    "netns add",
    "netns del",
    "exec",
    "netns exec",
    "connect",
    "disconnect",
    "link add",
    "link set",
    "link del",
    "addr add",
    "addr del",
    "route add",
    "route del",
  ]

  /// The options the fast path reads of a command (each by its longest
  /// name). Every other option of the command is handed back to
  /// ArgumentParser: `handedBack` are those that always are. (A switch,
  /// not a table of tuples: a start builds only the list it reads.)
  static func reads(_ path: String) -> [String] {
    switch path {
    case "netns list": return ["--json"]
    case "link list": return ["--type", "--json", "--netns"]
    case "addr list": return ["--dev", "-4", "-6", "--json", "--netns"]
    case "route list": return ["-4", "-6", "--json", "--netns"]
    case "bridge list": return ["--json", "--netns"]
    case "connect":
      return ["--ip", "--ip6", "--mac", "--alias", "--publish", "--pid", "--netns", "--hostname", "--dns", "--dns-search",
              "--add-host"]
    case "link add":
      return ["--type", "--mtu", "--address", "--master", "--up", "--peer", "--peer-netns", "--vni", "--local", "--remote",
              "--dstport", "--dev", "--mode", "--netns"]
    case "link set": return ["--up", "--down", "--master", "--nomaster", "--netns", "--mtu", "--address", "--name", "-n"]
    case "link del": return ["--netns"]
    case "addr add": return ["--dev", "--nodad", "--netns"]
    case "addr del": return ["--dev", "--netns"]
    case "route add": return ["--via", "--dev", "--metric", "-6", "--netns"]
    case "route del": return ["--via", "--dev", "--metric", "-6", "--netns"]
    default: return []
    }
  }

  /// Options ArgumentParser gives every command, always its business.
  static let handedBack = ["--help", "--version"]

  /// The fast-pathed command `arguments` begin with: its path of names
  /// (a word may be an alias: `netns ls`, `address add`), and the words
  /// after it.
  static func command(_ arguments: [String]) -> (path: String, rest: ArraySlice<String>)? {
    guard let first = arguments.first else { return nil }
    // The names themselves, as scripts mostly write them: compared as
    // they are, with nothing built.
    let two = arguments.count > 1 ? first + " " + arguments[1] : first
    for path in commands {
      if path == two { return (path, arguments.dropFirst(2)) }
      if path == first { return (path, arguments.dropFirst()) }
    }
    for path in commands {
      let names = path.split(separator: " ")
      guard names.count <= arguments.count else { continue }
      var matches = true
      for (index, name) in names.enumerated() where arguments[index] != name {
        // The alias of the group (index 0) or of the verb.
        let owner = names[...index].joined(separator: " ")
        if OptionTable.options(owner)?.aliases.contains(arguments[index]) != true {
          matches = false
          break
        }
      }
      if matches { return (path, arguments.dropFirst(names.count)) }
    }
    return nil
  }

  /// The request `arguments` name, if they are that plain.
  static func match(_ arguments: [String], namespace global: String?) -> FastPath? {
    if arguments == ["--version"] { return global == nil ? .version : nil }
    guard let (path, rest) = command(arguments) else { return nil }
    guard let read = CommandWords(rest, path: path) else { return nil }
    // The namespace the command works in: the global -n or the command's
    // own (link set: -n alone; its --netns is where the link goes). Both:
    // the parser says which one is wrong.
    let scopeName = path == "link set" ? "-n" : "--netns"
    let scope: String?
    switch (global, read.value(scopeName)) {
    case (let global?, nil): scope = global
    case (nil, let given): scope = given
    default: return nil
    }
    let positionals = read.positionals
    switch path {
    case "netns list":
      guard positionals.isEmpty, scope == nil else { return nil }
      return .netnsList(json: read.flag("--json"))
    case "link list":
      guard positionals.count <= 1 else { return nil }
      var type: LinkKind?
      if let text = read.value("--type") {
        guard let kind = LinkKind(rawValue: text) else { return nil }
        type = kind
      }
      return .linkList(name: positionals.first, type: type, json: read.flag("--json"), namespace: scope)
    case "addr list":
      guard positionals.isEmpty else { return nil }
      return .addrList(dev: read.value("--dev"), ipv4: read.flag("-4"), ipv6: read.flag("-6"), json: read.flag("--json"),
                       namespace: scope)
    case "route list":
      guard positionals.isEmpty else { return nil }
      return .routeList(ipv4: read.flag("-4"), ipv6: read.flag("-6"), json: read.flag("--json"), namespace: scope)
    case "bridge list":
      guard positionals.isEmpty else { return nil }
      return .bridgeList(json: read.flag("--json"), namespace: scope)
    case "netns add":
      guard positionals.count == 1, global == nil else { return nil }
      return .netnsAdd(positionals[0])
    case "netns del":
      guard !positionals.isEmpty, global == nil else { return nil }
      return .netnsDelete(positionals)
    case "exec", "netns exec":
      guard positionals.count >= 2, global == nil else { return nil }
      return .exec(positionals[0], Array(positionals[1...]))
    case "connect":
      // A runtime connects every container it starts (--pid, often -p),
      // and a hundred -p took ArgumentParser as long as the rest of the
      // connect.
      guard positionals.count == 2, global == nil,
        // Not both: SandboxOptions.validate refuses that, with usage.
        read.value("--pid") == nil || read.value("--netns") == nil,
        case .some(let pid) = read.int32("--pid")
      else { return nil }
      let endpoint = EndpointAddressRequest(
        ip: read.value("--ip"), ip6: read.value("--ip6"), mac: read.value("--mac"), alias: read.all("--alias"),
        publish: read.all("--publish"))
      let sandbox = SandboxRequest(
        pid: pid, netns: read.value("--netns"), hostname: read.value("--hostname"), dns: read.all("--dns"),
        dnsSearch: read.all("--dns-search"), addHost: read.all("--add-host"))
      return .connect(network: positionals[0], sandbox: positionals[1], endpoint: endpoint, options: sandbox)
    case "disconnect":
      guard positionals.count == 2, global == nil else { return nil }
      return .disconnect(network: positionals[0], sandbox: positionals[1])
    case "addr add", "addr del":
      guard positionals.count == 1, let dev = read.value("--dev") else { return nil }
      return path == "addr add"
        ? .addrAdd(cidr: positionals[0], dev: dev, noDAD: read.flag("--nodad"), namespace: scope)
        : .addrDelete(cidr: positionals[0], dev: dev, namespace: scope)
    case "route add", "route del":
      guard positionals.count == 1, case .some(let metric) = read.int("--metric") else { return nil }
      let request = RouteRequest(destination: positionals[0], via: read.value("--via"), dev: read.value("--dev"),
                                 metric: metric, ipv6: read.flag("-6"))
      return path == "route add" ? .routeAdd(request, namespace: scope) : .routeDelete(request, namespace: scope)
    case "link add":
      guard positionals.count == 1, let type = read.value("--type").flatMap(LinkKind.init(rawValue:)),
        case .some(let mtu) = read.int("--mtu"), case .some(let vni) = read.int("--vni"),
        case .some(let dstport) = read.int("--dstport")
      else { return nil }
      let request = LinkAddRequest(
        name: positionals[0], type: type, mtu: mtu, address: read.value("--address"), master: read.value("--master"),
        up: read.flag("--up"), peer: read.value("--peer"), peerNetns: read.value("--peer-netns"), vni: vni,
        local: read.value("--local"), remote: read.value("--remote"), dstport: dstport, dev: read.value("--dev"),
        mode: read.value("--mode"))
      return .linkAdd(request, namespace: scope)
    case "link set":
      guard positionals.count == 1, case .some(let mtu) = read.int("--mtu") else { return nil }
      let request = LinkSetRequest(
        name: positionals[0], up: read.flag("--up"), down: read.flag("--down"), master: read.value("--master"),
        nomaster: read.flag("--nomaster"), target: read.value("--netns"), mtu: mtu, address: read.value("--address"),
        newName: read.value("--name"))
      return .linkSet(request, namespace: scope)
    case "link del":
      guard !positionals.isEmpty else { return nil }
      return .linkDelete(positionals, namespace: scope)
    default:
      return nil
    }
  }

  func run() throws {
    switch self {
    case .netnsList(let json): NetnsList.render(json: json)
    case .linkList(let name, let type, let json, let namespace):
      try LinkList.render(name: name, type: type, json: json, namespace: namespace)
    case .addrList(let dev, let ipv4, let ipv6, let json, let namespace):
      try AddrList.render(dev: dev, ipv4: ipv4, ipv6: ipv6, json: json, namespace: namespace)
    case .routeList(let ipv4, let ipv6, let json, let namespace):
      try RouteList.render(ipv4: ipv4, ipv6: ipv6, json: json, namespace: namespace)
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
}

/// A command the fast path also takes: both routes run its `fastPath`, the
/// request its parsed values make.
protocol FastPathed: ParsableCommand {
  var fastPath: FastPath { get }
}

extension FastPathed {
  func run() throws { try fastPath.run() }
}

/// The words after a command's path, when they are plain: positionals,
/// and the options the fast path reads, as the option table declares them
/// (flags once; options as two words, `--dev eth0`, with a value that does
/// not start with "-", once unless repeatable); after the positional that
/// takes the rest of the line (exec's command), every word is a
/// positional. nil for anything else. Options are kept under their longest
/// name. Arrays of strings only, not sets, dictionaries or tuples: a
/// handful of entries, and each new generic type costs the runtime its
/// metadata at first use.
struct CommandWords {
  private(set) var positionals: [String] = []
  /// Options given, and their values at the same positions.
  private var names: [String] = []
  private var values: [String] = []
  private var flags: [String] = []

  init?(_ words: ArraySlice<String>, path: String) {
    guard let command = OptionTable.options(path) else { return nil }
    let reads = FastPath.reads(path)
    var rest = words
    while let word = rest.popFirst() {
      if let passthrough = command.passthroughAfter, positionals.count >= passthrough {
        positionals.append(word)
        continue
      }
      if !word.hasPrefix("-") {
        positionals.append(word)
        continue
      }
      guard let option = command.options.first(where: { $0.names.contains(word) }),
        let name = option.names.max(by: { $0.utf8.count < $1.utf8.count }), reads.contains(name)
      else { return nil }
      if !option.value {
        guard !flags.contains(name) else { return nil }
        flags.append(name)
      } else {
        guard let value = rest.popFirst(), !value.hasPrefix("-"), option.repeats || !names.contains(name) else { return nil }
        names.append(name)
        values.append(value)
      }
    }
  }

  func value(_ name: String) -> String? { names.firstIndex(of: name).map { values[$0] } }

  /// A repeatable option's values in the order given.
  func all(_ name: String) -> [String] {
    var found: [String] = []
    for index in names.indices where names[index] == name { found.append(values[index]) }
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

  func int32(_ name: String) -> Int32?? {
    guard let text = value(name) else { return .some(nil) }
    guard let number = Int32(text) else { return nil }
    return .some(number)
  }
}
