import ArgumentParser
import CnetCore
import CnetKernel

struct AddrList: FastPathed, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List addresses.",
    discussion: "Equivalent to `ip addr show [dev IF]`; --json prints `ip -j addr` objects (links with addr_info).",
    aliases: ["ls", "show"])

  @Option(help: "Only this interface.", completion: .custom(Completions.linkNames))
  var dev: String?

  @Flag(name: .customShort("4"), help: "Only IPv4.")
  var ipv4 = false

  @Flag(name: .customShort("6"), help: "Only IPv6.")
  var ipv6 = false

  @OptionGroup var output: JSONOption
  @OptionGroup var scope: NamespaceOption

  var fastPath: FastPath { .addrList(dev: dev, ipv4: ipv4, ipv6: ipv6, json: output.json, namespace: scope.netns) }

  /// What the command runs (FastPath.run), parsed or not.
  static func render(dev: String?, ipv4: Bool, ipv6: Bool, json: Bool, namespace: String?) throws {
    if ipv4 && ipv6 { throw CnetError(.invalidArgument, "-4 and -6 contradict each other") }
    let dev = try dev.map(InterfaceName.init)
    let socket = try Kernel.socket(in: namespace)
    let links = try socket.links()
    var shown = links
    var addresses: [AddressInfo]
    if let dev {
      let link = try socket.link(named: dev)
      shown = links.filter { $0.index == link.index }
      addresses = try socket.addresses(on: link)
    } else {
      addresses = try socket.addresses()
    }
    if ipv4 { addresses = addresses.filter { $0.cidr.family == .v4 } }
    if ipv6 { addresses = addresses.filter { $0.cidr.family == .v6 } }

    if json {
      emit(.array(shown.map { link in
        guard case .object(var fields) = LinkFormat.json(link, among: links) else { return .null }
        fields.append(("addr_info", .array(addresses.filter { $0.linkIndex == link.index }.map(Self.json))))
        return .object(fields)
      }))
      return
    }
    var table = Table("NAME", "FAMILY", "ADDRESS", "SCOPE")
    for link in shown {
      for address in addresses where address.linkIndex == link.index {
        table.add([link.name, address.cidr.family.name, address.cidr.description, scopeName(address.scope)])
      }
    }
    print(table.rendered)
  }

  private static func json(_ address: AddressInfo) -> JSON {
    var fields: [(String, JSON)] = [
      ("family", .string(address.cidr.family.name)),
      ("local", .string(address.cidr.address.description)),
    ]
    if let peer = address.peer { fields.append(("address", .string(peer.description))) }
    fields.append(("prefixlen", .int(address.cidr.prefixLength)))
    if let broadcast = address.broadcast { fields.append(("broadcast", .string(broadcast.description))) }
    fields.append(("scope", .string(scopeName(address.scope))))
    // IFA_F_TENTATIVE / IFA_F_DADFAILED: DAD still running, or failed.
    if address.flags & 0x40 != 0 { fields.append(("tentative", .bool(true))) }
    if address.flags & 0x08 != 0 { fields.append(("dadfailed", .bool(true))) }
    if let label = address.label { fields.append(("label", .string(label))) }
    fields.append(("valid_life_time", .int(Int(address.validLifetime))))
    fields.append(("preferred_life_time", .int(Int(address.preferredLifetime))))
    return .object(fields)
  }
}
