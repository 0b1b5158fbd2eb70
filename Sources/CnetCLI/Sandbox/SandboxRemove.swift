import ArgumentParser
import CnetEngine

struct SandboxRemove: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rm",
    abstract: "Remove sandboxes.",
    discussion: """
      Its endpoints leave (those `connect` made are deleted, the others keep their \
      addresses); a namespace cnet made is deleted, a linked or adopted one only \
      loses cnet's interfaces and name. Prints the names removed.
      """,
    aliases: ["remove", "del", "delete"])

  @Argument(help: "Sandboxes to remove.")
  var sandboxes: [String]

  func validate() throws {
    if sandboxes.isEmpty { throw ValidationError("Missing expected argument '<sandboxes> ...'") }
  }

  func run() throws {
    let controller = try Engine.changing()
    let found = try sandboxes.map { try controller.sandbox($0) }
    for sandbox in found { print(try controller.removeSandbox(sandbox.id).name) }
  }
}
