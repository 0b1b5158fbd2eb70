import ArgumentParser
import CnetCore
import FoundationEssentials
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import CnetCLI

/// The command surface users script against: names, aliases, flags, and
/// the checks that run before anything is changed.
@Suite struct ParsingTests {
  func parse<T: ParsableCommand>(_ arguments: [String], as type: T.Type = T.self) throws -> T {
    let command = try CnetCommand.parseAsRoot(arguments)
    return try #require(command as? T, "\(arguments) parsed as \(Swift.type(of: command))")
  }

  func expectUsageError(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(throws: (any Error).self, sourceLocation: sourceLocation) { try CnetCommand.parseAsRoot(arguments) }
  }

  /// The error a command's checks throw before it touches the kernel.
  func planError(_ body: () throws -> Void) -> CnetError? {
    do {
      try body()
      return nil
    } catch let error as CnetError {
      return error
    } catch {
      return nil
    }
  }

  @Test func netnsVerbsAndAliases() throws {
    #expect(try parse(["netns", "add", "web"], as: NetnsAdd.self).name == "web")
    for verb in ["del", "delete", "rm"] {
      #expect(try parse(["netns", verb, "a", "b"], as: NetnsDelete.self).names == ["a", "b"])
    }
    for verb in ["list", "ls", "show"] {
      #expect(try parse(["netns", verb, "--json"], as: NetnsList.self).output.json)
    }
    let link = try parse(["netns", "link", "42", "c1", "--bind"], as: NetnsLink.self)
    #expect(link.pid == "42" && link.name == "c1" && link.bind)
    #expect(try parse(["netns", "identify"], as: NetnsIdentify.self).pid == nil)
    #expect(try parse(["netns", "pids", "web"], as: NetnsPids.self).name == "web")
    #expect(try parse(["netns", "prune", "--dry-run"], as: NetnsPrune.self).dryRun)
    expectUsageError(["netns", "del"])
    expectUsageError(["netns", "add"])
    expectUsageError(["netns", "add", "a", "b"])
  }

  @Test func execPassesEverythingThrough() throws {
    let exec = try parse(["exec", "ns1", "ip", "-o", "link", "--help", "-n", "x"], as: Exec.self)
    #expect(exec.exec.name == "ns1")
    #expect(exec.exec.command == ["ip", "-o", "link", "--help", "-n", "x"])
    let netnsExec = try parse(["netns", "exec", "ns1", "sh", "-c", "exit 3"], as: NetnsExec.self)
    #expect(netnsExec.exec.command == ["sh", "-c", "exit 3"])
  }

  @Test func linkAddOptions() throws {
    let add = try parse(["link", "add", "v0", "--type", "veth", "--peer", "eth0", "--peer-netns", "web", "--mtu", "1400", "--up"], as: LinkAdd.self)
    let plan = try add.request.plan()
    #expect(plan.kind == .veth)
    #expect(plan.peer?.value == "eth0")
    #expect(plan.peerNamespace == "web")
    #expect(plan.mtu == 1400)
    #expect(add.up)

    let vxlan = try parse(["link", "add", "vx1", "--type", "vxlan", "--vni", "42", "--remote", "203.0.113.7", "--local", "198.51.100.1"], as: LinkAdd.self).request.plan()
    #expect(vxlan.vxlan?.vni == 42)
    #expect(vxlan.vxlan?.port == 4789)
    #expect(vxlan.vxlan?.remote == IPAddress("203.0.113.7"))

    let macvlan = try parse(["link", "add", "mv0", "--type", "macvlan", "--dev", "eth0"], as: LinkAdd.self).request.plan()
    #expect(macvlan.macvlanMode == .bridge)
    expectUsageError(["link", "add", "x", "--type", "tun"])
    expectUsageError(["link", "add", "x"])
  }

