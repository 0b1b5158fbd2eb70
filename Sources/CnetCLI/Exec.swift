import ArgumentParser

/// `cnet exec NAME CMD...`, the short form of `cnet netns exec`.
struct Exec: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exec",
    abstract: "Run a command inside a named network namespace (same as netns exec).",
    discussion: ExecDiscussion.text)

  @Argument(help: namespaceArgumentHelp("The namespace."), completion: .custom(Completions.namespaceNames))
  var name: String

  @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The command and its arguments, passed through untouched.", valueName: "command"))
  var command: [String] = []

  func run() throws {
    try ExecDiscussion.run(name: name, command: command)
  }
}
