import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Carries plans out (KernelPlan, from the network drivers): each step in
/// order, over a netlink socket in the host's namespace and, for steps in
/// the sandbox, a socket inside the sandbox's namespace (its handle given
/// to the kernel when a link is born or moved there). This is the one place
/// that makes links, addresses and routes for the engine.
///
/// When a step fails, what the steps before it in the same run made is
/// undone, last first, and the step's error is thrown; what the undoing
/// itself could not do is said through `warn`, one line each. A run's
/// record can also be undone later (a join whose later part failed).
public final class PlanExecutor {
  private let host: () throws -> RouteSocket
  /// The host's namespace, for links born or moved there from the sandbox;
  /// nil: the one this process runs in.
  private let hostNamespace: NetworkNamespace?
  private let sandbox: NetworkNamespace?
  private let sandboxSocket: (() throws -> RouteSocket)?
  /// Where namespaces of cnet's own (`.named` places) are.
  private let namespaces: NetnsDirectory?
  private var namedSockets: [String: (NetworkNamespace, RouteSocket)] = [:]
  private let firewall: Firewall?
  private let warn: (String) -> Void
  /// Indexes looked up in this executor's runs: a join asks for its
  /// interface's a few times.
  private var indexes: [String: Int32] = [:]

  public init(host: @escaping () throws -> RouteSocket, hostNamespace: NetworkNamespace? = nil, firewall: Firewall?,
              sandbox: NetworkNamespace? = nil, sandboxSocket: (() throws -> RouteSocket)? = nil,
              namespaces: NetnsDirectory? = nil, warn: @escaping (String) -> Void = { _ in }) {
    self.host = host
    self.namespaces = namespaces
    self.hostNamespace = hostNamespace
    self.firewall = firewall
    self.sandbox = sandbox
    self.sandboxSocket = sandboxSocket
    self.warn = warn
  }

  /// What a run made that can be taken back, in the order it was made.
  public struct Record: Sendable {
    fileprivate var undos: [Undo] = []

    public init() {}

    public var isEmpty: Bool { undos.isEmpty }

    public static func + (a: Record, b: Record) -> Record {
      var sum = a
      sum.undos += b.undos
      return sum
    }
  }

  fileprivate enum Undo: Sendable {
    case deleteLink(InterfaceName, PlanPlace)
    case moveBack(InterfaceName, now: PlanPlace, oldName: InterfaceName)
    case deleteAddress(InterfaceName, PlanPlace, CIDR)
    case deleteNeighbour(InterfaceName, PlanPlace, NeighbourEntry)
    case deleteRoute(PlanPlace, RouteSpec)
    case firewall(FirewallChange)
  }

  /// Carries `plan` out; see the type's comment for failures.
  @discardableResult
  public func run(_ plan: KernelPlan) throws -> Record {
    var record = Record()
    for step in plan.folded().steps {
      do {
        try perform(step, &record)
      } catch {
        undo(record)
        throw error
      }
    }
    return record
  }

  /// Takes back what `record` says was made, last first; a failure is said
  /// and the rest goes on. Returns how many could not be taken back.
  @discardableResult
  public func undo(_ record: Record) -> Int {
    var failed = 0
    for undo in record.undos.reversed() {
      do {
        try perform(undo)
      } catch let error as ReportableError {
        failed += 1
        warn("could not undo: \(error.message)")
      } catch {
        failed += 1
        warn("could not undo: \(error)")
      }
    }
    return failed
  }

  // MARK: - Steps

  private func socket(_ place: PlanPlace) throws -> RouteSocket {
    switch place {
    case .host: return try host()
    case .sandbox:
      guard let sandboxSocket else { throw CnetError(.failed, "a plan step in a sandbox, with no sandbox to run it in") }
      return try sandboxSocket()
    case .named(let name): return try named(name).1
    }
  }

  /// A namespace of cnet's own and a socket inside it, opened once a run.
  private func named(_ name: String) throws -> (NetworkNamespace, RouteSocket) {
    if let open = namedSockets[name] { return open }
    guard let namespaces else { throw CnetError(.failed, "a plan step in namespace \"\(name)\", with no directory to find it in") }
    let namespace = try namespaces.open(try NamespaceName(name))
    let opened = (namespace, try RouteSocket.inside(namespace))
    namedSockets[name] = opened
    return opened
  }

  /// The namespace of `place`, for the kernel's IFLA_NET_NS_FD.
  private func namespace(_ place: PlanPlace) throws -> NetworkNamespace {
    switch place {
    case .host: return try hostNamespace ?? NetworkNamespace.of(pid: getpid())
    case .sandbox:
      guard let sandbox else { throw CnetError(.failed, "a plan step in a sandbox, with no sandbox to run it in") }
      return sandbox
    case .named(let name): return try named(name).0
    }
  }

