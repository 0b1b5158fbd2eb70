/// A line split into words as a POSIX shell splits a simple command:
/// blanks separate words; single quotes keep everything to the next one;
/// double quotes keep everything to the next unescaped one, where a
/// backslash escapes `"`, `\`, `$` and `` ` ``; elsewhere a backslash keeps
/// the next character; `#` at the start of a word begins a comment. No
/// expansion of any kind. This is how iptables-save quotes what it prints,
/// and how a script's lines are written.
public enum ShellWords {
  public static func split(_ line: String) throws -> [String] {
    let (words, continues) = try scan(line)
    if continues { throw CnetError(.invalidArgument, "a backslash at the end of the line") }
    return words
  }

  /// Whether the line ends in a backslash that joins the next line to it,
  /// as a shell reads it: not one in a comment or in single quotes.
  public static func continues(_ line: String) -> Bool {
    (try? scan(line))?.continues ?? false
  }

  /// The words, and whether the line ended in a backslash that escapes
  /// nothing (outside quotes, or inside double quotes).
  private static func scan(_ line: String) throws -> (words: [String], continues: Bool) {
    var words: [String] = []
    var word = ""
    var inWord = false
    var iterator = line.unicodeScalars.makeIterator()
    while let c = iterator.next() {
      switch c {
      case " ", "\t", "\n", "\r":
        if inWord { words.append(word) }
        word = ""
        inWord = false
      case "#" where !inWord:
        return (words, false)
      case "'":
        inWord = true
        var closed = false
        while let q = iterator.next() {
          if q == "'" {
            closed = true
            break
          }
          word.unicodeScalars.append(q)
        }
        guard closed else { throw CnetError(.invalidArgument, "unterminated single quote") }
      case "\"":
        inWord = true
        var closed = false
        while let q = iterator.next() {
          if q == "\"" {
            closed = true
            break
          }
          if q == "\\" {
            guard let next = iterator.next() else { return (words, true) }
            if !["\"", "\\", "$", "`", "\n"].contains(next) { word.unicodeScalars.append(q) }
            if next != "\n" { word.unicodeScalars.append(next) }
            continue
          }
          word.unicodeScalars.append(q)
        }
        guard closed else { throw CnetError(.invalidArgument, "unterminated double quote") }
      case "\\":
        guard let next = iterator.next() else { return (words, true) }
        // A backslash and a newline join two lines, as in a shell: no word.
        if next != "\n" {
          inWord = true
          word.unicodeScalars.append(next)
        }
      default:
        inWord = true
        word.unicodeScalars.append(c)
      }
    }
    if inWord { words.append(word) }
    return (words, false)
  }
}
