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

  @OptionGroup var address: AddressArguments

  @Flag(help: "IPv6: skip duplicate address detection, so the address is usable at once.")
  var nodad = false

  @OptionGroup var scope: NamespaceOption

  func run() throws {
    let (cidr, dev) = try address.parsed()
    let socket = try Kernel.socket(in: scope.netns)
    try socket.addAddress(cidr, to: try socket.link(named: dev), noDAD: nodad)
  }
}
