import ArgumentParser
import CnetCore

struct AddrAdd: ParsableCommand, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Add an address to an interface.",
    discussion: """
      Equivalent to `ip addr add CIDR dev IF` (with `brd +` for IPv4). An address \
      without /LEN is a host address (/32 or /128).
      """)

  @Argument(help: ArgumentHelp("The address and prefix length, e.g. 10.0.0.2/24 or fd00::2/64.", valueName: "cidr"))
  var cidr: String

  @Option(help: "The interface.", completion: .custom(Completions.linkNames))
  var dev: String

  @Flag(help: "IPv6: skip duplicate address detection, so the address is usable at once.")
  var nodad = false

  @OptionGroup var scope: NamespaceOption

  var namespaceName: String? {
    get { scope.netns }
    set { scope.netns = newValue }
  }

  func run() throws {
    let cidr = try CIDR(cidr, hostWhenBare: true)
    let dev = try InterfaceName(dev)
    let socket = try Kernel.socket(in: scope.netns)
    try socket.addAddress(cidr, to: try socket.link(named: dev), noDAD: nodad)
  }
}
