import ArgumentParser
import CnetCore

struct NetnsAdd: FastPathed {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Create a named network namespace.",
    discussion: "Equivalent to `ip netns add NAME`: the namespace has only `lo`, down.")

  @Argument(help: namespaceArgumentHelp("Name of the new namespace."))
  var name: String

  var fastPath: FastPath { .netnsAdd(name) }

  /// What the command runs (FastPath.run), parsed or not.
  static func perform(_ name: String) throws {
    try Kernel.namespaces.add(NamespaceName(name))
  }
}
