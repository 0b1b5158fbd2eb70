import ArgumentParser

struct Link: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "link",
    abstract: "Manage network interfaces (like ip link).",
    subcommands: [LinkAdd.self, LinkDelete.self, LinkSet.self, LinkList.self])
}

/// The kinds `link add` can create.
enum LinkKind: String, ExpressibleByArgument, CaseIterable {
  case bridge, veth, vxlan, dummy, macvlan
}
