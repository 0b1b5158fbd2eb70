import ArgumentParser
import CnetCore
import CnetEngine

struct SandboxInspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show sandboxes in detail.")

  @Argument(help: "Sandboxes to show.")
  var sandboxes: [String]

  @OptionGroup var output: JSONOption

  func validate() throws {
    if sandboxes.isEmpty { throw ValidationError("Missing expected argument '<sandboxes> ...'") }
  }

  func run() throws {
    guard let controller = try Engine.reading() else {
      throw CnetError(.notFound, "sandbox \"\(sandboxes[0])\" not found")
    }
    let found = try sandboxes.map { try controller.sandbox($0) }
    let networks = try controller.networkNames()
    if output.json {
      print(JSON.array(try found.map { SandboxFormat.json($0, endpoints: try controller.store.endpoints(sandbox: $0.id), networks: networks) }).pretty)
    } else {
      print(try found.map { SandboxFormat.text($0, endpoints: try controller.store.endpoints(sandbox: $0.id), networks: networks) }
        .joined(separator: "\n\n"))
    }
  }
}