  @Test func linkAddRefusesBadInput() throws {
    func error(_ arguments: [String]) throws -> String? {
      let add = try parse(["link", "add"] + arguments, as: LinkAdd.self)
      return planError { _ = try add.request.plan() }?.message
    }
    #expect(try error(["0123456789abcdef", "--type", "dummy"]) == "invalid interface name \"0123456789abcdef\": 16 bytes, at most 15 allowed")
    #expect(try error(["a:b", "--type", "dummy"]) == "invalid interface name \"a:b\": must not contain ':'")
    #expect(try error(["x", "--type", "bridge", "--peer", "y"]) == "--peer applies to --type veth, not bridge")
    #expect(try error(["x", "--type", "veth", "--vni", "1"]) == "--vni applies to --type vxlan, not veth")
    #expect(try error(["x", "--type", "vxlan"]) == "--type vxlan needs --vni")
    #expect(try error(["x", "--type", "vxlan", "--vni", "16777216"]) == "invalid --vni 16777216: expected 0-16777215")
    #expect(try error(["x", "--type", "vxlan", "--vni", "1", "--remote", "fd00::1", "--local", "10.0.0.1"]) == "--local and --remote must be of the same address family")
    #expect(try error(["x", "--type", "vxlan", "--vni", "1", "--remote", "10.0.0.300"]) == "invalid --remote \"10.0.0.300\": not an IPv4 or IPv6 address")
    #expect(try error(["x", "--type", "vxlan", "--vni", "1", "--dstport", "0"]) == "invalid --dstport 0: expected 1-65535")
    #expect(try error(["x", "--type", "macvlan"]) == "--type macvlan needs --dev PARENT")
    #expect(try error(["x", "--type", "macvlan", "--dev", "eth0", "--mode", "loud"]) == "invalid --mode \"loud\": expected one of private, vepa, bridge, passthru, source")
    #expect(try error(["x", "--type", "dummy", "--mtu", "67"]) == "invalid MTU 67: expected 68-65535")
    #expect(try error(["x", "--type", "dummy", "--mtu", "65536"]) == "invalid MTU 65536: expected 68-65535")
    #expect(try error(["x", "--type", "dummy", "--address", "01:00:5e:00:00:01"])?.hasPrefix("invalid MAC address") == true)
    #expect(try error(["x", "--type", "veth", "--peer", "x"]) == "the veth peer needs a name different from \"x\" in the same namespace")
    #expect(try error(["x", "--type", "veth", "--peer", "x", "--peer-netns", "web"]) == nil)
    #expect(try error(["x", "--type", "veth", "--peer-netns", "a/b"]) == "invalid namespace name \"a/b\": must not contain '/'")
  }

  @Test func linkSetOptions() throws {
    let set = try parse(["link", "set", "eth0", "--up", "--master", "br0", "--netns", "web", "--mtu", "9000", "--name", "eth1"], as: LinkSet.self)
    let plan = try set.request.plan()
    #expect(plan.up == true)
    #expect(plan.master?.value == "br0")
    #expect(plan.target == "web")
    #expect(plan.mtu == 9000)
    #expect(plan.newName?.value == "eth1")
    // -n says where to find the link; --netns where to move it.
    let both = try parse(["link", "set", "-n", "a", "eth0", "--netns", "b"], as: LinkSet.self)
    #expect(both.scope.netns == "a")
    #expect(both.target == "b")

    func error(_ arguments: [String]) throws -> String? {
      let set = try parse(["link", "set"] + arguments, as: LinkSet.self)
      return planError { _ = try set.request.plan() }?.message
    }
    #expect(try error(["eth0"])?.hasPrefix("nothing to change") == true)
    #expect(try error(["eth0", "--up", "--down"]) == "--up and --down contradict each other")
    #expect(try error(["eth0", "--master", "br0", "--nomaster"]) == "--master and --nomaster contradict each other")
    #expect(try error(["eth0", "--name", "x/y"]) == "invalid interface name \"x/y\": must not contain '/'")
  }

