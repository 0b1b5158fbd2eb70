import ArgumentParser
import CnetCore

struct AddrDelete: ParsableCommand, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "del",
    abstract: "Remove an address from an interface.",
    discussion: "Equivalent to `ip addr del CIDR dev IF`.",
    aliases: ["delete", "rm"])

  @OptionGroup var address: AddressArguments

  @OptionGroup var scope: NamespaceOption

  func run() throws {
    let (cidr, dev) = try address.parsed()
    let socket = try Kernel.socket(in: scope.netns)
    try socket.deleteAddress(cidr, from: try socket.link(named: dev))
  }
}
