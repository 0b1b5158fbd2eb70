import ArgumentParser
import CnetCore
import CnetKernel

struct LinkSet: FastPathed, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "set",
    abstract: "Change a network interface.",
    discussion: """
      Equivalent to `ip link set dev NAME ...`; all changes go in one request. \
      --netns moves the interface into another namespace (a name, or a PID), \
      where it goes down; -n says in which namespace to find it.
      """)

  @Argument(help: "The interface.", completion: .custom(Completions.linkNames))
  var name: String

  @Flag(help: "Bring it up.")
  var up = false

  @Flag(help: "Bring it down.")
  var down = false

  @Option(help: ArgumentHelp("Enslave it to this bridge.", valueName: "bridge"), completion: .custom(Completions.bridgeNames))
  var master: String?

  @Flag(help: "Release it from its bridge.")
  var nomaster = false

  @Option(name: .customLong("netns"), help: ArgumentHelp("Move it into this namespace (name or PID).", valueName: "namespace"),
          completion: .custom(Completions.namespaceNames))
  var target: String?

  @Option(help: "MTU in bytes.")
  var mtu: Int?

  @Option(help: "MAC address.")
  var address: String?

  @Option(name: .customLong("name"), help: ArgumentHelp("Rename it.", valueName: "new-name"))
  var newName: String?

  @OptionGroup var scope: NamespaceShortOption

  /// MTUs the CLI accepts before asking the kernel: from the IPv4 minimum
  /// to the largest value the netlink attribute and most drivers take.
  static let mtuRange = 68...65535

  static func checkMTU(_ mtu: Int) throws -> UInt32 {
    guard mtuRange.contains(mtu) else {
      throw CnetError(.invalidArgument, "invalid MTU \(mtu): expected \(mtuRange.lowerBound)-\(mtuRange.upperBound)")
    }
    return UInt32(mtu)
  }

  /// The words as given, for `LinkSetRequest.plan`.
  var request: LinkSetRequest {
    LinkSetRequest(name: name, up: up, down: down, master: master, nomaster: nomaster, target: target, mtu: mtu,
                   address: address, newName: newName)
  }

  var fastPath: FastPath { .linkSet(request, namespace: scope.netns) }

  /// What the command runs (FastPath.run), parsed or not.
  static func perform(_ request: LinkSetRequest, namespace: String?) throws {
    let plan = try request.plan()
    let socket = try Kernel.socket(in: namespace)
    let link = try socket.link(named: plan.name)
    var changes = LinkChanges()
    changes.up = plan.up
    if let master = plan.master { changes.master = try socket.link(named: master).index }
    if plan.nomaster { changes.master = 0 }
    changes.namespace = try plan.target.map(Kernel.namespace(nameOrPID:))
    changes.mtu = plan.mtu
    changes.address = plan.address
    changes.newName = plan.newName
    try socket.setLink(link, changes)
  }
}

/// What `link set` was given, before it is checked: from ArgumentParser,
/// or from FastPath for a plain command line.
struct LinkSetRequest: Equatable {
  var name: String
  var up = false
  var down = false
  var master: String?
  var nomaster = false
  var target: String?
  var mtu: Int?
  var address: String?
  var newName: String?

  struct Plan {
    var name: InterfaceName
    var up: Bool?
    var master: InterfaceName?
    var nomaster = false
    var target: String?
    var mtu: UInt32?
    var address: MACAddress?
    var newName: InterfaceName?
  }

  func plan() throws -> Plan {
    if up && down { throw CnetError(.invalidArgument, "--up and --down contradict each other") }
    if master != nil && nomaster { throw CnetError(.invalidArgument, "--master and --nomaster contradict each other") }
    var plan = Plan(name: try InterfaceName(name))
    plan.up = up ? true : down ? false : nil
    plan.master = try master.map(InterfaceName.init)
    plan.nomaster = nomaster
    if let target { _ = try NamespaceName(target) }
    plan.target = target
    plan.mtu = try mtu.map(LinkSet.checkMTU)
    plan.address = try address.map(MACAddress.unicast)
    plan.newName = try newName.map(InterfaceName.init)
    if plan.up == nil, plan.master == nil, !nomaster, target == nil, mtu == nil, address == nil, newName == nil {
      throw CnetError(.invalidArgument, "nothing to change: give --up, --down, --master, --nomaster, --netns, --mtu, --address or --name")
    }
    return plan
  }
}
