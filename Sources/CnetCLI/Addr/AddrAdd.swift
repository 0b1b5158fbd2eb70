import ArgumentParser
import CnetCore

struct AddrAdd: FastPathed, NamespaceScoped {
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

  var fastPath: FastPath { .addrAdd(cidr: address.cidr, dev: address.dev, noDAD: nodad, namespace: scope.netns) }

  /// What the command runs (FastPath.run), parsed or not.
  static func perform(cidr: String, dev: String, noDAD: Bool, namespace: String?) throws {
    let (cidr, dev) = try AddressArguments.parsed(cidr: cidr, dev: dev)
    let socket = try Kernel.socket(in: namespace)
    try socket.addAddress(cidr, to: try socket.link(named: dev), noDAD: noDAD)
  }
}
