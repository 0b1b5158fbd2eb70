import CnetCore
import Testing

@testable import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

@Suite(.enabled(if: ThrowawayHost.active, "needs root inside scripts/throwaway-host"))
struct AddressRouteIntegrationTests {
  let name = ThrowawayHost.name

  /// A veth pair with both ends up in the same namespace: a link with
  /// carrier. (This kernel has no dummy driver; see LinkIntegrationTests.)
  func upLink(_ socket: RouteSocket) throws -> LinkInfo {
    try socket.addLink(name("d0"), .veth(VethPeer(name: name("d1"))), up: true)
    try socket.setLink(try socket.link(named: name("d1")), LinkChanges(up: true))
    return try socket.link(named: name("d0"))
  }

  @Test func addressesOfBothFamilies() throws {
    let (_, socket) = try ThrowawayHost.namespace()
    let link = try upLink(socket)
    try socket.addAddress(try CIDR("10.1.2.3/24"), to: link)
    try socket.addAddress(try CIDR("fd00::3/64"), to: link, noDAD: true)
    let addresses = try socket.addresses(on: link)
    let v4 = try #require(addresses.first { $0.cidr.family == .v4 })
    #expect(v4.cidr.description == "10.1.2.3/24")
    #expect(v4.broadcast == IPAddress("10.1.2.255"))
    let v6 = try #require(addresses.first { $0.cidr.description == "fd00::3/64" })
    #expect(v6.flags & 0x40 == 0, "nodad address is not tentative")

    do {
      try socket.addAddress(try CIDR("10.1.2.3/24"), to: link)
      Issue.record("expected EEXIST")
    } catch let error as KernelError {
      #expect(error.kind == .alreadyExists)
    }
    try socket.deleteAddress(try CIDR("10.1.2.3/24"), from: link)
    #expect(try socket.addresses(on: link).allSatisfy { $0.cidr.family == .v6 })
  }

  @Test func routes() throws {
    let (_, socket) = try ThrowawayHost.namespace()
    let link = try upLink(socket)
    try socket.addAddress(try CIDR("10.1.2.3/24"), to: link)
    try socket.addRoute(RouteSpec(destination: try CIDR("0.0.0.0/0"), gateway: IPAddress("10.1.2.1")))
    try socket.addRoute(RouteSpec(destination: try CIDR("10.9.0.0/16"), linkIndex: link.index, metric: 50))
    try socket.addAddress(try CIDR("fd00::3/64"), to: link, noDAD: true)
    try socket.addRoute(RouteSpec(destination: try CIDR("::/0"), gateway: IPAddress("fd00::1"), linkIndex: link.index))

    let main = try socket.routes().filter { $0.table == 254 }
    let defaultRoute = try #require(main.first { $0.family == .v4 && $0.destination == nil })
    #expect(defaultRoute.gateway == IPAddress("10.1.2.1"))
    #expect(defaultRoute.linkIndex == link.index)
    #expect(defaultRoute.proto == 3)
    let onLink = try #require(main.first { $0.destination?.description == "10.9.0.0/16" })
    #expect(onLink.metric == 50)
    #expect(onLink.scope == 253)
    #expect(main.contains { $0.family == .v6 && $0.destination == nil && $0.gateway == IPAddress("fd00::1") })

    try socket.deleteRoute(RouteSpec(destination: try CIDR("10.9.0.0/16")))
    #expect(try !socket.routes().contains { $0.destination?.description == "10.9.0.0/16" })
  }

  @Test func unreachableGatewayIsExplainedByTheKernel() throws {
    let (_, socket) = try ThrowawayHost.namespace()
    _ = try upLink(socket)
    do {
      try socket.addRoute(RouteSpec(destination: try CIDR("10.9.0.0/16"), gateway: IPAddress("192.0.2.1")))
      Issue.record("expected an error")
    } catch let error as KernelError {
      #expect(error.code == ENETUNREACH)
      #expect(error.kernelMessage != nil, "no extended ack in: \(error.message)")
    }
  }

  @Test func namespaceIDs() throws {
    let (_, host) = try ThrowawayHost.namespace()
    let (sandbox, _) = try ThrowawayHost.namespace()
    #expect(host.namespaceID(of: sandbox) == nil)
    // A veth across the two makes the kernel assign an id.
    try host.addLink(name("v0"), .veth(VethPeer(name: name("eth0"), namespace: sandbox)))
    #expect(host.namespaceID(of: sandbox) != nil)
  }
}
