import CnetCore
import Testing

@testable import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// The one executor of the drivers' plans, against the kernel: a "host"
/// and a "sandbox" namespace of the test's own each time.
@Suite(.enabled(if: ThrowawayHost.active, "needs root inside scripts/throwaway-host"))
struct PlanExecutorIntegrationTests {
  let name = ThrowawayHost.name
  let host: (NetworkNamespace, RouteSocket)
  let sandbox: (NetworkNamespace, RouteSocket)
  var warnings: [String] = []

  init() throws {
    host = try ThrowawayHost.namespace()
    sandbox = try ThrowawayHost.namespace()
  }

  func executor(warn: @escaping (String) -> Void = { _ in }) -> PlanExecutor {
    let (hostNamespace, hostSocket) = host
    let (sandboxNamespace, sandboxSocket) = sandbox
    return PlanExecutor(host: { hostSocket }, hostNamespace: hostNamespace, firewall: nil, sandbox: sandboxNamespace,
                        sandboxSocket: { sandboxSocket }, warn: warn)
  }

  /// A bridge network's join, as the bridge driver plans it.
  func join(mac: MACAddress? = nil) throws -> KernelPlan {
    KernelPlan([
      .ensureLink(LinkPlan(name: name("br0"), place: .host, kind: .bridge, mac: try MACAddress.unicast("02:00:00:00:00:01")),
                  mark: "cnet:network:n1"),
      .addAddress(name("br0"), .host, try CIDR("10.9.0.1/24"), ensure: true),
      .setLink(name("br0"), .host, LinkSettings(up: true)),
      .createLink(LinkPlan(name: name("cv1"), place: .host, kind: .veth(peer: PeerPlan(name: name("eth0"), place: .sandbox)),
                           master: name("br0"))),
      .setLink(name("cv1"), .host, LinkSettings(up: true, alias: "cnet:endpoint:e1", ipv6AutoAddresses: false)),
      .setLink(name("eth0"), .sandbox, LinkSettings(ipv6AutoAddresses: false, mac: mac)),
      .setLink(name("eth0"), .sandbox, LinkSettings(up: true)),
      .addAddress(name("eth0"), .sandbox, try CIDR("10.9.0.2/24"), ensure: false),
      .addRoute(.sandbox, destination: .any(.v4), gateway: IPAddress("10.9.0.1"), link: name("eth0"), keepExisting: true),
    ])
  }

  @Test func aJoinIsMadeInBothPlacesAndUndoneLastFirst() throws {
    let mac = try MACAddress.unicast("02:42:0a:09:00:02")
    let record = try executor().run(try join(mac: mac))
    let bridge = try host.1.link(named: name("br0"))
    #expect(bridge.alias == "cnet:network:n1")
    #expect(bridge.isUp)
    let hostEnd = try host.1.link(named: name("cv1"))
    #expect(hostEnd.master == bridge.index)
    #expect(hostEnd.alias == "cnet:endpoint:e1")
    let peer = try sandbox.1.link(named: name("eth0"))
    #expect(peer.isUp)
    #expect(peer.address == mac.bytes, "the MAC went into the pair's creation")
    #expect(try sandbox.1.addresses(on: peer).map(\.cidr) == [try CIDR("10.9.0.2/24")])
    #expect(try sandbox.1.routes().contains { $0.destination == nil || $0.destination?.prefixLength == 0 })

    var lines: [String] = []
    #expect(executor(warn: { lines.append($0) }).undo(record) == 0)
    #expect(lines.isEmpty)
    #expect(try host.1.linkIfPresent(named: name("cv1")) == nil)
    #expect(try sandbox.1.linkIfPresent(named: name("eth0")) == nil)
    // An ensured link is never undone: it is the network's, not the join's.
    #expect(try host.1.linkIfPresent(named: name("br0")) != nil)
  }

  @Test func aFailedStepUndoesWhatTheRunMadeAndThrowsItsError() throws {
    var plan = try join()
    plan.steps.append(.addAddress(name("nolink"), .sandbox, try CIDR("10.9.0.3/24"), ensure: false))
    let error = #expect(throws: KernelError.self) { try executor().run(plan) }
    #expect(error?.code == ENODEV)
    #expect(try host.1.linkIfPresent(named: name("cv1")) == nil)
    #expect(try sandbox.1.linkIfPresent(named: name("eth0")) == nil)
  }

  @Test func anEnsuredLinkIsMadeOnceAndSomeoneElsesIsRefused() throws {
    let bridge = LinkPlan(name: name("br0"), place: .host, kind: .bridge, mac: try MACAddress.unicast("02:00:00:00:00:01"))
    try executor().run(KernelPlan([.ensureLink(bridge, mark: "cnet:network:n1")]))
    // Its MAC changed behind cnet's back: set back.
    try host.1.setLink(named: name("br0"), LinkChanges(address: try MACAddress.unicast("02:00:00:00:00:09")))
    try executor().run(KernelPlan([.ensureLink(bridge, mark: "cnet:network:n1")]))
    #expect(try host.1.link(named: name("br0")).address == bridge.mac?.bytes)
    let error = #expect(throws: CnetError.self) {
      try executor().run(KernelPlan([.ensureLink(bridge, mark: "cnet:network:n2")]))
    }
    #expect(error?.message.contains("not the one cnet made") == true)
  }

  @Test func aDeletionSparesALinkWithAnotherMark() throws {
    try host.1.addLink(name("br0"), .bridge)
    try host.1.setLink(named: name("br0"), LinkChanges(alias: "someone else's"))
    try executor().run(KernelPlan([.deleteLink(name("br0"), .host, mark: "cnet:network:n1")]))
    #expect(try host.1.linkIfPresent(named: name("br0")) != nil)
    try executor().run(KernelPlan([.deleteLink(name("gone"), .host, mark: nil)]))
  }

  /// A plugin's link: moved into the sandbox under the endpoint's name at
  /// join, back under the plugin's at leave.
  @Test func aMovedLinkGoesBackUnderItsOldName() throws {
    try host.1.addLink(name("plug0"), .veth(VethPeer(name: name("plug1"))))
    let record = try executor().run(KernelPlan([
      .moveLink(name("plug0"), from: .host, newName: name("eth1"), LinkSettings(up: false, alias: "cnet:plugin-link:plug0")),
      .setLink(name("eth1"), .sandbox, LinkSettings(up: true)),
    ]))
    #expect(try sandbox.1.link(named: name("eth1")).isUp)
    #expect(try host.1.linkIfPresent(named: name("plug0")) == nil)
    try executor().run(KernelPlan([.restoreLink(name("eth1"), from: .sandbox, aliasPrefix: "cnet:plugin-link:")]))
    #expect(try host.1.link(named: name("plug0")).alias == nil)
    #expect(try sandbox.1.linkIfPresent(named: name("eth1")) == nil)
    // Undoing the move once the link is back finds nothing to move: said.
    var lines: [String] = []
    #expect(executor(warn: { lines.append($0) }).undo(record) == 1)
    #expect(lines.count == 1)
  }
}
