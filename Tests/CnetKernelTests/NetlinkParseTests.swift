import CnetCore
import Testing

@testable import CnetKernel

/// Payloads of kernel messages, built as the kernel lays them out.
enum Parse {
  /// ifinfomsg plus attributes of one link.
  static func link(index: Int32, name: String, extra: [UInt8] = []) -> [UInt8] {
    [0, 0] + Reply.u16(1) + Reply.i32(index) + Reply.u32(0x11043) + Reply.u32(0)  // ifinfomsg: ether, UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
      + Reply.string(3, name)  // IFLA_IFNAME
      + extra
  }
}

@Suite struct NetlinkParseTests {
  func parsed(_ type: UInt16, _ payload: [UInt8], _ body: (RouteSocket) throws -> Void) rethrows {
    let fake = FakeTransport { request in
      [Reply.message(type: type, flags: 2, seq: Reply.sequence(of: request), payload: payload), Reply.done(to: request)]
    }
    try body(RouteSocket(transport: fake))
  }

  @Test func vethLinkWithPeerInAnotherNamespace() throws {
    let payload = Parse.link(index: 7, name: "v0", extra:
      Reply.attr(4, Reply.u32(1400))                    // IFLA_MTU
      + Reply.attr(10, Reply.u32(2))                    // IFLA_MASTER
      + Reply.attr(5, Reply.u32(2))                     // IFLA_LINK: the peer's index over there
      + Reply.attr(37, Reply.u32(0))                    // IFLA_LINK_NETNSID
      + Reply.attr(16, [6])                             // IFLA_OPERSTATE up
      + Reply.attr(1, [0x02, 0x42, 0xac, 0x11, 0, 2])   // IFLA_ADDRESS
      + Reply.attr(20, Array("cnet".utf8) + [0])        // IFLA_IFALIAS
      + Reply.attr(18, Reply.string(1, "veth")))        // IFLA_LINKINFO { IFLA_INFO_KIND }
    try parsed(16, payload) { socket in
      let links = try socket.links()
      #expect(links.count == 1)
      let link = try #require(links.first)
      #expect(link.index == 7)
      #expect(link.name == "v0")
      #expect(link.mtu == 1400)
      #expect(link.master == 2)
      #expect(link.link == 2)
      #expect(link.linkNetnsID == 0)
      #expect(link.operState == 6)
      #expect(link.isUp)
      #expect(formatLinkAddress(link.address) == "02:42:ac:11:00:02")
      #expect(link.kind == "veth")
      #expect(link.alias == "cnet")
    }
  }

  @Test func shortAttributesDoNotCrash() throws {
    // An IFLA_MTU with one byte instead of four reads as 0, not past the end.
    let payload = Parse.link(index: 1, name: "x", extra: Reply.attr(4, [1]))
    try parsed(16, payload) { socket in
      let links = try socket.links()
      #expect(links.first?.mtu == 0)
    }
  }

  @Test func ipv4AndIPv6Addresses() throws {
    let v4 = [2, 24, 0, 0] + Reply.u32(3)             // ifaddrmsg: AF_INET /24, scope global, index 3
      + Reply.attr(1, [10, 1, 2, 3])                   // IFA_ADDRESS
      + Reply.attr(2, [10, 1, 2, 3])                   // IFA_LOCAL
      + Reply.attr(4, [10, 1, 2, 255])                 // IFA_BROADCAST
      + Reply.string(3, "eth0")                        // IFA_LABEL
    let v6: [UInt8] = [10, 64, 0x80, 253] + Reply.u32(3)  // AF_INET6 /64, permanent, scope link
      + Reply.attr(1, [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    let fake = FakeTransport { request in
      let seq = Reply.sequence(of: request)
      return [Reply.message(type: 20, flags: 2, seq: seq, payload: v4)
        + Reply.message(type: 20, flags: 2, seq: seq, payload: v6), Reply.done(to: request)]
    }
    let addresses = try RouteSocket(transport: fake).addresses()
    #expect(addresses.map(\.cidr.description) == ["10.1.2.3/24", "fe80::1/64"])
    #expect(addresses[0].broadcast == IPAddress("10.1.2.255"))
    #expect(addresses[0].label == "eth0")
    #expect(addresses[1].scope == 253)
  }

  @Test func routesWithAndWithoutDestination() throws {
    let gateway: [UInt8] = [2, 0, 0, 0, 254, 3, 0, 1] + Reply.u32(0)  // rtmsg: default, main, boot, universe, unicast
      + Reply.attr(15, Reply.u32(254))                   // RTA_TABLE
      + Reply.attr(5, [10, 0, 0, 1])                     // RTA_GATEWAY
      + Reply.attr(4, Reply.u32(3))                      // RTA_OIF
      + Reply.attr(6, Reply.u32(100))                    // RTA_PRIORITY
    let onLink: [UInt8] = [2, 24, 0, 0, 254, 2, 253, 1] + Reply.u32(0)  // /24, kernel, link scope
      + Reply.attr(1, [10, 0, 0, 0])                     // RTA_DST
      + Reply.attr(7, [10, 0, 0, 2])                     // RTA_PREFSRC
      + Reply.attr(4, Reply.u32(3))
    let fake = FakeTransport { request in
      let seq = Reply.sequence(of: request)
      guard request[16] == 2 else { return [Reply.done(to: request)] }  // only AF_INET has routes here
      return [Reply.message(type: 24, flags: 2, seq: seq, payload: gateway)
        + Reply.message(type: 24, flags: 2, seq: seq, payload: onLink), Reply.done(to: request)]
    }
    let routes = try RouteSocket(transport: fake).routes()
    #expect(routes.count == 2)
    #expect(routes[0].destination == nil)
    #expect(routes[0].gateway == IPAddress("10.0.0.1"))
    #expect(routes[0].metric == 100)
    #expect(routes[0].table == 254)
    #expect(routes[1].destination?.description == "10.0.0.0/24")
    #expect(routes[1].preferredSource == IPAddress("10.0.0.2"))
    #expect(routes[1].scope == 253)
  }
}
