import ArgumentParser

struct Bridge: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bridge",
    abstract: "Create, delete and list Linux bridges (a shortcut over link and addr).",
    subcommands: [BridgeCreate.self, BridgeDelete.self, BridgeList.self])
}
