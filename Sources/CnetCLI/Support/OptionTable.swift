import CnetCore

/// Every command's options as ArgumentParser declares them (the table is
/// generated from ArgumentParser's own description of the command tree by
/// scripts/generate-docs, into OptionTable+Generated.swift; the tests fail
/// when it is stale), for reading a command line where ArgumentParser
/// alone would read it other than the user means:
///
/// - a single-valued option given twice (`--ip A --ip B`), which
///   ArgumentParser takes as the last;
/// - a word like `-dash2` where a name belongs, which ArgumentParser reads
///   as the short flags -d -a -s -h -2, and so prints the help and exits 0;
/// - `-n=NAME`, which it reads as the value "=NAME";
/// - a negative number after an option that takes a value (`--vni -1`),
///   which it reads as an option, and reports as a missing value.
enum OptionTable {
  /// Every command's entry, in the order of the command tree.
  static let commands: [CommandOptions] = paths.compactMap(options)

  /// The command `words` begin with (the longest path of names and
  /// aliases), and how many words its path took.
  static func command(for words: [String]) -> (CommandOptions, Int) {
    var best = commands[0]
    var length = 0
    for command in commands where command.path.count > length && command.path.count <= words.count {
      var matches = true
      for (index, name) in command.path.enumerated() {
        let word = words[index]
        if word == name { continue }
        // An alias is the last name's (`netns ls`), and the group's own
        // aliases are the table's entries of the group.
        let group = commands.first { $0.path == Array(command.path[...index]) }
        if group?.aliases.contains(word) != true {
          matches = false
          break
        }
      }
      if matches {
        best = command
        length = command.path.count
      }
    }
    return (best, length)
  }

  /// The words ArgumentParser is to read, checked and put right (see
  /// above). Throws a usage error for what cannot be meant.
  static func prepare(_ words: [String]) throws -> [String] {
    let (command, start) = command(for: words)
    var prepared = Array(words[..<start])
    var given: [String] = []
    var positionals = 0
    var index = start
    while index < words.count {
      let word = words[index]
      index += 1
      if word == "--" {
        prepared += words[(index - 1)...]
        break
      }
      if let passthrough = command.passthroughAfter, positionals >= passthrough {
        prepared.append(word)
        continue
      }
      guard word.hasPrefix("-"), word.utf8.count > 1 else {
        positionals += 1
        prepared.append(word)
        continue
      }
      var name = word
      var attached: String?
      if let equals = word.firstIndex(of: "=") {
        name = String(word[..<equals])
        attached = String(word[word.index(after: equals)...])
      }
      let isLong = name.hasPrefix("--")
      // (A long name with one dash, `batch -force`, is the table's.)
      if !isLong, name.utf8.count > 2, !command.options.contains(where: { $0.names.contains(name) }) {
        if Self.isNumber(word) {
          positionals += 1
          prepared.append(word)
          continue
        }
        throw CnetError(.invalidArgument,
          "unknown option \"\(word)\"\(command.path.isEmpty ? "" : " for \(command.path.joined(separator: " "))") (a name cannot begin with \"-\")")
      }
      guard let option = command.options.first(where: { $0.names.contains(name) }) else {
        // Unknown: ArgumentParser says so, with its suggestions.
        prepared.append(word)
        continue
      }
      if !option.repeats {
        let canonical = option.names.last ?? name
        if given.contains(canonical) {
          throw CnetError(.invalidArgument, "\(option.names.joined(separator: "/")) given twice; it takes one value")
        }
        given.append(canonical)
      }
      guard option.value else {
        prepared.append(word)
        continue
      }
      if let attached {
        // `-n=NAME` means NAME, as `--netns=NAME` does.
        prepared.append(isLong ? word : name)
        if !isLong { prepared.append(attached) }
      } else if index < words.count, Self.isNumber(words[index]) {
        // A negative number is the option's value, not an option.
        prepared.append((isLong ? name : option.names.first { $0.hasPrefix("--") } ?? name) + "=" + words[index])
        index += 1
      } else {
        prepared.append(word)
        if index < words.count {
          prepared.append(words[index])
          index += 1
        }
      }
    }
    return prepared
  }

  /// "-1", "-0.5": a number, not an option.
  static func isNumber(_ word: String) -> Bool {
    let rest = word.utf8.dropFirst()
    guard word.hasPrefix("-"), let first = rest.first, (48...57).contains(first) else { return false }
    return rest.allSatisfy { (48...57).contains($0) || $0 == UInt8(ascii: ".") }
  }
}

/// An option as ArgumentParser declares it.
struct OptionSpec {
  let names: [String]
  /// Whether it takes a value (an option), or not (a flag).
  let value: Bool
  /// Whether it may be given more than once.
  let repeats: Bool

  init(_ names: [String], value: Bool, repeats: Bool) {
    self.names = names
    self.value = value
    self.repeats = repeats
  }
}

/// A command's names and options.
struct CommandOptions {
  /// The command's path of names from the root ([] is the root).
  let path: [String]
  let aliases: [String]
  /// The index of the positional that takes the rest of the line as it is
  /// (exec's command), if any.
  let passthroughAfter: Int?
  let options: [OptionSpec]

  init(path: [String], aliases: [String], passthroughAfter: Int? = nil, options: [OptionSpec]) {
    self.path = path
    self.aliases = aliases
    self.passthroughAfter = passthroughAfter
    self.options = options
  }
}
