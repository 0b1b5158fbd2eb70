import ArgumentParser
import CnetCore

struct AddrDelete: ParsableCommand, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "del",
    abstract: "Remove an address from an interface.",
    discussion: "Equivalent to `ip addr del CIDR dev IF`.",
    aliases: ["delete", "rm"])

  @Argument(help: ArgumentHelp("The address and prefix length.", valueName: "cidr"))
  var cidr: String

  @Option(help: "The interface.", completion: .custom(Completions.linkNames))
  var dev: String

  @OptionGroup var scope: NamespaceOption

  var namespaceName: String? {
    get { scope.netns }
    set { scope.netns = newValue }
  }

  func run() throws {
    let cidr = try CIDR(cidr, hostWhenBare: true)
    let dev = try InterfaceName(dev)
    let socket = try Kernel.socket(in: scope.netns)
    try socket.deleteAddress(cidr, from: try socket.link(named: dev))
  }
}
