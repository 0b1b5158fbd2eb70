import ArgumentParser

struct Netns: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "netns",
    abstract: "Manage named network namespaces (like ip netns).",
    discussion: """
      Names live under /var/run/netns, where `ip netns` finds them too. A name \
      is a bind mount that keeps its namespace alive (netns add, netns link --bind), \
      or a symbolic link to /proc/PID/ns/net that lives as long as the process \
      (netns link).
      """,
    subcommands: [
      NetnsAdd.self, NetnsDelete.self, NetnsList.self, NetnsLink.self, NetnsIdentify.self,
      NetnsPids.self, NetnsExec.self, NetnsPrune.self,
    ])
}

/// A namespace name argument, completed from /var/run/netns.
func namespaceArgumentHelp(_ text: String) -> ArgumentHelp {
  ArgumentHelp(text, valueName: "name")
}
