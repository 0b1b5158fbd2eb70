import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The first handler of every connection to the plugin socket, on the raw
/// bytes: it closes a connection that sends nothing for `idleTimeout`
/// (before its first request, or after a reply), one whose request head is
/// not complete within `headTimeout` of its first byte, and any beyond
/// `limit` open at once, each with a log line. Nothing else would close
/// them: the socket is root's, but a careless root process holding
/// hundreds of half-sent requests would hold as many descriptors forever.
/// A request being answered is never timed: a changing call may wait for
/// another command's lock.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer
  typealias OutboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  struct Limits: Sendable {
    var idleTimeout = TimeAmount.seconds(30)
    var headTimeout = TimeAmount.seconds(10)
    var limit = 256
  }

  /// Connections open now, shared by every connection of one server.
  final class Count: Sendable {
    let value = NIOLockedValueBox(0)
  }

  private enum State {
    /// Waiting for a request: the idle timer runs.
    case idle
    /// A request head has begun: the head timer runs.
    case head
    /// The head is complete; the request is read and answered untimed.
    case request
  }

  private let limits: Limits
  private let count: Count
  private let logger: Logger
  private var state = State.idle
  private var timer: Scheduled<Void>?
  private var counted = false
  /// The last bytes of the head so far, to find its end across reads.
  private var tail: [UInt8] = []

  init(limits: Limits, count: Count, logger: Logger) {
    self.limits = limits
    self.count = count
    self.logger = logger
  }

  func channelActive(context: ChannelHandlerContext) {
    let open = count.value.withLockedValue { open -> Int in
      open += 1
      return open
    }
    counted = true
    guard open <= limits.limit else {
      logger.warning("dropped a connection: \(open - 1) are open already, the most this server keeps")
      context.close(promise: nil)
      return
    }
    arm(context, limits.idleTimeout, "sent nothing for")
    context.fireChannelActive()
  }

  func channelInactive(context: ChannelHandlerContext) {
    timer?.cancel()
    if counted {
      counted = false
      count.value.withLockedValue { $0 -= 1 }
    }
    context.fireChannelInactive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let buffer = unwrapInboundIn(data)
    if state == .idle {
      state = .head
      tail = []
      arm(context, limits.headTimeout, "did not complete its request head within")
    }
    if state == .head, endsHead(buffer) {
      state = .request
      timer?.cancel()
      timer = nil
    }
    context.fireChannelRead(data)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    // A reply going out: the connection waits for its next request.
    if state == .request {
      state = .idle
      arm(context, limits.idleTimeout, "sent nothing for")
    }
    context.write(data, promise: promise)
  }

  /// Whether the head ends (CR LF CR LF) in these bytes, with those before.
  private func endsHead(_ buffer: ByteBuffer) -> Bool {
    let bytes = tail + (buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? [])
    let terminator: [UInt8] = [13, 10, 13, 10]
    if bytes.count >= 4 {
      for start in 0...(bytes.count - 4) where bytes[start] == 13 && Array(bytes[start..<(start + 4)]) == terminator {
        return true
      }
    }
    tail = Array(bytes.suffix(3))
    return false
  }

  private func arm(_ context: ChannelHandlerContext, _ delay: TimeAmount, _ what: String) {
    timer?.cancel()
    let channel = context.channel
    let logger = self.logger
    let seconds = delay.nanoseconds % 1_000_000_000 == 0
      ? String(delay.nanoseconds / 1_000_000_000) : String(Double(delay.nanoseconds) / 1e9)
    timer = context.eventLoop.scheduleTask(in: delay) {
      logger.warning("dropped a connection that \(what) \(seconds) s")
      channel.close(promise: nil)
    }
  }
}
