import CnetCNI
import CnetCore
import CnetEngine
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// STATUS: whether an ADD could be served now: the store can be read and
/// written (or made: its directory, or the directory's parent, can be
/// written), and the configuration's network exists as it says or can be
/// made. Code 50 otherwise. Takes no lock and changes nothing.
enum CNIStatus {
  static func run(_ config: CNIConfig) throws {
    let network = try CNIPlugin.network(config)
    func unavailable(_ why: String) -> CNIError { CNIError(CNIError.notAvailable, "cnet cannot add containers now: " + why) }
    do {
      let directory = Store.defaultDirectory
      if let controller = try Engine.reading() {
        guard access(directory + "/cnet.db", R_OK | W_OK) == 0 else {
          throw unavailable("the store \(directory)/cnet.db is not writable")
        }
        _ = try controller.checkContainerNetwork(named: network, subnet: config.subnet, gateway: config.gateway)
      } else {
        let parent = directory.split(separator: "/").dropLast().joined(separator: "/")
        guard access(directory, W_OK) == 0 || access(directory, F_OK) != 0 && access("/" + parent, W_OK) == 0 else {
          throw unavailable("cannot make the store in \(directory)")
        }
      }
    } catch let error as ReportableError {
      throw unavailable(error.message)
    }
  }
}
