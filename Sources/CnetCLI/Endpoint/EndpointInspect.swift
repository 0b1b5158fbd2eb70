import ArgumentParser
import CnetCore
import CnetEngine

struct EndpointInspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show endpoints in detail.")

  @Argument(help: "Endpoints: NAME, NETWORK/NAME or id.")
  var endpoints: [String]

  @OptionGroup var output: JSONOption

  func validate() throws {
    if endpoints.isEmpty { throw ValidationError("Missing expected argument '<endpoints> ...'") }
  }

  func run() throws {
    guard let controller = try Engine.reading() else {
      throw CnetError(.notFound, "endpoint \"\(endpoints[0])\" not found")
    }
    let found = try endpoints.map { try controller.endpoint($0) }
    let networks = try controller.networkNames()
    let sandboxes = try controller.sandboxNames()
    if output.json {
      print(JSON.array(found.map { EndpointFormat.json($0, network: networks[$0.networkID], sandbox: $0.sandboxID.flatMap { sandboxes[$0] }) }).pretty)
    } else {
      print(found.map { EndpointFormat.text($0, network: networks[$0.networkID], sandbox: $0.sandboxID.flatMap { sandboxes[$0] }) }
        .joined(separator: "\n\n"))
    }
  }
}
