import ArgumentParser
import CnetCore
import CnetKernel

struct BridgeList: FastPathed, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List bridges with their addresses and ports.",
    aliases: ["ls", "show"])

  @OptionGroup var output: JSONOption
  @OptionGroup var scope: NamespaceOption

  var fastPath: FastPath { .bridgeList(json: output.json, namespace: scope.netns) }

  /// What the command runs (FastPath.run), parsed or not.
  static func render(json: Bool, namespace: String?) throws {
    let socket = try Kernel.socket(in: namespace)
    let links = try socket.links()
    let addresses = try socket.addresses()
    let bridges = links.filter { $0.kind == "bridge" }
    func ports(_ bridge: LinkInfo) -> [String] {
      links.filter { $0.master == bridge.index }.map(\.name)
    }
    func cidrs(_ bridge: LinkInfo) -> [String] {
      addresses.filter { $0.linkIndex == bridge.index && $0.scope != 253 }.map(\.cidr.description)
    }
    if json {
      emit(.array(bridges.map { bridge in
        .object([
          ("ifindex", .int(Int(bridge.index))),
          ("ifname", .string(bridge.name)),
          ("operstate", .string(LinkFormat.operState(bridge.operState))),
          ("mtu", .int(Int(bridge.mtu))),
          ("address", .string(formatLinkAddress(bridge.address))),
          ("addresses", .array(cidrs(bridge).map { .string($0) })),
          ("ports", .array(ports(bridge).map { .string($0) })),
        ])
      }))
      return
    }
    var table = Table("NAME", "STATE", "MTU", "ADDRESSES", "PORTS")
    for bridge in bridges {
      let a = cidrs(bridge)
      let p = ports(bridge)
      table.add([
        bridge.name, LinkFormat.operState(bridge.operState), String(bridge.mtu),
        a.isEmpty ? "-" : a.joined(separator: ","), p.isEmpty ? "-" : p.joined(separator: ","),
      ])
    }
    print(table.rendered)
  }
}
