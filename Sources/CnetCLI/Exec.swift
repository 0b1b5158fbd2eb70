import ArgumentParser

/// `cnet exec NAME CMD...`, the short form of `cnet netns exec`.
struct Exec: FastPathed {
  static let configuration = CommandConfiguration(
    commandName: "exec",
    abstract: "Run a command inside a named network namespace (same as netns exec).",
    discussion: ExecArguments.discussion)

  @OptionGroup var exec: ExecArguments

  var fastPath: FastPath { .exec(exec.name, exec.command) }
}
