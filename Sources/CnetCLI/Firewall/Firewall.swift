import ArgumentParser

struct FirewallCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "firewall",
    abstract: "Manage cnet's firewall rules: its nftables tables, and its accepts in the host's other firewalls.",
    discussion: """
      cnet keeps NAT, published ports and isolation in two nftables tables of its \
      own, `inet cnet` and `bridge cnet`. Where another firewall would drop its \
      traffic whatever those tables accept (an nftables accept is final only in its \
      own chain), it adds what that firewall needs and nothing else: accepts for \
      each of its bridges in iptables' DOCKER-USER chain (Docker's FORWARD policy \
      is DROP), or in a chain of its own, CNET-FORWARD, when the FORWARD policy is \
      DROP without Docker; and its bridges in firewalld's trusted zone while \
      firewalld runs. It never changes another tool's policy or its other chains.

      Every changing command puts back what is missing; `firewall reload` rewrites \
      it all from cnet's store; `firewall watch` reloads whenever firewalld does. \
      `cnet doctor` reports what is wrong without changing anything.
      """,
    subcommands: [FirewallReload.self, FirewallWatch.self])
}
