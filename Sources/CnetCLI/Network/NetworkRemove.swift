import ArgumentParser
import CnetEngine

struct NetworkRemove: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rm",
    abstract: "Delete networks.",
    discussion: "Refused while a network has endpoints; the error names them. Prints the names removed.",
    aliases: ["remove", "del", "delete"])

  @Argument(help: "Networks to delete.")
  var networks: [String]

  func validate() throws {
    if networks.isEmpty { throw ValidationError("Missing expected argument '<networks> ...'") }
  }

  func run() throws {
    for network in try Engine.changing().removeNetworks(networks) { print(network.name) }
  }
}
