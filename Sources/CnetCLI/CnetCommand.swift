import ArgumentParser

/// The root of the command tree. Synchronous on purpose: an async command
/// anywhere would pull in Swift's thread pool, and namespaces belong to
/// threads (DESIGN §4).
struct CnetCommand: ParsableCommand {
  /// What `--version` prints (FastPath prints it without the parser).
  static let version = "0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "cnet",
    abstract: "Container network manager: namespaces, links, addresses, routes, and Docker's network model.",
    discussion: """
      Namespaces are shared with iproute2: what `ip netns add` makes, cnet uses, \
      and `ip netns exec`, `ip -n` and `nsenter --net=/var/run/netns/NAME` see \
      what cnet makes.

      GLOBAL OPTIONS: -n NS, --netns NS before the command (as in `ip -n NS link`) \
      runs a link, addr, route or bridge command inside the named namespace; \
      `-n NS` may also follow the command. --json (-j, -json) before the \
      command makes it print JSON, when it prints anything. -batch FILE \
      (-force to go on past failing lines) runs the commands of FILE, one per \
      line, in one process: see `cnet batch --help`.

      CNI PLUGIN: run with CNI_COMMAND set and no arguments (as CNI runtimes \
      run plugins), or under the name cnet-cni, cnet is a CNI plugin \
      (versions 0.3.0 to 1.1.0; ADD, DEL, CHECK, STATUS, GC, VERSION) for a \
      configuration {"type":"cnet","network":"NAME"}: it answers on stdout, \
      errors as CNI error objects, and the runtime's containers become \
      sandboxes of origin cni on that network.

      \(ExitStatus.documentation)
      """,
    version: version,
    subcommands: [
      Network.self, Endpoint.self, Sandbox.self, Connect.self, Disconnect.self, GC.self, Doctor.self, FirewallCommand.self,
      PluginCommand.self, ClusterCommand.self, AgentCommand.self, Batch.self,
      Netns.self, Exec.self, Link.self, Bridge.self, Addr.self, Route.self,
    ])
}
