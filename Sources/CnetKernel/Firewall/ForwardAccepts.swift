import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// cnet's accepts in iptables, where another tool's forward policy would
/// drop its traffic.
///
/// Why they are needed: Docker sets iptables' FORWARD policy to DROP, and
/// with bridge netfilter on (the kernel's default once br_netfilter is in)
/// even frames between two ports of one bridge pass that chain. An accept
/// in cnet's own nftables table does not help: in nftables an accept ends
/// only its own base chain, and a drop in any base chain is final (nft(8),
/// "OVERALL EVALUATION OF THE RULESET"). So the accepts must be in the very
/// chain that drops:
///
/// - when iptables has a `DOCKER-USER` chain, they are inserted at its top,
///   above Docker's RETURN (Docker never flushes that chain, keeps one that
///   exists before it starts, and only appends its RETURN when there is
///   none; appended below the RETURN they would never be reached);
/// - else, when the FORWARD policy is DROP (another firewall, or Docker's
///   left behind), they go in a chain of cnet's own, CNET-FORWARD, jumped
///   from the top of FORWARD (what libvirt and the CNI firewall plugin do);
/// - else cnet touches no iptables at all.
///
/// Every rule carries a comment naming cnet and its network
/// ("cnet:NAME:ID"), by which it is found and removed. They are written
/// with the iptables/ip6tables programs, which follow the same choice of
/// legacy or nf_tables back end as Docker (nft-written rules in
/// iptables-nft's tables break Docker, moby#48568). They never change a
/// policy, a chain of Docker's other than DOCKER-USER, or the
/// bridge-nf-call sysctls.
///
/// Checking costs no program: with iptables-nft (Debian's default) the
/// tables are nftables tables, read over netlink; the programs run only
/// when something must change. With the legacy back end the check runs
/// `iptables -S`.
public final class ForwardAccepts {
  public static let dockerChain = "DOCKER-USER"
  public static let ownChain = "CNET-FORWARD"
  static let commentPrefix = "cnet:"

  private let netfilter: () throws -> RouteSocket

  public init(netfilter: @escaping () throws -> RouteSocket) {
    self.netfilter = netfilter
  }

  // MARK: - What cnet wants

  /// The rules for one network, as `iptables -S` prints them after
  /// "-A CHAIN": traffic within the bridge; unless the network is
  /// internal, traffic leaving it, replies coming back, and connections
  /// cnet's own DNAT made (published ports). cnet's nftables tables still
  /// drop what must not pass (between networks, out of an internal one):
  /// a drop there is final whatever iptables accepts.
  public static func rules(for network: ForwardNetwork) -> [[String]] {
    let bridge = network.bridge.value
    let comment = ["-m", "comment", "--comment", network.comment]
    var rules = [["-i", bridge, "-o", bridge] + comment + ["-j", "ACCEPT"]]
    if !network.isInternal {
      rules.append(["-i", bridge, "!", "-o", bridge] + comment + ["-j", "ACCEPT"])
      rules.append(["-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED"] + comment + ["-j", "ACCEPT"])
      rules.append(["-o", bridge, "-m", "conntrack", "--ctstate", "DNAT"] + comment + ["-j", "ACCEPT"])
    }
    return rules
  }

  /// Where the accepts of one family go, from what its filter table holds.
  public enum Placement: String, Sendable {
    /// Nothing drops forwarded traffic: no rules at all.
    case none
    /// Docker's chain for its users' rules exists: at its top.
    case dockerUser
    /// The FORWARD policy is DROP and there is no DOCKER-USER: cnet's chain.
    case ownChain
  }

  /// One family's filter table, as far as cnet's accepts are concerned.
  public struct View: Sendable, Equatable {
    public var family: IPFamily
    /// Whether there is a filter table at all.
    public var hasTable = false
    public var forwardDrops = false
    public var hasDockerChain = false
    public var hasOwnChain = false
    /// Whether a rule of FORWARD jumps to cnet's chain.
    public var jumpsToOwnChain = false
    /// The comments of cnet's rules, by chain.
    public var comments: [String: [String]] = [:]

    public var placement: Placement {
      hasDockerChain ? .dockerUser : forwardDrops ? .ownChain : .none
    }

    /// Whether the table holds exactly `networks`' accepts where they
    /// belong, and nothing else of cnet's.
    public func isInPlace(for networks: [ForwardNetwork]) -> Bool {
      let wanted = networks.flatMap { network in ForwardAccepts.rules(for: network).map { _ in network.comment } }.sorted()
      switch placement {
      case .none:
        return !hasOwnChain
      case .dockerUser:
        return !hasOwnChain && comments[ForwardAccepts.dockerChain, default: []].sorted() == wanted
      case .ownChain:
        if wanted.isEmpty { return !hasOwnChain }
        return hasOwnChain && jumpsToOwnChain && comments[ForwardAccepts.ownChain, default: []].sorted() == wanted
      }
    }

