import CnetCore

/// What `cnet plugin ls` asks each plugin: its activation.
public enum PluginProbe {
  public static func implements(_ plugin: PluginDiscovery.Found) throws -> [String] {
    try PluginConnection.activate(plugin, timeout: 5).implements
  }

  public static func message(_ error: Error) -> String {
    (error as? CnetError)?.message ?? "\(error)"
  }
}
