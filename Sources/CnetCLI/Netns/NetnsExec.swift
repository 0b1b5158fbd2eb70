import ArgumentParser
import CnetCore

struct NetnsExec: FastPathed {
  static let configuration = CommandConfiguration(
    commandName: "exec",
    abstract: "Run a command inside a named network namespace.",
    discussion: ExecArguments.discussion)

  @OptionGroup var exec: ExecArguments

  var fastPath: FastPath { .exec(exec.name, exec.command) }
}

/// What `netns exec` and the top-level `exec` take and do.
struct ExecArguments: ParsableArguments {
  static let discussion = """
    Like `ip netns exec`: enters the namespace, makes a private mount namespace, \
    remounts /sys so it shows the namespace's devices, bind-mounts each file of \
    /etc/netns/NAME/ over /etc, then replaces cnet with the command. The command's \
    exit status and signals are the caller's. Everything after NAME is passed \
    through untouched: `cnet exec ns1 ip -o link`.
    """

  @Argument(help: namespaceArgumentHelp("The namespace."), completion: .custom(Completions.namespaceNames))
  var name: String

  @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The command and its arguments, passed through untouched.", valueName: "command"))
  var command: [String] = []

  /// What the command runs (FastPath.run), parsed or not.
  static func perform(name: String, command: [String]) throws -> Never {
    let name = try NamespaceName(name)
    guard !command.isEmpty else {
      throw CnetError(.invalidArgument, "missing command to run in netns \"\(name)\"")
    }
    try Kernel.namespaces.exec(name, command: command)
  }
}
