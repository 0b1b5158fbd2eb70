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

      Then the host's other firewalls: where iptables (or ip6tables, for networks \
      with IPv6) has Docker's DOCKER-USER chain, cnet's accepts for each bridge are \
      put at its top, above Docker's RETURN; where there is none but the FORWARD \
      policy is DROP, they go in cnet's own chain CNET-FORWARD, jumped from \
      FORWARD; otherwise cnet has no iptables rules. Each rule's comment names \
      cnet and its network (cnet:NAME:ID). While firewalld runs, every bridge is \
      bound to its trusted zone. contrib/cnet-firewall.service runs this after \
      docker.service and firewalld.service start; every changing command also \
      puts back what is missing.

      Examples:
        cnet firewall reload
        nft flush ruleset && cnet firewall reload
      """)

  @OptionGroup var output: JSONOption

  func run() throws {
    let (state, others) = try Engine.changing(repair: false).reloadFirewall()
    if output.json {
      emit(.object([
        ("Networks", .int(state.networks.count)), ("PublishedPorts", .int(state.publications.count)),
        ("IsolatedPorts", .int(state.isolatedPorts.count)), ("OtherFirewalls", .array(others.map { .string($0) })),
      ]))
      return
    }
    if state.networks.isEmpty {
      print("no bridge network: cnet's tables removed")
    } else {
      print("cnet's tables written: \(state.networks.count) network(s), \(state.publications.count) published port range(s), \(state.isolatedPorts.count) isolated port(s)")
    }
    for line in others { print(line) }
  }
}
