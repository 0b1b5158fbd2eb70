import ArgumentParser
import CnetCore

struct BridgeDelete: ParsableCommand, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "delete",
    abstract: "Delete a bridge; anything that is not a bridge is refused.",
    discussion: "Its ports are released, not deleted.",
    aliases: ["del", "rm"])

  @Argument(help: "The bridge.", completion: .custom(Completions.bridgeNames))
  var name: String

  @OptionGroup var scope: NamespaceOption

  func run() throws {
    let name = try InterfaceName(name)
    let socket = try Kernel.socket(in: scope.netns)
    let link = try socket.link(named: name)
    guard link.kind == "bridge" else {
      throw CnetError(.invalidArgument, "cannot delete \"\(name)\" as a bridge: it is \(link.kind.map { "a \($0)" } ?? "not a bridge") (use `cnet link del`)")
    }
    try socket.deleteLink(link)
  }
}
