import ArgumentParser
import Testing

@testable import CnetCLI

#if canImport(Glibc)
import Glibc
#endif

/// The generated completions and man page in the repository must match the
/// command definitions; scripts/generate-docs rewrites them.
@Suite struct HelpAndDocsTests {
  static let root: String = {
    var path = #filePath
    for _ in 0..<3 {
      if let slash = path.lastIndex(of: "/") { path = String(path[..<slash]) }
    }
    return path
  }()

  static func read(_ relative: String) -> String? {
    guard let file = fopen(root + "/" + relative, "r") else { return nil }
    defer { fclose(file) }
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = fread(&buffer, 1, buffer.count, file)
      if n <= 0 { break }
      data += buffer[0..<n]
    }
    return String(decoding: data, as: UTF8.self)
  }

  @Test(arguments: [(CompletionShell.bash, "completions/cnet.bash"), (.zsh, "completions/_cnet"), (.fish, "completions/cnet.fish")])
  func completionScriptsMatchTheCommands(_ shell: CompletionShell, _ file: String) throws {
    let committed = try #require(Self.read(file), "\(file) is missing; run scripts/generate-docs")
    // The binary prints the script with a final newline.
    let generated = CnetCommand.completionScript(for: shell) + "\n"
    #expect(committed == generated, "\(file) is out of date; run scripts/generate-docs")
  }

  @Test func manPageCoversEveryCommand() throws {
    let page = try #require(Self.read("man/cnet.1"), "man/cnet.1 is missing; run scripts/generate-docs")
    // mdoc writes a flag as "Fl -name".
    for word in ["netns", "exec", "link", "bridge", "addr", "route", "network", "endpoint", "sandbox", "connect", "disconnect",
                 "EXIT STATUS", "CNET_LOCK_TIMEOUT", "Fl -peer-netns", "Fl -dstport", "Fl -nodad", "Fl -via", "Fl -ip-range", "Fl -add-host"] {
      #expect(page.contains(word), "man/cnet.1 does not mention \(word)")
    }
  }

  @Test func rootHelpDocumentsGlobalOptionsAndExitStatus() {
    let help = CnetCommand.helpMessage()
    #expect(help.contains("-n NS, --netns NS"))
    #expect(help.contains("EXIT STATUS"))
    for command in ["network", "endpoint", "sandbox", "connect", "disconnect", "gc", "netns", "exec", "link", "bridge", "addr", "route"] {
      #expect(help.contains(command))
    }
  }

  @Test func commandHelpMentionsItsIproute2Equivalent() {
    #expect(CnetCommand.helpMessage(for: NetnsAdd.self).contains("ip netns add"))
    #expect(CnetCommand.helpMessage(for: LinkSet.self).contains("ip link set"))
    #expect(CnetCommand.helpMessage(for: RouteAdd.self).contains("ip route add"))
    #expect(CnetCommand.helpMessage(for: AddrList.self).contains("--json"))
  }
}
