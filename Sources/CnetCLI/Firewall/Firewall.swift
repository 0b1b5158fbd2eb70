import ArgumentParser

struct FirewallCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "firewall",
    abstract: "Manage cnet's nftables tables.",
    discussion: """
      cnet keeps NAT, published ports and isolation in two nftables tables of its \
      own, `inet cnet` and `bridge cnet`, and never edits any other. Every changing \
      command puts them back if they are missing; `firewall reload` rewrites them \
      from cnet's store whatever state they are in.
      """,
    subcommands: [FirewallReload.self])
}