  @Test func bridgeCreatePlansTheGateway() throws {
    func plan(_ arguments: [String]) throws -> BridgeCreate.Plan {
      try parse(["bridge", "create"] + arguments, as: BridgeCreate.self).plan()
    }
    #expect(try plan(["br0", "--subnet", "10.88.0.0/16"]).gatewayAddress?.description == "10.88.0.1/16")
    #expect(try plan(["br0", "--subnet", "10.88.0.0/16", "--gateway", "10.88.255.254"]).gatewayAddress?.description == "10.88.255.254/16")
    #expect(try plan(["br0", "--subnet", "fd00:88::/64"]).gatewayAddress?.description == "fd00:88::1/64")
    #expect(try plan(["br0"]).gatewayAddress == nil)
    func error(_ arguments: [String]) -> String? {
      planError { _ = try plan(arguments) }?.message
    }
    #expect(error(["br0", "--gateway", "10.0.0.1"]) == "--gateway needs --subnet")
    #expect(error(["br0", "--subnet", "10.88.0.5/16"]) == "invalid subnet 10.88.0.5/16: host bits are set (the subnet is 10.88.0.0/16)")
    #expect(error(["br0", "--subnet", "10.88.0.0/16", "--gateway", "10.89.0.1"]) == "invalid --gateway 10.89.0.1: not in subnet 10.88.0.0/16")
    #expect(error(["br0", "--subnet", "10.88.0.0/24", "--gateway", "10.88.0.255"]) == "invalid --gateway 10.88.0.255: the network or broadcast address of 10.88.0.0/24")
    #expect(error(["br0", "--subnet", "10.88.0.0/31"]) == "invalid subnet 10.88.0.0/31: too small; at most /30 for IPv4")
    #expect(error(["br0", "--subnet", "0.0.0.0/0"]) == "invalid subnet 0.0.0.0/0: it is every address (/0)")
    #expect(error(["br0", "--subnet", "224.0.0.0/24"]) == "invalid subnet 224.0.0.0/24: it overlaps the multicast addresses (224.0.0.0/4)")
  }

  @Test func routeDestinations() throws {
    func plan(_ arguments: [String]) throws -> RouteRequest.Plan {
      try parse(["route", "add"] + arguments, as: RouteAdd.self).route.request.plan(requireNextHop: true)
    }
    #expect(try plan(["default", "--via", "10.0.0.1"]).destination.description == "0.0.0.0/0")
    #expect(try plan(["default", "--via", "fd00::1"]).destination.description == "::/0")
    #expect(try plan(["default", "-6", "--dev", "eth0"]).destination.description == "::/0")
    #expect(try plan(["10.9.0.0/16", "--dev", "br0", "--metric", "5"]).metric == 5)
    #expect(try plan(["10.9.0.7", "--dev", "br0"]).destination.description == "10.9.0.7/32")
    func error(_ arguments: [String]) -> String? {
      planError { _ = try plan(arguments) }?.message
    }
    #expect(error(["10.9.0.1/16", "--dev", "br0"]) == "invalid prefix 10.9.0.1/16: host bits are set for /16 (the prefix is 10.9.0.0/16)")
    #expect(error(["10.9.0.0/16"]) == "a route needs --via GATEWAY, --dev INTERFACE or both")
    #expect(error(["10.9.0.0/16", "--via", "fd00::1"]) == "--via fd00::1 is not of the same address family as 10.9.0.0/16")
    #expect(error(["default", "-6", "--via", "10.0.0.1"]) == "-6 and an IPv4 --via contradict each other")
    #expect(error(["10.9.0.0/16", "--dev", "br0", "--metric", "4294967296"]) == "invalid --metric 4294967296: expected 0-4294967295")
  }

  @Test func namespaceScopedCommandsTakeDashN() throws {
    #expect(try parse(["link", "list", "-n", "web"], as: LinkList.self).scope.netns == "web")
    #expect(try parse(["addr", "add", "10.0.0.1/24", "--dev", "eth0", "--netns", "web"], as: AddrAdd.self).scope.netns == "web")
    #expect(try parse(["route", "list", "-n", "web"], as: RouteList.self).scope.netns == "web")
    #expect(try parse(["bridge", "create", "br0", "-n", "web"], as: BridgeCreate.self).scope.netns == "web")
    #expect(try parse(["address", "ls"], as: AddrList.self).scope.netns == nil)
  }
}

@Suite struct GlobalOptionTests {
  @Test func leadingNamespaceIsSplitOff() throws {
    #expect(try GlobalOptions.extract(from: ["-n", "web", "link", "list"]).namespace == "web")
    #expect(try GlobalOptions.extract(from: ["--netns", "web", "link", "list"]).remaining == ["link", "list"])
    #expect(try GlobalOptions.extract(from: ["--netns=web", "addr"]).namespace == "web")
    #expect(try GlobalOptions.extract(from: ["-nweb", "addr"]).namespace == "web")
    // Only before the command word: after it, options belong to the command.
    let later = try GlobalOptions.extract(from: ["link", "set", "eth0", "--netns", "b"])
    #expect(later.namespace == nil)
    #expect(later.remaining == ["link", "set", "eth0", "--netns", "b"])
    #expect(throws: CnetError.self) { try GlobalOptions.extract(from: ["-n"]) }
    #expect(throws: CnetError.self) { try GlobalOptions.extract(from: ["-n", "a", "-n", "b", "link"]) }
  }

