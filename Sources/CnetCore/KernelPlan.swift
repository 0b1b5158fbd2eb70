// Kernel work as a value. A network driver describes what a network, a
// join or a leave needs in the kernel as a plan; one executor
// (CnetKernel's PlanExecutor) carries every plan out, in order, and undoes
// what a plan made when a later step fails. Drivers never touch the kernel
// themselves, so a veth pair, an address or a route is made in one place.

/// Where an object of a plan is: the host's namespace (the one cnet runs
/// in), the sandbox's, or a namespace of cnet's own by name (an overlay
/// network's, which holds its bridge and VXLAN device).
public enum PlanPlace: Sendable, Equatable, Hashable {
  case host
  case sandbox
  case named(String)
}

/// A link as a plan creates it: in one request, in its final place, with
/// its final name.
public struct LinkPlan: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    case bridge
    /// A veth pair; the peer is born in its own place, with its own name.
    case veth(peer: PeerPlan)
    /// A VXLAN device: always made in the host's namespace, so its UDP
    /// socket stays there, then moved to its place.
    case vxlan(VXLANPlan)
  }

  public var name: InterfaceName
  public var place: PlanPlace
  public var kind: Kind
  /// A bridge in the same place.
  public var master: InterfaceName?
  public var mtu: UInt32?
  public var mac: MACAddress?

  public init(name: InterfaceName, place: PlanPlace, kind: Kind, master: InterfaceName? = nil, mtu: UInt32? = nil,
              mac: MACAddress? = nil) {
    self.name = name
    self.place = place
    self.kind = kind
    self.master = master
    self.mtu = mtu
    self.mac = mac
  }
}

/// A VXLAN device's settings.
public struct VXLANPlan: Sendable, Equatable {
  public var vni: UInt32
  /// The host's address on the underlay (the VTEP).
  public var local: IPAddress
  /// The UDP port, always given: without it the kernel uses 8472.
  public var port: UInt16
  /// Static entries only: no learning, ARP answered from the neighbour table.
  public var learning: Bool
  public var proxy: Bool

  public init(vni: UInt32, local: IPAddress, port: UInt16, learning: Bool = false, proxy: Bool = true) {
    self.vni = vni
    self.local = local
    self.port = port
    self.learning = learning
    self.proxy = proxy
  }
}

/// The far end of a veth pair.
public struct PeerPlan: Sendable, Equatable {
  public var name: InterfaceName
  public var place: PlanPlace
  public var mtu: UInt32?
  public var mac: MACAddress?

  public init(name: InterfaceName, place: PlanPlace, mtu: UInt32? = nil, mac: MACAddress? = nil) {
    self.name = name
    self.place = place
    self.mtu = mtu
    self.mac = mac
  }
}

/// Changes to a link; nil fields stay as they are.
public struct LinkSettings: Sendable, Equatable {
  public var up: Bool?
  /// IFLA_IFALIAS: cnet's mark on what it made.
  public var alias: String?
  /// false: no IPv6 address of its own, not even link-local (`ip link set
  /// addrgenmode none`).
  public var ipv6AutoAddresses: Bool?
  public var mac: MACAddress?
  public var mtu: UInt32?
  /// A bridge port sending frames back out where they came in.
  public var hairpin: Bool?

  public init(up: Bool? = nil, alias: String? = nil, ipv6AutoAddresses: Bool? = nil, mac: MACAddress? = nil,
              mtu: UInt32? = nil, hairpin: Bool? = nil) {
    self.up = up
    self.alias = alias
    self.ipv6AutoAddresses = ipv6AutoAddresses
    self.mac = mac
    self.mtu = mtu
    self.hairpin = hairpin
  }

  public var isEmpty: Bool { self == LinkSettings() }
}

/// A change to cnet's firewall tables.
public enum FirewallChange: Sendable, Equatable {
  case addNetwork(FirewallNetwork)
  /// The last network takes cnet's tables along.
  case removeNetwork(FirewallNetwork)
  case publish([PortPublication], isolating: [InterfaceName])
  case unpublish([PortPublication], isolating: [InterfaceName])
}

