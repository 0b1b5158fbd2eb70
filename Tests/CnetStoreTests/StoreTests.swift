import CnetCore
import CnetTestSupport
import Dispatch
import Testing

@testable import CnetStore

#if canImport(Glibc)
import Glibc
#endif

@Suite struct StoreTests {
  let directory = TemporaryDirectory()

  func open() throws -> Store {
    try #require(try Store.open(directory: directory.path + "/state"))
  }

  @Test func migratesOnceAndReopens() throws {
    let store = try open()
    let version = try store.database.statement("PRAGMA user_version").first { $0.int(0) }
    #expect(version == Migrations.all.count)
    let mode = try store.database.statement("PRAGMA journal_mode").first { $0.text(0) }
    #expect(mode == "wal")
    _ = try open()
    #expect(try Store.open(directory: directory.path + "/missing", create: false) == nil)
  }

  @Test func refusesANewerSchema() throws {
    let store = try open()
    try store.database.execute("PRAGMA user_version = 99")
    #expect(throws: StoreError.self) { _ = try open() }
  }

  @Test func recordsRoundTrip() throws {
    let store = try open()
    var network = NetworkRecord(
      id: "n1id", name: "n1", driver: "bridge", ipamDriver: "default", bridge: "cnet-n1", mtu: 1400,
      isInternal: true, ipv6: true, options: [KeyValue("a", "b=c")], labels: [KeyValue("team", "x")], created: "t")
    network.pools = [PoolAssignment(poolID: "p", subnet: try CIDR("10.1.0.0/16"), range: try CIDR("10.1.2.0/24"), gateway: try CIDR("10.1.0.1/16"))]
    let sandbox = SandboxRecord(id: "s1id", name: "web", netns: "web", origin: .pid, pid: 42, isAuto: true, hostname: "web.local",
                                dns: ["192.0.2.53"], dnsSearch: ["example.org"], extraHosts: ["db:10.1.0.9"], created: "t")
    var endpoint = EndpointRecord(id: "e1id", networkID: "n1id", name: "web", ipv4: try CIDR("10.1.2.5/16"), ipv4Pool: "p",
                                  mac: "02:42:0a:01:02:05", aliases: ["www", "w"], isAuto: true, created: "t")
    try store.transaction {
      try store.insert(network)
      try store.insert(sandbox)
      try store.insert(endpoint)
      try store.setJoin(ofEndpoint: "e1id", sandbox: "s1id", interface: "eth0", hostInterface: "cve1id", state: .joining)
    }
    #expect(try store.network(named: "n1") == network)
    #expect(try store.networks(idPrefix: "n1") == [network])
    #expect(try store.sandbox(named: "web") == sandbox)
    endpoint.sandboxID = "s1id"
    endpoint.interface = "eth0"
    endpoint.hostInterface = "cve1id"
    endpoint.joinState = .joining
    #expect(try store.endpoint(id: "e1id") == endpoint)
    #expect(try store.unsettledNetworks().map(\.id) == ["n1id"])
    #expect(try store.unsettledSandboxes().map(\.id) == ["s1id"])
    #expect(try store.unsettledEndpoints().map(\.id) == ["e1id"])
    #expect(try store.networkIDs(ofSandbox: "s1id") == ["n1id"])
    // Only ready sandboxes count, and not the one skipped.
    #expect(try store.sandboxesWithOwnHosts(on: "n1id").isEmpty)
    try store.transaction {
      try store.setState(ofNetwork: "n1id", .ready)
      try store.setState(ofSandbox: "s1id", .ready)
    }
    #expect(try store.sandboxesWithOwnHosts(on: "n1id").map(\.id) == ["s1id"])
    #expect(try store.sandboxesWithOwnHosts(on: "n2id").isEmpty)
    #expect(try store.sandboxesWithOwnHosts(on: "n1id", except: "s1id").isEmpty)
    #expect(try store.sandboxesWithOwnHosts(on: "n1id", except: "other").map(\.id) == ["s1id"])
    try store.transaction {
      try store.markLeaving(endpoint: "e1id", removing: false)
    }
    #expect(try store.endpoint(id: "e1id")?.joinState == .leaving)
    #expect(try store.endpoint(id: "e1id")?.state == .creating)
    try store.transaction {
      try store.markLeaving(endpoint: "e1id", removing: true)
    }
    #expect(try store.endpoint(id: "e1id")?.state == .removing)
    try store.transaction {
      try store.setState(ofEndpoint: "e1id", .ready)
      try store.setJoinState(ofEndpoint: "e1id", .joined)
      try store.setHostsMode(ofSandbox: "s1id", own: false)
    }
    #expect(try store.unsettledEndpoints().isEmpty)
    #expect(try store.unsettledSandboxes().isEmpty)
    #expect(try store.sandboxesWithOwnHosts(on: "n1id").isEmpty)
  }

