import CnetCore
import CnetKernel
import CnetStore

/// cnet's nftables tables as the store describes them. The bridge driver
/// adds and removes elements as networks and joins come and go; this is
/// what puts the whole back when it is gone or wrong.
extension Controller {
  /// What the tables should hold: every bridge network, the published
  /// ports of every joined endpoint, the isolated ports.
  func firewallState() throws -> FirewallState {
    var state = FirewallState()
    var networks: [String: NetworkRecord] = [:]
    for network in try store.networks() where network.driver == "bridge" {
      guard let rules = BridgeDriver.firewallNetwork(network.info) else { continue }
      state.networks.append(rules)
      networks[network.id] = network
    }
    for endpoint in try store.endpoints() where endpoint.sandboxID != nil {
      guard let network = networks[endpoint.networkID] else { continue }
      state.publications += BridgeDriver.publications(endpoint.info)
      if let port = BridgeDriver.isolatedPort(endpoint.info, network: network.info) { state.isolatedPorts.append(port) }
    }
    return state
  }

  /// Puts cnet's tables back when they are gone (someone flushed the
  /// ruleset, or the host rebooted). Every changing command checks, with
  /// two netlink probes, when cnet has a bridge network.
  func ensureFirewall() throws {
    guard try store.hasNetworks(driver: "bridge"), try !kernel.firewall.isInstalled() else { return }
    try kernel.firewall.rebuild(try firewallState())
  }

  /// `cnet firewall reload`: writes cnet's tables again from the store, in
  /// one transaction, whatever is in them now (with no bridge network left,
  /// removes them), then puts cnet's accepts in the host's other firewalls
  /// as they should be. Returns what the tables now hold, and a line per
  /// change made to the others.
  public func reloadFirewall() throws -> (state: FirewallState, others: [String]) {
    let state = try firewallState()
    if state.networks.isEmpty {
      try kernel.firewall.uninstall()
    } else {
      try kernel.firewall.rebuild(state)
    }
    return (state, try ensureHostFirewalls(force: true))
  }

  /// For `cnet gc`: the tables' elements beyond what the store accounts
  /// for (a command killed between its firewall change and its commit, a
  /// hand edit) go by rebuilding; missing ones come back the same way.
  func collectFirewall(dryRun: Bool) throws -> [String] {
    let state = try firewallState()
    guard try kernel.firewall.isInstalled() else {
      guard !state.networks.isEmpty else { return [] }
      if !dryRun { try kernel.firewall.rebuild(state) }
      return ["write cnet's firewall tables: they are missing"]
    }
    guard !state.networks.isEmpty else {
      if !dryRun { try kernel.firewall.uninstall() }
      return ["delete cnet's firewall tables: no bridge network needs them"]
    }
    let wanted = Firewall.entryCounts(of: state)
    let found = try kernel.firewall.entryCounts()
    var report: [String] = []
    for set in Set(wanted.keys).union(found.keys).sorted() {
      let (want, have) = (wanted[set, default: 0], found[set, default: 0])
      if have > want { report.append("remove \(have - want) firewall entr\(have - want == 1 ? "y" : "ies") of \(set) whose owner is gone") }
      if have < want { report.append("restore \(want - have) missing firewall entr\(want - have == 1 ? "y" : "ies") of \(set)") }
    }
    if !report.isEmpty, !dryRun { try kernel.firewall.rebuild(state) }
    return report
  }
}
