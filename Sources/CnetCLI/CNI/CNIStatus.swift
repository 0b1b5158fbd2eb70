import CnetCNI
import CnetCore
import CnetEngine
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// STATUS: whether an ADD could be served now: the store can be read and
/// written (or made), and the configuration's network exists as it says
/// or can be made. Code 50 otherwise. Takes no lock and changes nothing.
enum CNIStatus {
  static func run(_ config: CNIConfig) throws {
    let network = try CNIPlugin.network(config)
    let directory = Store.defaultDirectory
    func unavailable(_ why: String) -> CNIError { CNIError(CNIError.notAvailable, "cnet cannot add containers now: " + why) }
    let controller: Controller?
    do {
      controller = try Engine.reading()
    } catch let error as ReportableError {
      throw unavailable(error.message)
    }
    if controller != nil {
      guard access(directory + "/cnet.db", R_OK | W_OK) == 0 else { throw unavailable("the store \(directory)/cnet.db is not writable") }
    } else {
      var parent = directory
      while access(parent, F_OK) != 0, let slash = parent.lastIndex(of: "/"), slash != parent.startIndex {
        parent = String(parent[..<slash])
      }
      guard access(parent, W_OK) == 0 else { throw unavailable("cannot make the store in \(directory)") }
    }
    do {
      _ = try controller?.checkContainerNetwork(named: network, subnet: config.subnet, gateway: config.gateway)
    } catch let error as ReportableError {
      throw unavailable(error.message)
    }
  }
}
