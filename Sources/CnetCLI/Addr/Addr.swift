import ArgumentParser

struct Addr: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "addr",
    abstract: "Manage IPv4 and IPv6 addresses (like ip addr).",
    subcommands: [AddrAdd.self, AddrDelete.self, AddrList.self],
    aliases: ["address"])
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
