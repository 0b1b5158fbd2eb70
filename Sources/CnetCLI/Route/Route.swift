import ArgumentParser
import CnetCore
import CnetKernel

struct Route: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "route",
    abstract: "Manage routes of the main table (like ip route).",
    subcommands: [RouteAdd.self, RouteDelete.self, RouteList.self])
}

/// The options `route add` and `route del` share.
struct RouteOptions: ParsableArguments {
  @Argument(help: ArgumentHelp("The destination: a prefix such as 10.9.0.0/16, a host address, or 'default'.", valueName: "prefix"))
  var destination: String

  @Option(help: ArgumentHelp("The gateway.", valueName: "gateway"))
  var via: String?

  @Option(help: "The outgoing interface.", completion: .custom(Completions.linkNames))
  var dev: String?

  @Option(help: "The route's metric (priority); lower wins.")
  var metric: Int?

  @Flag(name: .customShort("6"), help: "With 'default' and no --via: the IPv6 default route.")
  var ipv6 = false

  /// The words as given, for `plan`.
  var request: RouteRequest {
    RouteRequest(destination: destination, via: via, dev: dev, metric: metric, ipv6: ipv6)
  }
}

/// What `route add` and `route del` were given, before it is checked: from
/// ArgumentParser, or from FastPath for a plain command line.
struct RouteRequest: Equatable {
  var destination: String
  var via: String?
  var dev: String?
  var metric: Int?
  var ipv6 = false

  struct Plan {
    var destination: CIDR
    var gateway: IPAddress?
    var device: InterfaceName?
    var metric: UInt32?
  }

  func plan(requireNextHop: Bool) throws -> Plan {
    let gateway = try via.map { text -> IPAddress in
      guard let address = IPAddress(text) else {
        throw CnetError(.invalidArgument, "invalid --via \"\(text)\": not an IPv4 or IPv6 address")
      }
      return address
    }
    let target: CIDR
    if destination == "default" {
      let family = gateway?.family ?? (ipv6 ? .v6 : .v4)
      if ipv6, gateway?.family == .v4 {
        throw CnetError(.invalidArgument, "-6 and an IPv4 --via contradict each other")
      }
      target = try CIDR(address: family == .v4 ? .v4(IPv4Address(0)) : .v6(IPv6Address(high: 0, low: 0)), prefixLength: 0)
    } else {
      let cidr = try CIDR(destination, hostWhenBare: true)
      guard cidr.isNetworkAddress else {
        throw CnetError(.invalidArgument,
          "invalid prefix \(destination): host bits are set for /\(cidr.prefixLength) (the prefix is \(cidr.masked))")
      }
      target = cidr
    }
    if ipv6, target.family == .v4 {
      throw CnetError(.invalidArgument, "-6 and the IPv4 prefix \(destination) contradict each other")
    }
    if let gateway, gateway.family != target.family {
      throw CnetError(.invalidArgument, "--via \(gateway) is not of the same address family as \(destination)")
    }
    if requireNextHop, via == nil, dev == nil {
      throw CnetError(.invalidArgument, "a route needs --via GATEWAY, --dev INTERFACE or both")
    }
    let metricValue = try metric.map { value -> UInt32 in
      guard value >= 0, value <= Int(UInt32.max) else {
        throw CnetError(.invalidArgument, "invalid --metric \(value): expected 0-\(UInt32.max)")
      }
      return UInt32(value)
    }
    return Plan(destination: target, gateway: gateway, device: try dev.map(InterfaceName.init), metric: metricValue)
  }

  func spec(_ plan: Plan, _ socket: RouteSocket) throws -> RouteSpec {
    RouteSpec(
      destination: plan.destination, gateway: plan.gateway,
      linkIndex: try plan.device.map { try socket.link(named: $0).index }, metric: plan.metric)
  }
}
