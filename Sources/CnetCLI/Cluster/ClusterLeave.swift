import ArgumentParser
import CnetCluster
import CnetCore
import CnetEngine

struct ClusterLeave: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "leave",
    abstract: "Take this host out of its cluster.",
    discussion: """
      Refused while this host has endpoints on overlay networks (disconnect them \
      first). Its member record, its liveness and its lease go from etcd, and the \
      cluster from this host's state; stop `cnet agent` after.
      """)

  func run() throws {
    let controller = try Engine.changing()
    let settings = Controller.Settings()
    guard let config = try ClusterConfig.load(stateDirectory: settings.stateDirectory) else {
      throw CnetError(.notFound, "this host is in no cluster")
    }
    var used: [String] = []
    for network in try controller.store.networks() where network.driver == "overlay" {
      used += try controller.store.endpoints(network: network.id).map { "\($0.name) on \(network.name)" }
    }
    guard used.isEmpty else {
      throw CnetError(.conflict, "this host has endpoints on overlay networks: \(used.joined(separator: ", ")) (disconnect them first)")
    }
    try Membership.leave(config, stateDirectory: settings.stateDirectory, runDirectory: settings.runDirectory)
    print("left the cluster")
  }
}