  @Test func batchForceAndJSON() throws {
    let batch = try GlobalOptions.extract(from: ["-force", "-batch", "f.cnet"])
    #expect(batch.batch == "f.cnet" && batch.force && batch.remaining.isEmpty)
    #expect(try GlobalOptions.extract(from: ["--batch=-", "--force"]).batch == "-")
    #expect(try GlobalOptions.extract(from: ["-n", "a", "-batch", "f"]).namespace == "a")
    // The batch command's own flag, given before it.
    #expect(try GlobalOptions.extract(from: ["--force", "batch", "f"]).remaining == ["batch", "--force", "f"])
    #expect(throws: CnetError.self) { try GlobalOptions.extract(from: ["-batch"]) }
    #expect(throws: CnetError.self) { try GlobalOptions.extract(from: ["-batch", "f", "connect", "a", "b"]) }
    #expect(throws: CnetError.self) { try GlobalOptions.extract(from: ["-force", "connect", "a", "b"]) }
    #expect(throws: CnetError.self) { try GlobalOptions.extract(from: ["-batch", "a", "-batch", "b"]) }
    // --json goes to the command when it has the flag, and only then.
    #expect(try GlobalOptions.extract(from: ["-j", "network", "ls"]).remaining == ["network", "ls", "--json"])
    #expect(try GlobalOptions.extract(from: ["--json", "link", "ls", "eth0"]).remaining == ["link", "ls", "--json", "eth0"])
    #expect(try GlobalOptions.extract(from: ["-json", "netns", "ls", "--json"]).remaining == ["netns", "ls", "--json"])
    #expect(try GlobalOptions.extract(from: ["--json", "connect", "a", "b"]).remaining == ["connect", "a", "b"])
    #expect(try GlobalOptions.extract(from: ["--json", "batch", "f"]).remaining == ["batch", "--json", "f"])
  }
}

@Suite struct LineReaderTests {
  func lines(_ text: String) throws -> [(Int, String)] {
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    _ = text.withCString { write(fds[1], $0, strlen($0)) }
    close(fds[1])
    defer { close(fds[0]) }
    var reader = LineReader(fd: fds[0])
    var found: [(Int, String)] = []
    while let line = try reader.next() { found.append(line) }
    return found
  }

  @Test func numbersAndContinuations() throws {
    let read = try lines("a\n\nb c \\\n  d\ne \\\\\nlast")
    #expect(read.map(\.0) == [1, 2, 3, 5, 6])
    #expect(read.map(\.1) == ["a", "", "b c \\\n  d", "e \\\\", "last"])
    #expect(try ShellWords.split(read[2].1) == ["b", "c", "d"])
    #expect(try lines("").isEmpty)
    #expect(try lines("only\n").map(\.1) == ["only"])
  }
}

