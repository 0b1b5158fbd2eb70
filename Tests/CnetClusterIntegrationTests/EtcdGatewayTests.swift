import CnetCluster
import CnetCore
import CnetHTTP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// EtcdGateway against a real etcd: every operation the cluster code uses,
/// with etcd's own semantics (fencing by lease, create-if-absent, a watch
/// from a revision, compaction).
@Suite(.enabled(if: EtcdServer.active, "needs root, etcd, and scripts/throwaway-host"), .serialized)
struct EtcdGatewayTests {
  let server: EtcdServer
  let etcd: EtcdGateway

  init() throws {
    server = try EtcdServer()
    etcd = try EtcdGateway(urls: [server.url])
  }

  func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

  @Test func putRangeAndDelete() throws {
    let first = try etcd.put("/t/a", bytes("1"), lease: 0)
    try etcd.put("/t/b", bytes("2"), lease: 0)
    try etcd.put("/u/c", bytes("3"), lease: 0)
    let found = try etcd.range("/t/", prefix: true)
    #expect(found.kvs.map(\.key) == ["/t/a", "/t/b"])
    #expect(found.kvs.map(\.text) == ["1", "2"])
    #expect(found.kvs[0].createRevision == first)
    #expect(found.revision > first)
    #expect(try etcd.range("/nothing").kvs.isEmpty)
    let keys = try etcd.range("/t/", prefix: true, keysOnly: true, serializable: true)
    #expect(keys.kvs.map(\.value) == [[], []])
    #expect(try etcd.delete("/t/", prefix: true) == 2)
    #expect(try etcd.range("/t/", prefix: true).kvs.isEmpty)
  }

  @Test func createIfAbsentOnlyOnce() throws {
    let create = { [etcd] (value: String) in
      try etcd.txn([.absent("/names/web")], success: [.put("/names/web", Array(value.utf8), lease: 0)],
                   failure: [.range("/names/web", prefix: false)])
    }
    #expect(try create("one").succeeded)
    let second = try create("two")
    #expect(!second.succeeded)
    #expect(second.ranges.first??.kvs.first?.text == "one")
  }

  @Test func aLeaseFencesAndItsKeysGoWithIt() throws {
    let lease = try etcd.grantLease(ttl: 5)
    try etcd.put("/hosts/h1", bytes("me"), lease: lease.id)
    #expect(try etcd.keepAlive(lease.id) > 0)
    let fenced = try etcd.txn([.leased("/hosts/h1", lease.id)], success: [.put("/ipam/a", bytes("h1"), lease: 0)], failure: [])
    #expect(fenced.succeeded)
    #expect(try !etcd.txn([.leased("/hosts/h1", lease.id + 1)], success: [], failure: []).succeeded)
    try etcd.revokeLease(lease.id)
    #expect(try etcd.range("/hosts/h1").kvs.isEmpty)
    #expect(try etcd.keepAlive(lease.id) <= 0)
    try etcd.revokeLease(lease.id)
  }

  @Test func aWatchDeliversChangesFromARevision() throws {
    let start = try etcd.put("/w/a", bytes("1"), lease: 0)
    try etcd.put("/w/b", bytes("2"), lease: 0)
    try etcd.delete("/w/a", prefix: false)
    let watch = try etcd.watch(prefix: "/w/", from: start)
    var events: [EtcdEvent] = []
    let deadline = StreamSocket.now() + 5
    while events.count < 3, let (more, _) = try watch.next(until: deadline) { events += more }
    #expect(events.map(\.kind) == [.put, .put, .delete])
    #expect(events.map(\.kv.key) == ["/w/a", "/w/b", "/w/a"])
    // And what comes after, as it comes.
    try etcd.put("/w/c", bytes("3"), lease: 0)
    let next = try #require(try watch.next(until: StreamSocket.now() + 5))
    #expect(next.events.map(\.kv.key) == ["/w/c"])
    watch.cancel()
  }

  @Test func aWatchBelowTheCompactionSaysSo() throws {
    let old = try etcd.put("/c/a", bytes("1"), lease: 0)
    let now = try etcd.put("/c/a", bytes("2"), lease: 0)
    try etcd.compact(now)
    // etcd creates the watch, then cancels it.
    let watch = try etcd.watch(prefix: "/c/", from: old)
    let error = #expect(throws: EtcdError.self) { _ = try watch.next(until: StreamSocket.now() + 5) }
    if case .compacted(let revision)? = error { #expect(revision >= now) } else { Issue.record("not compacted: \(String(describing: error))") }
  }

  @Test func aStoreThatIsDownIsAnErrorWithinTheTimeout() throws {
    // A documentation address nobody answers on, and a closed port.
    let silent = try EtcdGateway(urls: ["http://192.0.2.1:2379", "http://127.0.0.1:9"], timeout: 1)
    let started = StreamSocket.now()
    let error = #expect(throws: EtcdError.self) { _ = try silent.range("/x") }
    #expect(StreamSocket.now() - started < 2)
    #expect(error?.message.contains("unreachable") == true)
  }

  @Test func endpointsAreCheckedWhenGiven() throws {
    #expect(throws: CnetError.self) { _ = try EtcdGateway(urls: ["https://x:2379"]) }
    #expect(throws: CnetError.self) { _ = try EtcdGateway(urls: ["http://x:notaport"]) }
    #expect(throws: CnetError.self) { _ = try EtcdGateway(urls: []) }
    #expect(try EtcdGateway.address("http://[fd00::1]:2379") == .tcp(host: "fd00::1", port: 2379))
    #expect(try EtcdGateway.address("10.0.0.1") == .tcp(host: "10.0.0.1", port: 2379))
  }
}
