// IPv4 and IPv6 addresses: strict parsing (no octal look-alikes, no zone
// ids) and the same text form as inet_ntop, so output matches `ip`.

/// An IPv4 address, stored in host order.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var value: UInt32

  public init(_ value: UInt32) { self.value = value }

  @_specialize(exported: true, where Bytes == [UInt8])
  @_specialize(exported: true, where Bytes == ArraySlice<UInt8>)
  @_specialize(exported: true, where Bytes == UnsafeRawBufferPointer)
  public init?<Bytes: Collection<UInt8>>(bytes: Bytes) {
    guard bytes.count == 4 else { return nil }
    value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
  }

  /// Parses dotted-quad text. Rejects leading zeros ("010" could be octal)
  /// and anything that is not exactly four decimal octets.
  // Specialised here for the types callers pass (across modules, the
  // generic body alone has the runtime look up metadata at the first call).
  @_specialize(exported: true, where Text == String)
  @_specialize(exported: true, where Text == Substring)
  public init?<Text: StringProtocol>(_ text: Text) {
    // One pass over the bytes: every command parses the addresses the
    // store keeps.
    var result: UInt32 = 0
    var octet: UInt32 = 0
    var digits = 0
    var dots = 0
    for byte in text.utf8 {
      if byte == UInt8(ascii: ".") {
        guard digits > 0, dots < 3 else { return nil }
        result = result << 8 | octet
        dots += 1
        octet = 0
        digits = 0
      } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
        // No leading zero ("010"), at most three digits, at most 255.
        guard digits < 3, digits == 0 || octet != 0 else { return nil }
        octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
        guard octet <= 255 else { return nil }
        digits += 1
      } else {
        return nil
      }
    }
    guard digits > 0, dots == 3 else { return nil }
    value = result << 8 | octet
  }

  public var bytes: [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
  }

  public var description: String {
    "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
  }

  public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}

