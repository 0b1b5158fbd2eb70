// An address with a prefix length ("10.0.0.1/24", "fd00::1/64"): what
// `ip addr` assigns and what `ip route` takes as a destination.

public struct CIDR: Hashable, Sendable, CustomStringConvertible {
  public var address: IPAddress
  public var prefixLength: Int

  public init(address: IPAddress, prefixLength: Int) throws(CnetError) {
    guard (0...address.family.bitWidth).contains(prefixLength) else {
      throw CnetError(.invalidArgument,
        "prefix length \(prefixLength) is out of range for \(address.family.name) (0-\(address.family.bitWidth))")
    }
    self.address = address
    self.prefixLength = prefixLength
  }

  /// Parses "ADDRESS/LEN". Without "/LEN" the prefix is the whole address
  /// (a host), as `ip` reads it, when `hostWhenBare` is set.
  public init(_ text: String, hostWhenBare: Bool = false) throws(CnetError) {
    let slash = text.utf8.firstIndex(of: UInt8(ascii: "/"))
    guard let address = IPAddress(text[..<(slash ?? text.endIndex)]) else {
      throw CnetError(.invalidArgument, "invalid address \"\(text)\": not an IPv4 or IPv6 address")
    }
    let length: Int
    if let slash {
      // One to three decimal digits, read byte by byte (see IPv4Address).
      var n = 0
      var digits = 0
      for byte in text.utf8[text.utf8.index(after: slash)...] {
        guard digits < 3, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { digits = 4; break }
        n = n * 10 + Int(byte - UInt8(ascii: "0"))
        digits += 1
      }
      guard (1...3).contains(digits), n <= address.family.bitWidth else {
        throw CnetError(.invalidArgument,
          "invalid prefix length in \"\(text)\": expected 0-\(address.family.bitWidth)")
      }
      length = n
    } else if hostWhenBare {
      length = address.family.bitWidth
    } else {
      throw CnetError(.invalidArgument, "invalid CIDR \"\(text)\": expected ADDRESS/PREFIXLEN")
    }
    try self.init(address: address, prefixLength: length)
  }

  /// For prefixes known valid at compile time.
  private init(valid address: IPAddress, _ prefixLength: Int) {
    self.address = address
    self.prefixLength = prefixLength
  }

  /// 0.0.0.0/0 and ::/0: everything, and the default route.
  public static let anyIPv4 = CIDR(valid: .v4(IPv4Address(0)), 0)
  public static let anyIPv6 = CIDR(valid: .v6(IPv6Address(high: 0, low: 0)), 0)

  public static func any(_ family: IPFamily) -> CIDR { family == .v4 ? anyIPv4 : anyIPv6 }

  public var family: IPFamily { address.family }

  /// The last address of the prefix (all host bits set).
  public var lastAddress: IPAddress {
    let hostBits = family.bitWidth - prefixLength
    let mask: UInt128 = hostBits >= 128 ? ~0 : (UInt128(1) << UInt128(hostBits)) - 1
    return IPAddress(family: family, numeric: network.numeric | mask)
  }

  /// True when the two prefixes share any address.
  public func overlaps(_ other: CIDR) -> Bool {
    guard family == other.family else { return false }
    return contains(other.address) || other.contains(address)
  }

  /// True when every address of `other` is in this prefix.
  public func covers(_ other: CIDR) -> Bool {
    family == other.family && prefixLength <= other.prefixLength && contains(other.address)
  }

  /// The first address of the prefix (host bits cleared).
  public var network: IPAddress {
    switch address {
    case .v4(let a):
      let mask: UInt32 = prefixLength == 0 ? 0 : ~0 << UInt32(32 - prefixLength)
      return .v4(IPv4Address(a.value & mask))
    case .v6(let a):
      let highMask: UInt64 = prefixLength >= 64 ? ~0 : prefixLength == 0 ? 0 : ~0 << UInt64(64 - prefixLength)
      let lowMask: UInt64 = prefixLength <= 64 ? 0 : prefixLength == 128 ? ~0 : ~0 << UInt64(128 - prefixLength)
      return .v6(IPv6Address(high: a.high & highMask, low: a.low & lowMask))
    }
  }

