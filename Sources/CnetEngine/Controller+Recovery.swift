import CnetCore
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

extension Controller {
  /// Finishes or undoes what interrupted commands left, from the records'
  /// states alone: a join in progress is undone, a leave finished; an
  /// endpoint, sandbox or network being created is undone, one being
  /// removed is finished. Every step is safe to repeat, so being killed
  /// again half-way through is fine too. Returns what it did (with
  /// `dryRun`, what it would do).
  public func settle(dryRun: Bool) throws -> [String] {
    // (A batch killed before it wrote the hosts files it held back: see
    // the end. Not this process's own mark: gc in a batch.)
    let hostsUnwritten = !files.hosts.deferred.marked && files.hosts.isMarkedUnwritten
    guard try hostsUnwritten || store.hasUnsettledRecords() else { return [] }
    var report: [String] = []
    var touched: Set<String> = []
    let endpoints = try store.unsettledEndpoints()
    let sandboxes = try store.unsettledSandboxes()
    let networks = try store.unsettledNetworks()

    for endpoint in endpoints {
      guard let network = try store.network(id: endpoint.networkID) else { continue }
      let sandbox = try endpoint.sandboxID.flatMap { try store.sandbox(id: $0) }
      if let state = endpoint.joinState, state != .joined {
        report.append("\(state == .joining ? "undo the interrupted join" : "finish the interrupted leave") of endpoint \"\(endpoint.name)\" (network \"\(network.name)\") \(state == .joining ? "to" : "from") sandbox \"\(sandbox?.name ?? "?")\"")
        if !dryRun {
          let going = sandbox.map { $0.state != .ready } ?? true
          let context = sandbox.flatMap { record in openNamespace(record).map { SandboxContext(record: record, namespace: $0) } }
          if let driver = knownDriver(network.driver) {
            try leave(driver, endpoint, network: network, sandbox: context, going: going)
          }
          try files.hosts.remove(endpoint.id, from: network.id)
          try store.transaction {
            try store.setJoin(ofEndpoint: endpoint.id, sandbox: nil, interface: nil, hostInterface: nil, state: nil)
          }
          if let sandbox, sandbox.state == .ready {
            try files.update(sandbox, joinedNetworks: try namedNetworks(try store.networkIDs(ofSandbox: sandbox.id)))
          }
          touched.insert(network.id)
        }
      }
      if endpoint.state != .ready {
        report.append("\(endpoint.state == .creating ? "undo the interrupted creation" : "finish the interrupted removal") of endpoint \"\(endpoint.name)\" (network \"\(network.name)\")")
        if !dryRun {
          try store.transaction { try releaseAndDelete(endpoint) }
        }
      }
    }
    for sandbox in sandboxes {
      report.append("\(sandbox.state == .creating ? "undo the interrupted creation" : "finish the interrupted removal") of sandbox \"\(sandbox.name)\"")
      if !dryRun { try finishRemoving(sandbox) }
    }
    for network in networks {
      report.append("\(network.state == .creating ? "undo the interrupted creation" : "finish the interrupted removal") of network \"\(network.name)\"")
      if !dryRun { try finishRemoving(network) }
    }
    for network in touched { try refreshOwnHosts(on: network) }
    if hostsUnwritten {
      report.append("write the hosts files again: a batch ended before it wrote them")
      if !dryRun {
        _ = try rebuildFiles(dryRun: false, all: true)
        for network in try store.networks() where network.state == .ready { try refreshOwnHosts(on: network.id) }
        files.hosts.clearUnwritten()
      }
    }
    return report
  }

  /// The kernel's boot id; it changes at every boot.
  static func bootID() -> String? {
    SystemFile.read("/proc/sys/kernel/random/boot_id")?.split(separator: "\n").first.map(String.init)
  }

  /// Notices a new boot: the kernel has lost every namespace and link, so
  /// sandboxes and joins (runtime facts) are dropped, endpoints keep their
  /// addresses, and networks are realised again.
  func reconcileBoot() throws {
    guard let current = Self.bootID() else { return }
    let stored = try store.meta("boot_id")
    guard stored != current else { return }
    if stored != nil {
      for sandbox in try store.sandboxes() {
        files.remove(sandbox)
        // A name that survived (a /run not on tmpfs) leads nowhere now.
        if let name = try? NamespaceName(sandbox.netns), sandbox.origin != .netns,
          let entry = netns.list().first(where: { $0.name == name.value }), entry.kind != .namespace || entry.dangling
        {
          try? netns.delete(name)
        }
      }
      // A CNI runtime's attachments are runtime facts too: the runtime
      // adds its containers again after the boot, and their addresses go
      // back to the pool now.
      let containers = Set(try store.containerSandboxes().map(\.id))
      try store.transaction {
        for endpoint in try store.endpoints() {
          guard let sandboxID = endpoint.sandboxID else { continue }
          if containers.contains(sandboxID) {
            try releaseAndDelete(endpoint)
          } else {
            try store.setJoin(ofEndpoint: endpoint.id, sandbox: nil, interface: nil, hostInterface: nil, state: nil)
          }
        }
        for sandbox in try store.sandboxes() { try store.deleteSandbox(id: sandbox.id) }
      }
      for network in try store.networks() where network.state == .ready {
        files.hosts.removeNetwork(network.id)
        if let driver = knownDriver(network.driver) {
          if drivers.contains(where: { $0.name == network.driver }) {
            try execute(try driver.createNetwork(network.info))
          } else {
            // A plugin keeps its own state across reboots, or not; its
            // refusal must not stop every command.
            attempt("realise network \"\(network.name)\" with its plugin") {
              try execute(try driver.createNetwork(network.info))
            }
          }
        }
        try files.hosts.ensureNetwork(network)
      }
    }
    try store.transaction { try store.setMeta("boot_id", current) }
  }
}
