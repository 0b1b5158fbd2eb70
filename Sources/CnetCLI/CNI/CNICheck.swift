import CnetCNI
import CnetCore
import CnetEngine

/// CHECK: what ADD made is as it was, in the kernel and in the runtime's
/// prevResult (which CHECK requires): the attachment is known, on the
/// configuration's network, in CNI_NETNS; its interface, addresses and
/// host end are there; prevResult lists the interface and every address.
/// Later plugins in the chain may have changed things (tuning a MAC, others
/// routes and interfaces): the MAC is the one prevResult gives, and routes
/// and other interfaces are not cnet's to judge.
enum CNICheck {
  static func run(_ environment: CNIEnvironment, _ config: CNIConfig) throws {
    let networkName = try CNIPlugin.network(config)
    guard let previous = config.prevResult else {
      throw CNIError(CNIError.invalidConfiguration, "CHECK needs prevResult, the result of the ADD")
    }
    let containerID = environment.containerID ?? ""
    let interface = environment.interface ?? ""
    guard let controller = try Engine.reading(),
      let attachment = try controller.containerAttachment(containerID, interface: interface)
    else {
      throw CNIError(CNIError.unknownContainer, "container \(containerID) has no interface \(interface) on cnet")
    }
    guard attachment.network.name == networkName else {
      throw CNIError(CNIError.invalidConfiguration,
        "interface \(interface) of container \(containerID) is on network \"\(attachment.network.name)\", not \"\(networkName)\"")
    }
    guard attachment.sandbox.target == environment.netns else {
      throw CNIError(CNIError.invalidConfiguration,
        "container \(containerID) is in namespace \(attachment.sandbox.target ?? "-"), not \(environment.netns ?? "-")")
    }
    guard let listed = previous.interfaces.first(where: { $0.name == interface && $0.sandbox != nil }) else {
      throw CNIError(CNIError.invalidConfiguration, "prevResult lists no interface \(interface) in a container")
    }
    var mac: MACAddress?
    if let text = listed.mac {
      guard let given = try? MACAddress(text) else {
        throw CNIError(CNIError.invalidConfiguration, "prevResult gives interface \(interface) MAC \"\(text)\", which is no MAC")
      }
      mac = given
    }
    try controller.checkContainer(attachment, mac: mac)
    for address in attachment.endpoint.addresses where !previous.ips.contains(where: { $0.address == address }) {
      throw CNIError(CNIError.conflict, "prevResult lacks address \(address) of interface \(interface)")
    }
  }
}