  /// True when no host bits are set: a valid route destination.
  public var isNetworkAddress: Bool { network == address }

  /// The prefix with host bits cleared.
  public var masked: CIDR {
    var copy = self
    copy.address = network
    return copy
  }

  /// IPv4 broadcast address of the prefix; nil for IPv6 and for /31, /32.
  public var broadcast: IPv4Address? {
    guard case .v4(let a) = address, prefixLength <= 30 else { return nil }
    let hostMask: UInt32 = prefixLength == 0 ? ~0 : ~(~0 << UInt32(32 - prefixLength))
    return IPv4Address(a.value | hostMask)
  }

  public func contains(_ other: IPAddress) -> Bool {
    guard other.family == family,
      let probe = try? CIDR(address: other, prefixLength: prefixLength)
    else { return false }
    return probe.network == network
  }

  public var description: String { "\(address)/\(prefixLength)" }

  /// Refuses a prefix that cannot be a network's subnet, or `range` in it:
  /// host bits set, too small for a gateway and a host (at most /30 for
  /// IPv4, /126 for IPv6), or addresses that are not a host's to give
  /// (`reasonItIsNoSubnet`); a range must lie inside the subnet.
  public func checkSubnet(range: CIDR? = nil) throws(CnetError) {
    for (prefix, what) in [(self, "subnet")] + (range.map { [($0, "range")] } ?? []) {
      guard prefix.isNetworkAddress else {
        throw CnetError(.invalidArgument, "invalid \(what) \(prefix): host bits are set (the \(what) is \(prefix.masked))")
      }
      let maximum = prefix.family == .v4 ? 30 : 126
      guard prefix.prefixLength <= maximum else {
        throw CnetError(.invalidArgument,
          "invalid \(what) \(prefix): too small; at most /\(maximum) for \(prefix.family == .v4 ? "IPv4" : "IPv6")")
      }
      if let reason = prefix.reasonItIsNoSubnet {
        throw CnetError(.invalidArgument, "invalid \(what) \(prefix): \(reason)")
      }
    }
    if let range, !covers(range) {
      throw CnetError(.invalidArgument, "invalid range \(range): not inside subnet \(self)")
    }
  }

  /// Why `address` cannot be one host's unicast address (a DNS server's):
  /// unspecified, multicast, the limited broadcast or reserved; nil when it
  /// can. Loopback is fine (a server in the sandbox itself).
  public static func hostReason(_ address: IPAddress) -> String? {
    let blocks: [(String, String)] = address.family == .v4
      ? [("0.0.0.0/8", "an unspecified (\"this network\") address"), ("224.0.0.0/4", "a multicast address"),
         ("240.0.0.0/4", "the limited broadcast or a reserved address")]
      : [("::/128", "the unspecified address"), ("ff00::/8", "a multicast address")]
    for (text, what) in blocks where (try? CIDR(text))?.contains(address) == true {
      return "it is \(what), not a host's"
    }
    return nil
  }

  /// Why this prefix cannot be a network's subnet (or a range in one):
  /// everything (/0), or addresses that are not a host's to give (loopback,
  /// link-local, multicast, "this network", the reserved class E with the
  /// limited broadcast, IPv4-mapped IPv6); nil when it can.
  public var reasonItIsNoSubnet: String? {
    if prefixLength == 0 { return "it is every address (/0)" }
    let special: [(String, String)] = family == .v4
      ? [("0.0.0.0/8", "\"this network\""), ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local"),
         ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved (with the limited broadcast)")]
      : [("::/127", "unspecified and loopback"), ("::ffff:0:0/96", "IPv4-mapped"), ("fe80::/10", "link-local"),
         ("ff00::/8", "multicast")]
    for (text, name) in special {
      guard let block = try? CIDR(text), block.overlaps(self) else { continue }
      return "it overlaps the \(name) addresses (\(text))"
    }
    return nil
  }
}
