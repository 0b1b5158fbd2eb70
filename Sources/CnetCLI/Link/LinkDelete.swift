import ArgumentParser
import CnetCore

struct LinkDelete: FastPathed, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "del",
    abstract: "Delete network interfaces.",
    discussion: "Equivalent to `ip link del NAME`. Deleting one end of a veth pair deletes both.",
    aliases: ["delete", "rm"])

  @Argument(help: "Interfaces to delete.", completion: .custom(Completions.linkNames))
  var names: [String]

  @OptionGroup var scope: NamespaceOption

  func validate() throws {
    if names.isEmpty { throw ValidationError("Missing expected argument '<names> ...'") }
  }

  var fastPath: FastPath { .linkDelete(names, namespace: scope.netns) }

  /// What the command runs (FastPath.run), parsed or not.
  static func perform(_ names: [String], namespace: String?) throws {
    let valid = try names.map(InterfaceName.init)
    let socket = try Kernel.socket(in: namespace)
    var failures: [ReportableError] = []
    for name in valid {
      do {
        try socket.deleteLink(try socket.link(named: name))
      } catch let error as ReportableError {
        failures.append(error)
      }
    }
    try reportAll(failures)
  }
}
