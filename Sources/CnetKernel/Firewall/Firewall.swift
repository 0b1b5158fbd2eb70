import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Everything cnet's tables hold, as the store has it.
public struct FirewallState: Sendable, Equatable {
  public var networks: [FirewallNetwork]
  public var publications: [PortPublication]
  /// Bridge ports of networks whose sandboxes may not talk to each other
  /// (com.docker.network.bridge.enable_icc=false).
  public var isolatedPorts: [InterfaceName]

  public init(networks: [FirewallNetwork] = [], publications: [PortPublication] = [],
              isolatedPorts: [InterfaceName] = []) {
    self.networks = networks
    self.publications = publications
    self.isolatedPorts = isolatedPorts
  }
}

/// cnet's nftables tables: `inet cnet` (NAT and filtering, IPv4 and IPv6 in
/// one) and `bridge cnet` (traffic between the ports of one bridge). cnet
/// never edits a table it does not own, and never adds an accept to another
/// tool's chains: its own chains accept by default, so a drop in the host's
/// tables stays final.
///
/// The rules never change: every network, endpoint and port is an element
/// of a set or map the rules look up. A command changes elements only, in
/// one transaction, and a deleted owner takes exactly its elements along;
/// rebuilding (`cnet firewall reload`, or a table found missing) writes the
/// whole thing from the store, also in one transaction.
///
/// What the rules do:
/// - published ports: DNAT of traffic to a host address (`fib daddr type
///   local`) from the maps pub4a/pub6a (port to port on every host
///   address, keyed by protocol and port: plain hash maps, whose elements
///   the kernel adds several times faster than an interval map's, which
///   counts when a connect publishes a hundred), pub4p/pub6p (port to port
///   on one host address) and pub4k/pub6k (ranges that keep their port
///   numbers: one element however long), the last two keyed by protocol,
///   host address (0.0.0.0/0 for all of them) and port; in prerouting for
///   traffic from elsewhere and in output for the host's own. Loopback
///   addresses are never matched in prerouting, so a 127.0.0.1 publish
///   answers the host only (moby#41872);
/// - masquerade of what leaves a network's subnets for anywhere but a cnet
///   bridge (nat4/nat6), of DNATed traffic from a sandbox back into a
///   bridge (hairpin: a sandbox reaching its own or a neighbour's published
///   port through a host address), and of the host's loopback traffic
///   DNATed into a bridge (which route_localnet lets through, on the
///   bridges only; the guard chain drops what sandboxes send to 127/8);
/// - isolation: between two cnet bridges nothing is forwarded, within one
///   everything; an internal network's bridge forwards nothing in or out.
public final class Firewall {
  public static let table = "cnet"
  private var netfilter: RouteSocket?
  /// What the last probe found, or a change since made true: within one
  /// command, under cnet's lock, only cnet changes the tables (someone
  /// flushing the ruleset meanwhile is for the next command to repair).
  private var installed: Bool?

  public init() {}

  // MARK: - The rules

