import CnetCore
import Testing

@testable import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// An overlay network's VXLAN device with the static entries cnet puts on
/// it for remote endpoints: learning off, ARP answered from the neighbour
/// table, a replace that moves an address to another host.
@Suite(.enabled(if: ThrowawayHost.active, "needs root inside scripts/throwaway-host"))
struct NeighbourIntegrationTests {
  let name = ThrowawayHost.name

  @Test func staticEntriesOnAVXLANDevice() throws {
    let (_, socket) = try ThrowawayHost.namespace()
    try socket.addLink(
      name("vx256"), .vxlan(VXLANOptions(vni: 256, local: IPAddress("192.0.2.1"), port: 4789, learning: false, proxy: true)))
    let device = try socket.link(named: name("vx256"))
    let mac = try MACAddress.unicast("02:42:0a:00:00:05")
    let neighbour = NeighbourEntry(.neighbour(IPAddress("10.0.0.5")!), mac: mac)
    let onHost2 = NeighbourEntry(.forwarding(vtep: IPAddress("192.0.2.2")!), mac: mac)
    try socket.setNeighbour(neighbour, index: device.index, name: "vx256")
    try socket.setNeighbour(onHost2, index: device.index, name: "vx256")
    #expect(Set(try socket.neighbours(index: device.index, name: "vx256")) == [neighbour, onHost2])

    // The endpoint moved to host 3: replaced in place, no second entry.
    let onHost3 = NeighbourEntry(.forwarding(vtep: IPAddress("192.0.2.3")!), mac: mac)
    try socket.setNeighbour(onHost3, index: device.index, name: "vx256")
    try socket.setNeighbour(neighbour, index: device.index, name: "vx256")
    #expect(Set(try socket.neighbours(index: device.index, name: "vx256")) == [neighbour, onHost3])

    try socket.deleteNeighbour(onHost3, index: device.index, name: "vx256")
    try socket.deleteNeighbour(neighbour, index: device.index, name: "vx256")
    try socket.deleteNeighbour(neighbour, index: device.index, name: "vx256")
    #expect(try socket.neighbours(index: device.index, name: "vx256").isEmpty)
  }
}
