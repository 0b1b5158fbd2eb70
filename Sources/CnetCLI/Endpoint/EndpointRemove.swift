import ArgumentParser
import CnetEngine

struct EndpointRemove: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rm",
    abstract: "Delete endpoints; their addresses go back to the network's pool.",
    discussion: "A joined endpoint must leave first. Prints the names removed.",
    aliases: ["remove", "del", "delete"])

  @Argument(help: "Endpoints: NAME, NETWORK/NAME or id.")
  var endpoints: [String]

  func validate() throws {
    if endpoints.isEmpty { throw ValidationError("Missing expected argument '<endpoints> ...'") }
  }

  func run() throws {
    for endpoint in try Engine.changing().removeEndpoints(endpoints) { print(endpoint.name) }
  }
}
