import ArgumentParser

/// `cnet exec NAME CMD...`, the short form of `cnet netns exec`.
struct Exec: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exec",
    abstract: "Run a command inside a named network namespace (same as netns exec).",
    discussion: ExecArguments.discussion)

  @OptionGroup var exec: ExecArguments

  func run() throws {
    try exec.run()
  }
}
