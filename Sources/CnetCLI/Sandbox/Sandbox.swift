import ArgumentParser

struct Sandbox: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sandbox",
    abstract: "Manage sandboxes: one container's network stack.",
    discussion: """
      A sandbox is a named network namespace (under /var/run/netns, so `ip netns` \
      and `cnet exec` reach it) with /etc/netns/NAME/{hostname,hosts,resolv.conf}. \
      Its hosts file lists every endpoint of the networks it is on, by name and \
      alias, kept up to date on every join and leave.
      """,
    subcommands: [SandboxCreate.self, SandboxList.self, SandboxInspect.self, SandboxRemove.self])
}
