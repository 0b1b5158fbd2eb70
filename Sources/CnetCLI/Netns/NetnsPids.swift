import ArgumentParser
import CnetCore

struct NetnsPids: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pids",
    abstract: "Print the processes running in a named network namespace.",
    discussion: "Equivalent to `ip netns pids NAME`.")

  @Argument(help: namespaceArgumentHelp("The namespace."), completion: .custom(Completions.namespaceNames))
  var name: String

  @OptionGroup var output: JSONOption

  func run() throws {
    let pids = try Kernel.namespaces.pids(in: NamespaceName(name))
    if output.json {
      emit(.array(pids.map { .int(Int($0)) }))
    } else {
      for pid in pids { print(pid) }
    }
  }
}
