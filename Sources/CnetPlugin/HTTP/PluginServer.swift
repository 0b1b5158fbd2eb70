import CnetCore
import Dispatch
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// What a plugin answers: an HTTP status and a JSON body.
public struct PluginReply: Sendable, Equatable {
  public var status: Int
  public var body: [UInt8]

  public init(status: Int, body: [UInt8]) {
    self.status = status
    self.body = body
  }
}

/// Answers plugin calls. A handler may block (it talks to the kernel and
/// the store), so calls never run on the event loop: those that change
/// something run on one queue, one at a time (the engine's lock serialises
/// them anyway, and a queue is cheaper than waiting on a lock), the others
/// side by side.
public protocol PluginHandler: Sendable {
  func handle(path: String, body: [UInt8]) -> PluginReply
  /// Whether the call may change state (and must take its turn).
  func changes(_ path: String) -> Bool
}

/// HTTP/1.1 on a Unix socket, as dockerd calls plugins: POST only, a JSON
/// body (possibly empty, with a trailing newline), keep-alive or not as the
/// caller likes. Requests are read by SwiftNIO on one event loop and
/// answered on a serial queue.
public final class PluginServer: Sendable {
  let path: String
  let group: MultiThreadedEventLoopGroup
  let channel: Channel
  /// Where changing calls are answered, one at a time.
  let queue = DispatchQueue(label: "cnet.plugin.calls")
  /// Where the others are.
  let readers = DispatchQueue(label: "cnet.plugin.reads", attributes: .concurrent)
  private let stopped = NIOLockedValueBox(false)

  /// Binds `path` and starts answering. The directories are made as needed;
  /// the socket is root's only (whoever can call it changes the host's
  /// network). A stale socket file is replaced; one that somebody answers
  /// on is not taken over.
  public init(path: String, handler: PluginHandler, logger: Logger,
              limits: ConnectionLimits = ConnectionLimits()) throws {
    self.path = path
    try Self.makeDirectories(of: path)
    if (try? PluginClient(name: "", address: .unix(path), timeout: .seconds(2), connectBudget: 0)
      .call("/Plugin.Activate", body: [])) != nil
    {
      throw CnetError(.conflict, "a plugin already answers on \(path)")
    }
    let queue = self.queue
    let readers = self.readers
    let open = ConnectionGuard.Count()
    let guardLimits = ConnectionGuard.Limits(idleTimeout: limits.idle, headTimeout: limits.head, limit: limits.connections)
    group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let bootstrap = ServerBootstrap(group: group)
      .serverChannelOption(ChannelOptions.backlog, value: 256)
      // A client may close its side once its request is out (socat, nc);
      // the reply still goes back.
      .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(ConnectionGuard(limits: guardLimits, count: open, logger: logger))
          try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
          try channel.pipeline.syncOperations.addHandler(
            CallHandler(handler: handler, queue: queue, readers: readers, logger: logger))
        }
      }
    let mask = umask(0o077)
    defer { umask(mask) }
    do {
      channel = try bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
    } catch {
      try? group.syncShutdownGracefully()
      throw error
    }
  }

  /// Stops listening, removes the socket file (a socket nobody answers on
  /// costs every docker command 15 seconds of retries), and waits for the
  /// call in progress to finish its change (its reply may not go out).
  /// Only the first call does anything; a second one (the signal handler's
  /// and the main thread's) waits for it to finish.
  public func stop() {
    stopped.withLockedValue { done in
      guard !done else { return }
      done = true
      try? channel.close().wait()
      _ = path.withCString { unlink($0) }
      try? group.syncShutdownGracefully()
      queue.sync {}
      readers.sync(flags: .barrier) {}
    }
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

  /// Blocks until the listening socket closes.
  public func wait() {
    try? channel.closeFuture.wait()
  }
}

/// How long a connection may stay silent (before a request, or after a
/// reply), how long a request head may take from its first byte, and how
/// many connections may be open at once (ConnectionGuard).
public struct ConnectionLimits: Sendable {
  public var idle: TimeAmount
  public var head: TimeAmount
  public var connections: Int

  public init(idle: TimeAmount = .seconds(30), head: TimeAmount = .seconds(10), connections: Int = 256) {
    self.idle = idle
    self.head = head
    self.connections = connections
  }
}

/// One connection: gathers a request, hands it to the handler's queue,
/// writes the reply back on the event loop.
private final class CallHandler: ChannelInboundHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  let handler: PluginHandler
  let queue: DispatchQueue
  let readers: DispatchQueue
  let logger: Logger
  private var head: HTTPRequestHead?
  private var body: [UInt8] = []
  /// Requests larger than this are refused: no plugin call comes near.
  private static let maximumBody = 4 << 20

  init(handler: PluginHandler, queue: DispatchQueue, readers: DispatchQueue, logger: Logger) {
    self.handler = handler
    self.queue = queue
    self.readers = readers
    self.logger = logger
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let requestHead):
      head = requestHead
      body = []
    case .body(var buffer):
      guard body.count + buffer.readableBytes <= Self.maximumBody else {
        head = nil
        respond(context: context, PluginReply(status: 413, body: Array(#"{"Err":"request too large"}"#.utf8)), keepAlive: false)
        return
      }
      if let bytes = buffer.readBytes(length: buffer.readableBytes) { body += bytes }
    case .end:
      guard let requestHead = head else { return }
      head = nil
      let keepAlive = requestHead.isKeepAlive
      guard requestHead.method == .POST else {
        respond(context: context, PluginReply(status: 405, body: Array(#"{"Err":"plugin calls are POST"}"#.utf8)),
                keepAlive: keepAlive)
        return
      }
      let path = requestHead.uri
      let request = body
      let handler = self.handler
      let logger = self.logger
      let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      let eventLoop = context.eventLoop
      (handler.changes(path) ? queue : readers).async {
        let reply = handler.handle(path: path, body: request)
        logger.debug("call", metadata: ["path": "\(path)", "status": "\(reply.status)"])
        eventLoop.execute {
          let (me, context) = bound.value
          me.respond(context: context, reply, keepAlive: keepAlive)
        }
      }
    }
  }

  private func respond(context: ChannelHandlerContext, _ reply: PluginReply, keepAlive: Bool) {
    var headers = HTTPHeaders()
    headers.add(name: "Content-Type", value: "application/vnd.docker.plugins.v1+json")
    headers.add(name: "Content-Length", value: String(reply.body.count))
    if !keepAlive { headers.add(name: "Connection", value: "close") }
    let status = HTTPResponseStatus(statusCode: reply.status)
    context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
    var buffer = context.channel.allocator.buffer(capacity: reply.body.count)
    buffer.writeBytes(reply.body)
    context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    let done = context.writeAndFlushPromise()
    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
    if !keepAlive {
      let channel = context.channel
      done.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: Error) {
    logger.debug("connection error: \(error)")
    context.close(promise: nil)
  }
}

private extension ChannelHandlerContext {
  func writeAndFlushPromise() -> EventLoopPromise<Void> { eventLoop.makePromise() }
}

#if canImport(Glibc)
import Glibc
#endif
