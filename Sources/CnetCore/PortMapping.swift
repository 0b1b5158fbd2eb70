/// The transport a published port is for.
public enum PortProtocol: String, Sendable, CaseIterable {
  case tcp, udp

  /// The IPPROTO_* number.
  public var number: UInt8 { self == .tcp ? 6 : 17 }
}

/// A published port, as `-p` writes it: `[HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|udp]`.
/// Traffic to HOSTPORT on the host's addresses (or on HOSTIP only) goes to
/// PORT of the endpoint. A range maps port for port, so both sides of one
/// have the same length. An IPv6 HOSTIP is written in brackets, as Docker
/// takes it: `[::1]:8080:80`.
public struct PortMapping: Hashable, Sendable, CustomStringConvertible {
  /// nil: every address of the host.
  public var hostAddress: IPAddress?
  public var hostPorts: ClosedRange<UInt16>
  public var ports: ClosedRange<UInt16>
  public var proto: PortProtocol

  public init(hostAddress: IPAddress? = nil, hostPorts: ClosedRange<UInt16>, ports: ClosedRange<UInt16>,
              proto: PortProtocol = .tcp) throws(CnetError) {
    guard hostPorts.lowerBound > 0, ports.lowerBound > 0 else {
      throw CnetError(.invalidArgument, "port 0 cannot be published")
    }
    guard hostPorts.count == ports.count else {
      throw CnetError(.invalidArgument,
        "host ports \(Self.text(hostPorts)) and ports \(Self.text(ports)) are ranges of different lengths")
    }
    self.hostAddress = hostAddress
    self.hostPorts = hostPorts
    self.ports = ports
    self.proto = proto
  }

  /// Parses `-p`'s `[HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|udp]`, by bytes
  /// (a connect may carry a hundred of them).
  public init(_ text: String) throws(CnetError) {
    func bad(_ why: String) -> CnetError {
      CnetError(.invalidArgument, "invalid -p \"\(text)\": \(why)")
    }
    let bytes = Array(text.utf8)
    var end = bytes.count
    var proto = PortProtocol.tcp
    if let slash = bytes.lastIndex(of: UInt8(ascii: "/")) {
      let name = bytes[(slash + 1)...]
      if name.elementsEqual("tcp".utf8) {
        proto = .tcp
      } else if name.elementsEqual("udp".utf8) {
        proto = .udp
      } else {
        throw bad("the protocol must be tcp or udp")
      }
      end = slash
    }
    var start = 0
    var address: IPAddress?
    if end > 0, bytes[0] == UInt8(ascii: "[") {
      guard let close = bytes[..<end].firstIndex(of: UInt8(ascii: "]")), close + 1 < end,
        bytes[close + 1] == UInt8(ascii: ":"),
        case .v6(let v6)? = IPAddress(String(decoding: bytes[1..<close], as: UTF8.self))
      else { throw bad("expected [IPV6]:HOSTPORT:PORT") }
      address = .v6(v6)
      start = close + 2
    }
    var colons: [Int] = []
    for index in start..<end where bytes[index] == UInt8(ascii: ":") {
      colons.append(index)
      if colons.count > 2 { break }
    }
    let host: Range<Int>
    let inside: Range<Int>
    switch colons.count {
    case 1:
      (host, inside) = (start..<colons[0], (colons[0] + 1)..<end)
    case 2 where address == nil:
      let written = String(decoding: bytes[start..<colons[0]], as: UTF8.self)
      guard case .v4(let v4)? = IPAddress(written) else {
        throw bad("\"\(written)\" is not an IPv4 address (write an IPv6 one in brackets)")
      }
      address = .v4(v4)
      (host, inside) = ((colons[0] + 1)..<colons[1], (colons[1] + 1)..<end)
    default:
      throw bad("expected [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|udp]")
    }
    guard let hostPorts = Self.range(bytes[host]), let ports = Self.range(bytes[inside]) else {
      throw bad("ports are numbers from 1 to 65535, a range is LOW-HIGH")
    }
    do {
      try self.init(hostAddress: address, hostPorts: hostPorts, ports: ports, proto: proto)
    } catch {
      throw bad(error.message)
    }
  }

  /// `LOW` or `LOW-HIGH`, ports from 1 to 65535.
  private static func range(_ text: ArraySlice<UInt8>) -> ClosedRange<UInt16>? {
    func port(_ digits: ArraySlice<UInt8>) -> UInt16? {
      guard !digits.isEmpty, digits.count <= 5 else { return nil }
      var value = 0
      for digit in digits {
        guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int(digit - UInt8(ascii: "0"))
      }
      return (1...65535).contains(value) ? UInt16(value) : nil
    }
    guard let dash = text.firstIndex(of: UInt8(ascii: "-")) else {
      return port(text).map { $0...$0 }
    }
    guard let low = port(text[..<dash]), let high = port(text[(dash + 1)...]), low <= high else { return nil }
    return low...high
  }

  static func text(_ range: ClosedRange<UInt16>) -> String {
    range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
  }

  /// The host side as written: `[HOSTIP:]HOSTPORT[-END]`.
  public var hostText: String {
    switch hostAddress {
    case nil: Self.text(hostPorts)
    case .v4(let a)?: "\(a):\(Self.text(hostPorts))"
    case .v6(let a)?: "[\(a)]:\(Self.text(hostPorts))"
    }
  }

  public var description: String { "\(hostText):\(Self.text(ports))/\(proto.rawValue)" }

  /// Whether both would take the same host port: same protocol, ports in
  /// common, and an address in common (no address means all of them).
  public func clashes(with other: PortMapping) -> Bool {
    guard proto == other.proto, hostPorts.overlaps(other.hostPorts) else { return false }
    guard let mine = hostAddress, let theirs = other.hostAddress else { return true }
    return mine == theirs
  }
}
