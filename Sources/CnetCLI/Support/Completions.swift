import CnetCore
import CnetKernel

/// Live values for shell completion. Each runs when the user presses TAB,
/// so it reads the kernel directly and never fails: no names is an answer.
enum Completions {
  @Sendable static func namespaceNames(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    NetnsDirectory.standard.list().filter { $0.kind != .placeholder }.map(\.name)
  }

  @Sendable static func linkNames(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    links(words).map(\.name)
  }

  @Sendable static func bridgeNames(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    links(words).filter { $0.kind == "bridge" }.map(\.name)
  }

  /// The links of the namespace named by `-n`/`--netns` on the line, if any.
  private static func links(_ words: [String]) -> [LinkInfo] {
    var namespace: String?
    for (i, word) in words.enumerated() where (word == "-n" || word == "--netns") && i + 1 < words.count {
      namespace = words[i + 1]
    }
    guard let socket = try? Kernel.socket(in: namespace) else { return [] }
    return (try? socket.links()) ?? []
  }
}
