@testable import CnetCluster
import CnetCore
import CnetEngine
import CnetHTTP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The cluster IPAM against a real etcd: a joining endpoint's address and
/// its publication in one transaction, and a sent transaction whose answer
/// is read later.
@Suite(.enabled(if: EtcdServer.active, "needs root, etcd, and scripts/throwaway-host"), .serialized)
struct ClusterIPAMTests {
  let server: EtcdServer
  let etcd: EtcdGateway
  let config: ClusterConfig
  let runDirectory: String
  let keys = ClusterKeys()

  init() throws {
    server = try EtcdServer()
    etcd = try EtcdGateway(urls: [server.url])
    config = ClusterConfig(endpoints: [server.url], advertise: "192.0.2.7", name: "h7", hostID: "host7", vxlanPort: 4789,
                           ttl: 15, underlayMTU: 1500)
    // On the throwaway host's tmpfs, gone with it.
    var template = Array("/run/cnet/ipam-XXXXXX".utf8CString)
    runDirectory = String(cString: try #require(mkdtemp(&template)))
    // This host alive: its key under its lease, the lease where commands find it.
    let lease = try etcd.grantLease(ttl: 15)
    try etcd.put(keys.host(config.hostID), Array("{}".utf8), lease: lease.id)
    try HostLease.write(lease.id, runDirectory: runDirectory)
  }

  func joining(_ id: String, _ name: String) -> [String: String] {
    [IPAMOptions.networkID: "net1", IPAMOptions.endpointID: id, IPAMOptions.endpointName: name]
  }

  @Test func aJoiningEndpointIsPublishedWithItsAddress() throws {
    let ipam = ClusterIPAM(config: config, runDirectory: runDirectory)
    let overlay = OverlayDriver(config: config, runDirectory: runDirectory)
    let pool = try ipam.requestPool(addressSpace: "GlobalDefault", pool: try CIDR("10.91.0.0/24"), subPool: nil, options: [:],
                                    v6: false)
    let address = try #require(try ipam.requestAddress(poolID: pool.id, address: nil, options: joining("e1", "web")))
    let found = try #require(try etcd.range(keys.endpoint("net1", "e1")).kvs.first)
    #expect(found.lease != 0)
    let record = try ClusterRecord.decode(ClusterRecord.Endpoint.self, found.value, key: found.key)
    #expect(record.ip == address.address.description)
    #expect(record.mac == OverlayDriver.mac(nil, ipv4: address))
    #expect(record.name == "web" && record.host == "host7" && record.vtep == "192.0.2.7")
    // A later join of the endpoint (it has its address) publishes by itself.
    try etcd.delete(keys.endpoint("net1", "e1"), prefix: false)
    let info = EndpointInfo(id: "e1", networkID: "net1", name: "web", ipv4: address, mac: record.mac)
    let network = NetworkInfo(id: "net1", name: "ov")
    let again = try #require(try overlay.startPublishing(info, network: network))
    try again.confirm()
    #expect(try etcd.range(keys.endpoint("net1", "e1")).kvs.count == 1)
    // Withdrawn by the driver, as a reservation undone withdraws it.
    _ = try overlay.revokeExternalConnectivity(info, network: network)
    #expect(try etcd.range(keys.endpoint("net1", "e1")).kvs.isEmpty)
    // Without the endpoint's details (an `endpoint create`), only the address.
    let wanted = try #require(IPAddress("10.91.0.9"))
    #expect(try ipam.requestAddress(poolID: pool.id, address: wanted, options: [:])?.address == wanted)
    #expect(try etcd.range(keys.endpoints("net1"), prefix: true).kvs.isEmpty)
    #expect(try etcd.range(ClusterIPAM.key(keys, try CIDR("10.91.0.0/24"), wanted)).kvs.count == 1)
  }

  @Test func aSentTransactionIsAnsweredLaterAndSentAgainWhenItsMemberIsGone() throws {
    let sent = try etcd.sendTxn([.absent("/s/a")], success: [.put("/s/a", Array("1".utf8), lease: 0)], failure: [])
    #expect(try sent.answer().succeeded)
    #expect(try sent.answer().succeeded)
    let second = try etcd.sendTxn([.absent("/s/a")], success: [.put("/s/a", Array("2".utf8), lease: 0)], failure: [])
    #expect(try !second.answer().succeeded)
    // The member it would go to first is a closed port: the other answers.
    let two = try EtcdGateway(urls: ["http://127.0.0.1:9", server.url], timeout: 2)
    let moved = try two.sendTxn([], success: [.put("/s/b", Array("3".utf8), lease: 0)], failure: [])
    #expect(try moved.answer().succeeded)
    #expect(try etcd.range("/s/b").kvs.first?.text == "3")
    // Nobody answers: an error within the timeout.
    let silent = try EtcdGateway(urls: ["http://192.0.2.1:2379"], timeout: 1)
    let started = StreamSocket.now()
    let pending = try silent.sendTxn([], success: [.put("/s/c", [], lease: 0)], failure: [])
    #expect(throws: EtcdError.self) { _ = try pending.answer() }
    #expect(StreamSocket.now() - started < 2)
  }
}
