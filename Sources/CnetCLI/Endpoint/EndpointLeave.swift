import ArgumentParser
import CnetEngine

struct EndpointLeave: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "leave",
    abstract: "Detach an endpoint from its sandbox; it keeps its addresses.")

  @Argument(help: "The endpoint: NAME, NETWORK/NAME or id.")
  var endpoint: String

  @Argument(help: "The sandbox.")
  var sandbox: String

  func run() throws {
    _ = try Engine.changing().leave(endpoint, from: sandbox)
  }
}
