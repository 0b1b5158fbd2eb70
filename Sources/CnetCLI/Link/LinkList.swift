import ArgumentParser
import CnetCore
import CnetKernel

struct LinkList: FastPathed, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List network interfaces.",
    discussion: "Equivalent to `ip link show [dev NAME]`; --json prints `ip -j link` objects.",
    aliases: ["ls", "show"])

  @Argument(help: "Only this interface.", completion: .custom(Completions.linkNames))
  var name: String?

  @Option(help: "Only interfaces of this kind.")
  var type: LinkKind?

  @OptionGroup var output: JSONOption
  @OptionGroup var scope: NamespaceOption

  var fastPath: FastPath { .linkList(name: name, type: type, json: output.json, namespace: scope.netns) }

  /// What the command runs (FastPath.run), parsed or not.
  static func render(name: String?, type: LinkKind?, json: Bool, namespace: String?) throws {
    let name = try name.map(InterfaceName.init)
    let socket = try Kernel.socket(in: namespace)
    let links = try socket.links()
    var shown = links
    if let name {
      shown = links.filter { $0.name == name.value }
      if shown.isEmpty { _ = try socket.link(named: name) }
    }
    if let type { shown = shown.filter { $0.kind == type.rawValue } }
    if json {
      emit(.array(shown.map { LinkFormat.json($0, among: links) }))
    } else {
      print(LinkFormat.table(shown, among: links).rendered)
    }
  }
}