  /// Whether a named namespace exists (the others always do): what is to
  /// be deleted in one that went is gone with it.
  private func isThere(_ place: PlanPlace) -> Bool {
    guard case .named(let name) = place, namedSockets[name] == nil else { return true }
    guard let namespaces, let namespaceName = try? NamespaceName(name) else { return false }
    return namespaces.exists(namespaceName)
  }

  private func key(_ place: PlanPlace) -> String {
    switch place {
    case .host: "h:"
    case .sandbox: "s:"
    case .named(let name): "n:" + name + ":"
    }
  }

  private func index(_ name: InterfaceName, _ place: PlanPlace) throws -> Int32 {
    let key = key(place) + name.value
    if let known = indexes[key] { return known }
    let found = try socket(place).index(of: name)
    indexes[key] = found
    return found
  }

  private func forget(_ name: InterfaceName, _ place: PlanPlace) {
    indexes[key(place) + name.value] = nil
  }

  private func perform(_ step: PlanStep, _ record: inout Record) throws {
    switch step {
    case .createLink(let link):
      try create(link)
      record.undos.append(.deleteLink(link.name, link.place))

    case .ensureLink(let link, let mark):
      let socket = try socket(link.place)
      if let existing = try socket.linkIfPresent(named: link.name) {
        guard existing.alias == mark, existing.kind == kindName(link.kind) else {
          throw CnetError(.conflict, "\"\(link.name)\" exists and is not the one cnet made (\(mark))")
        }
        var changes = LinkChanges()
        if let mac = link.mac, existing.address != mac.bytes { changes.address = mac }
        if let mtu = link.mtu, existing.mtu != mtu { changes.mtu = mtu }
        if let master = link.master, case .vxlan = link.kind, existing.master != (try index(master, link.place)) {
          changes.master = try index(master, link.place)
        }
        if !changes.isEmpty { try socket.setLink(existing, changes) }
      } else {
        try create(link)
        try socket.setLink(named: link.name, LinkChanges(alias: mark))
      }

    case .setLink(let name, let place, let settings):
      let socket = try socket(place)
      let changes = LinkChanges(up: settings.up, mtu: settings.mtu, address: settings.mac, alias: settings.alias,
                                ipv6AutoAddresses: settings.ipv6AutoAddresses)
      if !changes.isEmpty || settings.ipv6AutoAddresses != nil {
        try socket.setLink(index: try index(name, place), name: name.value, changes)
      }
      if let hairpin = settings.hairpin {
        try socket.setHairpin(index: try index(name, place), name: name.value, hairpin)
      }

    case .moveLink(let name, let from, let newName, let settings):
      let to: PlanPlace = from == .host ? .sandbox : .host
      let socket = try socket(from)
      let target = try namespace(to)
      try socket.setLink(index: try index(name, from), name: name.value, LinkChanges(
        up: settings.up, namespace: target, mtu: settings.mtu, address: settings.mac, newName: newName,
        alias: settings.alias, ipv6AutoAddresses: settings.ipv6AutoAddresses))
      forget(name, from)
      record.undos.append(.moveBack(newName ?? name, now: to, oldName: name))

    case .restoreLink(let name, let from, let prefix):
      let socket = try socket(from)
      guard let link = try socket.linkIfPresent(named: name), let alias = link.alias, alias.hasPrefix(prefix),
        let original = try? InterfaceName(String(alias.dropFirst(prefix.count)))
      else { return }
      let target = try namespace(from == .host ? .sandbox : .host)
      try socket.setLink(link, LinkChanges(up: false, namespace: target, newName: original, alias: ""))
      forget(name, from)

    case .deleteLink(let name, let place, let mark):
      guard isThere(place) else { return }
      let socket = try socket(place)
      guard let link = try socket.linkIfPresent(named: name) else { return }
      if let mark, let alias = link.alias, alias != mark { return }
      do {
        try socket.deleteLink(link)
      } catch let error as KernelError where error.code == ENODEV {
        // Gone meanwhile (its peer's namespace went): as good as deleted.
      }
      forget(name, place)

    case .addAddress(let name, let place, let cidr, let ensure):
      let socket = try socket(place)
      let index = try index(name, place)
      do {
        try socket.addAddress(cidr, toIndex: index, name: name.value, noDAD: true)
        record.undos.append(.deleteAddress(name, place, cidr))
      } catch let error as KernelError where ensure && error.code == EEXIST {
        // There already: nothing of this run's to take back.
      }

    case .addRoute(let place, let destination, let gateway, let link, let keepExisting):
      let socket = try socket(place)
      let route = RouteSpec(destination: destination, gateway: gateway, linkIndex: try link.map { try index($0, place) })
      do {
        try socket.addRoute(route)
        record.undos.append(.deleteRoute(place, route))
      } catch let error as KernelError where keepExisting && error.code == EEXIST {
        // Someone else's route: theirs stays.
      }

    case .sysctl(let path, let value):
      try Sysctl.ensure(path, value)

    case .ensureNamespace(let name):
      guard let namespaces else { throw CnetError(.failed, "no directory for namespace \"\(name)\"") }
      let namespaceName = try NamespaceName(name)
      if !namespaces.exists(namespaceName) { try namespaces.add(namespaceName) }

    case .deleteNamespace(let name):
      guard let namespaces else { throw CnetError(.failed, "no directory for namespace \"\(name)\"") }
      let namespaceName = try NamespaceName(name)
      namedSockets[name] = nil
      indexes = indexes.filter { !$0.key.hasPrefix("n:" + name + ":") }
      if namespaces.exists(namespaceName) { try namespaces.delete(namespaceName) }

    case .setNeighbour(let device, let place, let entry):
      try socket(place).setNeighbour(entry, index: try index(device, place), name: device.value)
      record.undos.append(.deleteNeighbour(device, place, entry))

    case .deleteNeighbour(let device, let place, let entry):
      guard isThere(place) else { return }
      let socket = try socket(place)
      guard let link = try socket.linkIfPresent(named: device) else { return }
      try socket.deleteNeighbour(entry, index: link.index, name: device.value)

    case .firewall(let change):
      guard let firewall else { throw CnetError(.failed, "a firewall step with no firewall to change") }
      switch change {
      case .addNetwork(let network): try firewall.add(network)
      case .removeNetwork(let network): try firewall.removeNetwork(network)
      case .publish(let publications, let ports): try firewall.publish(publications, isolating: ports)
      case .unpublish(let publications, let ports): try firewall.unpublish(publications, isolating: ports)
      }
      switch change {
      case .addNetwork(let network): record.undos.append(.firewall(.removeNetwork(network)))
      case .publish(let publications, let ports): record.undos.append(.firewall(.unpublish(publications, isolating: ports)))
      case .removeNetwork, .unpublish: break
      }
    }
  }

