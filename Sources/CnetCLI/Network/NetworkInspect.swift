import ArgumentParser
import CnetCore
import CnetEngine

struct NetworkInspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show networks in detail.",
    discussion: "A network is named by its name, its id, or a unique prefix of its id.")

  @Argument(help: "Networks to show.")
  var networks: [String]

  @OptionGroup var output: JSONOption

  func validate() throws {
    if networks.isEmpty { throw ValidationError("Missing expected argument '<networks> ...'") }
  }

  func run() throws {
    guard let controller = try Engine.reading() else {
      throw CnetError(.notFound, "network \"\(networks[0])\" not found")
    }
    let found = try networks.map { try controller.network($0) }
    let sandboxes = try controller.sandboxNames()
    if output.json {
      print(JSON.array(try found.map { NetworkFormat.json($0, endpoints: try controller.store.endpoints(network: $0.id), sandboxes: sandboxes) }).pretty)
    } else {
      print(try found.map { NetworkFormat.text($0, endpoints: try controller.store.endpoints(network: $0.id), sandboxes: sandboxes) }
        .joined(separator: "\n\n"))
    }
  }
}
