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
  /// `--json`, `-j`, `-json` (as ip spells it): the command prints JSON,
  /// when it prints anything.
  var json = false
  /// `-batch FILE` (`--batch`, `-b`), as `ip -batch FILE`: the commands of FILE
  /// ("-": stdin), one per line (BatchRunner).
  var batch: String?
  /// `-force`, `--force` with -batch: go on after a failing line.
  var force = false
  /// The arguments left for ArgumentParser.
  var remaining: [String]

  static func extract(from arguments: [String]) throws -> GlobalOptions {
    var global = GlobalOptions(remaining: [])
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
      } else if argument == "--json" || argument == "-j" || argument == "-json" {
        global.json = true
        index += 1
        continue
      } else if argument == "-force" || argument == "--force" {
        global.force = true
        index += 1
        continue
      } else if argument == "-batch" || argument == "--batch" || argument == "-b" || argument.hasPrefix("--batch=") {
        let file: String
        if argument.hasPrefix("--batch=") {
          file = String(argument.dropFirst("--batch=".count))
          index += 1
        } else {
          guard index + 1 < arguments.count else {
            throw CnetError(.invalidArgument, "\(argument) needs a file (\"-\" for stdin)")
          }
          file = arguments[index + 1]
          index += 2
        }
        if global.batch != nil { throw CnetError(.invalidArgument, "-batch given twice") }
        global.batch = file
        continue
      } else {
        break
      }
      if global.namespace != nil {
        throw CnetError(.invalidArgument, "-n/--netns given twice")
      }
      global.namespace = value
    }
    global.remaining = Array(arguments[index...])
    if global.batch != nil, let word = global.remaining.first {
      throw CnetError(.invalidArgument, "unexpected \"\(word)\" after -batch FILE: the commands are in the file")
    }
    if global.force, global.batch == nil {
      // `cnet --force batch FILE` is the batch command's own --force.
      guard OptionTable.command(for: global.remaining).0.path == ["batch"] else {
        throw CnetError(.invalidArgument, "-force applies to -batch and batch only")
      }
      global.remaining.insert("--force", at: 1)
    }
    if global.json { global.applyJSON() }
    return global
  }

  /// `--json` before the command word goes to the command, when it has
  /// that flag (commands that print nothing, or only text, are left as
  /// they are, as ip -j leaves them).
  mutating func applyJSON() {
    let (command, length) = OptionTable.command(for: remaining)
    guard command.options.contains(where: { $0.names.contains("--json") }),
      !remaining[length...].contains("--json")
    else { return }
    remaining.insert("--json", at: length)
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