  private func perform(_ undo: Undo) throws {
    var none = Record()
    switch undo {
    case .deleteLink(let name, let place):
      try perform(.deleteLink(name, place, mark: nil), &none)
    case .moveBack(let name, let now, let oldName):
      try perform(.moveLink(name, from: now, newName: oldName == name ? nil : oldName, LinkSettings(up: false)), &none)
    case .deleteAddress(let name, let place, let cidr):
      let socket = try socket(place)
      guard let link = try socket.linkIfPresent(named: name) else { return }
      try socket.deleteAddress(cidr, from: link)
    case .deleteRoute(let place, let route):
      try socket(place).deleteRoute(route)
    case .deleteNeighbour(let device, let place, let entry):
      try perform(.deleteNeighbour(device, place, entry), &none)
    case .firewall(let change):
      try perform(.firewall(change), &none)
    }
  }

  private func create(_ link: LinkPlan) throws {
    if case .vxlan(let vxlan) = link.kind {
      // Made in the host's namespace (its UDP socket stays there), then
      // moved in and put on its master there.
      let host = try socket(.host)
      try host.addLink(link.name, .vxlan(VXLANOptions(vni: vxlan.vni, local: vxlan.local, port: vxlan.port,
                                                     learning: vxlan.learning, proxy: vxlan.proxy)),
                       mtu: link.mtu, address: link.mac)
      if link.place != .host {
        let target = try namespace(link.place)
        try withExtendedLifetime(target) {
          try host.setLink(named: link.name, LinkChanges(namespace: target))
        }
        forget(link.name, .host)
      }
      if let master = link.master {
        try socket(link.place).setLink(named: link.name, LinkChanges(master: try index(master, link.place)))
      }
      return
    }
    let socket = try socket(link.place)
    let master = try link.master.map { try index($0, link.place) }
    switch link.kind {
    case .bridge:
      try socket.addLink(link.name, .bridge, mtu: link.mtu, address: link.mac, master: master)
    case .veth(let peer):
      let peerNamespace: NetworkNamespace? = peer.place == link.place ? nil : try namespace(peer.place)
      try withExtendedLifetime(peerNamespace) {
        try socket.addLink(link.name, .veth(VethPeer(name: peer.name, namespace: peerNamespace, address: peer.mac)),
                           mtu: link.mtu ?? peer.mtu, address: link.mac, master: master)
      }
    case .vxlan:
      break  // above
    }
  }

  private func kindName(_ kind: LinkPlan.Kind) -> String {
    switch kind {
    case .bridge: "bridge"
    case .veth: "veth"
    case .vxlan: "vxlan"
    }
  }
}
