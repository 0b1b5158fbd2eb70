import ArgumentParser
import CnetCore

struct NetnsLink: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "link",
    abstract: "Name the network namespace of a running process.",
    discussion: """
      Makes /var/run/netns/NAME a symbolic link to /proc/PID/ns/net, so `ip netns` \
      and cnet can use a container's namespace by name; the link dangles once the \
      process exits. With --bind the namespace is bind-mounted instead (like \
      `ip netns attach NAME PID`) and outlives the process until `netns del`.
      """,
    aliases: ["attach"])

  @Argument(help: "Process whose namespace to name.")
  var pid: String

  @Argument(help: namespaceArgumentHelp("Name to give it."))
  var name: String

  @Flag(help: "Bind-mount the namespace so it outlives the process.")
  var bind = false

  func run() throws {
    let pid = try Kernel.pid(pid)
    let name = try NamespaceName(name)
    try Kernel.namespaces.link(pid: pid, as: name, bind: bind)
  }
}