/// An IPv6 address as two 64-bit halves in host order.
public struct IPv6Address: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var high: UInt64
  public var low: UInt64

  public init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  @_specialize(exported: true, where Bytes == [UInt8])
  @_specialize(exported: true, where Bytes == ArraySlice<UInt8>)
  @_specialize(exported: true, where Bytes == UnsafeRawBufferPointer)
  public init?<Bytes: Collection<UInt8>>(bytes: Bytes) {
    guard bytes.count == 16 else { return nil }
    let array = Array(bytes)
    high = array[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
    low = array[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
  }

  /// Parses RFC 4291 text: eight groups, one "::", an optional trailing
  /// dotted IPv4 part. Zone ids ("%eth0") are not addresses and are refused.
  // Specialised here for the types callers pass (across modules, the
  // generic body alone has the runtime look up metadata at the first call).
  @_specialize(exported: true, where Text == String)
  @_specialize(exported: true, where Text == Substring)
  public init?<Text: StringProtocol>(_ text: Text) {
    let s = String(text)
    guard !s.isEmpty, s.utf8.count <= 45 else { return nil }
    var head: [UInt16] = []
    var tail: [UInt16] = []
    var sawGap = false
    let halves = s.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
    guard halves.count <= 2 else { return nil }
    func groups(_ part: String, allowIPv4: Bool) -> [UInt16]? {
      if part.isEmpty { return [] }
      var out: [UInt16] = []
      let fields = part.split(separator: ":", omittingEmptySubsequences: false)
      for (i, field) in fields.enumerated() {
        if i == fields.count - 1, allowIPv4, field.contains(".") {
          guard let v4 = IPv4Address(field) else { return nil }
          out.append(UInt16(v4.value >> 16))
          out.append(UInt16(v4.value & 0xffff))
          continue
        }
        guard (1...4).contains(field.utf8.count), let g = UInt16(field, radix: 16),
          field.utf8.allSatisfy({ $0.isHexDigit })
        else { return nil }
        out.append(g)
      }
      return out
    }
    if halves.count == 2 {
      sawGap = true
      guard let h = groups(halves[0], allowIPv4: false),
        let t = groups(halves[1], allowIPv4: true)
      else { return nil }
      head = h
      tail = t
    } else {
      guard let h = groups(halves[0], allowIPv4: true) else { return nil }
      head = h
    }
    let count = head.count + tail.count
    if sawGap {
      guard count <= 7 else { return nil }
    } else {
      guard count == 8 else { return nil }
    }
    let all = head + [UInt16](repeating: 0, count: 8 - count) + tail
    high = all[0..<4].reduce(0) { $0 << 16 | UInt64($1) }
    low = all[4..<8].reduce(0) { $0 << 16 | UInt64($1) }
  }

  public var bytes: [UInt8] {
    (0..<8).map { UInt8(high >> (56 - 8 * UInt64($0)) & 0xff) }
      + (0..<8).map { UInt8(low >> (56 - 8 * UInt64($0)) & 0xff) }
  }

  var groups: [UInt16] {
    (0..<4).map { UInt16(high >> (48 - 16 * UInt64($0)) & 0xffff) }
      + (0..<4).map { UInt16(low >> (48 - 16 * UInt64($0)) & 0xffff) }
  }

  /// The text inet_ntop (and so `ip`) prints: lowercase, the longest run of
  /// two or more zero groups as "::", and the IPv4 tail of v4-mapped and
  /// v4-compatible addresses in dotted form.
  public var description: String {
    let words = groups
    var bestStart = -1
    var bestLength = 0
    var i = 0
    while i < 8 {
      if words[i] == 0 {
        var j = i
        while j < 8, words[j] == 0 { j += 1 }
        if j - i > bestLength {
          bestStart = i
          bestLength = j - i
        }
        i = j
      } else {
        i += 1
      }
    }
    if bestLength < 2 { bestStart = -1 }
    var out = ""
    i = 0
    while i < 8 {
      if i == bestStart {
        out += "::"
        i += bestLength
        continue
      }
      if i > 0, !out.hasSuffix(":") { out += ":" }
      if i == 6, bestStart == 0, bestLength == 6 || (bestLength == 5 && words[5] == 0xffff) {
        out += IPv4Address(UInt32(words[6]) << 16 | UInt32(words[7])).description
        break
      }
      out += String(words[i], radix: 16)
      i += 1
    }
    return out
  }

  public static func < (a: Self, b: Self) -> Bool {
    (a.high, a.low) < (b.high, b.low)
  }
}

extension UInt8 {
  fileprivate var isHexDigit: Bool {
    (48...57).contains(self) || (65...70).contains(self) || (97...102).contains(self)
  }
}

/// An address of either family.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
  case v4(IPv4Address)
  case v6(IPv6Address)

  // Specialised here for the types callers pass (across modules, the
  // generic body alone has the runtime look up metadata at the first call).
  @_specialize(exported: true, where Text == String)
  @_specialize(exported: true, where Text == Substring)
  public init?<Text: StringProtocol>(_ text: Text) {
    if text.utf8.contains(UInt8(ascii: ":")) {
      guard let a = IPv6Address(text) else { return nil }
      self = .v6(a)
    } else {
      guard let a = IPv4Address(text) else { return nil }
      self = .v4(a)
    }
  }

  /// From the 4 or 16 bytes netlink carries.
  @_specialize(exported: true, where Bytes == [UInt8])
  @_specialize(exported: true, where Bytes == ArraySlice<UInt8>)
  @_specialize(exported: true, where Bytes == UnsafeRawBufferPointer)
  public init?<Bytes: Collection<UInt8>>(bytes: Bytes) {
    if let a = IPv4Address(bytes: bytes) {
      self = .v4(a)
    } else if let a = IPv6Address(bytes: bytes) {
      self = .v6(a)
    } else {
      return nil
    }
  }

  public var family: IPFamily {
    switch self {
    case .v4: .v4
    case .v6: .v6
    }
  }

  public var bytes: [UInt8] {
    switch self {
    case .v4(let a): a.bytes
    case .v6(let a): a.bytes
    }
  }

  public var description: String {
    switch self {
    case .v4(let a): a.description
    case .v6(let a): a.description
    }
  }
}

extension IPAddress {
  /// The address as a number, for arithmetic (IPv4 in the low 32 bits).
  public var numeric: UInt128 {
    switch self {
    case .v4(let a): UInt128(a.value)
    case .v6(let a): UInt128(a.high) << 64 | UInt128(a.low)
    }
  }

  /// The address of `family` with this numeric value (truncated to fit).
  public init(family: IPFamily, numeric: UInt128) {
    switch family {
    case .v4: self = .v4(IPv4Address(UInt32(truncatingIfNeeded: numeric)))
    case .v6: self = .v6(IPv6Address(high: UInt64(truncatingIfNeeded: numeric >> 64), low: UInt64(truncatingIfNeeded: numeric)))
    }
  }
}

public enum IPFamily: Sendable, Hashable {
  case v4
  case v6

  /// Bits in an address of this family.
  public var bitWidth: Int { self == .v4 ? 32 : 128 }

  /// The name `ip -j` uses ("inet", "inet6").
  public var name: String { self == .v4 ? "inet" : "inet6" }
}
