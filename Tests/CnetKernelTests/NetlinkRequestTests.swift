import CnetCore
import Testing

@testable import CnetKernel

/// The bytes each operation sends, checked field by field against what
/// iproute2 sends for the same command. The kernel is never contacted.
@Suite struct NetlinkRequestTests {
  func socket(_ transport: FakeTransport, seq: UInt32) -> RouteSocket {
    RouteSocket(transport: transport, firstSequence: seq)
  }

  func link(_ name: String, index: Int32) -> LinkInfo {
    LinkInfo(index: index, name: name, flags: 0, hardwareType: 1, mtu: 1500, master: 0, link: 0,
             linkNetnsID: nil, operState: 0, address: [], broadcast: [], kind: nil, alias: nil)
  }

  @Test func bridgeAdd() throws {
    let fake = FakeTransport()
    try socket(fake, seq: 7).addLink(try InterfaceName("br0"), .bridge, up: true)
    #expect(fake.requests == [hex("""
      38000000 1000 0506 07000000 00000000  // nlmsghdr: len 56, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 7, port 0
      00 00 0000 00000000 01000000 01000000 // ifinfomsg: family, pad, type, index 0, flags IFF_UP, change IFF_UP
      0800 0300 62723000                    // IFLA_IFNAME "br0"
      1000 1280                             // IFLA_LINKINFO (nested), 16 bytes
      0b00 0100 62726964676500 00           //   IFLA_INFO_KIND "bridge", padded
      """)])
  }

  /// The request buffer is reused: what a long request left in it must not
  /// show through the padding of a later one ("bridge" is padded).
  @Test func paddingIsClearedInAReusedBuffer() throws {
    let fake = FakeTransport()
    let socket = socket(fake, seq: 7)
    try socket.setLink(named: try InterfaceName("br0"), LinkChanges(alias: String(repeating: "z", count: 100)))
    try socket.addLink(try InterfaceName("br0"), .bridge, up: true)
    #expect(fake.requests.last == hex("""
      38000000 1000 0506 08000000 00000000
      00 00 0000 00000000 01000000 01000000
      0800 0300 62723000
      1000 1280
      0b00 0100 62726964676500 00
      """))
  }

  /// The same for an nftables batch, whose messages are laid out one after
  /// another in the buffer: the bytes match those built in a fresh buffer.
  @Test func setElementBatchesAreTheSameInAReusedBuffer() throws {
    let elements = [SetElement.element(isolating: try InterfaceName("cv0")),
                    SetElement.element(isolating: try InterfaceName("cv0123456789ab"))]
    let fresh = FakeTransport()
    try socket(fresh, seq: 9).changeSetElements(elements, remove: false)
    let reused = FakeTransport()
    let socket = socket(reused, seq: 8)
    try socket.setLink(named: try InterfaceName("br0"), LinkChanges(alias: String(repeating: "z", count: 200)))
    try socket.changeSetElements(elements, remove: false)
    #expect(reused.requests.last == fresh.requests.last)
    #expect(fresh.requests.count == 1)
  }

  @Test func vethWithPeerInsideANamespace() throws {
    let fake = FakeTransport()
    // An fd number stands in for a namespace; the fake never uses it.
    let namespace = NetworkNamespace(fd: dup(0), name: "web")
    try socket(fake, seq: 8).addLink(
      try InterfaceName("v0"), .veth(VethPeer(name: try InterfaceName("eth0"), namespace: namespace)), mtu: 1400)
    let fd = Reply.u32(UInt32(namespace.fd))
    #expect(fake.requests == [hex("""
      74000000 1000 0506 08000000 00000000  // nlmsghdr: len 116, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 8
      00 00 0000 00000000 00000000 00000000 // ifinfomsg: nothing set
      0700 0300 763000 00                   // IFLA_IFNAME "v0"
      0800 0400 78050000                    // IFLA_MTU 1400
      4400 1280                             // IFLA_LINKINFO (nested)
      0900 0100 7665746800 000000           //   IFLA_INFO_KIND "veth"
      3400 0280                             //   IFLA_INFO_DATA (nested)
      3000 0180                             //     VETH_INFO_PEER (nested): a whole ifinfomsg, then attributes
      00 00 0000 00000000 00000000 00000000 //       ifinfomsg of the peer
      0900 0300 6574683000 000000           //       IFLA_IFNAME "eth0": its final name
      0800 0400 78050000                    //       IFLA_MTU 1400: same as its twin
      0800 1c00                             //       IFLA_NET_NS_FD: created inside the namespace
      """) + fd])
  }

  @Test func vxlanAdd() throws {
    let fake = FakeTransport()
    try socket(fake, seq: 13).addLink(
      try InterfaceName("vx42"),
      .vxlan(VXLANOptions(vni: 42, remote: IPAddress("203.0.113.7"), port: 4789, device: 2)))
    #expect(fake.requests == [hex("""
      60000000 1000 0506 0d000000 00000000  // nlmsghdr: len 96, RTM_NEWLINK, create, seq 13
      00 00 0000 00000000 00000000 00000000 // ifinfomsg
      0900 0300 7678343200 000000           // IFLA_IFNAME "vx42"
      3400 1280                             // IFLA_LINKINFO (nested)
      0a00 0100 76786c616e00 0000           //   IFLA_INFO_KIND "vxlan"
      2400 0280                             //   IFLA_INFO_DATA (nested)
      0800 0100 2a000000                    //     IFLA_VXLAN_ID 42
      0800 0200 cb007107                    //     IFLA_VXLAN_GROUP 203.0.113.7 (the unicast remote)
      0800 0300 02000000                    //     IFLA_VXLAN_LINK 2 (underlay)
      0600 0f00 12b5 0000                   //     IFLA_VXLAN_PORT 4789, network order
      """)])
  }

  /// An overlay network's device: the host's VTEP as the source, learning
  /// off and proxy ARP on (`ip link add vx-256 type vxlan id 256 local
  /// 192.0.2.1 dstport 4789 nolearning proxy`).
  @Test func vxlanAddWithoutLearning() throws {
    let fake = FakeTransport()
    try socket(fake, seq: 14).addLink(
      try InterfaceName("vx-256"),
      .vxlan(VXLANOptions(vni: 256, local: IPAddress("192.0.2.1"), port: 4789, learning: false, proxy: true)))
    #expect(fake.requests == [hex("""
      68000000 1000 0506 0e000000 00000000  // nlmsghdr: len 104, RTM_NEWLINK, create, seq 14
      00 00 0000 00000000 00000000 00000000 // ifinfomsg
      0b00 0300 76782d32353600 00           // IFLA_IFNAME "vx-256"
      3c00 1280                             // IFLA_LINKINFO (nested)
      0a00 0100 76786c616e00 0000           //   IFLA_INFO_KIND "vxlan"
      2c00 0280                             //   IFLA_INFO_DATA (nested)
      0800 0100 00010000                    //     IFLA_VXLAN_ID 256
      0800 0400 c0000201                    //     IFLA_VXLAN_LOCAL 192.0.2.1
      0600 0f00 12b5 0000                   //     IFLA_VXLAN_PORT 4789, network order
      0500 0700 00 000000                   //     IFLA_VXLAN_LEARNING 0
      0500 0b00 01 000000                   //     IFLA_VXLAN_PROXY 1
      """)])
  }

  /// `ip neigh replace 10.0.0.5 lladdr 02:42:0a:00:00:05 dev vx nud
  /// permanent`: by replace, so an address that moved changes in place.
  @Test func neighbourReplace() throws {
    let fake = FakeTransport()
    let entry = NeighbourEntry(.neighbour(try #require(IPAddress("10.0.0.5"))), mac: try MACAddress("02:42:0a:00:00:05"))
    try socket(fake, seq: 5).setNeighbour(entry, index: 3, name: "vx")
    #expect(fake.requests == [hex("""
      30000000 1c00 0505 05000000 00000000  // nlmsghdr: len 48, RTM_NEWNEIGH, REQUEST|ACK|REPLACE|CREATE, seq 5
      02 000000 03000000 8000 00 00         // ndmsg: AF_INET, index 3, NUD_PERMANENT, no flags
      0800 0100 0a000005                    // NDA_DST 10.0.0.5
      0a00 0200 02420a000005 0000           // NDA_LLADDR
      """)])
  }

  /// `bridge fdb replace 02:42:0a:00:00:05 dev vx dst 192.0.2.2 self
  /// permanent`: the MAC's frames go to that host's VTEP.
  @Test func forwardingReplaceAndDelete() throws {
    let fake = FakeTransport()
    let entry = NeighbourEntry(.forwarding(vtep: try #require(IPAddress("192.0.2.2"))), mac: try MACAddress("02:42:0a:00:00:05"))
    let socket = socket(fake, seq: 6)
    try socket.setNeighbour(entry, index: 3, name: "vx")
    try socket.deleteNeighbour(entry, index: 3, name: "vx")
    #expect(fake.requests == [hex("""
      30000000 1c00 0505 06000000 00000000  // nlmsghdr: len 48, RTM_NEWNEIGH, REQUEST|ACK|REPLACE|CREATE, seq 6
      07 000000 03000000 8000 02 00         // ndmsg: AF_BRIDGE, index 3, NUD_PERMANENT, NTF_SELF
      0800 0100 c0000202                    // NDA_DST 192.0.2.2 (the VTEP)
      0a00 0200 02420a000005 0000           // NDA_LLADDR
      """), hex("""
      30000000 1d00 0500 07000000 00000000  // nlmsghdr: len 48, RTM_DELNEIGH, REQUEST|ACK, seq 7
      07 000000 03000000 8000 02 00
      0800 0100 c0000202
      0a00 0200 02420a000005 0000
      """)])
  }

  @Test func macvlanAdd() throws {
    let fake = FakeTransport()
    try socket(fake, seq: 1).addLink(try InterfaceName("mv0"), .macvlan(parent: 2, mode: .bridge))
    #expect(fake.requests == [hex("""
      4c000000 1000 0506 01000000 00000000  // nlmsghdr: len 76, RTM_NEWLINK, create, seq 1
      00 00 0000 00000000 00000000 00000000 // ifinfomsg
      0800 0300 6d763000                    // IFLA_IFNAME "mv0"
      0800 0500 02000000                    // IFLA_LINK 2: the parent
      1c00 1280                             // IFLA_LINKINFO (nested)
      0c00 0100 6d6163766c616e00            //   IFLA_INFO_KIND "macvlan"
      0c00 0280                             //   IFLA_INFO_DATA (nested)
      0800 0100 04000000                    //     IFLA_MACVLAN_MODE bridge
      """)])
  }

  @Test func linkSetMasterUpAndMove() throws {
    let fake = FakeTransport()
    let namespace = NetworkNamespace(fd: dup(0), name: "web")
    var changes = LinkChanges()
    changes.up = true
    changes.master = 2
    changes.namespace = namespace
    try socket(fake, seq: 12).setLink(link("v0", index: 4), changes)
    #expect(fake.requests == [hex("""
      30000000 1000 0500 0c000000 00000000  // nlmsghdr: len 48, RTM_NEWLINK, REQUEST|ACK (no create), seq 12
      00 00 0000 04000000 01000000 01000000 // ifinfomsg: index 4, IFF_UP in flags and change
      0800 0a00 02000000                    // IFLA_MASTER 2
      0800 1c00                             // IFLA_NET_NS_FD
      """) + Reply.u32(UInt32(namespace.fd))])
  }

  @Test func nomasterAndDown() throws {
    let fake = FakeTransport()
    try socket(fake, seq: 1).setLink(link("v0", index: 4), LinkChanges(up: false, master: 0))
    #expect(fake.requests == [hex("""
      28000000 1000 0500 01000000 00000000  // RTM_NEWLINK, REQUEST|ACK
      00 00 0000 04000000 00000000 01000000 // index 4, flags 0 with IFF_UP in change: down
      0800 0a00 00000000                    // IFLA_MASTER 0: no master
      """)])
  }

  @Test func upWithoutIPv6Addresses() throws {
    let fake = FakeTransport()
    try socket(fake, seq: 2).setLink(link("v0", index: 4), LinkChanges(up: true, ipv6AutoAddresses: false))
    #expect(fake.requests == [hex("""
      30000000 1000 0500 02000000 00000000  // RTM_NEWLINK, REQUEST|ACK, seq 2
      00 00 0000 04000000 01000000 01000000 // index 4, up
      1000 1a80                             // IFLA_AF_SPEC (nested)
      0c00 0a80                             //   AF_INET6 (nested)
      0500 0800 01 000000                   //     IFLA_INET6_ADDR_GEN_MODE: IN6_ADDR_GEN_MODE_NONE
      """)])
  }

  @Test func linkDelete() throws {
    let fake = FakeTransport()
    try socket(fake, seq: 11).deleteLink(link("v0", index: 4))
    #expect(fake.requests == [hex("""
      20000000 1100 0500 0b000000 00000000  // nlmsghdr: len 32, RTM_DELLINK, REQUEST|ACK, seq 11
      00 00 0000 04000000 00000000 00000000 // ifinfomsg: index 4
      """)])
  }

  @Test func ipv4AddressAdd() throws {
    let fake = FakeTransport()
    try socket(fake, seq: 9).addAddress(try CIDR("10.1.2.3/24"), to: link("eth0", index: 3))
    #expect(fake.requests == [hex("""
      30000000 1400 0506 09000000 00000000  // nlmsghdr: len 48, RTM_NEWADDR, create, seq 9
      02 18 00 00 03000000                  // ifaddrmsg: AF_INET, /24, flags, scope universe, index 3
      0800 0200 0a010203                    // IFA_LOCAL 10.1.2.3
      0800 0100 0a010203                    // IFA_ADDRESS 10.1.2.3 (no peer)
      0800 0400 0a0102ff                    // IFA_BROADCAST 10.1.2.255 (brd +)
      """)])
  }

  @Test func ipv6AddressAddWithoutDAD() throws {
    let fake = FakeTransport()
    try socket(fake, seq: 1).addAddress(try CIDR("fd00::2/64"), to: link("eth0", index: 3), noDAD: true)
    #expect(fake.requests == [hex("""
      48000000 1400 0506 01000000 00000000  // nlmsghdr: len 72, RTM_NEWADDR, create
      0a 40 02 00 03000000                  // ifaddrmsg: AF_INET6, /64, IFA_F_NODAD, scope universe, index 3
      1400 0200 fd000000000000000000000000000002 // IFA_LOCAL fd00::2
      1400 0100 fd000000000000000000000000000002 // IFA_ADDRESS fd00::2
      0800 0800 02000000                    // IFA_FLAGS IFA_F_NODAD
      """)])
  }

  @Test func addressDelete() throws {
    let fake = FakeTransport()
    try socket(fake, seq: 1).deleteAddress(try CIDR("10.1.2.3/24"), from: link("eth0", index: 3))
    #expect(fake.requests == [hex("""
      28000000 1500 0500 01000000 00000000  // RTM_DELADDR, REQUEST|ACK
      02 18 00 00 03000000                  // ifaddrmsg
      0800 0200 0a010203                    // IFA_LOCAL
      0800 0100 0a010203                    // IFA_ADDRESS
      """)])
  }

  @Test func defaultRouteAdd() throws {
    let fake = FakeTransport()
    let route = RouteSpec(destination: try CIDR("0.0.0.0/0"), gateway: IPAddress("10.1.2.1"), linkIndex: 3)
    try socket(fake, seq: 10).addRoute(route)
    #expect(fake.requests == [hex("""
      2c000000 1800 0506 0a000000 00000000  // nlmsghdr: len 44, RTM_NEWROUTE, create, seq 10
      02 00 00 00 fe 03 00 01 00000000      // rtmsg: AF_INET, dst /0, main table, proto boot, scope universe, unicast
      0800 0500 0a010201                    // RTA_GATEWAY 10.1.2.1
      0800 0400 03000000                    // RTA_OIF 3
      """)])
  }

  @Test func linkRouteWithMetricAndDelete() throws {
    let fake = FakeTransport()
    let route = RouteSpec(destination: try CIDR("10.9.0.0/16"), linkIndex: 3, metric: 50)
    try socket(fake, seq: 1).addRoute(route)
    try socket(fake, seq: 2).deleteRoute(route)
    #expect(fake.requests == [
      hex("""
        34000000 1800 0506 01000000 00000000  // RTM_NEWROUTE, create
        02 10 00 00 fe 03 fd 01 00000000      // rtmsg: AF_INET, /16, main, boot, scope link (no gateway), unicast
        0800 0100 0a090000                    // RTA_DST 10.9.0.0
        0800 0400 03000000                    // RTA_OIF 3
        0800 0600 32000000                    // RTA_PRIORITY 50
        """),
      hex("""
        34000000 1900 0500 02000000 00000000  // RTM_DELROUTE, REQUEST|ACK
        02 10 00 00 fe 00 ff 00 00000000      // rtmsg: main table, scope nowhere (matches any), type unspec
        0800 0100 0a090000                    // RTA_DST
        0800 0400 03000000                    // RTA_OIF
        0800 0600 32000000                    // RTA_PRIORITY
        """),
    ])
  }

  @Test func linkDumpAndGetByName() throws {
    let fake = FakeTransport { request in [Reply.done(to: request)] }
    _ = try socket(fake, seq: 5).links()
    #expect(fake.requests == [hex("""
      20000000 1200 0103 05000000 00000000  // nlmsghdr: len 32, RTM_GETLINK, REQUEST|DUMP, seq 5
      00 00 0000 00000000 00000000 00000000 // ifinfomsg: everything
      """)])

    let byName = FakeTransport { request in [Reply.ack(to: request, error: -19)] }
    #expect(try socket(byName, seq: 6).linkIfPresent(named: InterfaceName("eth9")) == nil)
    #expect(byName.requests == [hex("""
      2c000000 1200 0500 06000000 00000000  // RTM_GETLINK, REQUEST|ACK: one link, then an ack
      00 00 0000 00000000 00000000 00000000 // ifinfomsg
      0900 0300 6574683900 000000           // IFLA_IFNAME "eth9"
      """)])
  }
}

#if canImport(Glibc)
import Glibc
#endif
