// Ethernet (EUI-48) addresses, written as `ip` prints them.

public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
  public var bytes: [UInt8]

  public init?(bytes: [UInt8]) {
    guard bytes.count == 6 else { return nil }
    self.bytes = bytes
  }

  public init(octets o: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)) {
    bytes = [o.0, o.1, o.2, o.3, o.4, o.5]
  }

  /// Parses "aa:bb:cc:dd:ee:ff" (each octet one or two hex digits).
  public init(_ text: String) throws(CnetError) {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    var out: [UInt8] = []
    for part in parts {
      guard (1...2).contains(part.utf8.count), let b = UInt8(part, radix: 16) else {
        throw CnetError(.invalidArgument, "invalid MAC address \"\(text)\": expected six hex octets like 02:42:ac:11:00:02")
      }
      out.append(b)
    }
    guard out.count == 6 else {
      throw CnetError(.invalidArgument, "invalid MAC address \"\(text)\": expected six hex octets like 02:42:ac:11:00:02")
    }
    bytes = out
  }

  /// A random unicast address with the locally administered bit set (never
  /// a vendor's), as Docker gives its bridges.
  public static func randomLocal() -> MACAddress {
    var generator = SystemRandomNumberGenerator()
    var bytes = (0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }
    bytes[0] = bytes[0] & 0xfe | 0x02
    return MACAddress(octets: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]))
  }

  /// Multicast addresses (low bit of the first octet) cannot name a device.
  public var isMulticast: Bool { bytes[0] & 1 == 1 }
  public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

  /// Accepts only what a device can take as its own address.
  public static func unicast(_ text: String) throws(CnetError) -> MACAddress {
    let mac = try MACAddress(text)
    if mac.isMulticast || mac.isZero {
      throw CnetError(.invalidArgument, "invalid MAC address \"\(text)\": a device needs a unicast, non-zero address")
    }
    return mac
  }

  public var description: String {
    bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: ":")
  }
}

/// Formats link-layer addresses of any length (tunnels have 4 or 16 bytes,
/// loopback 6 zeros) the way `ip link` does.
public func formatLinkAddress(_ bytes: [UInt8]) -> String {
  bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: ":")
}
