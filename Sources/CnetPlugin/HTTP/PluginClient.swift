import CnetCore
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Where a plugin listens: a Unix socket, or (from a .spec or .json file)
/// a TCP address.
public enum PluginAddress: Sendable, Equatable, CustomStringConvertible {
  case unix(String)
  case tcp(host: String, port: Int)

  public var description: String {
    switch self {
    case .unix(let path): "unix://\(path)"
    case .tcp(let host, let port): "tcp://\(host):\(port)"
    }
  }
}

/// Calls a plugin as dockerd does: POST, the Accept header dockerd sends
/// (v1.2, not the v1 the docs name), a compact JSON body with a trailing
/// newline, or none at all. One connection per call.
///
/// Only failing to connect is retried (the plugin may be starting); once
/// any reply has come, it is final. Unlike dockerd, which waits 15 seconds
/// for a missing plugin and forever for a slow one, this gives up after
/// `connectBudget` and `timeout`: a script wants a clear error soon.
public final class PluginClient: Sendable {
  public let name: String
  public let address: PluginAddress
  let timeout: TimeAmount
  let connectBudget: Double

  public init(name: String, address: PluginAddress, timeout: TimeAmount = .seconds(30), connectBudget: Double = 3) {
    self.name = name
    self.address = address
    self.timeout = timeout
    self.connectBudget = connectBudget
  }

  public func call(_ path: String, body: [UInt8]) throws -> PluginReply {
    let channel = try connect()
    defer { channel.close(promise: nil) }
    let promise = channel.eventLoop.makePromise(of: PluginReply.self)
    do {
      try channel.eventLoop.submit {
        try channel.pipeline.syncOperations.addHandler(ReplyCollector(promise: promise))
      }.wait()
    } catch {
      // The plugin hung up before the collector was in place (the pipeline
      // is gone). Nothing will fulfil the promise now; one dropped
      // unfulfilled is a leak that SwiftNIO's debug builds trap on.
      promise.fail(error)
      throw CnetError(.failed, "plugin \"\(name)\" (\(address)): the connection closed before \(path) was sent")
    }

    var headers = HTTPHeaders()
    headers.add(name: "Host", value: "")
    headers.add(name: "User-Agent", value: "cnet")
    headers.add(name: "Accept", value: "application/vnd.docker.plugins.v1.2+json")
    headers.add(name: "Content-Length", value: String(body.count))
    let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)
    channel.write(HTTPClientRequestPart.head(head), promise: nil)
    var buffer = channel.allocator.buffer(capacity: body.count)
    buffer.writeBytes(body)
    channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
    channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)

    // A call that takes too long: the connection is closed, and the
    // collector fails the reply.
    let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    defer { timer.cancel() }
    do {
      return try promise.futureResult.wait()
    } catch is ReplyCollector.Closed {
      throw CnetError(.failed, "plugin \"\(name)\" (\(address)): no reply to \(path)")
    } catch {
      // The connection failed under the call (a plugin that resets it):
      // one line that names the plugin, not SwiftNIO's own error.
      throw CnetError(.failed, "plugin \"\(name)\" (\(address)): no reply to \(path): \(Self.describe(error))")
    }
  }

  /// Connects, retrying while the plugin is not there yet (refused, no such
  /// file) with doubling waits, until `connectBudget` seconds have gone.
  private func connect() throws -> Channel {
    let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connectTimeout(.seconds(2))
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHTTPClientHandlers()
        }
      }
    var wait = 0.05
    var waited = 0.0
    while true {
      do {
        switch address {
        case .unix(let path): return try bootstrap.connect(unixDomainSocketPath: path).wait()
        case .tcp(let host, let port): return try bootstrap.connect(host: host, port: port).wait()
        }
      } catch {
        guard waited + wait <= connectBudget else {
          throw CnetError(.failed, "plugin \"\(name)\": cannot connect to \(address): \(Self.describe(error))")
        }
        usleep(UInt32(wait * 1_000_000))
        waited += wait
        wait *= 2
      }
    }
  }

  static func describe(_ error: Error) -> String {
    if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
    return "\(error)"
  }
}

/// Gathers one reply.
private final class ReplyCollector: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPClientResponsePart
  struct Closed: Error {}

  private let promise: EventLoopPromise<PluginReply>
  private var status = 0
  private var body: [UInt8] = []
  private var done = false

  init(promise: EventLoopPromise<PluginReply>) { self.promise = promise }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head): status = Int(head.status.code)
    case .body(var buffer): if let bytes = buffer.readBytes(length: buffer.readableBytes) { body += bytes }
    case .end:
      guard !done else { return }
      done = true
      promise.succeed(PluginReply(status: status, body: body))
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    if !done {
      done = true
      promise.fail(Closed())
    }
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: Error) {
    if !done {
      done = true
      promise.fail(error)
    }
    context.close(promise: nil)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    if !done {
      done = true
      promise.fail(Closed())
    }
  }
}
