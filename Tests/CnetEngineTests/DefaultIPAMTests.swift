import CnetCore
import CnetStore
import CnetTestSupport
import Testing

@testable import CnetEngine

#if canImport(Glibc)
import Glibc
#endif

@Suite struct DefaultIPAMTests {
  let directory = TemporaryDirectory()

  func ipam(taken: [CIDR] = []) throws -> (DefaultIPAM, Store) {
    let store = try #require(try Store.open(directory: directory.path))
    return (DefaultIPAM(store: store) { taken }, store)
  }

  func address(_ text: String) -> IPAddress { IPAddress(text)! }

  @Test func identicalRequestsShareAPool() throws {
    let (ipam, store) = try ipam()
    let a = try ipam.requestPool(addressSpace: "LocalDefault", pool: try CIDR("10.5.0.0/16"), subPool: nil, options: [:], v6: false)
    let b = try ipam.requestPool(addressSpace: "LocalDefault", pool: try CIDR("10.5.0.0/16"), subPool: nil, options: [:], v6: false)
    #expect(a == b)
    let other = try ipam.requestPool(addressSpace: "LocalDefault", pool: try CIDR("10.5.0.0/16"), subPool: try CIDR("10.5.1.0/24"), options: [:], v6: false)
    #expect(other.id != a.id)
    try ipam.releasePool(id: a.id)
    #expect(try store.pool(id: a.id) != nil, "one request is still out")
    try ipam.releasePool(id: a.id)
    #expect(try store.pool(id: a.id) == nil)
  }

