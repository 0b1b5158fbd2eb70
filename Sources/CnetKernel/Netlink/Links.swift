import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// One network interface as the kernel describes it (`ip link show`).
public struct LinkInfo: Sendable, Equatable {
  public var index: Int32
  public var name: String
  /// IFF_* flags.
  public var flags: UInt32
  /// ARPHRD_* hardware type.
  public var hardwareType: UInt16
  public var mtu: UInt32
  /// Index of the bridge (or other master) it is enslaved to; 0 if none.
  public var master: Int32
  /// IFLA_LINK: a veth's peer or a macvlan's/vxlan's lower device; 0 if none.
  public var link: Int32
  /// The namespace id of `link` when it lives in another namespace.
  public var linkNetnsID: Int32?
  /// IF_OPER_* state.
  public var operState: UInt8
  public var address: [UInt8]
  public var broadcast: [UInt8]
  /// IFLA_INFO_KIND ("bridge", "veth", ...); nil for plain devices.
  public var kind: String?
  public var alias: String?

  public var isUp: Bool { flags & UInt32(IFF_UP) != 0 }
}

/// What kind of link to create, with the options of that kind.
public enum LinkSpec: Sendable {
  case bridge
  case dummy
  /// A veth pair. The peer is created in the same request, with its final
  /// name, directly in its namespace.
  case veth(VethPeer)
  case vxlan(VXLANOptions)
  /// A macvlan on the device with index `parent`.
  case macvlan(parent: Int32, mode: MacvlanMode)

  public var kindName: String {
    switch self {
    case .bridge: "bridge"
    case .dummy: "dummy"
    case .veth: "veth"
    case .vxlan: "vxlan"
    case .macvlan: "macvlan"
    }
  }
}

/// The far end of a veth pair, as it is created.
public struct VethPeer: Sendable {
  /// nil lets the kernel choose ("vethN").
  public var name: InterfaceName?
  /// Where it is born; nil for the namespace of the near end.
  public var namespace: NetworkNamespace?
  public var address: MACAddress?
  // No "up": the kernel cannot open a veth before its twin is registered
  // (veth_open: ENOTCONN), so the peer is brought up by a second request.

  public init(name: InterfaceName?, namespace: NetworkNamespace? = nil, address: MACAddress? = nil) {
    self.name = name
    self.namespace = namespace
    self.address = address
  }
}

// NetworkNamespace is a class whose fd is only read; sharing it across
// threads is safe.
extension NetworkNamespace: @unchecked Sendable {}

public struct VXLANOptions: Sendable {
  public var vni: UInt32
  public var local: IPAddress?
  public var remote: IPAddress?
  /// UDP port; nil leaves the kernel default.
  public var port: UInt16?
  /// Index of the underlay device.
  public var device: Int32?
  /// false: no learning of remote MACs from traffic (the entries are all
  /// static); nil leaves the kernel's default (on).
  public var learning: Bool?
  /// true: ARP and neighbour solicitations for known addresses are
  /// answered from the device's neighbour table, not flooded.
  public var proxy: Bool?

  public init(vni: UInt32, local: IPAddress? = nil, remote: IPAddress? = nil, port: UInt16? = nil, device: Int32? = nil,
              learning: Bool? = nil, proxy: Bool? = nil) {
    self.vni = vni
    self.local = local
    self.remote = remote
    self.port = port
    self.device = device
    self.learning = learning
    self.proxy = proxy
  }
}

public enum MacvlanMode: String, Sendable, CaseIterable {
  case `private`, vepa, bridge, passthru, source

  /// MACVLAN_MODE_* from linux/if_link.h.
  var kernelValue: Int32 {
    switch self {
    case .private: 1
    case .vepa: 2
    case .bridge: 4
    case .passthru: 8
    case .source: 16
    }
  }
}

/// Changes to an existing link (`ip link set`); nil fields stay as they are.
public struct LinkChanges: Sendable {
  public var up: Bool?
  /// The new master's index; 0 removes the link from its master.
  public var master: Int32?
  /// Moves the link into this namespace.
  public var namespace: NetworkNamespace?
  public var mtu: UInt32?
  public var address: MACAddress?
  public var newName: InterfaceName?
  public var alias: String?
  /// false: the kernel gives the link no IPv6 addresses of its own, not
  /// even a link-local one (`ip link set addrgenmode none`); for a bridge
  /// port, which needs none, that spares the kernel the address's
  /// duplicate detection and multicast work (and the locks they take).
  public var ipv6AutoAddresses: Bool?

  public init(up: Bool? = nil, master: Int32? = nil, namespace: NetworkNamespace? = nil, mtu: UInt32? = nil,
              address: MACAddress? = nil, newName: InterfaceName? = nil, alias: String? = nil,
              ipv6AutoAddresses: Bool? = nil) {
    self.up = up
    self.master = master
    self.namespace = namespace
    self.mtu = mtu
    self.address = address
    self.newName = newName
    self.alias = alias
    self.ipv6AutoAddresses = ipv6AutoAddresses
  }

