import CnetCore
import CnetEngine
import CnetStore
import CnetTestSupport
import Dispatch
import FoundationEssentials
import Logging
import Testing

@testable import CnetPlugin

/// cnet's client driving cnet's server over a Unix socket, without root:
/// the server's IPAM calls reach the engine (a store in a temporary
/// directory), and malformed calls get error replies, never a crash.
@Suite(.serialized) struct ClientServerTests {
  let directory = TemporaryDirectory()

  func settings() -> Controller.Settings {
    var settings = Controller.Settings()
    settings.stateDirectory = directory.path + "/state"
    settings.runDirectory = directory.path + "/run"
    settings.netnsDirectory = directory.path + "/netns"
    settings.etcNetnsDirectory = directory.path + "/etc"
    settings.lockTimeout = 5
    return settings
  }

  /// A Unix stream socket bound to `path` (not listening yet); nil when
  /// it cannot be made.
  static func boundSocket(_ path: String) -> Int32? {
    unixSocket(path) { fd, address, length in bind(fd, address, length) }
  }

  /// A Unix stream socket connected to `path`; nil when it cannot connect.
  static func connected(_ path: String) -> Int32? {
    unixSocket(path) { fd, address, length in connect(fd, address, length) }
  }

  /// A Unix stream socket given to `use` (bind or connect) with `path`'s
  /// address; nil when either fails.
  static func unixSocket(_ path: String, _ use: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32? {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return nil }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      for (i, byte) in path.utf8.enumerated() where i < buffer.count - 1 { buffer[i] = byte }
    }
    let rc = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { use(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard rc == 0 else {
      close(fd)
      return nil
    }
    return fd
  }

  /// A server named `name` in the temporary plugin directory, and a
  /// resolver that finds it there.
  func serve(_ name: String = "cnettest") throws -> (PluginServer, PluginResolver) {
    let sockets = directory.path + "/plugins"
    mkdir(sockets, 0o700)
    let server = try PluginServer(path: "\(sockets)/\(name).sock",
                                  handler: PluginService(settings: settings(), logger: Logger(label: "test")),
                                  logger: Logger(label: "test"))
    var resolver = PluginResolver()
    resolver.discovery.socketDirectory = sockets
    resolver.discovery.specDirectories = [directory.path + "/specs"]
    return (server, resolver)
  }

  func readStore<T>(_ body: (Store) throws -> T) throws -> T {
    let store = try #require(try Store.open(directory: settings().stateDirectory, create: false))
    return try body(store)
  }

  @Test func theClientActivatesAndUsesTheServersIPAM() throws {
    let (server, resolver) = try serve()
    defer { server.stop() }
    let ipam = try #require(try resolver.ipamDriver("cnettest"))
    #expect(try ipam.defaultAddressSpaces() == ("LocalDefault", "GlobalDefault"))
    let pool = try ipam.requestPool(addressSpace: "LocalDefault", pool: try CIDR("10.80.0.0/24"), subPool: nil, options: [:], v6: false)
    #expect(pool.subnet.description == "10.80.0.0/24")
    let gateway = try ipam.requestAddress(poolID: pool.id, address: nil, options: [IPAMOptions.requestAddressType: IPAMOptions.gatewayType])
    #expect(gateway?.description == "10.80.0.1/24")
    let first = try ipam.requestAddress(poolID: pool.id, address: nil, options: [:])
    #expect(first?.description == "10.80.0.2/24")
    // A taken address: the server's IpamDriver error comes back as the error.
    #expect(throws: CnetError.self) { try ipam.requestAddress(poolID: pool.id, address: IPAddress("10.80.0.2"), options: [:]) }
    // The leases are in the server's store (read and closed again: the
    // server's exclusive connection waits for readers).
    #expect(try readStore { try $0.leaseCount(pool: pool.id) } == 2)
    try ipam.releaseAddress(poolID: pool.id, address: IPAddress("10.80.0.2")!)
    try ipam.releaseAddress(poolID: pool.id, address: IPAddress("10.80.0.1")!)
    try ipam.releasePool(id: pool.id)
    #expect(try readStore { try $0.pools() }.isEmpty)
    // The server implements both roles, with a local scope.
    #expect(try resolver.networkDriver("cnettest") != nil)
  }

  /// A cnet server on the client's own store would wait for the lock the
  /// client holds: it is refused at activation.
  @Test func aServerOnTheSameStoreIsRefused() throws {
    let (server, other) = try serve("self")
    defer { server.stop() }
    mkdir(settings().stateDirectory, 0o700)
    var resolver = other
    resolver.stateDirectory = settings().stateDirectory
    let error = #expect(throws: CnetError.self) { try resolver.networkDriver("self") }
    #expect(error?.message.contains("own plugin server") == true)
    // Another store: fine.
    resolver.stateDirectory = directory.path
    #expect(try resolver.networkDriver("self") != nil)
  }

  @Test func badCallsGetErrorReplies() throws {
    let (server, _) = try serve("bad")
    defer { server.stop() }
    let client = PluginClient(name: "bad", address: .unix(directory.path + "/plugins/bad.sock"))
    let malformed = try client.call("/IpamDriver.RequestPool", body: Array("{not json".utf8))
    #expect(malformed.status == 400)
    #expect(PluginConnection.message(malformed).contains("malformed request"))
    let wrongType = try client.call("/NetworkDriver.Join", body: Array(#"{"NetworkID": 5}"#.utf8))
    #expect(wrongType.status == 400)
    let unknown = try client.call("/NetworkDriver.Nonsense", body: [])
    #expect(unknown.status == 404)
    // Engine refusals are errors under each role's own key, with HTTP 200.
    let pool = try client.call("/IpamDriver.RequestPool", body: Array(#"{"AddressSpace":"Nowhere","Pool":"10.1.0.0/16"}"#.utf8))
    #expect(pool.status == 200)
    let ipamError = try JSONDecoder().decode(ReplyErrors.self, from: Data(pool.body))
    #expect(ipamError.Error?.contains("unknown address space") == true)
    #expect(ipamError.Err == nil)
    let join = try client.call("/NetworkDriver.Join", body: Array(#"{"NetworkID":"ab","EndpointID":"cd","SandboxKey":"/x"}"#.utf8))
    #expect(join.status == 200)
    #expect(try JSONDecoder().decode(ReplyErrors.self, from: Data(join.body)).Err?.contains("not found") == true)
    // The teardown calls are idempotent: unknown ids are fine.
    for path in ["/NetworkDriver.DeleteEndpoint", "/NetworkDriver.Leave", "/NetworkDriver.RevokeExternalConnectivity"] {
      let reply = try client.call(path, body: Array(#"{"NetworkID":"ab","EndpointID":"cd"}"#.utf8))
      #expect(reply.status == 200 && String(decoding: reply.body, as: UTF8.self) == "{}\n", "\(path)")
    }
    // Still serving.
    #expect(try client.call("/Plugin.Activate", body: []).status == 200)
  }

  @Test func aMissingOrDeadPluginFailsQuickly() throws {
    var resolver = PluginResolver()
    resolver.discovery.socketDirectory = directory.path + "/none"
    resolver.discovery.specDirectories = []
    #expect(try resolver.networkDriver("absent") == nil)
    // A socket file nobody listens on.
    let (server, _) = try serve("dead")
    server.stop()
    let path = directory.path + "/plugins/dead.sock"
    let fd = try #require(Self.boundSocket(path))
    close(fd)
    let client = PluginClient(name: "dead", address: .unix(path), connectBudget: 0.5)
    let error = #expect(throws: CnetError.self) { try client.call("/Plugin.Activate", body: []) }
    #expect(error?.message.contains("cannot connect") == true)
  }

  /// Whether the server closed `fd` within `seconds` (a read sees the end).
  static func closedByServer(_ fd: Int32, within seconds: Double) -> Bool {
    var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&poller, 1, Int32(seconds * 1000)) > 0 else { return false }
    var byte: UInt8 = 0
    return read(fd, &byte, 1) <= 0
  }

  /// Connections that send nothing, or a head that never ends, are closed;
  /// beyond the limit, a connection is refused; a served one stays open
  /// while its caller is quick. (The server's limits are shortened.)
  @Test func silentHalfSentAndSurplusConnectionsAreClosed() throws {
    let sockets = directory.path + "/plugins"
    mkdir(sockets, 0o700)
    let path = sockets + "/guard.sock"
    let server = try PluginServer(
      path: path, handler: PluginService(settings: settings(), logger: Logger(label: "test")), logger: Logger(label: "test"),
      limits: ConnectionLimits(idle: 0.4, head: 0.3, connections: 4))
    defer { server.stop() }
    let silent = try #require(Self.connected(path))
    let half = try #require(Self.connected(path))
    defer {
      close(silent)
      close(half)
    }
    _ = "POST /Plugin.Activate HTTP/1.1\r\nHost:".withCString { write(half, $0, strlen($0)) }
    #expect(Self.closedByServer(half, within: 2), "a head not complete within its time")
    #expect(Self.closedByServer(silent, within: 2), "nothing sent within the idle time")
    // Four open at once: a fifth is closed at once.
    let held = (0..<4).compactMap { _ in Self.connected(path) }
    #expect(held.count == 4)
    usleep(50_000)
    let surplus = try #require(Self.connected(path))
    defer { close(surplus) }
    #expect(Self.closedByServer(surplus, within: 1))
    // The server answers on once they are gone.
    held.forEach { close($0) }
    usleep(100_000)
    let client = PluginClient(name: "guard", address: .unix(path))
    #expect(try client.call("/Plugin.Activate", body: []).status == 200)
  }

  /// A plugin that accepts and hangs up at once, before the request is
  /// out: every call is a clear error that names the plugin. (The client's
  /// connection may be closed before it is ready to read the reply, whose
  /// promise was then dropped unfulfilled, which SwiftNIO's debug builds
  /// trap on; or be reset under the request, which came out as SwiftNIO's
  /// own IOError. Both were seen with another test process beside this.)
  @Test func aPluginThatHangsUpAtOnceIsAnError() throws {
    let path = directory.path + "/hangup.sock"
    let listener = try #require(Self.boundSocket(path))
    #expect(listen(listener, 64) == 0)
    let calls = 200
    let acceptor = DispatchGroup()
    DispatchQueue.global().async(group: acceptor) {
      for _ in 0..<calls {
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        close(connection)
      }
    }
    defer {
      acceptor.wait()
      close(listener)
    }
    let client = PluginClient(name: "hangup", address: .unix(path), timeout: 5, connectBudget: 0)
    for _ in 0..<calls {
      let error = #expect(throws: CnetError.self) { try client.call("/Plugin.Activate", body: []) }
      #expect(error?.message.contains("hangup") == true)
    }
  }
}

#if canImport(Glibc)
import Glibc
#endif
