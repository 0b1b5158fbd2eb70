import CnetCore
import Testing

@testable import CnetKernel

/// cnet's nftables elements as text, and reading counts back from a
/// listing. (That the kernel takes them is the bats scenarios' part.)
@Suite struct FirewallTests {
  func network(sealed: Bool = false, masquerade: Bool = true) throws -> FirewallNetwork {
    FirewallNetwork(bridge: try InterfaceName("cnet-1"), subnets: [try CIDR("10.89.0.1/24"), try CIDR("fd00:89::1/64")],
                    isInternal: sealed, masquerade: masquerade)
  }

  func added(_ elements: [Firewall.Element]) -> String { elements.map(\.added).joined() }

  @Test func aNetworkIsItsBridgeAndSubnets() throws {
    #expect(added(Firewall.elements(of: try network())) == """
      add element inet cnet bridges { "cnet-1" }
      add element inet cnet same { "cnet-1" . "cnet-1" }
      add element inet cnet subnets4 { 10.89.0.0/24 }
      add element inet cnet nat4 { 10.89.0.0/24 }
      add element inet cnet subnets6 { fd00:89::/64 }
      add element inet cnet nat6 { fd00:89::/64 }

      """)
  }

  @Test func anInternalNetworkIsNeverMasqueraded() throws {
    let elements = Firewall.elements(of: try network(sealed: true, masquerade: true))
    #expect(elements.contains(Firewall.Element(set: "internal", key: "\"cnet-1\"")))
    #expect(!elements.contains { $0.set.hasPrefix("nat") })
    #expect(!Firewall.elements(of: try network(masquerade: false)).contains { $0.set.hasPrefix("nat") })
  }

  @Test func publications() throws {
    let target = IPAddress("10.89.0.2")!
    // Every host address: a hash map keyed by protocol and port.
    #expect(added(Firewall.elements(of: PortPublication(try PortMapping("8080:80"), to: target)))
      == "add element inet cnet pub4a { tcp . 8080 : 10.89.0.2 . 80 }\n")
    // One host address: the interval map keyed by address too.
    #expect(added(Firewall.elements(of: PortPublication(try PortMapping("203.0.113.1:8080:80"), to: target)))
      == "add element inet cnet pub4p { tcp . 203.0.113.1 . 8080 : 10.89.0.2 . 80 }\n")
    // A range that keeps its numbers is one element, whatever its length.
    #expect(added(Firewall.elements(of: PortPublication(try PortMapping("127.0.0.1:9000-9999:9000-9999/udp"), to: target)))
      == "add element inet cnet pub4k { udp . 127.0.0.1 . 9000-9999 : 10.89.0.2 }\n")
    // A shifted range maps port for port.
    #expect(added(Firewall.elements(of: PortPublication(try PortMapping("9000-9001:80-81"), to: target))) == """
      add element inet cnet pub4a { tcp . 9000 : 10.89.0.2 . 80 }
      add element inet cnet pub4a { tcp . 9001 : 10.89.0.2 . 81 }

      """)
    #expect(added(Firewall.elements(of: PortPublication(try PortMapping("53:53/udp"), to: IPAddress("fd00::2")!)))
      == "add element inet cnet pub6k { udp . ::/0 . 53 : fd00::2 }\n")
  }

  @Test func removingNeverFailsOnAMissingElement() throws {
    let element = Firewall.element(isolating: try InterfaceName("cv0123456789ab"))
    #expect(element.removed == """
      add element bridge cnet isolated { "cv0123456789ab" }
      delete element bridge cnet isolated { "cv0123456789ab" }

      """)
    let mapped = Firewall.elements(of: PortPublication(try PortMapping("8080:80"), to: IPAddress("10.0.0.2")!))[0]
    #expect(mapped.removed.hasSuffix("delete element inet cnet pub4a { tcp . 8080 }\n"))
  }

  @Test func countsFromAListing() {
    let listing = """
      table inet cnet {
      \tset bridges {
      \t\ttype ifname
      \t\telements = { "cnet-a", "cnet-b" }
      \t}

      \tset internal {
      \t\ttype ifname
      \t}

      \tmap pub4p {
      \t\ttype inet_proto . ipv4_addr . inet_service : ipv4_addr . inet_service
      \t\tflags interval
      \t\telements = { tcp . 0.0.0.0/0 . 8080 : 10.89.0.2 . 80,
      \t\t\t     tcp . 127.0.0.1 . 8081 : 10.89.0.2 . 80,
      \t\t\t     udp . 0.0.0.0/0 . 53 : 10.89.0.3 . 53 }
      \t}

      \tchain forward {
      \t\ttype filter hook forward priority filter; policy accept;
      \t\tiifname . oifname @same accept
      \t}
      }
      """
    #expect(Firewall.countElements(listing) == ["bridges": 2, "internal": 0, "pub4p": 3])
  }

  @Test func stateCountsMatchTheirElements() throws {
    let state = FirewallState(
      networks: [try network()], publications: [PortPublication(try PortMapping("8080:80"), to: IPAddress("10.89.0.2")!)],
      isolatedPorts: [try InterfaceName("cv1")])
    #expect(Firewall.entryCounts(of: state) == [
      "bridges": 1, "same": 1, "subnets4": 1, "nat4": 1, "subnets6": 1, "nat6": 1, "pub4a": 1, "isolated": 1,
    ])
  }

  @Test func elementBytesAsTheKernelStoresThem() throws {
    // proto . port on every host address; proto . addr . port on one,
    // each field padded to 4 bytes, network order, the range's last key
    // beside its first.
    let port = SetElement.elements(of: PortPublication(try PortMapping("8080:80"), to: IPAddress("10.89.0.2")!))
    #expect(port == [SetElement(
      family: 1, set: "pub4a", key: [6, 0, 0, 0, 0x1f, 0x90, 0, 0], data: [10, 89, 0, 2, 0, 80, 0, 0])])
    let one = SetElement.elements(of: PortPublication(try PortMapping("203.0.113.1:8080:80"), to: IPAddress("10.89.0.2")!))
    #expect(one == [SetElement(
      family: 1, set: "pub4p",
      key: [6, 0, 0, 0, 203, 0, 113, 1, 0x1f, 0x90, 0, 0],
      keyEnd: [6, 0, 0, 0, 203, 0, 113, 1, 0x1f, 0x90, 0, 0],
      data: [10, 89, 0, 2, 0, 80, 0, 0])])
    let range = SetElement.elements(of: PortPublication(try PortMapping("127.0.0.1:53-54:53-54/udp"), to: IPAddress("10.89.0.3")!))
    #expect(range == [SetElement(
      family: 1, set: "pub4k",
      key: [17, 0, 0, 0, 127, 0, 0, 1, 0, 53, 0, 0],
      keyEnd: [17, 0, 0, 0, 127, 0, 0, 1, 0, 54, 0, 0],
      data: [10, 89, 0, 3])])
    let v6 = SetElement.elements(of: PortPublication(try PortMapping("[2001:db8::1]:443:8443"), to: IPAddress("fd00::2")!))[0]
    #expect(v6.set == "pub6p" && v6.key.count == 24 && v6.data?.count == 20)
    let v6any = SetElement.elements(of: PortPublication(try PortMapping("443:8443"), to: IPAddress("fd00::2")!))[0]
    #expect(v6any.set == "pub6a" && v6any.key.count == 8 && v6any.keyEnd == nil && v6any.data?.count == 20)
    #expect(SetElement.element(isolating: try InterfaceName("cv1")).key == Array("cv1".utf8) + [UInt8](repeating: 0, count: 13))
  }

  /// Every element names its owner in a comment, as nft(8) writes one
  /// (`nft --debug=netlink` shows `userdata = { \x00\x0cnetwork abc\x00 }`
  /// for `comment "network abc"`).
  @Test func elementsNameTheirOwner() throws {
    let owned = FirewallNetwork(bridge: try InterfaceName("cnet-1"), subnets: [try CIDR("10.89.0.0/24")],
                                isInternal: false, masquerade: true, owner: "network abc")
    #expect(added(Firewall.elements(of: owned)).hasPrefix("add element inet cnet bridges { \"cnet-1\" comment \"network abc\" }\n"))
    let published = PortPublication(try PortMapping("8080:80"), to: IPAddress("10.89.0.2")!, owner: "endpoint def")
    #expect(added(Firewall.elements(of: published))
      == "add element inet cnet pub4a { tcp . 8080 comment \"endpoint def\" : 10.89.0.2 . 80 }\n")
    let element = SetElement.elements(of: PortPublication(try PortMapping("8080:80"), to: IPAddress("10.89.0.2")!,
                                                          owner: "network abc"))[0]
    #expect(element.userdata == [0x00, 0x0c] + Array("network abc".utf8) + [0])
    #expect(SetElement.element(isolating: try InterfaceName("cv1")).userdata.isEmpty)
  }
}