  static let skeleton = """
    add table inet cnet
    add set inet cnet bridges { type ifname; }
    add set inet cnet same { type ifname . ifname; }
    add set inet cnet internal { type ifname; }
    add set inet cnet nat4 { type ipv4_addr; flags interval; }
    add set inet cnet nat6 { type ipv6_addr; flags interval; }
    add set inet cnet subnets4 { type ipv4_addr; flags interval; }
    add set inet cnet subnets6 { type ipv6_addr; flags interval; }
    add map inet cnet pub4a { type inet_proto . inet_service : ipv4_addr . inet_service; }
    add map inet cnet pub6a { type inet_proto . inet_service : ipv6_addr . inet_service; }
    add map inet cnet pub4p { type inet_proto . ipv4_addr . inet_service : ipv4_addr . inet_service; flags interval; }
    add map inet cnet pub4k { type inet_proto . ipv4_addr . inet_service : ipv4_addr; flags interval; }
    add map inet cnet pub6p { type inet_proto . ipv6_addr . inet_service : ipv6_addr . inet_service; flags interval; }
    add map inet cnet pub6k { type inet_proto . ipv6_addr . inet_service : ipv6_addr; flags interval; }
    add chain inet cnet prerouting { type nat hook prerouting priority dstnat; policy accept; }
    add chain inet cnet output { type nat hook output priority -100; policy accept; }
    add chain inet cnet postrouting { type nat hook postrouting priority srcnat; policy accept; }
    add chain inet cnet forward { type filter hook forward priority filter; policy accept; }
    add chain inet cnet guard { type filter hook prerouting priority raw; policy accept; }
    add rule inet cnet prerouting ip daddr != 127.0.0.0/8 fib daddr type local meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @pub4a
    add rule inet cnet prerouting ip6 daddr != ::1 fib daddr type local meta l4proto { tcp, udp } dnat ip6 to meta l4proto . th dport map @pub6a
    add rule inet cnet output meta nfproto ipv4 fib daddr type local meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @pub4a
    add rule inet cnet output meta nfproto ipv6 fib daddr type local meta l4proto { tcp, udp } dnat ip6 to meta l4proto . th dport map @pub6a
    add rule inet cnet prerouting ip daddr != 127.0.0.0/8 fib daddr type local meta l4proto { tcp, udp } dnat ip to meta l4proto . ip daddr . th dport map @pub4p
    add rule inet cnet prerouting ip daddr != 127.0.0.0/8 fib daddr type local dnat ip to meta l4proto . ip daddr . th dport map @pub4k
    add rule inet cnet prerouting ip6 daddr != ::1 fib daddr type local meta l4proto { tcp, udp } dnat ip6 to meta l4proto . ip6 daddr . th dport map @pub6p
    add rule inet cnet prerouting ip6 daddr != ::1 fib daddr type local dnat ip6 to meta l4proto . ip6 daddr . th dport map @pub6k
    add rule inet cnet output fib daddr type local meta l4proto { tcp, udp } dnat ip to meta l4proto . ip daddr . th dport map @pub4p
    add rule inet cnet output fib daddr type local dnat ip to meta l4proto . ip daddr . th dport map @pub4k
    add rule inet cnet output fib daddr type local meta l4proto { tcp, udp } dnat ip6 to meta l4proto . ip6 daddr . th dport map @pub6p
    add rule inet cnet output fib daddr type local dnat ip6 to meta l4proto . ip6 daddr . th dport map @pub6k
    add rule inet cnet postrouting ip saddr @nat4 oifname != @bridges masquerade
    add rule inet cnet postrouting ip6 saddr @nat6 oifname != @bridges masquerade
    add rule inet cnet postrouting ct status dnat oifname @bridges ip saddr @subnets4 masquerade
    add rule inet cnet postrouting ct status dnat oifname @bridges ip6 saddr @subnets6 masquerade
    add rule inet cnet postrouting oifname @bridges ip saddr 127.0.0.0/8 masquerade
    add rule inet cnet forward iifname . oifname @same accept
    add rule inet cnet forward iifname @bridges oifname @bridges drop
    add rule inet cnet forward iifname @internal drop
    add rule inet cnet forward oifname @internal drop
    add rule inet cnet guard iifname @bridges ip daddr 127.0.0.0/8 drop
    add table bridge cnet
    add set bridge cnet isolated { type ifname; }
    add chain bridge cnet forward { type filter hook forward priority filter; policy accept; }
    add rule bridge cnet forward iifname @isolated oifname @isolated drop

    """

  /// Deletes both tables whether or not they exist (adding an existing
  /// table is no error, so add-then-delete never fails).
  static let removal = """
    add table inet cnet
    delete table inet cnet
    add table bridge cnet
    delete table bridge cnet

    """

  /// One element: the set it is in (with its family), its key, its owner
  /// (as a comment) and, in a map, its value.
  struct Element: Hashable {
    var family = "inet"
    var set: String
    var key: String
    var value: String?
    var owner = ""

    var added: String {
      let comment = owner.isEmpty ? "" : " comment \"\(owner)\""
      return "add element \(family) cnet \(set) { \(key)\(comment)\(value.map { " : \($0)" } ?? "") }\n"
    }
    /// Adding first makes deleting one that is missing no error.
    var removed: String { added + "delete element \(family) cnet \(set) { \(key) }\n" }
  }

