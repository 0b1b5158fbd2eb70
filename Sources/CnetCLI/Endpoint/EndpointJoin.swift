import ArgumentParser
import CnetEngine

struct EndpointJoin: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "join",
    abstract: "Attach an endpoint to a sandbox, creating the sandbox if needed.",
    discussion: """
      The endpoint appears in the sandbox as eth0, eth1, ... in join order, with \
      its addresses and a default route via the network's gateway (none on an \
      internal network). Without an IPv6 address it has no IPv6 address at all, \
      not even a link-local one, as Docker's containers on IPv4-only networks. \
      A sandbox made by a join is removed when its last endpoint leaves.
      """)

  @Argument(help: "The endpoint: NAME, NETWORK/NAME or id.")
  var endpoint: String

  @Argument(help: "The sandbox.")
  var sandbox: String

  func run() throws {
    _ = try Engine.changing().join(endpoint, to: sandbox)
  }
}
