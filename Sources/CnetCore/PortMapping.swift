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

  public init(_ text: String) throws(CnetError) {
    func bad(_ why: String) -> CnetError {
      CnetError(.invalidArgument, "invalid -p \"\(text)\": \(why)")
    }
    var rest = Substring(text)
    var proto = PortProtocol.tcp
    if let slash = rest.lastIndex(of: "/") {
      guard let parsed = PortProtocol(rawValue: String(rest[rest.index(after: slash)...])) else {
        throw bad("the protocol must be tcp or udp")
      }
      proto = parsed
      rest = rest[..<slash]
    }
    var address: IPAddress?
    if rest.hasPrefix("[") {
      guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":"),
        case .v6(let v6)? = IPAddress(rest[rest.index(after: rest.startIndex)..<close])
      else { throw bad("expected [IPV6]:HOSTPORT:PORT") }
      address = .v6(v6)
      rest = rest[rest.index(close, offsetBy: 2)...]
    }
    let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
    let host: Substring
    let inside: Substring
    switch parts.count {
    case 2:
      (host, inside) = (parts[0], parts[1])
    case 3 where address == nil:
      guard case .v4(let v4)? = IPAddress(parts[0]) else {
        throw bad("\"\(parts[0])\" is not an IPv4 address (write an IPv6 one in brackets)")
      }
      address = .v4(v4)
      (host, inside) = (parts[1], parts[2])
    default:
      throw bad("expected [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|udp]")
    }
    guard let hostPorts = Self.range(host), let ports = Self.range(inside) else {
      throw bad("ports are numbers from 1 to 65535, a range is LOW-HIGH")
    }
    do {
      try self.init(hostAddress: address, hostPorts: hostPorts, ports: ports, proto: proto)
    } catch {
      throw bad(error.message)
    }
  }

  private static func range(_ text: Substring) -> ClosedRange<UInt16>? {
    let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
    guard bounds.count == 1 || bounds.count == 2 else { return nil }
    var values: [UInt16] = []
    for bound in bounds {
      guard !bound.isEmpty, bound.utf8.count <= 5, bound.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
        let value = UInt16(bound), value > 0
      else { return nil }
      values.append(value)
    }
    guard let low = values.first, let high = values.last, low <= high else { return nil }
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