    /// The networks whose accepts are missing (for `cnet doctor`).
    public func missing(for networks: [ForwardNetwork]) -> [ForwardNetwork] {
      let chain = placement == .dockerUser ? ForwardAccepts.dockerChain : ForwardAccepts.ownChain
      guard placement != .none else { return [] }
      let have = comments[chain, default: []]
      let reachable = placement == .dockerUser || jumpsToOwnChain
      return networks.filter { network in
        !reachable || have.filter { $0 == network.comment }.count < ForwardAccepts.rules(for: network).count
      }
    }

    /// Comments of cnet's rules that no network of `networks` owns.
    public func strays(for networks: [ForwardNetwork]) -> [String] {
      let known = Set(networks.map(\.comment))
      return comments.values.flatMap { $0 }.filter { !known.contains($0) }
    }
  }

  // MARK: - Reading

  /// What `family`'s filter table holds. `tables` is the host's nftables
  /// tables (one dump, shared with the other probes).
  public func view(_ family: IPFamily, tables: [NftablesTable]) throws -> View {
    let program = IPTables(family)
    var view = View(family: family)
    let nftTable = tables.contains { $0.family == program.nfproto && $0.name == "filter" }
    let legacyTable = program.hasLegacyFilterTable()
    guard nftTable || legacyTable else { return view }
    view.hasTable = true
    if legacyTable, program.backend() == .legacy {
      return try program.listing().view(family)
    }
    guard nftTable else { return View(family: family) }
    let socket = try netfilter()
    let chains = try socket.nftablesChains(family: program.nfproto, table: "filter")
    view.forwardDrops = chains.first { $0.name == "FORWARD" }?.drops ?? false
    view.hasDockerChain = chains.contains { $0.name == Self.dockerChain }
    if let own = chains.first(where: { $0.name == Self.ownChain }) {
      view.hasOwnChain = true
      view.jumpsToOwnChain = own.use > 0
    }
    for chain in [Self.dockerChain, Self.ownChain] where chains.contains(where: { $0.name == chain }) {
      let found = try socket.nftablesRuleComments(family: program.nfproto, table: "filter", chain: chain)
      view.comments[chain] = found.filter { $0.hasPrefix(Self.commentPrefix) }
    }
    return view
  }

  // MARK: - Changing

  /// Brings `family`'s filter table to hold exactly `networks`' accepts
  /// (the networks of that family), where its placement says. Reads the
  /// table with `iptables -S` and changes only what differs, one program
  /// run per rule. Returns a line per change.
  @discardableResult
  public func apply(_ family: IPFamily, networks: [ForwardNetwork], dryRun: Bool = false) throws -> [String] {
    let program = IPTables(family)
    let listing = try program.listing()
    let placement = listing.view(family).placement
    let wanted = networks.flatMap(Self.rules(for:))
    var commands: [(words: [String], report: String)] = []

    func removeOwnChain() {
      guard listing.chains.contains(Self.ownChain) else { return }
      for rule in listing.rules where rule.chain == "FORWARD" && rule.jumps(to: Self.ownChain) {
        commands.append((["-D", "FORWARD"] + rule.words, "remove the jump from FORWARD to \(Self.ownChain)"))
      }
      commands.append((["-F", Self.ownChain], "empty chain \(Self.ownChain)"))
      commands.append((["-X", Self.ownChain], "delete chain \(Self.ownChain)"))
    }

    func sync(_ chain: String, insert: Bool) {
      let present = listing.rules.filter { $0.chain == chain && $0.isCnets }.map(\.words)
      for rule in present where !wanted.contains(rule) {
        commands.append((["-D", chain] + rule, "remove \(Self.describe(rule)) from \(chain)"))
      }
      let missing = wanted.filter { !present.contains($0) }
      // Inserted at the top one by one: in reverse, they end in order.
      for rule in insert ? missing.reversed() : missing {
        commands.append(([insert ? "-I" : "-A", chain] + rule, "add \(Self.describe(rule)) to \(chain)"))
      }
    }

    switch placement {
    case .none:
      removeOwnChain()
    case .dockerUser:
      sync(Self.dockerChain, insert: true)
      removeOwnChain()
    case .ownChain:
      if wanted.isEmpty {
        removeOwnChain()
      } else {
        if !listing.chains.contains(Self.ownChain) {
          commands.append((["-N", Self.ownChain], "create chain \(Self.ownChain)"))
        }
        if !listing.rules.contains(where: { $0.chain == "FORWARD" && $0.jumps(to: Self.ownChain) }) {
          commands.append((["-I", "FORWARD", "-m", "comment", "--comment", "cnet", "-j", Self.ownChain],
                           "jump from FORWARD to \(Self.ownChain)"))
        }
        sync(Self.ownChain, insert: false)
      }
    }
    if !dryRun {
      for command in commands { try program.run(command.words) }
    }
    return commands.map { "\(program.name): \($0.report)" }
  }

  /// "the accept of cnet:lab:ID on br0", for reports.
  static func describe(_ rule: [String]) -> String {
    let comment = rule.firstIndex(of: "--comment").flatMap { rule.indices.contains($0 + 1) ? rule[$0 + 1] : nil } ?? "?"
    return "accept \"\(rule.joined(separator: " "))\" (\(comment))"
  }
}

