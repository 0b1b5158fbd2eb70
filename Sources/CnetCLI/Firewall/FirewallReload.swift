import ArgumentParser
import CnetCore

struct FirewallReload: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reload",
    abstract: "Rewrite cnet's nftables tables from its store.",
    discussion: """
      In one transaction: the tables are deleted and written again with every \
      bridge network, the published ports of every joined endpoint and the isolated \
      ports; with no bridge network left, they are only deleted. Run it after \
      `nft flush ruleset`, a firewall service's reload, or a hand edit.

      Examples:
        cnet firewall reload
        nft flush ruleset && cnet firewall reload
      """)

  @OptionGroup var output: JSONOption

  func run() throws {
    let state = try Engine.changing().reloadFirewall()
    if output.json {
      emit(.object([
        ("Networks", .int(state.networks.count)), ("PublishedPorts", .int(state.publications.count)),
        ("IsolatedPorts", .int(state.isolatedPorts.count)),
      ]))
    } else if state.networks.isEmpty {
      print("no bridge network: cnet's tables removed")
    } else {
      print("cnet's tables written: \(state.networks.count) network(s), \(state.publications.count) published port range(s), \(state.isolatedPorts.count) isolated port(s)")
    }
  }
}
