import CnetCore
import Testing

@testable import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

@Suite(.enabled(if: ThrowawayHost.active, "needs root inside scripts/throwaway-host"))
struct LinkIntegrationTests {
  let name = ThrowawayHost.name

  @Test func bridgeWithAPort() throws {
    let (_, socket) = try ThrowawayHost.namespace()
    try socket.addLink(name("br0"), .bridge, mtu: 1400, up: true)
    try socket.setLink(try socket.link(named: name("br0")), LinkChanges(alias: "made by a test"))
    try socket.addLink(
      name("p0"), .veth(VethPeer(name: name("p1"))), address: try MACAddress("02:00:00:00:00:07"),
      master: try socket.link(named: name("br0")).index)
    let bridge = try socket.link(named: name("br0"))
    let port = try socket.link(named: name("p0"))
    #expect(bridge.kind == "bridge")
    #expect(bridge.mtu == 1400, "a port does not pull the bridge to its MTU")
    #expect(bridge.isUp)
    #expect(bridge.alias == "made by a test")
    #expect(port.master == bridge.index)
    #expect(formatLinkAddress(port.address) == "02:00:00:00:00:07")
    #expect(try socket.links().map(\.name).sorted() == ["br0", "lo", "p0", "p1"])
  }

  /// This machine's kernel is built without the dummy driver, and CI runs
  /// on the same kind of machine. Where the driver exists, a dummy is made;
  /// where it does not, the kernel's refusal reaches the user in its words.
  @Test func dummyOrTheKernelsRefusal() throws {
    let (_, socket) = try ThrowawayHost.namespace()
    do {
      try socket.addLink(name("d0"), .dummy)
      #expect(try socket.link(named: name("d0")).kind == "dummy")
    } catch let error as KernelError {
      #expect(error.code == EOPNOTSUPP)
      #expect(error.message == "cannot create dummy \"d0\" in netns \"test\": Operation not supported (kernel: Unknown device type)")
    }
  }

  @Test func vethPeerIsBornInsideTheOtherNamespace() throws {
    let (_, host) = try ThrowawayHost.namespace()
    let (sandbox, inside) = try ThrowawayHost.namespace()
    try host.addLink(name("v0"), .veth(VethPeer(name: name("eth0"), namespace: sandbox)), mtu: 1450)
    let hostEnd = try host.link(named: name("v0"))
    let peer = try inside.link(named: name("eth0"))
    #expect(hostEnd.kind == "veth")
    #expect(peer.kind == "veth")
    #expect(peer.mtu == 1450)
    #expect(hostEnd.linkNetnsID != nil)
    #expect(hostEnd.link == peer.index)
    #expect(try host.linkIfPresent(named: name("eth0")) == nil)
    // Indexes by name, each socket answering for its own namespace.
    #expect(try inside.index(of: name("eth0")) == peer.index)
    #expect(try host.index(of: name("v0")) == hostEnd.index)
    let missing = #expect(throws: KernelError.self) { try host.index(of: name("eth0")) }
    #expect(missing?.kind == .notFound)
    let dumped = #expect(throws: KernelError.self) { try host.link(named: name("eth0")) }
    #expect(missing?.message == dumped?.message, "the same words as a lookup by dump")
    // Deleting one end deletes the pair.
    try host.deleteLink(hostEnd)
    #expect(try inside.linkIfPresent(named: name("eth0")) == nil)
  }

  @Test func vethWithKernelChosenPeerName() throws {
    let (_, socket) = try ThrowawayHost.namespace()
    try socket.addLink(name("a0"), .veth(VethPeer(name: nil)))
    let names = try socket.links().map(\.name)
    #expect(names.contains("a0"))
    #expect(names.contains { $0.hasPrefix("veth") })
  }

  @Test func vxlanAndMacvlan() throws {
    let (_, socket) = try ThrowawayHost.namespace()
    try socket.addLink(name("under0"), .veth(VethPeer(name: name("under1"))), up: true)
    let under = try socket.link(named: name("under0"))
    try socket.addLink(
      name("vx42"),
      .vxlan(VXLANOptions(vni: 42, local: IPAddress("198.51.100.1"), remote: IPAddress("203.0.113.7"), port: 4789, device: under.index)))
    try socket.addLink(name("mv0"), .macvlan(parent: under.index, mode: .bridge))
    #expect(try socket.link(named: name("vx42")).kind == "vxlan")
    let macvlan = try socket.link(named: name("mv0"))
    #expect(macvlan.kind == "macvlan")
    #expect(macvlan.link == under.index)
  }

  @Test func setChangesEverythingInOneRequest() throws {
    let (_, socket) = try ThrowawayHost.namespace()
    let (other, otherSocket) = try ThrowawayHost.namespace()
    try socket.addLink(name("br0"), .bridge)
    try socket.addLink(name("d0"), .veth(VethPeer(name: name("x0"))))
    let bridge = try socket.link(named: name("br0"))
    var changes = LinkChanges()
    changes.up = true
    changes.master = bridge.index
    changes.mtu = 1300
    changes.address = try MACAddress("02:00:00:00:00:09")
    changes.newName = name("d1")
    try socket.setLink(try socket.link(named: name("d0")), changes)
    let renamed = try socket.link(named: name("d1"))
    #expect(renamed.isUp && renamed.master == bridge.index && renamed.mtu == 1300)
    #expect(formatLinkAddress(renamed.address) == "02:00:00:00:00:09")

    try socket.setLink(renamed, LinkChanges(master: 0))
    #expect(try socket.link(named: name("d1")).master == 0)

    try socket.setLink(try socket.link(named: name("d1")), LinkChanges(namespace: other))
    #expect(try socket.linkIfPresent(named: name("d1")) == nil)
    #expect(try otherSocket.linkIfPresent(named: name("d1")) != nil)
  }

  @Test func errorsNameTheObjectAndTheNamespace() throws {
    let (_, socket) = try ThrowawayHost.namespace()
    try socket.addLink(name("d0"), .bridge)
    do {
      try socket.addLink(name("d0"), .bridge)
      Issue.record("expected EEXIST")
    } catch let error as KernelError {
      #expect(error.kind == .alreadyExists)
      #expect(error.message.hasPrefix("cannot create bridge \"d0\" in netns \"test\": File exists"))
    }
    do {
      _ = try socket.link(named: name("nope"))
      Issue.record("expected ENODEV")
    } catch let error as KernelError {
      #expect(error.kind == .notFound)
    }
    // The kernel explains itself through the extended ack.
    do {
      try socket.setLink(try socket.link(named: name("d0")), LinkChanges(mtu: 70000))
      Issue.record("expected an error")
    } catch let error as KernelError {
      #expect(error.message == "cannot change link \"d0\" in netns \"test\": Invalid argument (kernel: mtu greater than device maximum)")
    }
  }
}
