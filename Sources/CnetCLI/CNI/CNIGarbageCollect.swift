import CnetCNI
import CnetCore
import CnetEngine
import CnetStore

/// GC: removes every attachment made under this network configuration
/// (its name) that is not in the runtime's list of valid ones
/// (`cni.dev/valid-attachments`, or `cni.dev/attachments`); another
/// configuration's attachments on the same cnet network, and cnet's own
/// sandboxes, are not this runtime's to judge. With no list at all nothing
/// is removed: the specification makes the runtime send one, and a missing
/// list (cnitool sends none) is no reason to take every container off the
/// network. Goes on past a failure and reports them all.
enum CNIGarbageCollect {
  static func run(_ config: CNIConfig) throws {
    let network = try CNIPlugin.network(config)
    guard let valid = config.validAttachments, !Store.isMissingOrEmpty() else { return }
    let controller = try Engine.changing(repair: false)
    guard let record = try controller.store.network(named: network) else { return }
    var failures: [String] = []
    for attachment in try controller.containerAttachments(on: record.id) where attachment.endpoint.cniConfig == config.name {
      guard let containerID = attachment.sandbox.containerID, let interface = attachment.endpoint.interface,
        !valid.contains(CNIAttachmentKey(containerID: containerID, interface: interface))
      else { continue }
      do {
        try controller.detachContainer(containerID, interface: interface)
      } catch let error as ReportableError {
        failures.append("\(containerID)/\(interface): \(error.message)")
      } catch {
        failures.append("\(containerID)/\(interface): \(error)")
      }
    }
    guard failures.isEmpty else {
      throw CNIError(CNIError.failed, "could not remove \(failures.count) stale attachment(s)",
                     details: failures.joined(separator: "; "))
    }
  }
}
