import ArgumentParser
import CnetCore
import CnetKernel

struct BridgeCreate: ParsableCommand, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "create",
    abstract: "Create a bridge, give it the gateway address and bring it up.",
    discussion: """
      Same as `cnet link add NAME --type bridge --up` followed by `cnet addr add \
      GATEWAY/LEN --dev NAME`. The gateway defaults to the first host of --subnet. \
      If a step fails, the bridge is removed again.
      """,
    aliases: ["add"])

  @Argument(help: "Name of the bridge (at most 15 bytes).")
  var name: String

  @Option(help: ArgumentHelp("Subnet the bridge serves, e.g. 10.88.0.0/16.", valueName: "cidr"))
  var subnet: String?

  @Option(help: ArgumentHelp("Gateway address in the subnet (default: its first host).", valueName: "ip"))
  var gateway: String?

  @Option(help: "MTU in bytes.")
  var mtu: Int?

  @Option(help: ArgumentHelp("The bridge's MAC address (default: a random locally administered one, kept whatever ports come and go).", valueName: "mac"))
  var address: String?

  @OptionGroup var scope: NamespaceOption

  struct Plan: Equatable {
    var name: InterfaceName
    var mtu: UInt32?
    /// --address; without it run() draws a random one.
    var address: MACAddress?
    /// The gateway with the subnet's prefix length, as assigned to the bridge.
    var gatewayAddress: CIDR?
  }

  func plan() throws -> Plan {
    var plan = Plan(name: try InterfaceName(name))
    plan.mtu = try mtu.map(LinkSet.checkMTU)
    plan.address = try address.map(MACAddress.unicast)
    guard let subnet else {
      if gateway != nil { throw CnetError(.invalidArgument, "--gateway needs --subnet") }
      return plan
    }
    let cidr = try CIDR(subnet)
    try cidr.checkSubnet()
    let address: IPAddress
    if let gateway {
      guard let parsed = IPAddress(gateway) else {
        throw CnetError(.invalidArgument, "invalid --gateway \"\(gateway)\": not an IPv4 or IPv6 address")
      }
      guard cidr.contains(parsed) else {
        throw CnetError(.invalidArgument, "invalid --gateway \(gateway): not in subnet \(cidr)")
      }
      guard parsed != cidr.network, cidr.broadcast.map({ IPAddress.v4($0) }) != parsed else {
        throw CnetError(.invalidArgument, "invalid --gateway \(gateway): the network or broadcast address of \(cidr)")
      }
      address = parsed
    } else {
      address = cidr.firstHost
    }
    plan.gatewayAddress = try CIDR(address: address, prefixLength: cidr.prefixLength)
    return plan
  }

  func run() throws {
    let plan = try plan()
    let socket = try Kernel.socket(in: scope.netns)
    // An address of its own: else the bridge takes its lowest port's and
    // changes it as ports come and go, under the neighbours' ARP caches.
    try socket.addLink(plan.name, .bridge, mtu: plan.mtu, address: plan.address ?? MACAddress.randomLocal(), up: true)
    guard let gateway = plan.gatewayAddress else { return }
    do {
      let bridge = try socket.link(named: plan.name)
      try socket.addAddress(gateway, to: bridge, noDAD: true)
    } catch {
      // Leave nothing half-made behind.
      if let bridge = try? socket.link(named: plan.name) { try? socket.deleteLink(bridge) }
      throw error
    }
  }
}

extension CIDR {
  /// The address after the network address.
  var firstHost: IPAddress {
    switch network {
    case .v4(let a): .v4(IPv4Address(a.value &+ 1))
    case .v6(let a): .v6(IPv6Address(high: a.high, low: a.low &+ 1))
    }
  }
}