  public var isEmpty: Bool {
    up == nil && master == nil && namespace == nil && mtu == nil && address == nil && newName == nil && alias == nil
  }
}

extension RouteSocket {
  /// Creates a link in one request with NLM_F_CREATE|NLM_F_EXCL.
  /// Equivalent to: `ip link add NAME [mtu N] [address MAC] [master BR] [up] type KIND ...`
  ///
  /// One difference from `ip`: a bridge created with an MTU keeps it. The
  /// kernel treats an MTU given at creation as not set by the user, and
  /// the first port would pull the bridge to the ports' MTU
  /// (br_mtu_auto_adjust). So the bridge is created with the default MTU and
  /// a second request changes it, which the kernel records as the user's
  /// choice (BROPT_MTU_SET_BY_USER). Asking for the default is a no-op.
  /// (IFLA_IFALIAS is ignored at creation too; set it with `setLink`.)
  /// Throws KernelError.
  public func addLink(
    _ name: InterfaceName, _ spec: LinkSpec, mtu: UInt32? = nil, address: MACAddress? = nil,
    master: Int32? = nil, up: Bool = false
  ) throws {
    let c = CArguments()
    var attrs = cnet_link_attrs()
    cnet_link_attrs_init(&attrs)
    attrs.ifname = c.string(name.value)
    if case .bridge = spec {} else { attrs.mtu = mtu ?? 0 }
    if let address {
      attrs.address = c.bytes(address.bytes)
      attrs.address_len = UInt32(address.bytes.count)
    }
    if let master { attrs.master = master }
    if up { attrs.up = 1 }

    var kind = cnet_link_kind()
    kind.kind = c.string(spec.kindName)
    kind.macvlan_mode = -1
    var peerNamespace: NetworkNamespace?
    switch spec {
    case .bridge, .dummy:
      break
    case .veth(let settings):
      var peer = cnet_link_attrs()
      cnet_link_attrs_init(&peer)
      peer.ifname = c.string(settings.name?.value)
      if let namespace = settings.namespace {
        peer.netns_fd = namespace.fd
        peerNamespace = namespace
      }
      if let address = settings.address {
        peer.address = c.bytes(address.bytes)
        peer.address_len = UInt32(address.bytes.count)
      }
      // A peer inherits nothing from its twin; give it the same MTU so the
      // pair agrees (`ip` leaves this to the user, and users forget).
      peer.mtu = mtu ?? 0
      kind.veth_peer = UnsafePointer(c.value(peer))
    case .vxlan(let options):
      var vxlan = cnet_vxlan()
      vxlan.vni = options.vni
      if let local = options.local { fill(&vxlan.local, &vxlan.local_len, local) }
      if let remote = options.remote { fill(&vxlan.remote, &vxlan.remote_len, remote) }
      vxlan.port = options.port ?? 0
      vxlan.dev = options.device ?? 0
      vxlan.learning = options.learning.map { $0 ? 1 : 0 } ?? -1
      vxlan.proxy = options.proxy.map { $0 ? 1 : 0 } ?? -1
      kind.vxlan = UnsafePointer(c.value(vxlan))
    case .macvlan(let parent, let mode):
      attrs.link = parent
      kind.macvlan_mode = mode.kernelValue
    }
    try withExtendedLifetime((c, peerNamespace)) {
      try change("create \(spec.kindName)", "\"\(name)\"\(whereText)") { buf, size, seq in
        cnet_msg_link_add(buf, size, seq, &attrs, &kind)
      }
    }
    if case .bridge = spec, let mtu {
      let created = try link(named: name)
      if created.mtu != mtu { try setLink(created, LinkChanges(mtu: mtu)) }
    }
  }

  /// Changes an existing link in one request.
  /// Equivalent to: `ip link set dev NAME [up|down] [master BR|nomaster] [netns NS] [mtu N] [address MAC] [name NEW]`
  public func setLink(_ link: LinkInfo, _ changes: LinkChanges) throws {
    try setLink(index: link.index, name: link.name, changes)
  }

  /// The same, for a link known by index (`name` is for messages).
  public func setLink(index: Int32, name: String, _ changes: LinkChanges) throws {
    let c = CArguments()
    var attrs = cnet_link_attrs()
    cnet_link_attrs_init(&attrs)
    attrs.ifindex = index
    attrs.ifname = c.string(changes.newName?.value)
    attrs.mtu = changes.mtu ?? 0
    if let address = changes.address {
      attrs.address = c.bytes(address.bytes)
      attrs.address_len = UInt32(address.bytes.count)
    }
    if let master = changes.master { attrs.master = master }
    if let namespace = changes.namespace { attrs.netns_fd = namespace.fd }
    if let up = changes.up { attrs.up = up ? 1 : 0 }
    attrs.alias = c.string(changes.alias)
    // IN6_ADDR_GEN_MODE_EUI64 (0) or _NONE (1).
    if let auto = changes.ipv6AutoAddresses { attrs.addr_gen_mode = auto ? 0 : 1 }
    try withExtendedLifetime((c, changes.namespace)) {
      try change("change link", "\"\(name)\"\(whereText)") { buf, size, seq in
        cnet_msg_link_set(buf, size, seq, &attrs)
      }
    }
  }

