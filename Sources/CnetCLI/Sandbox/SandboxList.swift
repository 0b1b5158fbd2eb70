import ArgumentParser
import CnetEngine

struct SandboxList: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ls",
    abstract: "List sandboxes.",
    discussion: "--json prints an array of the objects `sandbox inspect --json` prints.",
    aliases: ["list"])

  @OptionGroup var output: JSONOption

  func run() throws {
    let controller = try Engine.reading()
    let sandboxes = try controller?.store.sandboxes() ?? []
    let networks = try controller?.networkNames() ?? [:]
    var joined: [String: [String]] = [:]
    for endpoint in try controller?.store.endpoints() ?? [] {
      if let id = endpoint.sandboxID { joined[id, default: []].append(networks[endpoint.networkID] ?? endpoint.networkID) }
    }
    if output.json {
      emit(.array(try sandboxes.map { SandboxFormat.json($0, endpoints: try controller?.store.endpoints(sandbox: $0.id) ?? [], networks: networks) }))
    } else {
      print(SandboxFormat.table(sandboxes, networks: joined).rendered)
    }
  }
}
