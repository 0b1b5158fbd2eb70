import CnetCore
import CnetKernel
import CnetStore
import CnetTestSupport
import Testing

@testable import CnetEngine

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ResolvConfTests {
  @Test func givenServersWin() {
    let text = ResolvConf.render(dns: ["192.0.2.53"], search: ["corp.example"], host: "nameserver 198.51.100.1\nsearch home\noptions ndots:2\n", upstream: nil)
    #expect(text == "# resolv.conf of a cnet sandbox\nnameserver 192.0.2.53\nsearch corp.example\noptions ndots:2\n")
  }

  @Test func theHostsServersOtherwise() {
    let text = ResolvConf.render(dns: [], search: [], host: "# comment\nnameserver 198.51.100.1\nnameserver 127.0.0.1\ndomain home.example\n", upstream: nil)
    #expect(text == "# resolv.conf of a cnet sandbox\nnameserver 198.51.100.1\nsearch home.example\n")
  }

  @Test func aLoopbackStubIsReplacedByItsUpstreams() {
    let text = ResolvConf.render(dns: [], search: [], host: "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n",
                                 upstream: "nameserver 203.0.113.1\nnameserver ::1\nnameserver 2001:db8::53\n")
    #expect(text == """
      # resolv.conf of a cnet sandbox
      # the host's resolver is a loopback stub; these are its upstream servers
      nameserver 203.0.113.1
      nameserver 2001:db8::53
      search lan
      options edns0 trust-ad

      """)
  }

  @Test func noReachableServerIsSaid() {
    let text = ResolvConf.render(dns: [], search: [], host: "nameserver 127.0.0.53\n", upstream: nil)
    #expect(text.contains("loopback stub with no upstream"))
    #expect(!text.contains("nameserver "))
  }
}

@Suite struct HostsFilesTests {
  let directory = TemporaryDirectory()

  func files() -> HostsFiles {
    HostsFiles(runDirectory: directory.path + "/run", etcDirectory: directory.path + "/etc")
  }

  func networkFile(_ hosts: HostsFiles, _ id: String) -> String { hosts.path + "/" + id }

  let network = NetworkRecord(id: "net1", name: "n1", driver: "bridge", ipamDriver: "default", created: "t")

  func sandbox(_ name: String, extraHosts: [String] = []) -> SandboxRecord {
    SandboxRecord(id: "s-" + name, name: name, netns: name, origin: .created, isAuto: true, hostname: name,
                  extraHosts: extraHosts, created: "t")
  }

  func endpoint(_ id: String, _ name: String, _ v4: String, aliases: [String] = []) throws -> EndpointRecord {
    EndpointRecord(id: id, networkID: "net1", name: name, ipv4: try CIDR(v4), aliases: aliases, created: "t")
  }

  @Test func linesNameEndpointSandboxHostnameAndAliases() throws {
    var box = sandbox("web")
    box.hostname = "web.local"
    let lines = HostsFiles.lines(try endpoint("e1", "front", "10.0.0.2/24", aliases: ["www", "front"]), box)
    #expect(lines == "10.0.0.2\tfront web web.local www\t# cnet endpoint e1\n")
  }

  @Test func joinsAndLeavesEditTheNetworksFile() throws {
    let hosts = files()
    try hosts.add(try endpoint("e1", "a", "10.0.0.2/24"), of: sandbox("a"), to: network)
    try hosts.add(try endpoint("e2", "b", "10.0.0.3/24"), of: sandbox("b"), to: network)
    // Adding again replaces, never duplicates.
    try hosts.add(try endpoint("e1", "a", "10.0.0.2/24"), of: sandbox("a"), to: network)
    var text = SystemFile.read(networkFile(hosts, "net1")) ?? ""
    #expect(text.hasPrefix("# hosts of network \"n1\", kept by cnet\n127.0.0.1\tlocalhost\n"))
    #expect(text.split(separator: "\n").filter { $0.contains("# cnet endpoint ") }.count == 2)
    try hosts.remove("e1", from: "net1")
    text = SystemFile.read(networkFile(hosts, "net1")) ?? ""
    #expect(!text.contains("10.0.0.2"))
    #expect(text.contains("10.0.0.3\tb\t# cnet endpoint e2"))
  }

  @Test func removeTakesEveryLineOfTheEndpointAndOnlyThose() throws {
    let hosts = files()
    try hosts.add(try endpoint("e2", "b", "10.0.0.3/24"), of: sandbox("b"), to: network)
    let path = networkFile(hosts, "net1")
    let before = try #require(SystemFile.read(path))
    // An endpoint with two addresses has two lines, here apart.
    try #require(try hosts.directory()).write("net1", before + "10.0.0.2\ta\t# cnet endpoint e1\n"
      + "10.0.0.4\tc\t# cnet endpoint e12\n" + "fd00::2\ta\t# cnet endpoint e1\n")
    try hosts.remove("e1", from: "net1")
    #expect(SystemFile.read(path) == before + "10.0.0.4\tc\t# cnet endpoint e12\n")
    // Nothing of the endpoint's: the file stays as it is.
    try hosts.remove("e9", from: "net1")
    #expect(SystemFile.read(path) == before + "10.0.0.4\tc\t# cnet endpoint e12\n")
    // No file yet: nothing to do.
    try hosts.remove("e1", from: "absent")
  }

  /// The bytes without the endpoint's lines, and whether any went.
  func without(_ endpointID: String, _ bytes: [UInt8]) -> ([UInt8], Bool) {
    var kept: [UInt8] = []
    bytes.withUnsafeBytes { all in
      try? HostsFiles.forEachKept(all, without: endpointID) { kept += $0 }
    }
    return (kept, kept.count != bytes.count)
  }

  @Test func theKeptStretchesLeaveOutExactlyTheEndpointsLines() {
    let file = """
      # header
      10.0.0.2\ta\t# cnet endpoint e1
      fd00::2\ta\t# cnet endpoint e1
      10.0.0.3\tb\t# cnet endpoint e12
      10.0.0.4\tc\t# cnet endpoint e1x
      10.0.0.5\td\t# cnet endpoint e1
      """
    let bytes = Array(file.utf8)
    // The last line has no newline; e12 and e1x only begin with the tag.
    let (kept, removed) = without("e1", bytes)
    #expect(removed)
    #expect(String(decoding: kept, as: UTF8.self) == """
      # header
      10.0.0.3\tb\t# cnet endpoint e12
      10.0.0.4\tc\t# cnet endpoint e1x

      """)
    #expect(without("e9", bytes) == (bytes, false))
    #expect(without("e12", bytes).0.count == bytes.count - "10.0.0.3\tb\t# cnet endpoint e12\n".utf8.count)
    #expect(without("e1", []) == ([], false))
    // Every line is the endpoint's: nothing is left.
    #expect(without("e1", Array("10.0.0.2\ta\t# cnet endpoint e1\n".utf8)) == ([], true))
  }

  @Test func aSandboxOnOneNetworkSharesItsFile() throws {
    let hosts = files()
    let etc = try #require(try Directory.base(directory.path + "/etc", create: true))
    let a = try #require(try etc.subdirectory("a", create: true))
    try hosts.add(try endpoint("e1", "a", "10.0.0.2/24"), of: sandbox("a"), to: network)
    try hosts.writeSandbox(sandbox("a"), in: a, joinedNetworks: ["net1"])
    #expect(a.linkTarget("hosts") == networkFile(hosts, "net1"))
    #expect(SystemFile.read(a.path + "/hosts") == SystemFile.read(networkFile(hosts, "net1")))

    // With --add-host it needs a file of its own, with the network's endpoints in it.
    let own = sandbox("a", extraHosts: ["db:10.9.9.9", "v6:fd00::9"])
    try hosts.writeSandbox(own, in: a, joinedNetworks: ["net1"])
    #expect(a.kind(of: "hosts") == .regular)
    let text = a.readText("hosts") ?? ""
    #expect(text.contains("10.9.9.9\tdb\n"))
    #expect(text.contains("fd00::9\tv6\n"))
    #expect(text.contains("10.0.0.2\ta\t# cnet endpoint e1"))
    #expect(!HostsFiles.canLink(own, joinedNetworks: ["net1"]))
    #expect(!HostsFiles.canLink(sandbox("a"), joinedNetworks: ["net1", "net2"]))
  }
}

@Suite struct NetworkPlanTests {
  @Test func gatewaysAndRangesFindTheirSubnets() throws {
    var spec = NetworkSpec(name: "n")
    spec.subnets = [try CIDR("10.1.0.0/16"), try CIDR("fd00:1::/64")]
    spec.gateways = [IPAddress("fd00:1::fe")!, IPAddress("10.1.0.254")!]
    spec.ranges = [try CIDR("10.1.5.0/24")]
    let plan = try Controller.planPools(spec)
    #expect(plan.map { $0.gateway?.description } == ["10.1.0.254", "fd00:1::fe"])
    #expect(plan.map { $0.range?.description } == ["10.1.5.0/24", nil])
  }

  @Test func mismatchesAreRefused() throws {
    func error(_ subnets: [String], gateways: [String] = [], ranges: [String] = []) -> String? {
      var spec = NetworkSpec(name: "n")
      do {
        spec.subnets = try subnets.map { try CIDR($0) }
        spec.gateways = gateways.compactMap { IPAddress($0) }
        spec.ranges = try ranges.map { try CIDR($0) }
        _ = try Controller.planPools(spec)
        return nil
      } catch let error as CnetError {
        return error.message
      } catch {
        return "\(error)"
      }
    }
    #expect(error(["10.1.0.0/16", "10.1.2.0/24"]) == "--subnet 10.1.0.0/16 and --subnet 10.1.2.0/24 overlap")
    #expect(error(["10.1.0.0/16"], gateways: ["10.2.0.1"]) == "--gateway 10.2.0.1 is in no --subnet")
    #expect(error(["10.1.0.0/16"], gateways: ["10.1.0.1", "10.1.0.2"]) == "two gateways for subnet 10.1.0.0/16")
    #expect(error(["10.1.0.0/16"], ranges: ["10.3.0.0/24"]) == "--ip-range 10.3.0.0/24 is in no --subnet")
  }

  @Test func names() {
    for good in ["web", "Web-1", "a.b_c", "0"] { #expect(throws: Never.self) { try Names.check(good, "network") } }
    for bad in ["", "-x", ".x", "a b", "a/b", "é", String(repeating: "a", count: 64)] {
      #expect(throws: CnetError.self) { try Names.check(bad, "network") }
    }
    for good in ["db", "db.internal", "a-b.example.org"] { #expect(throws: Never.self) { try Names.checkHostname(good, "alias") } }
    for bad in ["", "-db", "db-", "a..b", "a b", "a:b"] { #expect(throws: CnetError.self) { try Names.checkHostname(bad, "alias") } }
    #expect(Names.newID().utf8.count == 64)
    #expect(Names.newID() != Names.newID())
  }
}