  static func quoted(_ name: InterfaceName) -> String { "\"\(name.value)\"" }

  static func elements(of network: FirewallNetwork) -> [Element] {
    let bridge = quoted(network.bridge)
    let owner = network.owner
    var elements = [Element(set: "bridges", key: bridge, owner: owner),
                    Element(set: "same", key: "\(bridge) . \(bridge)", owner: owner)]
    if network.isInternal { elements.append(Element(set: "internal", key: bridge, owner: owner)) }
    for subnet in network.subnets {
      let suffix = subnet.family == .v4 ? "4" : "6"
      elements.append(Element(set: "subnets" + suffix, key: subnet.description, owner: owner))
      if network.masquerade { elements.append(Element(set: "nat" + suffix, key: subnet.description, owner: owner)) }
    }
    return elements
  }

  static func elements(of publication: PortPublication) -> [Element] {
    let mapping = publication.mapping
    let suffix = publication.target.family == .v4 ? "4" : "6"
    let host = mapping.hostAddress.map(\.description) ?? CIDR.any(publication.target.family).description
    let proto = mapping.proto.rawValue
    if mapping.hostPorts == mapping.ports {
      let ports = mapping.hostPorts.count == 1
        ? "\(mapping.hostPorts.lowerBound)" : "\(mapping.hostPorts.lowerBound)-\(mapping.hostPorts.upperBound)"
      return [Element(set: "pub\(suffix)k", key: "\(proto) . \(host) . \(ports)", value: "\(publication.target)",
                      owner: publication.owner)]
    }
    if mapping.hostAddress == nil {
      return zip(mapping.hostPorts, mapping.ports).map { hostPort, port in
        Element(set: "pub\(suffix)a", key: "\(proto) . \(hostPort)", value: "\(publication.target) . \(port)",
                owner: publication.owner)
      }
    }
    return zip(mapping.hostPorts, mapping.ports).map { hostPort, port in
      Element(set: "pub\(suffix)p", key: "\(proto) . \(host) . \(hostPort)", value: "\(publication.target) . \(port)",
              owner: publication.owner)
    }
  }

  static func element(isolating port: InterfaceName) -> Element {
    Element(family: "bridge", set: "isolated", key: quoted(port))
  }

  static func elements(of state: FirewallState) -> [Element] {
    state.networks.flatMap(elements(of:)) + state.publications.flatMap(elements(of:))
      + state.isolatedPorts.map(element(isolating:))
  }

  // MARK: - Changes

  /// The set the latest skeleton added: probing for it rather than for the
  /// table notices tables an older cnet wrote, which then get rebuilt.
  static let newestSet = "pub6a"

  /// Whether cnet's tables are there, as this cnet writes them (someone may
  /// have flushed the ruleset).
  public func isInstalled() throws -> Bool {
    if let installed { return installed }
    let found = try socket().nftablesSetExists(family: SetElement.inet, table: Self.table, set: Self.newestSet)
      && socket().nftablesTableExists(family: SetElement.bridge, name: Self.table)
    installed = found
    return found
  }

  /// The netfilter socket cnet's probes share (ForwardAccepts reads
  /// iptables-nft's tables with it).
  public func netfilterSocket() throws -> RouteSocket { try socket() }

  private func socket() throws -> RouteSocket {
    if let netfilter { return netfilter }
    let opened = try RouteSocket.netfilter()
    netfilter = opened
    return opened
  }

  /// Writes both tables from scratch, in one transaction.
  public func rebuild(_ state: FirewallState) throws {
    installed = nil
    try Nftables.run(Self.removal + Self.skeleton + Self.elements(of: state).map(\.added).joined(),
                     operation: "write cnet's firewall tables")
    installed = true
  }

  /// Deletes both tables (the last network is gone).
  public func uninstall() throws {
    installed = nil
    try Nftables.run(Self.removal, operation: "delete cnet's firewall tables")
    installed = false
  }

  /// Adds and removes elements in one transaction; a missing table is
  /// created first (the tables come with the first network).
  func change(adding: [Element], removing: [Element]) throws {
    guard !adding.isEmpty || !removing.isEmpty else { return }
    let skeleton = try isInstalled() ? "" : Self.removal + Self.skeleton
    installed = nil
    try Nftables.run(skeleton + removing.map(\.removed).joined() + adding.map(\.added).joined())
    installed = true
  }

