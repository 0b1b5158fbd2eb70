import CnetCore

/// A CNI result: what ADD prints, and what a runtime hands back as
/// `prevResult`. Written in the version the request asked for: before
/// 1.0.0 each address carries its IP version.
public struct CNIResult: Sendable, Equatable {
  public struct Interface: Sendable, Equatable {
    public var name: String
    public var mac: String?
    /// The namespace file, for an interface inside a container.
    public var sandbox: String?

    public init(name: String, mac: String? = nil, sandbox: String? = nil) {
      self.name = name
      self.mac = mac
      self.sandbox = sandbox
    }
  }

  public struct IPConfig: Sendable, Equatable {
    public var address: CIDR
    public var gateway: IPAddress?
    /// Index into `interfaces`.
    public var interface: Int?

    public init(address: CIDR, gateway: IPAddress? = nil, interface: Int? = nil) {
      self.address = address
      self.gateway = gateway
      self.interface = interface
    }
  }

  public struct Route: Sendable, Equatable {
    public var destination: CIDR
    public var gateway: IPAddress?

    public init(destination: CIDR, gateway: IPAddress? = nil) {
      self.destination = destination
      self.gateway = gateway
    }
  }

  public var interfaces: [Interface] = []
  public var ips: [IPConfig] = []
  public var routes: [Route] = []
  /// The `dns` object, as the configuration or the previous result gave it.
  public var dns: JSON?

  public init() {}

  /// The result in `version`.
  public func json(version: String) -> JSON {
    let carryVersion = CNIVersion.resultsCarryIPVersion(version)
    return .present([
      ("cniVersion", .string(version)),
      ("interfaces", .array(interfaces.map { i in
        .present([("name", .string(i.name)), ("mac", i.mac.map(JSON.string)), ("sandbox", i.sandbox.map(JSON.string))])
      })),
      ("ips", .array(ips.map { ip in
        .present([
          ("version", carryVersion ? .string(ip.address.family == .v4 ? "4" : "6") : nil),
          ("interface", ip.interface.map(JSON.int)), ("address", .string(ip.address.description)),
          ("gateway", ip.gateway.map { .string($0.description) }),
        ])
      })),
      ("routes", .array(routes.map { r in
        .present([("dst", .string(r.destination.description)), ("gw", r.gateway.map { .string($0.description) })])
      })),
      ("dns", dns ?? .object([])),
    ])
  }

  /// Reads a result of any version cnet speaks (a runtime's prevResult,
  /// in the version of the plugin that made it). Fields cnet has no use
  /// for are dropped; a field of the wrong type is an error.
  public static func parse(_ json: JSON) throws(CNIError) -> CNIResult {
    func bad(_ why: String) -> CNIError { CNIError(CNIError.invalidConfiguration, "invalid prevResult: " + why) }
    guard case .object = json else { throw bad("not an object") }
    var result = CNIResult()
    for item in json["interfaces"]?.array ?? [] {
      guard let name = item["name"]?.string else { throw bad("an interface without a name") }
      result.interfaces.append(Interface(name: name, mac: item["mac"]?.string, sandbox: item["sandbox"]?.string))
    }
    for item in json["ips"]?.array ?? [] {
      guard let text = item["address"]?.string, let address = try? CIDR(text) else {
        throw bad("an address that is no CIDR")
      }
      var ip = IPConfig(address: address, interface: item["interface"]?.integer)
      if let text = item["gateway"]?.string {
        guard let gateway = IPAddress(text) else { throw bad("gateway \"\(text)\" is no address") }
        ip.gateway = gateway
      }
      result.ips.append(ip)
    }
    for item in json["routes"]?.array ?? [] {
      guard let text = item["dst"]?.string, let destination = try? CIDR(text) else {
        throw bad("a route whose dst is no CIDR")
      }
      var route = Route(destination: destination)
      if let text = item["gw"]?.string {
        guard let gateway = IPAddress(text) else { throw bad("route gateway \"\(text)\" is no address") }
        route.gateway = gateway
      }
      result.routes.append(route)
    }
    if let dns = json["dns"], case .object(let fields) = dns, !fields.isEmpty { result.dns = dns }
    return result
  }

  /// `other` after this result: its interfaces' indexes shifted past
  /// these (an interface plugin that is not first in its chain adds to
  /// what it was given).
  public func appending(_ other: CNIResult) -> CNIResult {
    var merged = self
    let offset = interfaces.count
    merged.interfaces += other.interfaces
    merged.ips += other.ips.map { ip in
      var shifted = ip
      shifted.interface = ip.interface.map { $0 + offset }
      return shifted
    }
    merged.routes += other.routes
    if merged.dns == nil { merged.dns = other.dns }
    return merged
  }
}
