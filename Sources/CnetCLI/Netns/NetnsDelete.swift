import ArgumentParser
import CnetCore

struct NetnsDelete: FastPathed {
  static let configuration = CommandConfiguration(
    commandName: "del",
    abstract: "Delete named network namespaces.",
    discussion: """
      Equivalent to `ip netns del NAME...`: each name is unmounted and removed; \
      a namespace goes away when nothing else (a process, a link, another name) \
      holds it. For a name made by `netns link`, only the link is removed. \
      Every name is checked before any is removed; when some cannot be removed \
      the others still are, and each failure is reported.
      """,
    aliases: ["delete", "rm"])

  @Argument(
    help: namespaceArgumentHelp("Names of the namespaces to delete."),
    completion: .custom(Completions.namespaceNames))
  var names: [String]

  func validate() throws {
    if names.isEmpty { throw ValidationError("Missing expected argument '<name> ...'") }
  }

  var fastPath: FastPath { .netnsDelete(names) }

  /// What the command runs (FastPath.run), parsed or not.
  static func perform(_ names: [String]) throws {
    let valid = try names.map { try NamespaceName($0) }
    var failures: [ReportableError] = []
    for name in valid {
      do {
        try Kernel.namespaces.delete(name)
      } catch let error as ReportableError {
        failures.append(error)
      }
    }
    try reportAll(failures)
  }
}

/// Reports every failure of a batch, one line each in order; the last is
/// thrown, so it is printed by the common error handling and decides the
/// exit status.
func reportAll(_ failures: [ReportableError]) throws {
  guard let last = failures.last else { return }
  for failure in failures.dropLast() {
    writeError(messagePrefix() + failure.message + "\n")
  }
  throw last
}
