import CnetCNI
import CnetEngine
import CnetStore

/// DEL: removes the attachment (container id, interface) and all it made.
/// Idempotent, as the specification demands: an attachment cnet does not
/// know (a second DEL, a DEL after a failed ADD, a DEL with no store at
/// all) succeeds and changes nothing; so does one whose namespace is gone
/// (the kernel took the interface with it). prevResult is not needed, nor
/// anything of the configuration but its version (CNIPlugin reads it
/// leniently), and no repair of the firewalls can fail it.
enum CNIDelete {
  static func run(_ environment: CNIEnvironment, _ config: CNIConfig) throws {
    guard let containerID = environment.containerID, let interface = environment.interface else { return }
    // No store: cnet has made nothing, and a DEL makes no store.
    if Store.isMissingOrEmpty() { return }
    try Engine.changing(repair: false).detachContainer(containerID, interface: interface)
  }
}
