import ArgumentParser
import CnetCore
import CnetKernel

struct LinkAdd: FastPathed, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Create a network interface.",
    discussion: """
      Equivalent to `ip link add NAME type KIND ...`, in one request that fails \
      if the name is taken. A veth's peer is created in the same request, with its \
      final name, directly inside --peer-netns (a name, or a PID) when given; it \
      gets the same --mtu.

      Examples:
        cnet link add br0 --type bridge --up
        cnet link add v0 --type veth --peer eth0 --peer-netns web
        cnet link add vx42 --type vxlan --vni 42 --remote 203.0.113.7 --dev eth0
        cnet link add mv0 --type macvlan --dev eth0 --mode bridge
      """)

  @Argument(help: "Name of the new interface (at most 15 bytes).")
  var name: String

  @Option(help: "Kind of interface.")
  var type: LinkKind

  @Option(help: "MTU in bytes.")
  var mtu: Int?

  @Option(help: "MAC address.")
  var address: String?

  @Option(help: ArgumentHelp("Enslave it to this bridge.", valueName: "bridge"), completion: .custom(Completions.bridgeNames))
  var master: String?

  @Flag(help: "Bring it up.")
  var up = false

  @Option(help: ArgumentHelp("veth: name of the peer (default: chosen by the kernel).", valueName: "name"))
  var peer: String?

  @Option(name: .customLong("peer-netns"), help: ArgumentHelp("veth: create the peer inside this namespace (name or PID).", valueName: "namespace"),
          completion: .custom(Completions.namespaceNames))
  var peerNetns: String?

  @Option(help: "vxlan: the VXLAN network identifier (0-16777215).")
  var vni: Int?

  @Option(help: ArgumentHelp("vxlan: local address of the tunnel.", valueName: "address"))
  var local: String?

  @Option(help: ArgumentHelp("vxlan: remote address of the tunnel.", valueName: "address"))
  var remote: String?

  @Option(help: ArgumentHelp("vxlan: UDP destination port (default 4789, the IANA port).", valueName: "port"))
  var dstport: Int?

  @Option(help: ArgumentHelp("vxlan: underlay device; macvlan: parent device.", valueName: "device"),
          completion: .custom(Completions.linkNames))
  var dev: String?

  @Option(help: ArgumentHelp("macvlan: mode (\(MacvlanMode.allCases.map(\.rawValue).joined(separator: ", ")); default bridge).", valueName: "mode"))
  var mode: String?

  @OptionGroup var scope: NamespaceOption

  /// The words as given, for `LinkAddRequest.plan`.
  var request: LinkAddRequest {
    LinkAddRequest(name: name, type: type, mtu: mtu, address: address, master: master, up: up, peer: peer,
                   peerNetns: peerNetns, vni: vni, local: local, remote: remote, dstport: dstport, dev: dev, mode: mode)
  }

  var fastPath: FastPath { .linkAdd(request, namespace: scope.netns) }

  /// What the command runs (FastPath.run), parsed or not.
  static func perform(_ request: LinkAddRequest, namespace: String?) throws {
    let plan = try request.plan()
    let socket = try Kernel.socket(in: namespace)
    let master = try plan.master.map { try socket.link(named: $0).index }
    let device = try plan.device.map { try socket.link(named: $0).index }
    let spec: LinkSpec
    switch plan.kind {
    case .bridge: spec = .bridge
    case .dummy: spec = .dummy
    case .veth:
      spec = .veth(VethPeer(name: plan.peer, namespace: try plan.peerNamespace.map(Kernel.namespace(nameOrPID:))))
    case .vxlan:
      var options = plan.vxlan ?? VXLANOptions(vni: 0)
      options.device = device
      spec = .vxlan(options)
    case .macvlan:
      spec = .macvlan(parent: device ?? 0, mode: plan.macvlanMode ?? .bridge)
    }
    try socket.addLink(plan.name, spec, mtu: plan.mtu, address: plan.address, master: master, up: request.up)
  }
}