  /// A value cnet cannot read back is an error naming the row and the
  /// column, never a guess (a state taken for `ready`, a pool dropped).
  @Test(arguments: [
    ("UPDATE networks SET state = 'halfway'", "row n1id of table networks has state \"halfway\""),
    ("UPDATE network_pools SET subnet = '10.1.0.0/99'", "row p of table network_pools has subnet \"10.1.0.0/99\""),
    ("UPDATE endpoints SET join_state = 'sideways'", "row e1id of table endpoints has join_state \"sideways\""),
    ("UPDATE endpoints SET ports = '80:80' || char(10) || 'eighty'", "row e1id of table endpoints has ports \"eighty\""),
    ("UPDATE sandboxes SET origin = 'elsewhere'", "row s1id of table sandboxes has origin \"elsewhere\""),
  ])
  func anUnreadableRowIsAnErrorNotAGuess(_ edit: String, _ expected: String) throws {
    let store = try open()
    var network = NetworkRecord(id: "n1id", name: "n1", driver: "bridge", ipamDriver: "default", created: "t")
    network.pools = [PoolAssignment(poolID: "p", subnet: try CIDR("10.1.0.0/16"))]
    try store.transaction {
      try store.insert(network)
      try store.insert(SandboxRecord(id: "s1id", name: "web", netns: "web", origin: .created, isAuto: true, hostname: "web",
                                     created: "t"))
      try store.insert(EndpointRecord(id: "e1id", networkID: "n1id", name: "web", isAuto: true, created: "t"))
    }
    try store.database.execute(edit)
    let error = #expect(throws: StoreError.self) {
      _ = try store.networks()
      _ = try store.sandboxes()
      _ = try store.endpoints()
    }
    #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error")")
  }

  @Test func aFailedTransactionChangesNothing() throws {
    let store = try open()
    struct Boom: Error {}
    #expect(throws: Boom.self) {
      try store.transaction {
        try store.setMeta("k", "v")
        throw Boom()
      }
    }
    #expect(try store.meta("k") == nil)
  }

  @Test func leasesAreOrderedAndUnique() throws {
    let store = try open()
    try store.transaction {
      try store.insert(PoolRecord(id: "p", addressSpace: "LocalDefault", subnet: try CIDR("10.0.0.0/24"), range: nil))
      for last in [9, 3, 200] as [UInt8] { #expect(try store.insertLease(pool: "p", address: [10, 0, 0, last])) }
      #expect(try !store.insertLease(pool: "p", address: [10, 0, 0, 3]))
    }
    #expect(try store.leases(pool: "p", from: [10, 0, 0, 4], limit: 10) == [[10, 0, 0, 9], [10, 0, 0, 200]])
    #expect(try store.leaseCount(pool: "p") == 3)
    try store.transaction {
      #expect(try store.deleteLease(pool: "p", address: [10, 0, 0, 9]))
      #expect(try !store.deleteLease(pool: "p", address: [10, 0, 0, 9]))
      try store.deletePool(id: "p")
    }
    #expect(try store.leaseCount(pool: "p") == 0, "leases go with their pool")
  }
}

@Suite struct OperationLockTests {
  let directory = TemporaryDirectory()

  @Test func aSecondHolderWaitsThenGivesUpWithTheHoldersPID() throws {
    let path = directory.path + "/run"
    let first = try OperationLock(path: path, timeout: 1)
    do {
      _ = try OperationLock(path: path, timeout: 0.05)
      Issue.record("the lock was taken twice")
    } catch let error as CnetError {
      #expect(error.kind == .busy)
      #expect(error.message.contains("held by pid \(getpid())"))
    }
    withExtendedLifetime(first) {}
  }

  @Test func releasedWhenTheHolderGoes() throws {
    let path = directory.path + "/run"
    do { _ = try OperationLock(path: path, timeout: 1) }
    _ = try OperationLock(path: path, timeout: 0)
  }

  /// A waiter says so, and the holder sees it (a batch then lets the lock
  /// go between two lines); the waiter gets the lock once it is let go.
  @Test func aWaiterIsSeenByTheHolder() throws {
    let path = directory.path + "/run"
    var holder: OperationLock? = try OperationLock(path: path, timeout: 1)
    #expect(holder?.isWanted == false)
    final class Outcome: @unchecked Sendable { var held = false }
    let outcome = Outcome()
    let taken = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      let waiter = try? OperationLock(path: path, timeout: 30)
      outcome.held = waiter != nil
      taken.signal()
    }
    var wanted = false
    for _ in 0..<3000 where !wanted {
      wanted = holder?.isWanted == true
      if !wanted { usleep(10_000) }
    }
    #expect(wanted)
    holder = nil
    taken.wait()
    #expect(outcome.held)
  }

  /// A file in the directory deleted, or the old lock file, changes
  /// nothing: the directory is what is locked.
  @Test func deletingAFileInTheDirectoryLetsNoOneIn() throws {
    let path = directory.path + "/run"
    let first = try OperationLock(path: path, timeout: 1)
    unlink(path + "/lock")
    #expect(throws: CnetError.self) { _ = try OperationLock(path: path, timeout: 0.05) }
    withExtendedLifetime(first) {}
  }
}