  /// Changes a link found by its name, in one request with no lookup (the
  /// kernel finds it by IFLA_IFNAME when ifi_index is 0). Cannot rename.
  public func setLink(named name: InterfaceName, _ changes: LinkChanges) throws {
    guard changes.newName == nil else {
      throw CnetError(.invalidArgument, "renaming needs the link's index")
    }
    var renamed = changes
    renamed.newName = name
    try setLink(index: 0, name: name.value, renamed)
  }

  /// Equivalent to: `bridge link set dev NAME hairpin on|off`.
  public func setHairpin(_ link: LinkInfo, _ on: Bool) throws {
    try setHairpin(index: link.index, name: link.name, on)
  }

  /// The same, for a link known by index (`name` is for messages).
  public func setHairpin(index: Int32, name: String, _ on: Bool) throws {
    try change("set hairpin mode of bridge port", "\"\(name)\"\(whereText)") { buf, size, seq in
      cnet_msg_bridge_port_hairpin(buf, size, seq, index, on ? 1 : 0)
    }
  }

  /// Equivalent to: `ip link del NAME`. Deleting one end of a veth pair
  /// deletes both.
  public func deleteLink(_ link: LinkInfo) throws {
    try change("delete link", "\"\(link.name)\"\(whereText)") { buf, size, seq in
      cnet_msg_link_del(buf, size, seq, link.index)
    }
  }

  /// Equivalent to: `ip link show dev NAME`. A missing link is a
  /// `.notFound` error worded as iproute2 does ("cannot find device").
  public func link(named name: InterfaceName) throws -> LinkInfo {
    guard let link = try linkIfPresent(named: name) else { throw noSuchDevice(name) }
    return link
  }

  private func noSuchDevice(_ name: InterfaceName) -> KernelError {
    KernelError("find device", "\"\(name)\"\(whereText)", code: ENODEV)
  }

  /// The index of the link named `name`, without a link dump: one ioctl
  /// on this socket, answered in its namespace, where `link(named:)` is a
  /// round trip with a 1.5 KB reply parsed and mostly thrown away (three of
  /// them in every connect). A missing link is the same `.notFound` error.
  public func index(of name: InterfaceName) throws -> Int32 {
    let index = transport.interfaceIndex(name.value)
    if index > 0 { return index }
    if index == -ENODEV { throw noSuchDevice(name) }
    return try link(named: name).index
  }

  /// The link with this name, or nil when there is none.
  public func linkIfPresent(named name: InterfaceName) throws -> LinkInfo? {
    let c = CArguments()
    let cName = c.string(name.value)
    do {
      return try withExtendedLifetime(c) {
        try dump("find device", "\"\(name)\"\(whereText)", { buf, size, seq in
          cnet_msg_link_get(buf, size, seq, cName)
        }, parse: parseLink).first
      }
    } catch let error as KernelError where error.code == ENODEV {
      return nil
    }
  }

  /// Equivalent to: `ip link show`.
  public func links() throws -> [LinkInfo] {
    try dump("list links", whereText.isEmpty ? "" : String(whereText.dropFirst()), { buf, size, seq in
      cnet_msg_link_get(buf, size, seq, nil)
    }, parse: parseLink)
  }
}

private func parseLink(_ message: UnsafeRawPointer) -> LinkInfo? {
  var info = cnet_link_info()
  guard cnet_parse_link(message, &info) == 0 else { return nil }
  return LinkInfo(
    index: info.ifindex,
    name: cString(info.ifname),
    flags: info.flags,
    hardwareType: info.type,
    mtu: info.mtu,
    master: info.master,
    link: info.link,
    linkNetnsID: info.link_netnsid >= 0 ? info.link_netnsid : nil,
    operState: info.operstate,
    address: bytes(info.address, count: Int(info.address_len)),
    broadcast: bytes(info.broadcast, count: Int(info.broadcast_len)),
    kind: nonEmpty(cString(info.kind)),
    alias: nonEmpty(cString(info.alias)))
}

private func fill<T>(_ tuple: inout T, _ length: inout UInt8, _ address: IPAddress) {
  let raw = address.bytes
  withUnsafeMutableBytes(of: &tuple) { buffer in
    for (i, b) in raw.enumerated() where i < buffer.count { buffer[i] = b }
  }
  length = UInt8(raw.count)
}

func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }

/// A fixed-size C char array (imported as a tuple) as a String.
func cString<T>(_ tuple: T) -> String {
  withUnsafeBytes(of: tuple) { raw in
    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
  }
}

/// The first `count` bytes of a fixed-size C byte array.
func bytes<T>(_ tuple: T, count: Int) -> [UInt8] {
  withUnsafeBytes(of: tuple) { raw in Array(raw.prefix(count)) }
}
