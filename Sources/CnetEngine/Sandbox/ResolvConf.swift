import CnetCore

/// A sandbox's resolv.conf: the servers and search domains it was given,
/// or the host's. A loopback server (systemd-resolved's 127.0.0.53, a
/// local dnsmasq) cannot be reached from a sandbox, so then the stub's real
/// upstreams are used (systemd-resolved lists them in
/// /run/systemd/resolve/resolv.conf), and loopback servers are never copied.
enum ResolvConf {
  static let hostFile = "/etc/resolv.conf"
  static let upstreamFile = "/run/systemd/resolve/resolv.conf"

  struct Parsed: Equatable {
    var nameservers: [String] = []
    var search: [String] = []
    var options: [String] = []
  }

  static func parse(_ text: String) -> Parsed {
    var parsed = Parsed()
    for line in text.split(separator: "\n") {
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard let keyword = words.first, !keyword.hasPrefix("#"), !keyword.hasPrefix(";") else { continue }
      switch keyword {
      case "nameserver" where words.count > 1: parsed.nameservers.append(words[1])
      case "search", "domain": parsed.search = Array(words.dropFirst())
      case "options": parsed.options += words.dropFirst()
      default: break
      }
    }
    return parsed
  }

  static func isLoopback(_ server: String) -> Bool {
    switch IPAddress(server) {
    case .v4(let a)?: a.value >> 24 == 127
    case .v6(let a)?: a.high == 0 && a.low == 1
    case nil: false
    }
  }

  /// The file's text for a sandbox. `host` and `upstream` are the contents
  /// of the host's resolv.conf and of systemd-resolved's upstream list.
  static func render(dns: [String], search: [String], host: String?, upstream: String?) -> String {
    let hostParsed = parse(host ?? "")
    var servers = dns
    var note: String?
    if servers.isEmpty {
      servers = hostParsed.nameservers.filter { !isLoopback($0) }
      if servers.isEmpty, !hostParsed.nameservers.isEmpty {
        servers = parse(upstream ?? "").nameservers.filter { !isLoopback($0) }
        note = servers.isEmpty
          ? "# the host's resolver (\(hostParsed.nameservers.joined(separator: ", "))) is a loopback stub with no upstream a sandbox can reach"
          : "# the host's resolver is a loopback stub; these are its upstream servers"
      }
    }
    var lines = ["# resolv.conf of a cnet sandbox"]
    if let note { lines.append(note) }
    lines += servers.map { "nameserver \($0)" }
    let domains = search.isEmpty ? hostParsed.search : search
    if !domains.isEmpty { lines.append("search " + domains.joined(separator: " ")) }
    if !hostParsed.options.isEmpty { lines.append("options " + hostParsed.options.joined(separator: " ")) }
    return lines.joined(separator: "\n") + "\n"
  }
}