@Suite struct FastPathTests {
  /// The fast path must choose exactly what the parser chooses, with the
  /// same values, for every argument vector it accepts.
  @Test(arguments: [
    ["netns", "list"], ["netns", "ls"], ["netns", "show", "--json"],
    ["link", "list"], ["link", "ls", "--json", "-n", "web"], ["link", "show", "--netns", "web"],
    ["addr", "list"], ["address", "ls", "-n", "a", "--json"],
    ["route", "list", "--json"], ["route", "show", "-n", "x"],
    ["bridge", "list"], ["bridge", "ls", "--json"],
    ["netns", "add", "web"], ["netns", "del", "a", "b"], ["netns", "rm", "a"], ["netns", "delete", "x"],
    ["exec", "ns1", "ip", "-o", "link"], ["exec", "ns1", "--help"], ["netns", "exec", "ns1", "sh", "-c", "exit 3"],
    ["connect", "front", "web"], ["disconnect", "front", "web"],
    ["connect", "front", "web", "-p", "8080:80"], ["connect", "front", "web", "-p", "80:80", "--publish", "127.0.0.1:53:53/udp"],
    ["connect", "n", "s", "--ip", "10.0.0.2"], ["connect", "n", "s", "-p", "80:80", "--ip", "10.0.0.2", "--ip6", "fd00::2"],
    ["connect", "n", "box", "--pid", "4242", "--alias", "a", "--alias", "b", "--mac", "02:00:00:00:00:03"],
    ["connect", "--ip", "10.0.0.2", "n", "s", "--netns", "ns1", "--hostname", "h", "--dns", "10.0.0.53", "--dns", "1.1.1.1",
     "--dns-search", "lab", "--add-host", "db:10.0.0.9", "-p", "1:1", "--publish", "2:2", "-p", "3:3"],
    ["connect", "n", "s", "--pid", "0"], ["connect", "n", "s", "--ip", "nonsense"],
    ["addr", "add", "10.0.0.2/24", "--dev", "eth0"], ["address", "add", "--dev", "eth0", "fd00::2/64", "--nodad", "-n", "web"],
    ["addr", "del", "10.0.0.2/24", "--dev", "eth0", "--netns", "web"], ["addr", "rm", "10.0.0.2", "--dev", "x"],
    ["addr", "add", "not-an-address", "--dev", "a-name-far-too-long-for-a-link"],
    ["route", "add", "default", "--via", "10.0.0.1"], ["route", "add", "10.9.0.0/16", "--dev", "br0", "--metric", "50", "-n", "web"],
    ["route", "del", "default", "-6"], ["route", "delete", "10.9.0.0/16", "--via", "10.0.0.1", "--dev", "eth0"],
    ["route", "rm", "10.9.0.1/16", "--metric", "+7"],
    ["link", "add", "v0", "--type", "veth", "--peer", "eth0", "--peer-netns", "web", "--master", "br0", "--up"],
    ["link", "add", "br0", "--type", "bridge", "--mtu", "9000", "--address", "02:00:00:00:00:01", "-n", "lab"],
    ["link", "add", "vx42", "--type", "vxlan", "--vni", "42", "--remote", "203.0.113.7", "--local", "198.51.100.1",
     "--dstport", "4790", "--dev", "eth0"],
    ["link", "add", "mv0", "--type", "macvlan", "--dev", "eth0", "--mode", "private"], ["link", "add", "d0", "--type", "dummy"],
    ["link", "add", "d0", "--type", "dummy", "--peer", "x"],
    ["link", "set", "eth0", "--up"], ["link", "set", "eth0", "--down", "--nomaster", "--mtu", "1400", "-n", "web"],
    ["link", "set", "v0", "--netns", "web", "--name", "eth1", "--address", "02:00:00:00:00:02", "--master", "br0"],
    ["link", "set", "eth0", "--up", "--down"],
    ["link", "del", "v0"], ["link", "delete", "a", "b", "-n", "web"], ["link", "rm", "a", "--netns", "x", "b"],
    ["link", "list", "eth0"], ["link", "list", "--type", "veth"], ["addr", "list", "-4"], ["addr", "ls", "--dev", "eth0", "-6"],
    ["route", "list", "-6", "--json"], ["address", "add", "10.0.0.2/24", "--dev", "eth0"],
  ])
  func agreesWithTheParser(_ arguments: [String]) throws {
    let fast = try #require(FastPath.match(arguments, namespace: nil))
    let parsed = try CnetCommand.parseAsRoot(arguments)
    #expect(fast == (parsed as? any FastPathed)?.fastPath)
  }

