import ArgumentParser
import CnetCore
import CnetPlugin

struct PluginList: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ls",
    abstract: "List the plugins discovery finds, and what each implements.",
    discussion: """
      Each plugin is activated (POST /Plugin.Activate) to learn what it implements; \
      one that does not answer is listed with the reason.

      Examples:
        cnet plugin ls
        cnet plugin ls --json | jq -r '.[] | select(.Implements | index("IpamDriver")) | .Name'
      """,
    aliases: ["list"])

  @OptionGroup var output: JSONOption

  func run() throws {
    let found = PluginDiscovery().all()
    let rows = found.map { plugin -> (PluginDiscovery.Found, Result<[String], Error>) in
      (plugin, Result { try PluginProbe.implements(plugin) })
    }
    if output.json {
      emit(.array(rows.map { plugin, result in
        var fields: [(String, JSON)] = [("Name", .string(plugin.name)), ("Address", .string(plugin.address.description)),
                                        ("File", .string(plugin.file))]
        switch result {
        case .success(let roles): fields.append(("Implements", .array(roles.map { .string($0) })))
        case .failure(let error): fields.append(("Error", .string(PluginProbe.message(error))))
        }
        return .object(fields)
      }))
      return
    }
    var table = Table("NAME", "IMPLEMENTS", "ADDRESS")
    for (plugin, result) in rows {
      let implements = switch result {
      case .success(let roles): roles.isEmpty ? "-" : roles.joined(separator: ",")
      case .failure(let error): "unreachable: " + PluginProbe.message(error)
      }
      table.add([plugin.name, implements, plugin.address.description])
    }
    print(table.rendered)
  }
}