/// What `link add` was given, before it is checked: from ArgumentParser,
/// or from FastPath for a plain command line.
struct LinkAddRequest: Equatable {
  var name: String
  var type: LinkKind
  var mtu: Int?
  var address: String?
  var master: String?
  var up = false
  var peer: String?
  var peerNetns: String?
  var vni: Int?
  var local: String?
  var remote: String?
  var dstport: Int?
  var dev: String?
  var mode: String?

  /// Everything `link add` will do, checked before the kernel is touched.
  struct Plan {
    var name: InterfaceName
    var kind: LinkKind
    var mtu: UInt32?
    var address: MACAddress?
    var master: InterfaceName?
    var peer: InterfaceName?
    var peerNamespace: String?
    var vxlan: VXLANOptions?
    var device: InterfaceName?
    var macvlanMode: MacvlanMode?
  }

  func plan() throws -> Plan {
    let kindOptions: [(String, Bool, Set<LinkKind>)] = [
      ("--peer", peer != nil, [.veth]), ("--peer-netns", peerNetns != nil, [.veth]),
      ("--vni", vni != nil, [.vxlan]), ("--local", local != nil, [.vxlan]),
      ("--remote", remote != nil, [.vxlan]), ("--dstport", dstport != nil, [.vxlan]),
      ("--dev", dev != nil, [.vxlan, .macvlan]), ("--mode", mode != nil, [.macvlan]),
    ]
    for (flag, given, kinds) in kindOptions where given && !kinds.contains(type) {
      let valid = kinds.map(\.rawValue).sorted().joined(separator: " or ")
      throw CnetError(.invalidArgument, "\(flag) applies to --type \(valid), not \(type.rawValue)")
    }
    var plan = Plan(name: try InterfaceName(name), kind: type)
    plan.mtu = try mtu.map(LinkSet.checkMTU)
    plan.address = try address.map(MACAddress.unicast)
    plan.master = try master.map(InterfaceName.init)
    plan.peer = try peer.map(InterfaceName.init)
    plan.peerNamespace = peerNetns
    if let peerNetns { _ = try NamespaceName(peerNetns) }
    plan.device = try dev.map(InterfaceName.init)
    if plan.peer == plan.name, plan.peerNamespace == nil {
      throw CnetError(.invalidArgument, "the veth peer needs a name different from \"\(name)\" in the same namespace")
    }
    switch type {
    case .vxlan:
      guard let vni else { throw CnetError(.invalidArgument, "--type vxlan needs --vni") }
      guard (0...0xFF_FFFF).contains(vni) else {
        throw CnetError(.invalidArgument, "invalid --vni \(vni): expected 0-16777215")
      }
      let local = try local.map { try Self.address($0, "--local") }
      let remote = try remote.map { try Self.address($0, "--remote") }
      if let local, let remote, local.family != remote.family {
        throw CnetError(.invalidArgument, "--local and --remote must be of the same address family")
      }
      let port = dstport ?? 4789
      guard (1...65535).contains(port) else {
        throw CnetError(.invalidArgument, "invalid --dstport \(port): expected 1-65535")
      }
      plan.vxlan = VXLANOptions(vni: UInt32(vni), local: local, remote: remote, port: UInt16(port))
    case .macvlan:
      guard plan.device != nil else { throw CnetError(.invalidArgument, "--type macvlan needs --dev PARENT") }
      let modeName = mode ?? "bridge"
      guard let parsed = MacvlanMode(rawValue: modeName) else {
        throw CnetError(.invalidArgument,
          "invalid --mode \"\(modeName)\": expected one of \(MacvlanMode.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      plan.macvlanMode = parsed
    case .bridge, .veth, .dummy:
      break
    }
    return plan
  }

  static func address(_ text: String, _ flag: String) throws -> IPAddress {
    guard let address = IPAddress(text) else {
      throw CnetError(.invalidArgument, "invalid \(flag) \"\(text)\": not an IPv4 or IPv6 address")
    }
    return address
  }
}
