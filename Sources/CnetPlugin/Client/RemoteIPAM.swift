import CnetCore
import CnetEngine

/// A plugin's IpamDriver as cnet's IPAMDriver: each verb is one call, with
/// the shapes dockerd sends (ipams/remote). The controller calls it in
/// libnetwork's order and gives back what a failed operation requested.
public final class RemoteIPAM: IPAMDriver {
  public let name: String
  let plugin: PluginConnection
  private let spaces: (local: String, global: String)

  /// Registration as dockerd does it: GetCapabilities (optional: a 404
  /// means none), then GetDefaultAddressSpaces (required).
  init(plugin: PluginConnection) throws {
    name = plugin.name
    self.plugin = plugin
    _ = try plugin.call(.ipam, "GetCapabilities", NoBody?.none, reply: IPAMCapabilitiesResponse.self, tolerate404: true)
    guard let reply = try plugin.call(.ipam, "GetDefaultAddressSpaces", NoBody?.none, reply: AddressSpacesResponse.self)
    else { throw CnetError(.failed, "plugin \"\(plugin.name)\": no address spaces") }
    spaces = (reply.LocalDefaultAddressSpace ?? "", reply.GlobalDefaultAddressSpace ?? "")
  }

  public func defaultAddressSpaces() throws -> (local: String, global: String) { spaces }

  public func requestPool(addressSpace: String, pool: CIDR?, subPool: CIDR?, options: [String: String], v6: Bool) throws -> IPAMPool {
    let request = RequestPoolRequest(
      AddressSpace: addressSpace, Pool: pool?.description ?? "", SubPool: subPool?.description ?? "", Options: options, V6: v6)
    guard let reply = try plugin.call(.ipam, "RequestPool", request, reply: RequestPoolResponse.self),
      let id = reply.PoolID, let text = reply.Pool, let subnet = try? CIDR(text)
    else { throw CnetError(.failed, "plugin \"\(name)\": RequestPool returned no pool") }
    let gateway = reply.Data?[DockerOptions.gatewayData].flatMap { try? CIDR($0) }
    return IPAMPool(id: id, subnet: subnet.masked, gateway: gateway)
  }

  public func releasePool(id: String) throws {
    _ = try plugin.call(.ipam, "ReleasePool", ReleasePoolRequest(PoolID: id), reply: IPAMReply.self)
  }

  public func requestAddress(poolID: String, address: IPAddress?, options: [String: String]) throws -> CIDR? {
    // dockerd sends null, not {}, when it has no options.
    let request = RequestAddressRequest(PoolID: poolID, Address: address?.description ?? "", Options: options.isEmpty ? nil : options)
    guard let reply = try plugin.call(.ipam, "RequestAddress", request, reply: RequestAddressResponse.self),
      let text = reply.Address, let got = try? CIDR(text)
    else { throw CnetError(.failed, "plugin \"\(name)\": RequestAddress returned no address") }
    if let address, got.address != address {
      throw CnetError(.failed, "plugin \"\(name)\": asked for \(address), got \(got.address)")
    }
    return got
  }

  public func releaseAddress(poolID: String, address: IPAddress) throws {
    _ = try plugin.call(.ipam, "ReleaseAddress", ReleaseAddressRequest(PoolID: poolID, Address: address.description),
                        reply: IPAMReply.self)
  }
}
