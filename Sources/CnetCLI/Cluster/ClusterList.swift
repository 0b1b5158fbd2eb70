import ArgumentParser
import CnetCluster
import CnetCore
import CnetEngine

struct ClusterList: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ls",
    abstract: "List the cluster's hosts: address, alive or gone, endpoints.",
    discussion: """
      A host is alive while its lease lives (its agent renews it); gone once it \
      ended. ENDPOINTS counts what the host publishes on overlay networks. Endpoints \
      of this host the agent could not publish (their address went to another host \
      while this one was gone) are listed after the table.
      """,
    aliases: ["list"])

  @OptionGroup var output: JSONOption

  func run() throws {
    let settings = Controller.Settings()
    guard let config = try ClusterConfig.load(stateDirectory: settings.stateDirectory) else {
      throw CnetError(.notFound, "this host is in no cluster (cnet cluster join)")
    }
    let members = try Membership.list(config)
    let conflicts = Conflicts.read(runDirectory: settings.runDirectory)
    if output.json {
      emit(.array(members.map { member in
        .object([("ID", .string(member.id)), ("Name", .string(member.name)), ("Address", .string(member.vtep)),
                 ("State", .string(member.alive ? "alive" : "gone")), ("Endpoints", .int(member.endpoints)),
                 ("Self", .bool(member.id == config.hostID))])
      }))
      return
    }
    var table = Table("NAME", "ID", "ADDRESS", "STATE", "ENDPOINTS")
    for member in members {
      table.add([member.name + (member.id == config.hostID ? " *" : ""), member.id, member.vtep,
                 member.alive ? "alive" : "gone", String(member.endpoints)])
    }
    print(table.rendered)
    for conflict in conflicts { print("conflict: " + conflict) }
  }
}