  public func add(_ network: FirewallNetwork) throws {
    try change(adding: Self.elements(of: network), removing: [])
  }

  public func remove(_ network: FirewallNetwork) throws {
    try change(adding: [], removing: Self.elements(of: network))
  }

  /// A network's elements out, when the tables are there; the last network
  /// takes the tables along.
  public func removeNetwork(_ network: FirewallNetwork) throws {
    guard try isInstalled() else { return }
    try remove(network)
    if try entryCounts()["bridges", default: 0] == 0 { try uninstall() }
  }

  /// Publishes, then flushes the UDP flows of the host ports (see
  /// RouteSocket.flushConntrack). The elements go as one netlink batch
  /// (SetElement): this runs on every join that publishes.
  public func publish(_ publications: [PortPublication], isolating ports: [InterfaceName] = []) throws {
    try changeElements(publications.flatMap(SetElement.elements(of:)) + ports.map(SetElement.element(isolating:)),
                       remove: false)
    try flushUDP(publications)
  }

  public func unpublish(_ publications: [PortPublication], isolating ports: [InterfaceName] = []) throws {
    try changeElements(publications.flatMap(SetElement.elements(of:)) + ports.map(SetElement.element(isolating:)),
                       remove: true)
    try flushUDP(publications)
  }

  private func changeElements(_ elements: [SetElement], remove: Bool) throws {
    guard !elements.isEmpty else { return }
    // Tables are made with the first network; a join finds them there
    // (every changing command restores them first when they are gone).
    guard try isInstalled() else {
      if remove { return }
      throw KernelError("add firewall entries", "", code: ENOENT, kernelMessage: "cnet's tables are missing; run `cnet firewall reload`")
    }
    do {
      try socket().changeSetElements(elements, remove: remove)
    } catch {
      // A failed batch can leave replies unread: the socket goes with it.
      netfilter = nil
      throw error
    }
  }

  private func flushUDP(_ publications: [PortPublication]) throws {
    let udp = publications.filter { $0.mapping.proto == .udp }
    guard !udp.isEmpty else { return }
    for publication in udp {
      try socket().flushConntrack(.udp, ports: publication.mapping.hostPorts)
    }
  }

  // MARK: - Inspection

  /// How many elements each of cnet's sets and maps holds, from the kernel
  /// (`cnet gc` compares this with what the store says it should hold).
  public func entryCounts() throws -> [String: Int] {
    var counts: [String: Int] = [:]
    for family in ["inet", "bridge"] {
      let listing = try Nftables.run("list table \(family) cnet", operation: "list cnet's firewall table")
      counts.merge(Self.countElements(listing)) { $0 + $1 }
    }
    return counts
  }

  /// The same, from a state.
  public static func entryCounts(of state: FirewallState) -> [String: Int] {
    var counts: [String: Int] = [:]
    for element in elements(of: state) { counts[element.set, default: 0] += 1 }
    return counts
  }

  /// Counts the elements of every set and map in a table's listing. The
  /// elements of one set are separated by commas, which nothing inside an
  /// element contains.
  static func countElements(_ listing: String) -> [String: Int] {
    var counts: [String: Int] = [:]
    var current: String?
    var inElements = false
    for rawLine in listing.split(separator: "\n") {
      let line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
      if line.hasPrefix("set ") || line.hasPrefix("map ") {
        current = line.split(separator: " ").dropFirst().first.map(String.init)
        if let current { counts[current] = 0 }
        continue
      }
      guard let set = current else { continue }
      var text = Substring(line)
      if !inElements {
        guard line.hasPrefix("elements = {") else { continue }
        inElements = true
        text = line.dropFirst("elements = {".count)
      }
      let closed = text.contains("}")
      let body = text.prefix { $0 != "}" }
      let items = body.split(separator: ",").filter { !$0.allSatisfy { $0 == " " } }
      counts[set, default: 0] += items.count
      if closed { inElements = false }
    }
    return counts
  }
}
