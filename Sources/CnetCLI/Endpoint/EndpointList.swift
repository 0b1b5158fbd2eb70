import ArgumentParser
import CnetCore
import CnetEngine

struct EndpointList: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ls",
    abstract: "List endpoints.",
    discussion: "--json prints an array of the objects `endpoint inspect --json` prints.",
    aliases: ["list"])

  @Option(help: "Only this network's endpoints.")
  var network: String?

  @OptionGroup var output: JSONOption

  func run() throws {
    guard let controller = try Engine.reading() else {
      if let network { throw CnetError(.notFound, "network \"\(network)\" not found") }
      print(output.json ? "[]" : EndpointFormat.table([], networks: [:], sandboxes: [:]).rendered)
      return
    }
    let endpoints = try network.map { try controller.store.endpoints(network: controller.network($0).id) } ?? controller.store.endpoints()
    let networks = try controller.networkNames()
    let sandboxes = try controller.sandboxNames()
    if output.json {
      emit(.array(endpoints.map { EndpointFormat.json($0, network: networks[$0.networkID], sandbox: $0.sandboxID.flatMap { sandboxes[$0] }) }))
    } else {
      print(EndpointFormat.table(endpoints, networks: networks, sandboxes: sandboxes).rendered)
    }
  }
}
