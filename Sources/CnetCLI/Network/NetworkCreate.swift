import ArgumentParser
import CnetCore
import CnetEngine

struct NetworkCreate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "create",
    abstract: "Create a network and print its id.",
    discussion: """
      Without --subnet, the IPv4 subnet is picked from 172.17.0.0/16 upwards and \
      192.168.0.0/16 (in /20s), avoiding every route of the host and every other \
      network; with --ipv6, an IPv6 /64 from fd63:6e65:7400::/48. The gateway is \
      the subnet's first address unless --gateway says otherwise; --ip-range \
      limits where endpoints' addresses come from. Subnets that overlap another \
      network's are refused.

      Bridge options (-o): com.docker.network.bridge.name=NAME (default \
      cnet-ID), com.docker.network.driver.mtu=N (or --mtu N).

      Overlay networks (-d overlay, on a host that joined a cluster: cnet \
      cluster join) span the cluster's hosts: every host sees them, names and \
      VXLAN ids are unique cluster-wide, and subnets may not overlap another \
      overlay network's. Without --subnet, a /24 of 10.0.0.0/8 is picked; \
      -o vxlan.id=N chooses the VXLAN id (default: a free one from 256); the \
      MTU is --mtu, else the underlay interface's minus 50. Their sandboxes \
      reach the outside through the local bridge network cnet_gwbridge.

      Examples:
        cnet network create front
        cnet network create back --subnet 10.88.0.0/16 --ip-range 10.88.1.0/24
        cnet network create dual --subnet 10.89.0.0/24 --subnet fd00:89::/64
        cnet network create isolated --internal
        cnet network create hostnet -d host
        cnet network create ov1 -d overlay --subnet 10.200.0.0/24
      """)

  @Argument(help: "Name of the network.")
  var name: String

  @Option(name: [.customShort("d"), .long], help: "Driver: bridge, host, null, overlay, or a Docker network plugin's name (cnet plugin ls).")
  var driver = "bridge"

  @Option(help: ArgumentHelp("Subnet, IPv4 or IPv6 (repeatable).", valueName: "cidr"))
  var subnet: [String] = []

  @Option(help: ArgumentHelp("Gateway, in one of the subnets (repeatable, one per subnet).", valueName: "ip"))
  var gateway: [String] = []

  @Option(name: .customLong("ip-range"), help: ArgumentHelp("Where endpoints' addresses come from, inside a subnet (repeatable).", valueName: "cidr"))
  var ipRange: [String] = []

  @Flag(help: "Give endpoints IPv6 addresses too.")
  var ipv6 = false

  @Flag(help: "No route out of the network.")
  var `internal` = false

  @Option(name: .customLong("ipam-driver"), help: ArgumentHelp("IPAM driver: default, null (no addresses), or a Docker IPAM plugin's name.", valueName: "name"))
  var ipamDriver: String?

  @Option(name: [.customShort("o"), .customLong("opt")], help: ArgumentHelp("Driver option (repeatable).", valueName: "key=value"))
  var options: [String] = []

  @Option(help: ArgumentHelp("MTU of the network's links (com.docker.network.driver.mtu).", valueName: "n"))
  var mtu: Int?

  @Option(help: ArgumentHelp("Label (repeatable).", valueName: "key=value"))
  var label: [String] = []

  func spec() throws -> NetworkSpec {
    var spec = NetworkSpec(name: name)
    spec.driver = driver
    spec.ipamDriver = ipamDriver
    spec.subnets = try subnet.map { try CIDR($0) }
    spec.gateways = try gateway.map { try Engine.address($0, "--gateway") }
    spec.ranges = try ipRange.map { try CIDR($0) }
    spec.ipv6 = ipv6
    spec.isInternal = `internal`
    spec.options = try options.map { try Engine.keyValue($0, "-o") }
    if let mtu {
      let key = "com.docker.network.driver.mtu"
      if let given = spec.options.first(where: { $0.key == key }), given.value != String(mtu) {
        throw CnetError(.invalidArgument, "--mtu \(mtu) and -o \(key)=\(given.value) disagree")
      }
      if !spec.options.contains(where: { $0.key == key }) { spec.options.append(KeyValue(key, String(mtu))) }
    }
    spec.labels = try label.map { try Engine.keyValue($0, "--label") }
    return spec
  }

  func run() throws {
    let spec = try spec()
    let network = try Engine.changing().createNetwork(spec)
    print(network.id)
  }
}
