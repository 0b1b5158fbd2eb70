import CnetCore
import CnetEngine

#if canImport(Glibc)
import Glibc
#endif

/// Finds plugins for the engine (Controller.Settings.plugins): a name no
/// built-in driver has is looked up by discovery and activated; the plugin
/// must implement the role it is asked for, as dockerd requires. A missing
/// plugin fails at once (dockerd waits 15 seconds); one that is there but
/// does not answer, within a few seconds.
public struct PluginResolver: DriverResolver {
  public var discovery = PluginDiscovery()
  /// Seconds one call may take.
  public var timeout = 30.0
  /// This cnet's store directory: a cnet plugin server on the same store is
  /// refused (see ActivateResponse.CnetStore).
  public var stateDirectory: String?

  public init(stateDirectory: String? = nil) { self.stateDirectory = stateDirectory }

  /// A store directory's identity across mount namespaces: its device and
  /// inode.
  static func storeIdentity(_ directory: String) -> String? {
    var info = stat()
    guard stat(directory, &info) == 0 else { return nil }
    return "\(info.st_dev):\(info.st_ino)"
  }

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
    if let theirs = plugin.cnetStore, let directory = stateDirectory, theirs == Self.storeIdentity(directory) {
      throw CnetError(.invalidArgument,
        "plugin \"\(name)\" is cnet's own plugin server on this same store; use cnet's drivers directly (-d bridge)")
    }
    guard plugin.implements.contains(role) else {
      throw CnetError(.invalidArgument,
        "plugin \"\(name)\" does not implement \(role) (it implements: \(plugin.implements.isEmpty ? "nothing" : plugin.implements.joined(separator: ", ")))")
    }
    return plugin
  }
}