/// A cnet bridge network, as its accepts need it.
public struct ForwardNetwork: Sendable, Equatable {
  public var name: String
  public var id: String
  public var bridge: InterfaceName
  public var isInternal: Bool
  /// The families of its subnets: iptables' accepts for IPv4, ip6tables'
  /// for IPv6.
  public var families: [IPFamily]

  public init(name: String, id: String, bridge: InterfaceName, isInternal: Bool, families: [IPFamily]) {
    self.name = name
    self.id = id
    self.bridge = bridge
    self.isInternal = isInternal
    self.families = families
  }

  /// What every rule of the network says it belongs to.
  public var comment: String { ForwardAccepts.commentPrefix + name + ":" + String(id.prefix(12)) }
}

/// The iptables or ip6tables program, and what it shows.
struct IPTables {
  let family: IPFamily

  init(_ family: IPFamily) { self.family = family }

  var name: String { family == .v4 ? "iptables" : "ip6tables" }
  /// NFPROTO_IPV4 or NFPROTO_IPV6: the family of iptables-nft's tables.
  var nfproto: UInt8 { family == .v4 ? 2 : 10 }

  enum Backend { case nftables, legacy }

  /// Which kernel tables the program writes: Debian links iptables to
  /// xtables-nft-multi or xtables-legacy-multi (update-alternatives), and
  /// Docker runs whichever PATH finds.
  func backend() -> Backend {
    let path = (getenv("PATH").map { String(cString: $0) } ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
    for directory in path where !directory.isEmpty {
      guard let resolved = realpath(directory + "/" + name, nil) else { continue }
      defer { free(resolved) }
      return String(cString: resolved).contains("legacy") ? .legacy : .nftables
    }
    return .nftables
  }

  /// Whether the legacy (x_tables) filter table exists in this namespace.
  func hasLegacyFilterTable() -> Bool {
    let file = family == .v4 ? "/proc/net/ip_tables_names" : "/proc/net/ip6_tables_names"
    let fd = open(file, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 256)
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard n > 0 else { return false }
    return String(decoding: buffer[..<n], as: UTF8.self).split(separator: "\n").contains("filter")
  }

  /// `iptables -w -S`: the filter table's policies, chains and rules.
  func listing() throws -> Listing {
    let result = try Program.run([name, "-w", "-S"], package: "iptables")
    guard result.status == 0 else {
      throw CnetError(.failed, "cannot list the filter table of \(name): \(result.firstErrorLine ?? "exit status \(result.status)")")
    }
    return try Listing(result.output)
  }

  /// One change: `iptables -w WORDS`.
  func run(_ words: [String]) throws {
    let result = try Program.run([name, "-w"] + words, package: "iptables")
    guard result.status == 0 else {
      throw CnetError(.failed,
        "cannot change the filter table of \(name) (\(name) \(words.joined(separator: " "))): \(result.firstErrorLine ?? "exit status \(result.status)")")
    }
  }

  /// What `iptables -S` prints, read.
  struct Listing {
    var policies: [String: String] = [:]
    var chains: [String] = []
    var rules: [Rule] = []

    struct Rule {
      var chain: String
      /// The words after "-A CHAIN", unquoted.
      var words: [String]

      var comment: String? {
        words.firstIndex(of: "--comment").flatMap { words.indices.contains($0 + 1) ? words[$0 + 1] : nil }
      }
      var isCnets: Bool { comment?.hasPrefix(ForwardAccepts.commentPrefix) == true }
      func jumps(to chain: String) -> Bool {
        words.firstIndex(of: "-j").map { words.indices.contains($0 + 1) && words[$0 + 1] == chain } ?? false
      }
    }

    init(_ text: String) throws {
      for line in text.split(separator: "\n") {
        let words = try ShellWords.split(String(line))
        guard words.count >= 2 else { continue }
        switch words[0] {
        case "-P" where words.count >= 3: policies[words[1]] = words[2]
        case "-N": chains.append(words[1])
        case "-A": rules.append(Rule(chain: words[1], words: Array(words[2...])))
        default: continue
        }
      }
    }

    func view(_ family: IPFamily) -> ForwardAccepts.View {
      var view = ForwardAccepts.View(family: family)
      view.hasTable = true
      view.forwardDrops = policies["FORWARD"] == "DROP"
      view.hasDockerChain = chains.contains(ForwardAccepts.dockerChain)
      view.hasOwnChain = chains.contains(ForwardAccepts.ownChain)
      view.jumpsToOwnChain = rules.contains { $0.chain == "FORWARD" && $0.jumps(to: ForwardAccepts.ownChain) }
      for chain in [ForwardAccepts.dockerChain, ForwardAccepts.ownChain] {
        let found = rules.filter { $0.chain == chain && $0.isCnets }.compactMap(\.comment)
        if !found.isEmpty || chains.contains(chain) { view.comments[chain] = found }
      }
      return view
    }
  }
}
