import CnetCore

/// A value of the cluster's keys (ClusterKeys), as JSON: written with its
/// fields in name order and without those that are nil (as Foundation's
/// encoder with sorted keys wrote them), read by name.
public protocol ClusterValue: Sendable, Equatable {
  var json: JSON { get }
  /// nil when a field it needs is missing or not of its type.
  init?(_ json: JSON)
}

/// The values of the cluster's keys (ClusterKeys).
public enum ClusterRecord {
  public struct Config: ClusterValue {
    public var vxlanPort: Int

    public var json: JSON { .object([("vxlanPort", .int(vxlanPort))]) }

    public init(vxlanPort: Int) { self.vxlanPort = vxlanPort }

    public init?(_ json: JSON) {
      guard let port = json["vxlanPort"]?.integer else { return nil }
      vxlanPort = port
    }
  }

  public struct Member: ClusterValue {
    public var name: String
    public var vtep: String
    public var joined: String

    public var json: JSON { .object([("joined", .string(joined)), ("name", .string(name)), ("vtep", .string(vtep))]) }

    public init(name: String, vtep: String, joined: String) {
      self.name = name
      self.vtep = vtep
      self.joined = joined
    }

    public init?(_ json: JSON) {
      guard let name = json["name"]?.string, let vtep = json["vtep"]?.string, let joined = json["joined"]?.string else {
        return nil
      }
      self.init(name: name, vtep: vtep, joined: joined)
    }
  }

  public struct Host: ClusterValue {
    public var name: String
    public var vtep: String
    public var bootID: String
    public var mtu: Int

    public var json: JSON {
      .object([("bootID", .string(bootID)), ("mtu", .int(mtu)), ("name", .string(name)), ("vtep", .string(vtep))])
    }

    public init(name: String, vtep: String, bootID: String, mtu: Int) {
      self.name = name
      self.vtep = vtep
      self.bootID = bootID
      self.mtu = mtu
    }

    public init?(_ json: JSON) {
      guard let name = json["name"]?.string, let vtep = json["vtep"]?.string, let bootID = json["bootID"]?.string,
        let mtu = json["mtu"]?.integer
      else { return nil }
      self.init(name: name, vtep: vtep, bootID: bootID, mtu: mtu)
    }
  }

  public struct Subnet: ClusterValue {
    public var subnet: String
    public var gateway: String?

    public var json: JSON { JSON.present([("gateway", gateway.map(JSON.string)), ("subnet", .string(subnet))]) }

    public init(subnet: String, gateway: String?) {
      self.subnet = subnet
      self.gateway = gateway
    }

    public init?(_ json: JSON) {
      guard let subnet = json["subnet"]?.string else { return nil }
      self.init(subnet: subnet, gateway: json["gateway"]?.string)
    }
  }

  public struct Network: ClusterValue {
    public var name: String
    public var vni: UInt32
    public var subnets: [Subnet]
    public var mtu: Int
    public var isInternal: Bool
    public var ipv6: Bool
    /// The network's -o options, KEY=VALUE.
    public var options: [String]
    public var created: String
    /// The host that created it.
    public var host: String

    public var json: JSON {
      .object([
        ("created", .string(created)), ("host", .string(host)), ("ipv6", .bool(ipv6)), ("isInternal", .bool(isInternal)),
        ("mtu", .int(mtu)), ("name", .string(name)), ("options", .array(options.map(JSON.string))),
        ("subnets", .array(subnets.map(\.json))), ("vni", .int(Int(vni))),
      ])
    }

    public init(name: String, vni: UInt32, subnets: [Subnet], mtu: Int, isInternal: Bool, ipv6: Bool, options: [String],
                created: String, host: String) {
      self.name = name
      self.vni = vni
      self.subnets = subnets
      self.mtu = mtu
      self.isInternal = isInternal
      self.ipv6 = ipv6
      self.options = options
      self.created = created
      self.host = host
    }

    public init?(_ json: JSON) {
      guard let name = json["name"]?.string, let vni = json["vni"]?.integer.flatMap(UInt32.init(exactly:)),
        let subnets = json["subnets"]?.array, let mtu = json["mtu"]?.integer, let isInternal = json["isInternal"]?.bool,
        let ipv6 = json["ipv6"]?.bool, let options = json["options"]?.array, let created = json["created"]?.string,
        let host = json["host"]?.string
      else { return nil }
      let parsedSubnets = subnets.compactMap(Subnet.init)
      let parsedOptions = options.compactMap(\.string)
      guard parsedSubnets.count == subnets.count, parsedOptions.count == options.count else { return nil }
      self.init(name: name, vni: vni, subnets: parsedSubnets, mtu: mtu, isInternal: isInternal, ipv6: ipv6,
                options: parsedOptions, created: created, host: host)
    }
  }

  public struct Address: ClusterValue {
    public var host: String
    public var endpoint: String?
    /// A token of the request that took it: a request repeated after an
    /// answer lost in a leader election finds its own claim, not a rival's.
    public var claim: String?

    public var json: JSON {
      JSON.present([("claim", claim.map(JSON.string)), ("endpoint", endpoint.map(JSON.string)), ("host", .string(host))])
    }

    public init(host: String, endpoint: String?, claim: String? = nil) {
      self.host = host
      self.endpoint = endpoint
      self.claim = claim
    }

    public init?(_ json: JSON) {
      guard let host = json["host"]?.string else { return nil }
      self.init(host: host, endpoint: json["endpoint"]?.string, claim: json["claim"]?.string)
    }
  }

  public struct Endpoint: ClusterValue {
    public var ip: String
    public var mac: String
    public var host: String
    public var vtep: String
    public var name: String

    public var json: JSON {
      .object([("host", .string(host)), ("ip", .string(ip)), ("mac", .string(mac)), ("name", .string(name)),
               ("vtep", .string(vtep))])
    }

    public init(ip: String, mac: String, host: String, vtep: String, name: String) {
      self.ip = ip
      self.mac = mac
      self.host = host
      self.vtep = vtep
      self.name = name
    }

    public init?(_ json: JSON) {
      guard let ip = json["ip"]?.string, let mac = json["mac"]?.string, let host = json["host"]?.string,
        let vtep = json["vtep"]?.string, let name = json["name"]?.string
      else { return nil }
      self.init(ip: ip, mac: mac, host: host, vtep: vtep, name: name)
    }
  }

  public static func encode(_ value: some ClusterValue) throws -> [UInt8] {
    Array(value.json.compact.utf8)
  }

  public static func decode<T: ClusterValue>(_ type: T.Type, _ bytes: [UInt8], key: String) throws -> T {
    guard let json = try? JSON.parse(bytes), let value = T(json) else {
      throw CnetError(.failed, "etcd key \(key) holds what this cnet cannot read: \(String(decoding: bytes.prefix(120), as: UTF8.self))")
    }
    return value
  }
}
