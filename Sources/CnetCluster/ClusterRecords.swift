import CnetCore
import FoundationEssentials

/// The values of the cluster's keys (ClusterKeys), as JSON.
public enum ClusterRecord {
  public struct Config: Codable, Sendable, Equatable {
    public var vxlanPort: Int
  }

  public struct Member: Codable, Sendable, Equatable {
    public var name: String
    public var vtep: String
    public var joined: String
  }

  public struct Host: Codable, Sendable, Equatable {
    public var name: String
    public var vtep: String
    public var bootID: String
    public var mtu: Int
  }

  public struct Subnet: Codable, Sendable, Equatable {
    public var subnet: String
    public var gateway: String?
  }

  public struct Network: Codable, Sendable, Equatable {
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
  }

  public struct Address: Codable, Sendable, Equatable {
    public var host: String
    public var endpoint: String?
    /// A token of the request that took it: a request repeated after an
    /// answer lost in a leader election finds its own claim, not a rival's.
    public var claim: String? = nil
  }

  public struct Endpoint: Codable, Sendable, Equatable {
    public var ip: String
    public var mac: String
    public var host: String
    public var vtep: String
    public var name: String
  }

  public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return Array(try encoder.encode(value))
  }

  public static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], key: String) throws -> T {
    do {
      return try JSONDecoder().decode(type, from: Data(bytes))
    } catch {
      throw CnetError(.failed, "etcd key \(key) holds what this cnet cannot read: \(String(decoding: bytes.prefix(120), as: UTF8.self))")
    }
  }
}
