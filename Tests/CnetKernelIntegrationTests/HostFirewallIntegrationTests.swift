import CnetCore
import Testing

@testable import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// The other firewalls, as the real iptables writes them and the kernel
/// reports them over netlink. One test, in the throwaway host's own
/// namespace (iptables has no option to work in another): tests run in
/// parallel, and no other test touches netfilter.
@Suite(.enabled(if: ThrowawayHost.active, "needs root inside scripts/throwaway-host"))
struct HostFirewallIntegrationTests {
  func run(_ arguments: String...) throws {
    let result = try Program.run(arguments)
    #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.error)")
  }

  @Test func iptablesNftRulesReadOverNetlinkAndKeptInPlace() throws {
    defer {
      _ = try? Program.run(["iptables", "-P", "FORWARD", "ACCEPT"])
      _ = try? Program.run(["iptables", "-F"])
      _ = try? Program.run(["iptables", "-X"])
      _ = try? Program.run(["nft", "delete", "table", "ip", "filter"])
      _ = try? Program.run(["nft", "delete", "table", "inet", "probe"])
    }
    let socket = try RouteSocket.netfilter()
    let accepts = ForwardAccepts(netfilter: { socket })
    #expect(try accepts.view(.v4, tables: socket.nftablesTables()).hasTable == false)

    // Docker's chains, as dockerd makes them.
    try run("iptables", "-N", "DOCKER-USER")
    try run("iptables", "-A", "DOCKER-USER", "-j", "RETURN")
    try run("iptables", "-I", "FORWARD", "-j", "DOCKER-USER")
    try run("iptables", "-P", "FORWARD", "DROP")
    try run("iptables", "-I", "DOCKER-USER", "-i", "x0", "-m", "comment", "--comment", "cnet:gone:000000000000", "-j", "ACCEPT")
    let tables = try socket.nftablesTables()
    #expect(tables.contains { $0.family == 2 && $0.name == "filter" && $0.handle > 0 })
    let chains = try socket.nftablesChains(family: 2, table: "filter")
    #expect(chains.first { $0.name == "FORWARD" }?.drops == true)
    #expect(chains.first { $0.name == "DOCKER-USER" }?.policy == nil)
    #expect(try socket.nftablesRuleComments(family: 2, table: "filter", chain: "DOCKER-USER") == ["cnet:gone:000000000000"])

    // A comment nft wrote is found the same way.
    try run("nft", "add table inet probe; add chain inet probe c; add rule inet probe c counter comment \"by nft\"")
    #expect(try socket.nftablesRuleComments(family: 1, table: "probe", chain: "c") == ["by nft"])

    // cnet's accepts: in place after one apply, nothing to do after a second.
    let lab = ForwardNetwork(name: "lab", id: "0123456789abcdef", bridge: try InterfaceName("br-lab"), isInternal: false,
                             families: [.v4])
    var view = try accepts.view(.v4, tables: socket.nftablesTables())
    #expect(view.placement == .dockerUser)
    #expect(!view.isInPlace(for: [lab]))
    let report = try accepts.apply(.v4, networks: [lab])
    #expect(report.count == 5, "four added, the stray removed: \(report)")
    view = try accepts.view(.v4, tables: socket.nftablesTables())
    #expect(view.isInPlace(for: [lab]))
    #expect(try accepts.apply(.v4, networks: [lab]).isEmpty)
    let listing = try Program.run(["iptables", "-S", "DOCKER-USER"]).output.split(separator: "\n")
    #expect(listing.last == "-A DOCKER-USER -j RETURN", "above Docker's RETURN")
    #expect(listing.count == 6)

    // Without DOCKER-USER, cnet's own chain.
    try run("iptables", "-D", "FORWARD", "-j", "DOCKER-USER")
    try run("iptables", "-F", "DOCKER-USER")
    try run("iptables", "-X", "DOCKER-USER")
    view = try accepts.view(.v4, tables: socket.nftablesTables())
    #expect(view.placement == .ownChain)
    try accepts.apply(.v4, networks: [lab])
    view = try accepts.view(.v4, tables: socket.nftablesTables())
    #expect(view.isInPlace(for: [lab]))
    #expect(view.jumpsToOwnChain)
    // And nothing of cnet's once its last network is gone.
    try accepts.apply(.v4, networks: [])
    #expect(!(try Program.run(["iptables-save"]).output.contains("cnet")))
  }
}
