import CnetCore
import CnetHTTP
import CnetKernel
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Answers plugin calls. A handler may block (it talks to the kernel and
/// the store): calls that change something are answered one at a time (the
/// engine's lock serialises them anyway), the others side by side.
public protocol PluginHandler: Sendable {
  func handle(path: String, body: [UInt8]) -> PluginReply
  /// Whether the call may change state (and must take its turn).
  func changes(_ path: String) -> Bool
}

/// How long a connection may stay silent (before a request, or after a
/// reply), how long a request head may take from its first byte, and how
/// many connections may be open at once. Nothing else would close them:
/// the socket is root's, but a careless root process holding hundreds of
/// half-sent requests would hold as many descriptors and threads forever.
/// A request being answered is never timed: a changing call may wait for
/// another command's lock.
public struct ConnectionLimits: Sendable {
  public var idle: Double
  public var head: Double
  public var connections: Int

  public init(idle: Double = 30, head: Double = 10, connections: Int = 256) {
    self.idle = idle
    self.head = head
    self.connections = connections
  }
}

/// HTTP/1.1 on a Unix socket, as dockerd calls plugins: POST only, a JSON
/// body (possibly empty, with a trailing newline), keep-alive or not as the
/// caller likes. One thread accepts; each connection has a thread of its
/// own (blocking reads with deadlines): dockerd makes one call at a time
/// per connection, and a few connections at once.
public final class PluginServer: @unchecked Sendable {
  let path: String
  private let listener: StreamSocket
  private let handler: PluginHandler
  private let logger: Logger
  private let limits: ConnectionLimits
  /// Guards `open` and `stopped`.
  private let state = Monitor()
  private var open = 0
  private var stopped = false
  /// Held while a changing call is answered.
  private let changing = Monitor()
  private var acceptor: Worker?

  /// Requests larger than this are refused: no plugin call comes near.
  static let maximumBody = 4 << 20

  /// Binds `path` and starts answering. The directories are made as needed;
  /// the socket is root's only (whoever can call it changes the host's
  /// network). A stale socket file is replaced; one that somebody answers
  /// on is not taken over.
  public init(path: String, handler: PluginHandler, logger: Logger,
              limits: ConnectionLimits = ConnectionLimits()) throws {
    self.path = path
    self.handler = handler
    self.logger = logger
    self.limits = limits
    try Self.makeDirectories(of: path)
    if (try? PluginClient(name: "", address: .unix(path), timeout: 2, connectBudget: 0).call("/Plugin.Activate", body: [])) != nil {
      throw CnetError(.conflict, "a plugin already answers on \(path)")
    }
    let mask = umask(0o077)
    defer { umask(mask) }
    do throws(StreamSocket.Failure) {
      listener = try StreamSocket.listen(unixPath: path, backlog: 256)
    } catch {
      throw CnetError(.failed, "cannot listen on \(path): \(error.description)")
    }
    acceptor = try Worker { [self] in acceptConnections() }
  }

  /// Stops listening, removes the socket file (a socket nobody answers on
  /// costs every docker command 15 seconds of retries), and waits for the
  /// changing call in progress to finish (its reply may not go out). Only
  /// the first call does anything.
  public func stop() {
    let first = state.locked { () -> Bool in
      guard !stopped else { return false }
      stopped = true
      state.signal()
      return true
    }
    guard first else { return }
    listener.shutdownBoth()
    _ = path.withCString { unlink($0) }
    acceptor?.join()
    changing.locked {}
  }

  /// Blocks until `stop` is called.
  public func wait() {
    state.locked { state.wait { stopped } }
  }

  /// mkdir -p of the socket's directory (0755, as dockerd makes it).
  static func makeDirectories(of path: String) throws {
    var prefix = ""
    for part in path.split(separator: "/").dropLast() {
      prefix += "/" + part
      if mkdir(prefix, 0o755) != 0, errno != EEXIST {
        throw CnetError(.failed, "cannot create \(prefix): \(String(cString: strerror(errno)))")
      }
    }
  }

  private func acceptConnections() {
    while let socket = listener.accept() {
      let admitted = state.locked { () -> Int? in
        guard !stopped else { return nil }
        guard open < limits.connections else { return 0 }
        open += 1
        return open
      }
      guard let admitted else { return }
      guard admitted > 0 else {
        logger.warning("dropped a connection: \(limits.connections) are open already, the most this server keeps")
        continue
      }
      do {
        _ = try Worker(detached: true) { [self] in
          serve(socket)
          state.locked { open -= 1 }
        }
      } catch {
        state.locked { open -= 1 }
        logger.warning("dropped a connection: \(error)")
      }
    }
  }

  /// One connection: requests and replies until either side closes.
  private func serve(_ socket: StreamSocket) {
    var connection = HTTPConnection(socket)
    while true {
      let head: HTTPConnection.Head
      do throws(HTTPConnection.Failure) {
        head = try connection.readHead(idle: StreamSocket.now() + limits.idle, whole: limits.head)
      } catch {
        switch error {
        case .closed: break
        case .timedOut:
          logger.warning(connection.hasPartialInput
            ? "dropped a connection that did not complete its request head within \(Self.format(limits.head)) s"
            : "dropped a connection that sent nothing for \(Self.format(limits.idle)) s")
        case .malformed(let why):
          reply(&connection, PluginReply(status: 400, body: Self.error("malformed HTTP request: \(why)")), keepAlive: false)
        case .tooLarge:
          reply(&connection, PluginReply(status: 431, body: Self.error("request head too large")), keepAlive: false)
        case .socket(let failure):
          logger.debug("connection error: \(failure.description)")
        }
        return
      }
      let body: [UInt8]
      do throws(HTTPConnection.Failure) {
        body = try connection.readBody(head, limit: Self.maximumBody, until: StreamSocket.now() + limits.idle, toEnd: false)
      } catch {
        if case .tooLarge = error {
          reply(&connection, PluginReply(status: 413, body: Self.error("request too large")), keepAlive: false)
        } else {
          logger.debug("dropped a connection in the middle of a request body")
        }
        return
      }
      let keepAlive = head.keepsAlive
      guard head.startLine[0] == "POST", head.startLine.count >= 2 else {
        reply(&connection, PluginReply(status: 405, body: Self.error("plugin calls are POST")), keepAlive: keepAlive)
        if keepAlive { continue } else { return }
      }
      let path = head.startLine[1]
      let answer = handler.changes(path) ? changing.locked { handler.handle(path: path, body: body) }
        : handler.handle(path: path, body: body)
      logger.debug("call", metadata: ["path": "\(path)", "status": "\(answer.status)"])
      guard reply(&connection, answer, keepAlive: keepAlive), keepAlive else { return }
    }
  }

  @discardableResult
  private func reply(_ connection: inout HTTPConnection, _ reply: PluginReply, keepAlive: Bool) -> Bool {
    var headers = [("Content-Type", "application/vnd.docker.plugins.v1+json")]
    if !keepAlive { headers.append(("Connection", "close")) }
    do throws(HTTPConnection.Failure) {
      try connection.write(startLine: "HTTP/1.1 \(reply.status) \(Self.reason(reply.status))", headers: headers, body: reply.body,
                           until: StreamSocket.now() + limits.idle)
      return true
    } catch {
      logger.debug("a reply could not be sent: \(PluginClient.describe(error))")
      return false
    }
  }

  static func error(_ message: String) -> [UInt8] {
    Array("{\"Err\":\(JSON.string(message).compact)}".utf8)
  }

  static func reason(_ status: Int) -> String {
    switch status {
    case 200: "OK"
    case 400: "Bad Request"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 413: "Payload Too Large"
    case 431: "Request Header Fields Too Large"
    default: "Status"
    }
  }

  static func format(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
  }
}
