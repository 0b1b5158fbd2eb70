import CnetCore
import CnetEngine

/// Finds plugins for the engine (Controller.Settings.plugins): a name no
/// built-in driver has is looked up by discovery and activated; the plugin
/// must implement the role it is asked for, as dockerd requires. A missing
/// plugin fails at once (dockerd waits 15 seconds); one that is there but
/// does not answer, within a few seconds.
public struct PluginResolver: DriverResolver {
  public var discovery = PluginDiscovery()
  /// Seconds one call may take.
  public var timeout = 30.0

  public init() {}

  public func networkDriver(_ name: String) throws -> (any NetworkDriver)? {
    guard let plugin = try activate(name, role: NetworkDriverAPI.implements) else { return nil }
    return try RemoteDriver(plugin: plugin)
  }

  public func ipamDriver(_ name: String) throws -> (any IPAMDriver)? {
    guard let plugin = try activate(name, role: IpamDriverAPI.implements) else { return nil }
    return try RemoteIPAM(plugin: plugin)
  }

  private func activate(_ name: String, role: String) throws -> PluginConnection? {
    guard let found = try discovery.find(name) else { return nil }
    let plugin = try PluginConnection.activate(found, timeout: timeout)
    guard plugin.implements.contains(role) else {
      throw CnetError(.invalidArgument,
        "plugin \"\(name)\" does not implement \(role) (it implements: \(plugin.implements.isEmpty ? "nothing" : plugin.implements.joined(separator: ", ")))")
    }
    return plugin
  }
}