/// One step of a plan.
public enum PlanStep: Sendable, Equatable {
  /// A new link (NLM_F_CREATE|NLM_F_EXCL). Undone by deleting it (and its
  /// peer with it).
  case createLink(LinkPlan)
  /// A link that must be there, carrying `mark` (a network's bridge,
  /// realised again after a boot or after someone deleted it): made when
  /// missing, refused when a link of that name is someone else's, its MAC
  /// and MTU set back when they differ. Never undone.
  case ensureLink(LinkPlan, mark: String)
  case setLink(InterfaceName, PlanPlace, LinkSettings)
  /// Moves a link to the other place, renamed or not, with settings. Undone
  /// by moving it back under its old name.
  case moveLink(InterfaceName, from: PlanPlace, newName: InterfaceName?, LinkSettings)
  /// Moves a link back to the host under the name its alias keeps after
  /// `aliasPrefix` (a plugin's link, at leave); nothing when the link or
  /// its alias is not there.
  case restoreLink(InterfaceName, from: PlanPlace, aliasPrefix: String)
  /// Deletes a link (a veth takes its peer along); nothing when it is
  /// missing, or, with `mark`, when it carries another.
  case deleteLink(InterfaceName, PlanPlace, mark: String?)
  /// An address on a link; with `ensure`, one already there is fine (and
  /// not undone).
  case addAddress(InterfaceName, PlanPlace, CIDR, ensure: Bool)
  /// A route; with `keepExisting`, a route already there (someone else's
  /// default route) is left and the step counts as done.
  case addRoute(PlanPlace, destination: CIDR, gateway: IPAddress?, link: InterfaceName?, keepExisting: Bool)
  /// A kernel parameter of the host's namespace, written only when it
  /// differs. Never undone.
  case sysctl([String], String)
  case firewall(FirewallChange)
  /// A namespace of cnet's own (`.named`), made when missing. Never undone.
  case ensureNamespace(String)
  /// Deletes a namespace of cnet's own, with everything inside; nothing
  /// when it is missing.
  case deleteNamespace(String)
  /// A static neighbour or forwarding entry on a device, replacing one for
  /// the same address or MAC. Undone by deleting it.
  case setNeighbour(InterfaceName, PlanPlace, NeighbourEntry)
  /// Deletes such an entry; nothing when it is missing.
  case deleteNeighbour(InterfaceName, PlanPlace, NeighbourEntry)
}

/// A driver's kernel work, in order.
public struct KernelPlan: Sendable, Equatable {
  public var steps: [PlanStep]

  public init(_ steps: [PlanStep] = []) { self.steps = steps }

  public var isEmpty: Bool { steps.isEmpty }

  public static func + (a: KernelPlan, b: KernelPlan) -> KernelPlan { KernelPlan(a.steps + b.steps) }

  public static func += (a: inout KernelPlan, b: KernelPlan) { a.steps += b.steps }

  /// The same work in fewer requests: a MAC (or MTU) that a later step
  /// sets on a link an earlier step creates is given at creation instead
  /// (the kernel takes both in the create request). Other settings stay
  /// apart: a veth can only come up once its twin exists, and the kernel
  /// ignores an alias and the address mode at creation.
  public func folded() -> KernelPlan {
    var steps = self.steps
    var index = 0
    while index < steps.count {
      guard case .setLink(let name, let place, var settings) = steps[index], settings.mac != nil || settings.mtu != nil,
        let created = steps[..<index].lastIndex(where: { Self.creates($0, name, place) }),
        case .createLink(var link) = steps[created]
      else {
        index += 1
        continue
      }
      if link.name == name, link.place == place {
        link.mac = settings.mac ?? link.mac
        link.mtu = settings.mtu ?? link.mtu
      } else if case .veth(var peer) = link.kind {
        peer.mac = settings.mac ?? peer.mac
        peer.mtu = settings.mtu ?? peer.mtu
        link.kind = .veth(peer: peer)
      }
      steps[created] = .createLink(link)
      settings.mac = nil
      settings.mtu = nil
      if settings.isEmpty {
        steps.remove(at: index)
      } else {
        steps[index] = .setLink(name, place, settings)
        index += 1
      }
    }
    return KernelPlan(steps)
  }

  private static func creates(_ step: PlanStep, _ name: InterfaceName, _ place: PlanPlace) -> Bool {
    guard case .createLink(let link) = step else { return false }
    if link.name == name, link.place == place { return true }
    if case .veth(let peer) = link.kind, peer.name == name, peer.place == place { return true }
    return false
  }
}
