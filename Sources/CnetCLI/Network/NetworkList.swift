import ArgumentParser
import CnetEngine
import CnetStore

struct NetworkList: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ls",
    abstract: "List networks.",
    discussion: "--json prints an array of the objects `network inspect --json` prints.",
    aliases: ["list"])

  @OptionGroup var output: JSONOption

  func run() throws {
    let controller = try Engine.reading()
    let networks = try controller?.store.networks() ?? []
    if output.json {
      let sandboxes = try controller.map { try $0.sandboxNames() } ?? [:]
      emit(.array(try networks.map { NetworkFormat.json($0, endpoints: try controller?.store.endpoints(network: $0.id) ?? [], sandboxes: sandboxes) }))
    } else {
      print(NetworkFormat.table(networks).rendered)
    }
  }
}

extension Controller {
  /// Sandbox names by id, for showing joins.
  func sandboxNames() throws -> [String: String] {
    Dictionary(try store.sandboxes().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
  }
}