  /// Every option ArgumentParser declares for a fast-pathed command (its
  /// own dump of the command tree) is read by the fast path or handed back
  /// on purpose; and every option the fast path reads is declared.
  @Test func everyOptionOfAFastPathedCommandIsReadOrHandedBack() throws {
    struct Dump: Decodable { let command: Command }
    struct Command: Decodable {
      let commandName: String
      let subcommands: [Command]?
      let arguments: [Argument]?
    }
    struct Argument: Decodable {
      let kind: String
      let names: [Name]?
    }
    struct Name: Decodable {
      let kind: String
      let name: String
    }
    let dump = try JSONDecoder().decode(Dump.self, from: Data(CnetCommand._dumpHelp().utf8))
    for path in FastPath.commands {
      let reads = FastPath.reads(path)
      var command = dump.command
      for name in path.split(separator: " ") {
        command = try #require(command.subcommands?.first { $0.commandName == name }, "no command \(path) in the dump")
      }
      var declared: [String] = []
      for argument in command.arguments ?? [] where argument.kind != "positional" {
        let names = (argument.names ?? []).map { ($0.kind == "short" ? "-" : "--") + $0.name }
        let longest = try #require(names.max { $0.utf8.count < $1.utf8.count })
        declared.append(longest)
        #expect(reads.contains(longest) || FastPath.handedBack.contains(longest),
                "\(path) has \(longest), which the fast path neither reads nor hands back (FastPath.reads, FastPath.handedBack)")
      }
      for name in reads {
        #expect(declared.contains(name), "the fast path reads \(name) of \(path), which ArgumentParser does not declare")
      }
    }
  }

  /// With the global -n before the command word, as CnetMain passes it.
  @Test(arguments: [
    ["addr", "add", "10.0.0.2/24", "--dev", "eth0"], ["route", "add", "default", "--via", "10.0.0.1"],
    ["link", "set", "eth0", "--up", "--netns", "other"], ["link", "del", "v0"],
  ])
  func takesTheGlobalNamespace(_ arguments: [String]) throws {
    let fast = try #require(FastPath.match(arguments, namespace: "web"))
    switch fast {
    case .addrAdd(_, _, _, let namespace), .routeAdd(_, let namespace), .linkSet(_, let namespace),
      .linkDelete(_, let namespace):
      #expect(namespace == "web")
    default: Issue.record("unexpected \(fast)")
    }
    // And refuses a second one after the command word.
    #expect(FastPath.match(arguments + ["-n", "x"], namespace: "web") == nil)
  }

  @Test(arguments: [
    ["netns", "list", "-n", "x"], ["netns", "list", "--help"], ["netns", "list", "extra"],
    ["link", "list", "--type", "tun"], ["link", "list", "a", "b"],
    ["route", "list", "--json", "--json"], ["netns"], ["link", "list", "-n"],
    ["netns", "add", "x", "y"], ["netns", "add", "--help"], ["netns", "del"], ["netns", "del", "a", "--help"],
    ["exec", "--help"], ["exec", "ns1"], ["exec", "-n", "ns1", "true"], ["netns", "exec", "ns1"],
    ["connect", "n"], ["connect", "n", "--help"], ["disconnect", "n", "s", "x"],
    ["connect", "n", "s", "-p"], ["connect", "n", "s", "-p8080:80"], ["connect", "n", "s", "--ip", "a", "--ip", "b"],
    ["connect", "n", "s", "--pid", "1", "--netns", "x"], ["connect", "n", "s", "--pid", "99999999999"],
    ["connect", "n", "s", "--pid", "-1"], ["connect", "n", "s", "--alias"], ["connect", "n", "s", "--options", "a=b"],
    ["connect", "n", "s", "--publish=80:80"], ["connect", "n", "s", "-p", "--help"], ["connect", "n", "s", "extra"],
    ["network", "create", "n"],
    ["addr", "add", "10.0.0.2/24"], ["addr", "add", "10.0.0.2/24", "--dev=eth0"], ["addr", "add", "--dev", "eth0"],
    ["addr", "add", "a", "b", "--dev", "eth0"], ["addr", "add", "a", "--dev", "eth0", "--dev", "eth1"],
    ["addr", "del", "a", "--dev", "eth0", "--nodad"], ["addr", "add", "a", "--dev", "eth0", "--help"],
    ["addr", "add", "a", "--dev", "eth0", "-n", "x", "--netns", "y"], ["addr", "show", "a"],
    ["route", "add", "default", "--metric", "ten"], ["route", "add", "default", "--metric", "-1"],
    ["route", "add", "default", "--via"], ["route", "add"], ["route", "add", "default", "-4"],
    ["link", "add", "v0"], ["link", "add", "v0", "--type", "tun"], ["link", "add", "v0", "--type", "veth", "--up", "--up"],
    ["link", "add", "v0", "--type", "veth", "--mtu", "big"], ["link", "add", "--type", "veth"],
    ["link", "set", "eth0", "--netns", "a", "--netns", "b"], ["link", "set", "eth0", "--up", "--netns"],
    ["link", "set", "eth0", "--up", "-6"], ["link", "set", "a", "b", "--up"],
    ["link", "del"], ["link", "del", "--help"], ["link", "del", "a", "--"], ["link", "frob", "a"],
  ])
  func leavesEverythingElseToTheParser(_ arguments: [String]) {
    #expect(FastPath.match(arguments, namespace: nil) == nil)
  }

  @Test func versionIsWhatTheParserPrints() {
    #expect(FastPath.match(["--version"], namespace: nil) == .version)
    #expect(FastPath.match(["--version", "x"], namespace: nil) == nil)
    #expect(FastPath.match(["--version"], namespace: "web") == nil)
    do {
      _ = try CnetCommand.parseAsRoot(["--version"])
      Issue.record("the parser did not stop at --version")
    } catch {
      #expect(CnetCommand.message(for: error) == CnetCommand.version)
      #expect(CnetCommand.exitCode(for: error) == .success)
    }
  }

  @Test func globalNamespaceGoesAlong() {
    #expect(FastPath.match(["link", "list"], namespace: "web") == .linkList(name: nil, type: nil, json: false, namespace: "web"))
    #expect(FastPath.match(["netns", "list"], namespace: "web") == nil)
    #expect(FastPath.match(["link", "list", "-n", "x"], namespace: "web") == nil)
    // -n means nothing to these: the parser reports it.
    #expect(FastPath.match(["connect", "n", "s"], namespace: "web") == nil)
    #expect(FastPath.match(["exec", "ns1", "true"], namespace: "web") == nil)
  }
}

