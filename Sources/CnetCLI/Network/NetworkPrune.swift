import ArgumentParser
import CnetEngine

struct NetworkPrune: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prune",
    abstract: "Delete every network without endpoints; prints their names.")

  func run() throws {
    for network in try Engine.changing().pruneNetworks() { print(network.name) }
  }
}
