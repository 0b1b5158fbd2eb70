import CnetCore

/// Docker's IPAM contract (libnetwork's ipamapi, and the IpamDriver.* calls
/// of the plugin protocol), one method per verb, so that the default driver
/// and a remote plugin are interchangeable.
///
/// The controller calls it in libnetwork's order:
///
///     network create:   RequestPool per subnet -> RequestAddress(gateway)
///     endpoint create:  RequestAddress per pool the endpoint gets an address from
///     endpoint delete:  ReleaseAddress per address
///     network delete:   ReleaseAddress(gateway) -> ReleasePool per pool
///
/// Every method is called with the operation lock held, inside or next to
/// a store transaction; a failure anywhere makes the controller release
/// what it requested before, so a driver never keeps what a failed
/// operation asked for.
public protocol IPAMDriver: AnyObject {
  /// The name `--ipam-driver` selects.
  var name: String { get }

  /// GetDefaultAddressSpaces: the spaces for local-scope and global-scope
  /// networks ("LocalDefault", "GlobalDefault" for the default driver).
  func defaultAddressSpaces() throws -> (local: String, global: String)

  /// RequestPool: reserves `pool` (a subnet) in `addressSpace`, or, when
  /// `pool` is nil, a subnet the driver picks (of the family `v6` says)
  /// that overlaps nothing in use. `subPool` limits where dynamic addresses
  /// come from. Identical requests return the same pool (and must each be
  /// released). Returns the pool's id and subnet.
  func requestPool(addressSpace: String, pool: CIDR?, subPool: CIDR?, options: [String: String], v6: Bool) throws -> IPAMPool

  /// ReleasePool: gives back one request for the pool.
  func releasePool(id: String) throws

  /// RequestAddress: reserves `address` in the pool, or, when nil, the next
  /// free one. `options[IPAMOptions.requestAddressType] ==
  /// IPAMOptions.gatewayType` asks for the gateway (by default the subnet's
  /// first address). Returns the address with the subnet's prefix length;
  /// nil when the driver hands out no addresses (the null driver).
  func requestAddress(poolID: String, address: IPAddress?, options: [String: String]) throws -> CIDR?

  /// ReleaseAddress: gives an address back to its pool.
  func releaseAddress(poolID: String, address: IPAddress) throws

  /// Whether RequestAddress(poolID, address) would succeed now, found
  /// without changing anything: true, or the error it would throw; nil
  /// when the driver cannot tell without asking for it (a remote one).
  /// (The cluster's says true for a random address without asking: only a
  /// full subnet or an unreachable store refuses one.) Not part of
  /// Docker's protocol: the controller asks it so that what the store can
  /// refuse is refused before the kernel is touched.
  func checkAddress(poolID: String, address: IPAddress?) throws -> Bool?

  /// Whether RequestAddress for a joining endpoint is to be told whose
  /// address it is (IPAMOptions' endpoint keys): an IPAM whose store is
  /// shared by hosts (the cluster's) records the endpoint's publication in
  /// the write that takes the address. Not part of Docker's protocol.
  var wantsJoiningEndpoint: Bool { get }
}

extension IPAMDriver {
  public func checkAddress(poolID: String, address: IPAddress?) throws -> Bool? { nil }
  public var wantsJoiningEndpoint: Bool { false }
}

public struct IPAMPool: Sendable, Equatable {
  public var id: String
  public var subnet: CIDR
  /// The gateway, when the driver chose it with the pool (Docker's
  /// `com.docker.network.gateway` pool data); then none is requested.
  public var gateway: CIDR?

  public init(id: String, subnet: CIDR, gateway: CIDR? = nil) {
    self.id = id
    self.subnet = subnet
    self.gateway = gateway
  }
}

/// Option keys of the IPAM protocol, as Docker spells them.
public enum IPAMOptions {
  public static let requestAddressType = "RequestAddressType"
  public static let gatewayType = "com.docker.network.gateway"
  /// The MAC the endpoint was asked to have (Docker's own key).
  public static let macAddress = "com.docker.network.endpoint.macaddress"
  /// A joining endpoint, for an IPAM driver that wantsJoiningEndpoint.
  public static let networkID = "cnet.network.id"
  public static let endpointID = "cnet.endpoint.id"
  public static let endpointName = "cnet.endpoint.name"
}

/// The driver of host and null networks: pools without addresses (Docker's
/// "null" IPAM driver).
public final class NullIPAM: IPAMDriver {
  public let name = "null"

  public init() {}

  public func defaultAddressSpaces() throws -> (local: String, global: String) { ("null", "null") }

  public func requestPool(addressSpace: String, pool: CIDR?, subPool: CIDR?, options: [String: String], v6: Bool) throws -> IPAMPool {
    guard pool == nil, subPool == nil else {
      throw CnetError(.invalidArgument, "the null IPAM driver takes no subnets")
    }
    return IPAMPool(id: "null", subnet: .any(v6 ? .v6 : .v4))
  }

  public func releasePool(id: String) throws {}

  public func requestAddress(poolID: String, address: IPAddress?, options: [String: String]) throws -> CIDR? {
    if address != nil { throw CnetError(.invalidArgument, "the null IPAM driver hands out no addresses") }
    return nil
  }

  public func releaseAddress(poolID: String, address: IPAddress) throws {}
}