@Suite struct CNMParsingTests {
  func parse<T: ParsableCommand>(_ arguments: [String], as type: T.Type = T.self) throws -> T {
    let command = try CnetCommand.parseAsRoot(arguments)
    return try #require(command as? T, "\(arguments) parsed as \(Swift.type(of: command))")
  }

  @Test func networkCreateMapsEveryFlag() throws {
    let create = try parse([
      "network", "create", "n1", "-d", "bridge", "--subnet", "10.1.0.0/16", "--subnet", "fd00:1::/64",
      "--gateway", "10.1.0.254", "--ip-range", "10.1.5.0/24", "--ipv6", "--internal", "--ipam-driver", "default",
      "-o", "com.docker.network.driver.mtu=1400", "--opt", "com.docker.network.bridge.name=br-x", "--label", "team=a=b",
    ], as: NetworkCreate.self)
    let spec = try create.spec()
    #expect(spec.subnets.map(\.description) == ["10.1.0.0/16", "fd00:1::/64"])
    #expect(spec.gateways.map(\.description) == ["10.1.0.254"])
    #expect(spec.ranges.map(\.description) == ["10.1.5.0/24"])
    #expect(spec.ipv6 && spec.isInternal)
    #expect(spec.options.map(\.key) == ["com.docker.network.driver.mtu", "com.docker.network.bridge.name"])
    #expect(spec.labels.first?.value == "a=b")
  }

  @Test func networkCreateRefusesBadValues() throws {
    for (flags, message) in [
      (["--subnet", "10.1.0.0"], "invalid CIDR \"10.1.0.0\": expected ADDRESS/PREFIXLEN"),
      (["--gateway", "nope"], "invalid --gateway \"nope\": not an IPv4 or IPv6 address"),
      (["-o", "=x"], "invalid -o \"=x\": expected KEY=VALUE"),
      (["--label", "novalue"], "invalid --label \"novalue\": expected KEY=VALUE"),
    ] {
      let create = try parse(["network", "create", "n1"] + flags, as: NetworkCreate.self)
      #expect(throws: CnetError(.invalidArgument, message)) { _ = try create.spec() }
    }
  }

