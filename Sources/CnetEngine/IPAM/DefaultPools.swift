import CnetCore

/// Where automatic subnets come from, as in Docker: 172.17-31.0.0/16, then
/// 192.168.0.0/16 in /20s; for IPv6, /64s of a unique-local /48.
enum DefaultPools {
  static let ipv4: [(base: String, size: Int)] = [("172.17.0.0/16", 16), ("172.18.0.0/15", 16), ("172.20.0.0/14", 16), ("172.24.0.0/13", 16), ("192.168.0.0/16", 20)]

  /// fd63:6e65:7400::/48 ("cnet" in hex).
  static let ipv6: [(base: String, size: Int)] = [("fd63:6e65:7400::/48", 64)]

  /// The candidate subnets in order. IPv6 yields the first `limit` /64s.
  static func candidates(v6: Bool, limit: Int = 4096) -> [CIDR] {
    var out: [CIDR] = []
    for (base, size) in v6 ? ipv6 : ipv4 {
      guard let block = try? CIDR(base) else { continue }
      let count = 1 << min(size - block.prefixLength, 20)
      let step = UInt128(1) << UInt128(block.family.bitWidth - size)
      for i in 0..<min(count, limit - out.count) {
        let address = IPAddress(family: block.family, numeric: block.network.numeric + UInt128(i) * step)
        if let subnet = try? CIDR(address: address, prefixLength: size) { out.append(subnet) }
      }
    }
    return out
  }
}
