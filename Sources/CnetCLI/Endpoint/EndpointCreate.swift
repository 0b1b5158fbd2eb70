import ArgumentParser
import CnetCore
import CnetEngine

struct EndpointCreate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "create",
    abstract: "Create an endpoint and print its id.",
    discussion: """
      Addresses come from the network's IPAM driver: --ip and --ip6 ask for \
      particular ones (inside a subnet of the network, neither its network, \
      broadcast nor gateway address, and not in use), otherwise the next free \
      ones. The MAC address defaults to 02:42 followed by the IPv4 address.
      """)

  @Argument(help: "The network.")
  var network: String

  @Argument(help: "Name of the endpoint.")
  var name: String

  @OptionGroup var addresses: EndpointAddressOptions

  func run() throws {
    let spec = try addresses.spec(name: name)
    print(try Engine.changing().createEndpoint(on: network, spec).id)
  }
}

/// --ip, --ip6, --mac and --alias, shared by `endpoint create` and `connect`.
struct EndpointAddressOptions: ParsableArguments {
  @Option(help: ArgumentHelp("IPv4 address.", valueName: "ip"))
  var ip: String?

  @Option(help: ArgumentHelp("IPv6 address.", valueName: "ip"))
  var ip6: String?

  @Option(help: ArgumentHelp("MAC address.", valueName: "mac"))
  var mac: String?

  @Option(help: ArgumentHelp("Another name for it in the network's hosts files (repeatable).", valueName: "name"))
  var alias: [String] = []

  @Option(name: [.customShort("p"), .customLong("publish")],
          help: ArgumentHelp(
            "Publish a port while joined: [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|udp] (repeatable). An IPv6 HOSTIP goes in brackets; 127.0.0.1 answers the host only.",
            valueName: "port"))
  var publish: [String] = []

  /// The words as given.
  var request: EndpointAddressRequest {
    EndpointAddressRequest(ip: ip, ip6: ip6, mac: mac, alias: alias, publish: publish)
  }

  func spec(name: String) throws -> EndpointSpec { try request.spec(name: name) }
}

/// What --ip, --ip6, --mac, --alias and -p were given, before it is
/// checked: from ArgumentParser, or from FastPath for a plain `connect`.
struct EndpointAddressRequest: Equatable {
  var ip: String?
  var ip6: String?
  var mac: String?
  var alias: [String] = []
  var publish: [String] = []

  func spec(name: String) throws -> EndpointSpec {
    var spec = EndpointSpec(name: name)
    spec.ipv4 = try ip.map { try Engine.address($0, "--ip") }
    spec.ipv6 = try ip6.map { try Engine.address($0, "--ip6") }
    spec.mac = try mac.map(MACAddress.unicast)
    spec.aliases = alias
    spec.ports = try publish.map { try PortMapping($0) }
    return spec
  }
}
