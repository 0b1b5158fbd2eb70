import ArgumentParser
import CnetCore

struct NetnsIdentify: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "identify",
    abstract: "Print the names of a process's network namespace.",
    discussion: "Equivalent to `ip netns identify [PID]`; without PID, cnet's own namespace.")

  @Argument(help: "Process to look up (default: this one).")
  var pid: String?

  @OptionGroup var output: JSONOption

  func run() throws {
    let names = try Kernel.namespaces.identify(pid: pid.map(Kernel.pid))
    if output.json {
      emit(.array(names.map { .string($0) }))
    } else {
      for name in names { print(name) }
    }
  }
}