  @Test func connectTakesEndpointAndSandboxOptions() throws {
    let connect = try parse([
      "connect", "front", "web", "--ip", "10.1.0.9", "--alias", "www", "--alias", "w", "--pid", "42",
      "--hostname", "web.local", "--dns", "192.0.2.53", "--dns-search", "example.org", "--add-host", "db:fd00::9",
    ], as: Connect.self)
    let endpoint = try connect.addresses.spec(name: connect.sandbox)
    #expect(endpoint.ipv4 == IPAddress("10.1.0.9"))
    #expect(endpoint.aliases == ["www", "w"])
    let sandbox = try connect.options.spec(name: connect.sandbox)
    #expect(sandbox.pid == 42)
    #expect(sandbox.hostname == "web.local")
    #expect(sandbox.extraHosts.first?.host == "db")
    #expect(sandbox.extraHosts.first?.address == IPAddress("fd00::9"))
    #expect(throws: (any Error).self) { _ = try CnetCommand.parseAsRoot(["connect", "n", "s", "--pid", "1", "--netns", "x"]) }
  }

  @Test func verbsAndAliases() throws {
    for verb in ["ls", "list"] {
      _ = try parse(["network", verb], as: NetworkList.self)
      _ = try parse(["endpoint", verb, "--network", "n"], as: EndpointList.self)
      _ = try parse(["sandbox", verb], as: SandboxList.self)
    }
    for verb in ["rm", "remove", "del", "delete"] {
      #expect(try parse(["network", verb, "a", "b"], as: NetworkRemove.self).networks == ["a", "b"])
      _ = try parse(["endpoint", verb, "n/e"], as: EndpointRemove.self)
      _ = try parse(["sandbox", verb, "s"], as: SandboxRemove.self)
    }
    let join = try parse(["endpoint", "join", "n/e", "box"], as: EndpointJoin.self)
    #expect(join.endpoint == "n/e" && join.sandbox == "box")
    _ = try parse(["endpoint", "leave", "e", "box"], as: EndpointLeave.self)
    #expect(try parse(["gc", "--dry-run"], as: GC.self).dryRun)
    _ = try parse(["disconnect", "n", "s"], as: Disconnect.self)
  }
}

/// What ArgumentParser alone would read other than the user means.
@Suite struct OptionTableTests {
  func message(_ words: [String]) -> String? {
    do {
      _ = try OptionTable.prepare(words)
      return nil
    } catch let error as CnetError {
      return error.message
    } catch {
      return "\(error)"
    }
  }

  @Test func commandsAreFoundByTheirNamesAndAliases() {
    #expect(OptionTable.command(for: ["netns", "ls", "--json"]).0.path == ["netns", "list"])
    #expect(OptionTable.command(for: ["link", "add", "x"]).0.path == ["link", "add"])
    #expect(OptionTable.command(for: ["nosuch"]).1 == 0)
  }

  @Test func repeatedSingleValuedOptionsAreRefused() {
    #expect(message(["connect", "n", "s", "--ip", "10.0.0.2", "--ip", "10.0.0.3"]) == "--ip given twice; it takes one value")
    #expect(message(["link", "add", "v", "--type", "veth", "--type", "bridge"]) == "--type given twice; it takes one value")
    #expect(message(["route", "add", "default", "--dev", "a", "-n", "x", "--netns", "y"]) == "-n/--netns given twice; it takes one value")
    #expect(message(["connect", "n", "s", "--alias", "a", "--alias", "b", "-p", "80", "-p", "81"]) == nil)
  }

  @Test func wordsArePutRight() throws {
    #expect(try OptionTable.prepare(["link", "list", "-n=plain"]) == ["link", "list", "-n", "plain"])
    #expect(try OptionTable.prepare(["link", "add", "x", "--type", "vxlan", "--vni", "-1"])
      == ["link", "add", "x", "--type", "vxlan", "--vni=-1"])
    #expect(try OptionTable.prepare(["network", "create", "n", "--subnet=10.0.0.0/24"])
      == ["network", "create", "n", "--subnet=10.0.0.0/24"])
    // exec's command is passed through untouched.
    let exec = ["exec", "web", "ip", "-4", "-dash", "--ip", "1", "--ip", "2"]
    #expect(try OptionTable.prepare(exec) == exec)
    #expect(try OptionTable.prepare(["netns", "exec", "web", "-x"]) == ["netns", "exec", "web", "-x"])
  }

  @Test func aWordOfShortFlagsWhereANameBelongsIsAnError() {
    #expect(message(["netns", "add", "-dash2"]) == "unknown option \"-dash2\" for netns add (a name cannot begin with \"-\")")
    #expect(message(["-xyz"]) == "unknown option \"-xyz\" (a name cannot begin with \"-\")")
  }
}
