import CnetCore
import Testing

@testable import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// A namespace made on a thread of its own, and the early plan that
/// thread carries out (what `cnet connect` uses: a join's veth pair). The
/// pair's host end goes into the test process's namespace, which is the
/// throwaway host's; the names carry a random suffix, since the tests of a
/// run share it.
@Suite(.enabled(if: ThrowawayHost.active, "needs root inside scripts/throwaway-host"))
struct PendingNamespaceIntegrationTests {
  let name = ThrowawayHost.name
  let suffix = String(UInt32.random(in: 0...0xF_FFFF), radix: 16)

  /// A bridge in the test's namespace, removed by `body`'s end.
  func withBridge(_ body: (RouteSocket, InterfaceName) throws -> Void) throws {
    let host = try RouteSocket.current()
    let bridge = name("pbr" + suffix)
    try host.addLink(bridge, .bridge, up: true)
    defer { _ = try? host.linkIfPresent(named: bridge).map { try host.deleteLink($0) } }
    try body(host, bridge)
  }

  /// A join's pair as the bridge driver plans it.
  func pair(on bridge: InterfaceName, mtu: UInt32? = nil) -> KernelPlan {
    let host = name("pv" + suffix)
    return KernelPlan([
      .createLink(LinkPlan(name: host, place: .host, kind: .veth(peer: PeerPlan(name: name("eth0"), place: .sandbox, mtu: mtu)),
                           master: bridge, mtu: mtu)),
      .setLink(host, .host, LinkSettings(up: true, alias: "cnet:endpoint:test", ipv6AutoAddresses: false)),
    ])
  }

  @Test func aSandboxNamespaceHasLoopbackUpAndASocketInside() throws {
    let made = try PendingNamespace.start(.sandbox, name: "t" + suffix).finish()
    let inside = try #require(made.socket)
    #expect(try inside.link(named: name("lo")).isUp)
    #expect(made.early == nil)
    #expect(!made.namespace.isHostNamespace)
  }

  @Test func aBareNamespaceIsAsIpNetnsAddMakesIt() throws {
    let namespace = try NetworkNamespace.create(name: "t" + suffix)
    let inside = try RouteSocket.inside(namespace)
    #expect(try !inside.link(named: name("lo")).isUp)
  }

  @Test func theThreadCarriesOutTheEarlyPlan() throws {
    try withBridge { host, bridge in
      let pending = try PendingNamespace.start(.sandbox)
      #expect(pending.runEarly(pair(on: bridge, mtu: 1400)))
      let made = try pending.finish()
      let record = try #require(try made.early?.get())
      #expect(!record.isEmpty)
      let hostEnd = try host.link(named: name("pv" + suffix))
      #expect(hostEnd.master == (try host.link(named: bridge).index))
      #expect(hostEnd.isUp)
      #expect(hostEnd.alias == "cnet:endpoint:test")
      #expect(hostEnd.mtu == 1400)
      let peer = try #require(made.socket).link(named: name("eth0"))
      #expect(!peer.isUp, "the peer is left down: its MAC and addresses come first")
      #expect(peer.mtu == 1400)
      #expect(hostEnd.link == peer.index)
      try host.deleteLink(hostEnd)
    }
  }

  @Test func aFailedEarlyPlanIsTheKernelsErrorAndLeavesNothing() throws {
    try withBridge { host, bridge in
      let pending = try PendingNamespace.start(.sandbox)
      // The second step names a link that is not there: the pair made by
      // the first is undone by the thread.
      var plan = pair(on: bridge)
      plan.steps.append(.setLink(name("nolink" + suffix), .host, LinkSettings(up: true)))
      #expect(pending.runEarly(plan))
      let made = try pending.finish()
      let error = #expect(throws: KernelError.self) { try made.early?.get() }
      #expect(error?.code == ENODEV)
      #expect(error?.message.contains("nolink" + suffix) == true)
      #expect(try host.linkIfPresent(named: name("pv" + suffix)) == nil)
    }
  }

  /// A connect refused after its early plan ran discards the creation: the
  /// pair's host end is gone at once (with the namespace alone, the kernel
  /// would remove it in the background, after the command's exit).
  @Test func aDiscardedCreationTakesItsPairAlongAtOnce() throws {
    try withBridge { host, bridge in
      let pending = try PendingNamespace.start(.sandbox)
      #expect(pending.runEarly(pair(on: bridge)))
      #expect(pending.discard().isEmpty)
      #expect(try host.linkIfPresent(named: name("pv" + suffix)) == nil)
      #expect(throws: KernelError.self) { try pending.finish() }
    }
  }

  @Test func anEarlyPlanIsTakenOnceAndNotAfterTheEnd() throws {
    let pending = try PendingNamespace.start(.sandbox)
    #expect(pending.runEarly(KernelPlan()))
    #expect(!pending.runEarly(KernelPlan()))
    _ = try pending.finish()
    let finished = try PendingNamespace.start(.sandbox)
    _ = try finished.finish()
    #expect(!finished.runEarly(KernelPlan()))
    let bare = try PendingNamespace.start(.bare)
    #expect(!bare.runEarly(KernelPlan()), "a bare namespace has no early plan")
    _ = try bare.finish()
  }
}
