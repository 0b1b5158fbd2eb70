import CnetCore
import CnetKernel

/// The endpoints the cluster IPAM published with their addresses' claims
/// in this process, until the overlay driver's join, which would publish
/// them, takes them off (each once: a later join of the same endpoint
/// publishes again). One whose reservation is undone before its join is
/// taken back with its address (ClusterIPAM.releaseAddress).
public final class Publications: @unchecked Sendable {
  private let monitor = Monitor()
  /// Endpoint id: its publication's key and its address.
  private var published: [String: (key: String, address: IPAddress)] = [:]

  public init() {}

  func add(_ endpointID: String, key: String, address: IPAddress) {
    monitor.locked { published[endpointID] = (key, address) }
  }

  /// Whether `endpointID` was published with its claim; forgets it.
  func take(_ endpointID: String) -> Bool {
    monitor.locked { published.removeValue(forKey: endpointID) != nil }
  }

  /// The key of the publication that went with `address`'s claim and no
  /// join took; forgets it.
  func takeKey(of address: IPAddress) -> String? {
    monitor.locked {
      guard let (id, found) = published.first(where: { $0.value.address == address }) else { return nil }
      published[id] = nil
      return found.key
    }
  }
}
