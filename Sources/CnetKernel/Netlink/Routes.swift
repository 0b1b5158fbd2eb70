import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// A route to add or delete (`ip route add|del`).
public struct RouteSpec: Sendable {
  /// The destination with host bits clear; prefix length 0 is the default route.
  public var destination: CIDR
  public var gateway: IPAddress?
  public var linkIndex: Int32?
  public var metric: UInt32?

  public init(destination: CIDR, gateway: IPAddress? = nil, linkIndex: Int32? = nil, metric: UInt32? = nil) {
    self.destination = destination
    self.gateway = gateway
    self.linkIndex = linkIndex
    self.metric = metric
  }
}

/// One route of the kernel's tables (`ip route show`).
public struct RouteInfo: Sendable, Equatable {
  public var family: IPFamily
  /// nil for the default route.
  public var destination: CIDR?
  public var gateway: IPAddress?
  public var preferredSource: IPAddress?
  public var linkIndex: Int32?
  public var metric: UInt32?
  public var table: UInt32
  /// RTPROT_*, RT_SCOPE_*, RTN_*.
  public var proto: UInt8
  public var scope: UInt8
  public var type: UInt8
  public var flags: UInt32
}

extension RouteSocket {
  /// Equivalent to: `ip route add DEST [via GW] [dev LINK] [metric N]`.
  /// Throws KernelError.
  public func addRoute(_ route: RouteSpec) throws {
    var request = routeRequest(route)
    try change("add route", describe(route)) { buf, size, seq in
      cnet_msg_route(buf, size, seq, 1, &request)
    }
  }

  /// Equivalent to: `ip route del DEST [via GW] [dev LINK] [metric N]`.
  public func deleteRoute(_ route: RouteSpec) throws {
    var request = routeRequest(route)
    try change("delete route", describe(route)) { buf, size, seq in
      cnet_msg_route(buf, size, seq, 0, &request)
    }
  }

  /// Equivalent to: `ip [-4|-6] route show table all`: every route of the
  /// families asked for; callers filter tables themselves.
  public func routes(families: [IPFamily] = [.v4, .v6]) throws -> [RouteInfo] {
    var all: [RouteInfo] = []
    for family in families {
      let af = family == .v4 ? UInt8(AF_INET) : UInt8(AF_INET6)
      all += try dump("list routes", String(whereText.dropFirst()), { buf, size, seq in
        cnet_msg_route_dump(buf, size, seq, af)
      }, parse: parseRoute)
    }
    return all
  }

  private func routeRequest(_ route: RouteSpec) -> cnet_route {
    var request = cnet_route()
    request.family = route.destination.family == .v4 ? UInt8(AF_INET) : UInt8(AF_INET6)
    fill(&request.dst, route.destination.address.bytes)
    request.dst_len = UInt8(route.destination.prefixLength)
    if let gateway = route.gateway {
      fill(&request.gateway, gateway.bytes)
      request.has_gateway = 1
    }
    request.oif = route.linkIndex ?? 0
    if let metric = route.metric {
      request.metric = metric
      request.has_metric = 1
    }
    return request
  }

  private func describe(_ route: RouteSpec) -> String {
    var text = route.destination.prefixLength == 0 ? "default" : route.destination.description
    if let gateway = route.gateway { text += " via \(gateway)" }
    return text + whereText
  }
}

private func parseRoute(_ message: UnsafeRawPointer) -> RouteInfo? {
  var info = cnet_route_info()
  guard cnet_parse_route(message, &info) == 0 else { return nil }
  let family: IPFamily
  switch Int32(info.family) {
  case AF_INET: family = .v4
  case AF_INET6: family = .v6
  default: return nil
  }
  let width = family == .v4 ? 4 : 16
  func address(_ present: Int32, _ tuple: (some Any)) -> IPAddress? {
    present != 0 ? IPAddress(bytes: bytes(tuple, count: width)) : nil
  }
  var destination: CIDR?
  if info.dst_len > 0, let dst = address(info.has_dst, info.dst) {
    destination = try? CIDR(address: dst, prefixLength: Int(info.dst_len))
  }
  return RouteInfo(
    family: family,
    destination: destination,
    gateway: address(info.has_gateway, info.gateway),
    preferredSource: address(info.has_prefsrc, info.prefsrc),
    linkIndex: info.oif != 0 ? info.oif : nil,
    metric: info.has_metric != 0 ? info.metric : nil,
    table: info.table,
    proto: info.protocol,
    scope: info.scope,
    type: info.type,
    flags: info.flags)
}
