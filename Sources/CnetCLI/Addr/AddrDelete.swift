import ArgumentParser
import CnetCore

struct AddrDelete: FastPathed, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "del",
    abstract: "Remove an address from an interface.",
    discussion: "Equivalent to `ip addr del CIDR dev IF`.",
    aliases: ["delete", "rm"])

  @OptionGroup var address: AddressArguments

  @OptionGroup var scope: NamespaceOption

  var fastPath: FastPath { .addrDelete(cidr: address.cidr, dev: address.dev, namespace: scope.netns) }

  /// What the command runs (FastPath.run), parsed or not.
  static func perform(cidr: String, dev: String, namespace: String?) throws {
    let (cidr, dev) = try AddressArguments.parsed(cidr: cidr, dev: dev)
    let socket = try Kernel.socket(in: namespace)
    try socket.deleteAddress(cidr, from: try socket.link(named: dev))
  }
}
