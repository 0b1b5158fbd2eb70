import ArgumentParser

struct Network: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "network",
    abstract: "Manage networks (like docker network).",
    discussion: """
      A network is a set of endpoints that reach each other directly. Drivers: \
      bridge (default: a Linux bridge with the gateway address, a veth per joined \
      endpoint), host (the host's own stack), null (only lo).
      """,
    subcommands: [NetworkCreate.self, NetworkList.self, NetworkInspect.self, NetworkRemove.self, NetworkPrune.self])
}
