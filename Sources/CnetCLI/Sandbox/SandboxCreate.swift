import ArgumentParser
import CnetCore
import CnetEngine

struct SandboxCreate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "create",
    abstract: "Create a sandbox and print its id.",
    discussion: """
      Without --pid or --netns, a new namespace named after the sandbox. With \
      --pid, the namespace of that running process, linked under the sandbox's \
      name. With --netns, an existing named namespace (such as one `ip netns add` \
      made), which cnet never deletes. A sandbox made here stays until \
      `sandbox rm`, whatever joins and leaves.

      resolv.conf gets --dns and --dns-search, or else the host's; when the host \
      uses a loopback stub (127.0.0.53), its real upstream servers.
      """)

  @Argument(help: "Name of the sandbox.")
  var name: String

  @OptionGroup var options: SandboxOptions

  func run() throws {
    print(try Engine.changing().createSandbox(try options.spec(name: name)).id)
  }
}

/// The options of a new sandbox, shared by `sandbox create` and `connect`.
struct SandboxOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Use the network namespace of this running process.", valueName: "pid"))
  var pid: Int32?

  @Option(help: ArgumentHelp("Use this existing named namespace.", valueName: "name"), completion: .custom(Completions.namespaceNames))
  var netns: String?

  @Option(help: ArgumentHelp("Host name (default: the sandbox's name).", valueName: "name"))
  var hostname: String?

  @Option(help: ArgumentHelp("DNS server (repeatable).", valueName: "ip"))
  var dns: [String] = []

  @Option(name: .customLong("dns-search"), help: ArgumentHelp("DNS search domain (repeatable).", valueName: "domain"))
  var dnsSearch: [String] = []

  @Option(name: .customLong("add-host"), help: ArgumentHelp("Extra hosts entry (repeatable).", valueName: "host:ip"))
  var addHost: [String] = []

  func validate() throws {
    if pid != nil && netns != nil { throw ValidationError("--pid and --netns exclude each other") }
  }

  /// The words as given.
  var request: SandboxRequest {
    SandboxRequest(pid: pid, netns: netns, hostname: hostname, dns: dns, dnsSearch: dnsSearch, addHost: addHost)
  }

  func spec(name: String) throws -> SandboxSpec { try request.spec(name: name) }
}

/// What a new sandbox's options were given, before it is checked: from
/// ArgumentParser, or from FastPath for a plain `connect`.
struct SandboxRequest: Equatable {
  var pid: Int32?
  var netns: String?
  var hostname: String?
  var dns: [String] = []
  var dnsSearch: [String] = []
  var addHost: [String] = []

  func spec(name: String) throws -> SandboxSpec {
    var spec = SandboxSpec(name: name)
    if let pid {
      guard pid > 0 else { throw CnetError(.invalidArgument, "invalid --pid \(pid): expected a positive number") }
      spec.pid = pid
    }
    if let netns { _ = try NamespaceName(netns) }
    spec.netns = netns
    spec.hostname = hostname
    // Mapped only when given: a map makes an array of its result type even
    // when empty, whose metadata the runtime instantiates.
    if !dns.isEmpty { spec.dns = try dns.map { try Engine.address($0, "--dns") } }
    spec.dnsSearch = dnsSearch
    if !addHost.isEmpty { spec.extraHosts = try addHost.map(Engine.extraHost) }
    return spec
  }
}
