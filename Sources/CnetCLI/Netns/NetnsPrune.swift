import ArgumentParser
import CnetCore
import CnetKernel

struct NetnsPrune: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prune",
    abstract: "Remove names that no longer lead to a namespace.",
    discussion: """
      Removes names made by `netns link` whose process has exited, and empty \
      files left by an interrupted add (older than ten seconds). Never touches \
      a live namespace. Prints what it removed.
      """)

  @Flag(help: "Only print what would be removed.")
  var dryRun = false

  @OptionGroup var output: JSONOption

  func run() throws {
    let removed = try Kernel.namespaces.prune(dryRun: dryRun)
    if output.json {
      emit(.array(removed.map(NetnsList.json)))
    } else {
      for entry in removed { print(NetnsList.text(entry)) }
    }
  }
}
