import ArgumentParser
import CnetCore

/// Options that, as in `ip -n NS link`, come before the command word.
///
/// They are split off before ArgumentParser sees the arguments, because
/// ArgumentParser would match a root-level `--netns` anywhere on the line,
/// and `link set --netns NS` (move a link) needs that flag for itself.
struct GlobalOptions {
  /// `-n NS`, `--netns NS`: run a link, addr, route or bridge command in
  /// that named namespace.
  var namespace: String?
  /// The arguments left for ArgumentParser.
  var remaining: [String]

  static func extract(from arguments: [String]) throws -> GlobalOptions {
    var namespace: String?
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      var value: String?
      if argument == "-n" || argument == "--netns" {
        guard index + 1 < arguments.count else {
          throw CnetError(.invalidArgument, "\(argument) needs a namespace name")
        }
        value = arguments[index + 1]
        index += 2
      } else if argument.hasPrefix("--netns=") {
        value = String(argument.dropFirst("--netns=".count))
        index += 1
      } else if argument.hasPrefix("-n"), argument.count > 2, !argument.hasPrefix("--") {
        // `-nNS`, and `-n=NS` as `--netns=NS` reads.
        value = String(argument.dropFirst(argument.hasPrefix("-n=") ? 3 : 2))
        index += 1
      } else {
        break
      }
      if namespace != nil {
        throw CnetError(.invalidArgument, "-n/--netns given twice")
      }
      namespace = value
    }
    return GlobalOptions(namespace: namespace, remaining: Array(arguments[index...]))
  }
}

/// A command that works on the links, addresses or routes of one
/// namespace, the current one unless `-n NS` says otherwise. The global
/// `-n` before the command word is stored into `scope` after parsing.
protocol NamespaceScoped: ParsableCommand {
  associatedtype Scope: NamespaceSelection
  var scope: Scope { get set }
}

extension NamespaceScoped {
  var namespaceName: String? {
    get { scope.netns }
    set { scope.netns = newValue }
  }
}

/// The option group that names the namespace.
protocol NamespaceSelection: ParsableArguments {
  var netns: String? { get set }
}

/// `-n NS` after the command word (`cnet link list -n ns1`).
struct NamespaceOption: NamespaceSelection {
  @Option(
    name: [.customShort("n"), .customLong("netns")],
    help: ArgumentHelp("Work inside the named network namespace (like ip -n).", valueName: "namespace"),
    completion: .custom(Completions.namespaceNames))
  var netns: String?
}

/// The same without the long form, for `link set`, whose `--netns` moves the link.
struct NamespaceShortOption: NamespaceSelection {
  @Option(
    name: [.customShort("n")],
    help: ArgumentHelp("Work inside the named network namespace (like ip -n).", valueName: "namespace"),
    completion: .custom(Completions.namespaceNames))
  var netns: String?
}

/// `--json` on list commands.
struct JSONOption: ParsableArguments {
  @Flag(help: "Print JSON (shaped like `ip -j` where the command mirrors ip).")
  var json = false
}
