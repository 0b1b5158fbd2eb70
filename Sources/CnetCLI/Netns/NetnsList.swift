import ArgumentParser
import CnetCore
import CnetKernel

struct NetnsList: FastPathed {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List named network namespaces.",
    discussion: """
      Equivalent to `ip netns list`, sorted by name. A name made by `netns link` \
      shows its process, and "dangling" once the process is gone (`netns prune` \
      removes those). A "stale" name is an empty file that is not a namespace, \
      left by an interrupted add.
      """,
    aliases: ["ls", "show"])

  @OptionGroup var output: JSONOption

  var fastPath: FastPath { .netnsList(json: output.json) }

  /// What the command runs (FastPath.run), parsed or not.
  static func render(json: Bool) {
    let socket = try? RouteSocket.current()
    let entries = Kernel.namespaces.list(ids: socket)
    if json {
      emit(.array(entries.map(NetnsList.json)))
      return
    }
    for entry in entries {
      print(NetnsList.text(entry))
    }
  }

  /// `web (id: 0)`, `c1 (pid 4242)`, `old (pid 999, dangling)`.
  static func text(_ entry: NetnsDirectory.Entry) -> String {
    var notes: [String] = []
    if let id = entry.id { notes.append("id: \(id)") }
    if case .link(let target) = entry.kind {
      notes.append(entry.pid.map { "pid \($0)" } ?? "link to \(target)")
      if entry.dangling { notes.append("dangling") }
    }
    if entry.kind == .placeholder { notes.append("stale") }
    return notes.isEmpty ? entry.name : "\(entry.name) (\(notes.joined(separator: ", ")))"
  }

  /// `ip -j netns list` gives name and id; cnet adds what the name is.
  static func json(_ entry: NetnsDirectory.Entry) -> JSON {
    var fields: [(String, JSON)] = [("name", .string(entry.name))]
    if let id = entry.id { fields.append(("id", .int(Int(id)))) }
    switch entry.kind {
    case .namespace:
      fields.append(("type", .string("bind")))
    case .link(let target):
      fields.append(("type", .string("link")))
      fields.append(("target", .string(target)))
      if let pid = entry.pid { fields.append(("pid", .int(Int(pid)))) }
    case .placeholder:
      fields.append(("type", .string("stale")))
    }
    fields.append(("dangling", .bool(entry.dangling)))
    return .object(fields)
  }
}
