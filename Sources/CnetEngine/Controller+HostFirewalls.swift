import CnetCore
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// The other firewalls of the host, which would drop cnet's traffic
/// whatever cnet's own tables accept: iptables' FORWARD policy (Docker's
/// DROP) and firewalld's forward chain. cnet adds its accepts in iptables
/// (ForwardAccepts) and binds its bridges to firewalld's trusted zone
/// (Firewalld), keeps them as the store's bridge networks say, and puts
/// them back when the other tool loses them (a restart, a reload, a boot).
extension Controller {
  /// The bridge networks whose traffic the other firewalls must let through.
  func forwardNetworks() throws -> [ForwardNetwork] {
    try store.networks().compactMap { network in
      guard network.driver == "bridge", let bridge = network.bridge.flatMap({ try? InterfaceName($0) }) else { return nil }
      let families = [IPFamily.v4, .v6].filter { family in network.pools.contains { $0.subnet.family == family } }
      return ForwardNetwork(name: network.name, id: network.id, bridge: bridge, isInternal: network.isInternal,
                            families: families)
    }
  }

  /// Brings the other firewalls in line with the store: cnet's accepts in
  /// iptables and ip6tables where their forward policy calls for them,
  /// none where it does not, and every bridge in firewalld's trusted zone
  /// while firewalld runs. Cheap when all is in place (one dump of the
  /// nftables tables; where iptables-nft has a filter table, its chains
  /// and cnet's rules), so every changing command calls it. `force` (for
  /// `firewall reload`) rewrites firewalld's bindings and reads iptables
  /// with its programs even when the probes find nothing amiss. Returns a
  /// line per change (with `dryRun`, per change it would make).
  @discardableResult
  func ensureHostFirewalls(force: Bool = false, dryRun: Bool = false) throws -> [String] {
    let tables = try kernel.firewall.netfilterSocket().nftablesTables()
    let views = try [IPFamily.v4, .v6].map { try kernel.forwardAccepts.view($0, tables: tables) }.filter(\.hasTable)
    let firewalld = tables.first { $0.family == Firewalld.tableFamily && $0.name == Firewalld.tableName }
    // No filter table and no firewalld's: nothing can drop cnet's traffic,
    // and nothing of cnet's can be there (most hosts, most commands).
    guard !views.isEmpty || firewalld != nil || force else { return [] }
    let networks = try forwardNetworks()
    var report: [String] = []
    for view in views {
      let wanted = networks.filter { $0.families.contains(view.family) }
      guard force || !view.isInPlace(for: wanted) else { continue }
      report += try kernel.forwardAccepts.apply(view.family, networks: wanted, dryRun: dryRun)
    }
    report += try ensureFirewalld(bridges: networks.map(\.bridge), table: firewalld, force: force, dryRun: dryRun)
    return report
  }

  /// The same for a command that has work of its own to do: a failure
  /// here is a warning, not the command's failure.
  func ensureHostFirewallsOrWarn() {
    warnOnFailure("cannot keep cnet's traffic open beside the host's other firewalls", hint: " (cnet doctor)") {
      try ensureHostFirewalls()
    }
  }

  // MARK: - firewalld

  /// The file in /run/cnet where cnet records which bridges it bound to
  /// firewalld's trusted zone, and the handle firewalld's table had then: a reload or restart
  /// makes the table anew (a new handle) and forgets runtime bindings, and
  /// the handle is what tells, with no D-Bus call.
  static let firewalldRecord = "firewalld"

  struct FirewalldRecord: Equatable {
    var handle: UInt64
    var bridges: [String]

    init(handle: UInt64, bridges: [String]) {
      self.handle = handle
      self.bridges = bridges
    }

    init?(_ text: String) {
      var lines = text.split(separator: "\n").map(String.init)
      guard !lines.isEmpty, let handle = UInt64(lines.removeFirst()) else { return nil }
      self.handle = handle
      bridges = lines
    }

    var text: String { ([String(handle)] + bridges).joined(separator: "\n") + "\n" }
  }

  /// `table`: firewalld's, when there is one.
  func ensureFirewalld(bridges: [InterfaceName], table: NftablesTable?, force: Bool, dryRun: Bool) throws -> [String] {
    // firewalld's nftables back end (Debian's) shows itself by its table;
    // with the iptables back end only D-Bus tells, asked when forced.
    guard table != nil || (force && Firewalld.isRunning()) else { return [] }
    let run = try Directory.base(settings.runDirectory, create: true)
    let record = run?.readText(Self.firewalldRecord).flatMap(FirewalldRecord.init)
    let handle = table?.handle ?? 0
    let wanted = bridges.map(\.value)
    guard !(wanted.isEmpty && record == nil) else { return [] }
    let fresh = force || record?.handle != handle
    let bind = fresh ? wanted : wanted.filter { !(record?.bridges.contains($0) ?? false) }
    let unbind = (record?.bridges ?? []).filter { !wanted.contains($0) }
    guard fresh || !bind.isEmpty || !unbind.isEmpty else { return [] }
    var report: [String] = []
    for name in bind {
      report.append("firewalld: bind \(name) to zone \(Firewalld.zone)")
      if !dryRun { try Firewalld.trust(try InterfaceName(name)) }
    }
    for name in unbind {
      report.append("firewalld: unbind \(name) from zone \(Firewalld.zone)")
      // Gone with its network: a bridge firewalld no longer knows is no error.
      if !dryRun, let interface = try? InterfaceName(name) { try? Firewalld.distrust(interface) }
    }
    if !dryRun {
      if wanted.isEmpty {
        run?.remove(Self.firewalldRecord)
      } else {
        try run?.write(Self.firewalldRecord, FirewalldRecord(handle: handle, bridges: wanted).text)
      }
    }
    return report
  }
}
