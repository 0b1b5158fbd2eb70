import CnetCore
import Testing

@testable import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// A namespace made on a thread of its own, and the veth pair that thread
/// makes on request (what `cnet connect` uses: BridgeDriver.prepareJoin).
/// The pair's host end goes into the test process's namespace, which is
/// the throwaway host's; the names carry a random suffix, since the tests
/// of a run share it.
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

  /// Waits up to 2 s for the pair's host end to be there (`present`) or
  /// gone; whether it came to that.
  func hostEnd(in host: RouteSocket, is present: Bool) throws -> Bool {
    for _ in 0..<200 {
      if try (host.linkIfPresent(named: name("pv" + suffix)) != nil) == present { return true }
      usleep(10_000)
    }
    return false
  }

  @Test func theThreadMakesThePairAsked() throws {
    try withBridge { host, bridge in
      let pending = try NetworkNamespace.startCreating()
      #expect(pending.requestPair(host: name("pv" + suffix), peer: name("eth0"), bridge: bridge, mtu: 1400,
                                  alias: "cnet:endpoint:test"))
      let (namespace, inside) = try pending.finish(name: nil)
      try pending.finishPair()
      let hostEnd = try host.link(named: name("pv" + suffix))
      #expect(hostEnd.master == (try host.link(named: bridge).index))
      #expect(hostEnd.isUp)
      #expect(hostEnd.alias == "cnet:endpoint:test")
      #expect(hostEnd.mtu == 1400)
      let peer = try inside.link(named: name("eth0"))
      #expect(!peer.isUp, "the peer is left down: its MAC and addresses come first")
      #expect(peer.mtu == 1400)
      #expect(hostEnd.link == peer.index)
      try host.deleteLink(hostEnd)
      _ = namespace
    }
  }

  @Test func aMissingBridgeIsTheKernelsError() throws {
    let pending = try NetworkNamespace.startCreating()
    #expect(pending.requestPair(host: name("pv" + suffix), peer: name("eth0"), bridge: name("nobr" + suffix), mtu: nil,
                                alias: "cnet:endpoint:test"))
    _ = try pending.finish(name: nil)
    let error = #expect(throws: KernelError.self) { try pending.finishPair() }
    #expect(error?.code == ENODEV)
    #expect(error?.message.contains("pv" + suffix) == true)
  }

  /// A connect that fails before it names the namespace (a reservation
  /// refused) drops the creation unfinished: the namespace goes, and the
  /// kernel takes the pair with it.
  @Test func anUnfinishedPairGoesWithTheNamespace() throws {
    try withBridge { host, bridge in
      do {
        let pending = try NetworkNamespace.startCreating()
        #expect(pending.requestPair(host: name("pv" + suffix), peer: name("eth0"), bridge: bridge, mtu: nil,
                                    alias: "cnet:endpoint:test"))
        // Made while the creation is still held, so that its going below
        // is the namespace's doing.
        #expect(try hostEnd(in: host, is: true), "the thread never made the pair")
      }
      // The kernel frees a namespace in the background.
      #expect(try hostEnd(in: host, is: false), "the pair outlived its namespace")
    }
  }

  /// A connect whose reservation is refused discards the pair at once:
  /// with the namespace still held here, nothing else would remove it.
  @Test func aDiscardedPairIsGoneAtOnce() throws {
    try withBridge { host, bridge in
      let pending = try NetworkNamespace.startCreating()
      #expect(pending.requestPair(host: name("pv" + suffix), peer: name("eth0"), bridge: bridge, mtu: nil,
                                  alias: "cnet:endpoint:test"))
      let (namespace, inside) = try pending.finish(name: nil)
      #expect(try hostEnd(in: host, is: true), "the thread never made the pair")
      pending.discardPair()
      #expect(try host.linkIfPresent(named: name("pv" + suffix)) == nil)
      #expect(try inside.linkIfPresent(named: name("eth0")) == nil)
      #expect(throws: KernelError.self) { try pending.finishPair() }
      withExtendedLifetime(namespace) {}
    }
  }

  @Test func aPairIsAskedOnce() throws {
    let pending = try NetworkNamespace.startCreating()
    #expect(pending.requestPair(host: name("pv" + suffix), peer: name("eth0"), bridge: name("nobr" + suffix), mtu: nil,
                                alias: "x"))
    #expect(!pending.requestPair(host: name("pw" + suffix), peer: name("eth0"), bridge: name("nobr" + suffix), mtu: nil,
                                 alias: "x"))
  }
}
