import ArgumentParser
import CnetCore

struct Batch: NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "batch",
    abstract: "Run cnet commands from a file, one per line, in one process (as ip -batch).",
    discussion: """
      Each line is a cnet command line without the leading `cnet`, split as a \
      shell splits it (quotes, backslashes, a backslash at the end of a line \
      continuing it); `#` begins a comment, and blank lines are skipped. The \
      batch stops at the first failing line, with that line's exit status; with \
      --force (-force) it goes on, and exits with the status of the last line \
      that failed. Errors name their line: `cnet: batch line 37: ...`. `cnet \
      -batch FILE` is the same, as ip spells it.

      -n NS and --json before `batch` (or after it) apply to every line as they \
      apply to a single command. exec, netns exec, plugin serve, agent, \
      firewall watch and batch itself are refused: they replace the process or \
      run until stopped.

      One process, one store connection and one hold of the operation lock do \
      the whole batch: a line that changes something is still its own \
      reservation, change and commit, so a batch killed half-way leaves the \
      lines before it done and the line in progress for the next command (or \
      `cnet gc`) to finish or undo. The lock is let go between two lines when \
      another cnet command waits for it, and while the batch waits for more \
      input. The networks' hosts files are written once, when the batch ends \
      or lets the lock go. SIGINT or SIGTERM stops the batch between two \
      lines, and it ends by that signal (a shell sees 128 + its number).

      Examples:
        cnet batch setup.cnet
        seq 1 500 | sed 's/.*/connect lab c&/' | cnet batch
        cnet -force -batch teardown.cnet
      """)

  @Argument(help: ArgumentHelp("The file of commands (- or none: stdin).", valueName: "file"))
  var file = "-"

  @Flag(name: [.customLong("force"), .customLong("force", withSingleDash: true)],
        help: "Go on after a failing line (the exit status is the last failing line's).")
  var force = false

  @Flag(help: "Every line's command prints JSON, when it prints anything.")
  var json = false

  @OptionGroup var scope: NamespaceOption

  func run() throws {
    CnetMain.finish(BatchRunner.run(file, force: force, namespace: scope.netns, json: json))
  }
}
