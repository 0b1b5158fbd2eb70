import ArgumentParser
import CnetCore

struct Addr: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "addr",
    abstract: "Manage IPv4 and IPv6 addresses (like ip addr).",
    subcommands: [AddrAdd.self, AddrDelete.self, AddrList.self],
    aliases: ["address"])
}

/// The address and the link that `addr add` and `addr del` take.
struct AddressArguments: ParsableArguments {
  @Argument(help: ArgumentHelp("The address and prefix length, e.g. 10.0.0.2/24 or fd00::2/64; without /LEN a host address.", valueName: "cidr"))
  var cidr: String

  @Option(help: "The interface.", completion: .custom(Completions.linkNames))
  var dev: String

  /// Checked before the kernel is asked.
  static func parsed(cidr: String, dev: String) throws -> (CIDR, InterfaceName) {
    (try CIDR(cidr, hostWhenBare: true), try InterfaceName(dev))
  }
}

/// RT_SCOPE_* as `ip` names them.
func scopeName(_ scope: UInt8) -> String {
  switch scope {
  case 0: "global"
  case 200: "site"
  case 253: "link"
  case 254: "host"
  case 255: "nowhere"
  default: String(scope)
  }
}