  @Test func refusesBadPools() throws {
    let (ipam, _) = try ipam()
    for (pool, range) in [("10.5.0.1/16", nil), ("10.5.0.0/31", nil), ("10.5.0.0/16", "10.6.0.0/24"), ("10.5.0.0/16", "10.5.0.1/24")] as [(String, String?)] {
      #expect(throws: CnetError.self) {
        _ = try ipam.requestPool(addressSpace: "LocalDefault", pool: try CIDR(pool), subPool: try range.map { try CIDR($0) }, options: [:], v6: false)
      }
    }
    #expect(throws: CnetError.self) {
      _ = try ipam.requestPool(addressSpace: "Elsewhere", pool: nil, subPool: nil, options: [:], v6: false)
    }
  }

  @Test func gatewayThenAddressesInOrder() throws {
    let (ipam, _) = try ipam()
    let pool = try ipam.requestPool(addressSpace: "LocalDefault", pool: try CIDR("10.5.0.0/29"), subPool: nil, options: [:], v6: false)
    let gateway = try ipam.requestAddress(poolID: pool.id, address: nil, options: [IPAMOptions.requestAddressType: IPAMOptions.gatewayType])
    #expect(gateway?.description == "10.5.0.1/29")
    var got: [String] = []
    for _ in 0..<5 { got.append(try ipam.requestAddress(poolID: pool.id, address: nil, options: [:])?.address.description ?? "") }
    // .0 is the network, .7 the broadcast, .1 the gateway.
    #expect(got == ["10.5.0.2", "10.5.0.3", "10.5.0.4", "10.5.0.5", "10.5.0.6"])
    #expect(throws: CnetError.self) { _ = try ipam.requestAddress(poolID: pool.id, address: nil, options: [:]) }
    // A released address comes back only after the others.
    try ipam.releaseAddress(poolID: pool.id, address: address("10.5.0.3"))
    #expect(try ipam.requestAddress(poolID: pool.id, address: nil, options: [:])?.address == address("10.5.0.3"))
  }

  @Test func staticAddressesAreChecked() throws {
    let (ipam, _) = try ipam()
    let pool = try ipam.requestPool(addressSpace: "LocalDefault", pool: try CIDR("10.5.0.0/24"), subPool: try CIDR("10.5.0.128/25"), options: [:], v6: false)
    _ = try ipam.requestAddress(poolID: pool.id, address: nil, options: [IPAMOptions.requestAddressType: IPAMOptions.gatewayType])
    func refused(_ text: String) -> String? {
      do {
        _ = try ipam.requestAddress(poolID: pool.id, address: address(text), options: [:])
        return nil
      } catch let error as CnetError {
        return error.message
      } catch {
        return "\(error)"
      }
    }
    #expect(refused("10.6.0.1") == "address 10.6.0.1 is not in subnet 10.5.0.0/24")
    #expect(refused("10.5.0.0") == "address 10.5.0.0 is the network address of 10.5.0.0/24")
    #expect(refused("10.5.0.255") == "address 10.5.0.255 is the broadcast address of 10.5.0.0/24")
    #expect(refused("10.5.0.1") == "address 10.5.0.1 is already in use in 10.5.0.0/24")
    // Outside the range but in the subnet is fine (Docker's rule).
    #expect(refused("10.5.0.20") == nil)
    #expect(refused("10.5.0.20") == "address 10.5.0.20 is already in use in 10.5.0.0/24")
    // Dynamic addresses come from the range.
    #expect(try ipam.requestAddress(poolID: pool.id, address: nil, options: [:])?.address == address("10.5.0.128"))
  }

  @Test func automaticSubnetsAvoidRoutesAndOtherPools() throws {
    let (ipam, _) = try ipam(taken: [try CIDR("172.17.5.0/24"), try CIDR("172.18.0.0/16")])
    let first = try ipam.requestPool(addressSpace: "LocalDefault", pool: nil, subPool: nil, options: [:], v6: false)
    #expect(first.subnet.description == "172.19.0.0/16")
    let second = try ipam.requestPool(addressSpace: "LocalDefault", pool: nil, subPool: nil, options: [:], v6: false)
    #expect(second.subnet.description == "172.20.0.0/16")
    let v6 = try ipam.requestPool(addressSpace: "LocalDefault", pool: nil, subPool: nil, options: [:], v6: true)
    #expect(v6.subnet.description == "fd63:6e65:7400::/64")
  }

  @Test func ipv6PoolsSkipTheSubnetRouterAddress() throws {
    let (ipam, _) = try ipam()
    let pool = try ipam.requestPool(addressSpace: "LocalDefault", pool: try CIDR("fd00:5::/64"), subPool: nil, options: [:], v6: true)
    #expect(try ipam.requestAddress(poolID: pool.id, address: nil, options: [IPAMOptions.requestAddressType: IPAMOptions.gatewayType])?.description == "fd00:5::1/64")
    #expect(try ipam.requestAddress(poolID: pool.id, address: nil, options: [:])?.description == "fd00:5::2/64")
    #expect(throws: CnetError.self) { _ = try ipam.requestAddress(poolID: pool.id, address: address("fd00:5::"), options: [:]) }
  }

  /// Thousands of random allocations and releases: no address twice, none
  /// outside the range, never the network, broadcast or gateway address,
  /// and the store agrees with what the test believes is taken.
  @Test func randomAllocationKeepsTheInvariants() throws {
    let (ipam, store) = try ipam()
    let subnet = try CIDR("10.9.0.0/22")
    let range = try CIDR("10.9.1.0/24")
    let pool = try ipam.requestPool(addressSpace: "LocalDefault", pool: subnet, subPool: range, options: [:], v6: false)
    let gateway = try #require(try ipam.requestAddress(poolID: pool.id, address: nil, options: [IPAMOptions.requestAddressType: IPAMOptions.gatewayType]))
    var held: Set<IPAddress> = []
    var generator = SystemRandomNumberGenerator()
    for step in 0..<4000 {
      let release = !held.isEmpty && (held.count >= 254 || Bool.random(using: &generator) && Int.random(in: 0..<3, using: &generator) == 0)
      try store.transaction {
        if release, let victim = held.randomElement(using: &generator) {
          try ipam.releaseAddress(poolID: pool.id, address: victim)
          held.remove(victim)
        } else if Int.random(in: 0..<10, using: &generator) == 0 {
          // A static address anywhere in the subnet, maybe taken.
          let candidate = IPAddress(family: .v4, numeric: subnet.network.numeric + UInt128.random(in: 1...1022, using: &generator))
          if let got = try? ipam.requestAddress(poolID: pool.id, address: candidate, options: [:]) {
            #expect(!held.contains(got.address), "step \(step): \(got) handed out twice")
            held.insert(got.address)
          } else {
            #expect(held.contains(candidate) || candidate == gateway.address, "step \(step): free \(candidate) refused")
          }
        } else if let got = try? ipam.requestAddress(poolID: pool.id, address: nil, options: [:]) {
          #expect(!held.contains(got.address), "step \(step): \(got) handed out twice")
          #expect(range.contains(got.address), "step \(step): \(got) outside the range")
          #expect(got.address != gateway.address && got.address != subnet.network && got.address != IPAddress.v4(subnet.broadcast!))
          held.insert(got.address)
        } else {
          let inRange = held.filter { range.contains($0) }.count
          #expect(inRange >= 256 - (range.network == subnet.network ? 2 : 0), "step \(step): range reported full with \(inRange) taken")
        }
      }
    }
    #expect(try store.leaseCount(pool: pool.id) == held.count + 1, "leases = held + gateway")
  }
}
