import ArgumentParser

struct Endpoint: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "endpoint",
    abstract: "Manage endpoints: addresses on a network, joined to sandboxes.",
    discussion: """
      An endpoint reserves its addresses when it is created, before any sandbox \
      exists; it keeps them when it leaves a sandbox and gives them back when it \
      is deleted. An endpoint is named NAME, or NETWORK/NAME where a name is on \
      several networks, or by its id.
      """,
    subcommands: [EndpointCreate.self, EndpointList.self, EndpointInspect.self, EndpointRemove.self, EndpointJoin.self, EndpointLeave.self])
}
