import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// An rtnetlink session in one network namespace: numbered requests, acks
/// checked, dumps read to the end and repeated when the kernel says they
/// were interrupted. Open one per namespace and keep it; nothing here ever
/// switches namespace (DESIGN §4).
///
/// The operations live in extensions named after what they mirror in
/// iproute2 (Links.swift: `ip link`, Addresses.swift: `ip addr`, ...).
public final class RouteSocket {
  let transport: NetlinkTransport
  /// Names the namespace in error messages ("in netns \"web\""); nil for
  /// the namespace cnet runs in.
  public internal(set) var namespaceName: String?
  private var sequence: UInt32
  private let requestBuffer: UnsafeMutableRawBufferPointer
  private let receiveBuffer: UnsafeMutableRawBufferPointer

  /// How often an interrupted dump is repeated before giving up.
  static let dumpAttempts = 10

  public init(transport: NetlinkTransport, namespaceName: String? = nil, firstSequence: UInt32 = 1) {
    self.transport = transport
    self.namespaceName = namespaceName
    self.sequence = firstSequence
    requestBuffer = .allocate(byteCount: Int(CNET_NL_REQUEST_SIZE), alignment: 8)
    receiveBuffer = .allocate(byteCount: Int(CNET_NL_RECEIVE_SIZE), alignment: 8)
  }

  deinit {
    requestBuffer.deallocate()
    receiveBuffer.deallocate()
  }

  /// A socket in the namespace cnet itself runs in.
  public static func current() throws -> RouteSocket {
    do {
      return RouteSocket(transport: try KernelTransport())
    } catch {
      throw KernelError("open netlink socket", "", code: error.code)
    }
  }

  /// A socket inside `namespace`, opened from a throwaway thread.
  public static func inside(_ namespace: NetworkNamespace) throws -> RouteSocket {
    do {
      let transport = try withExtendedLifetime(namespace) {
        try KernelTransport(namespaceFD: namespace.fd)
      }
      return RouteSocket(transport: transport, namespaceName: namespace.name)
    } catch let error as Errno {
      throw KernelError("open netlink socket in netns", namespace.quotedName, code: error.code)
    }
  }

  /// " in netns \"NAME\"" for messages about objects in this namespace.
  var whereText: String {
    namespaceName.map { " in netns \"\($0)\"" } ?? ""
  }

  /// The result of one exchange: the kernel's errno (0 on success) and its
  /// extended-ack text.
  struct Outcome {
    var code: Int32
    var message: String?
  }

  /// Builds a request with `build` (a cnet_msg_* call given the buffer, its
  /// size and the sequence number), sends it and reads the reply until its
  /// ack or end, handing every data message to `onMessage`.
  ///
  /// `requestSize`: a request larger than the usual buffer (an nftables
  /// batch of many elements) gets a buffer of its own.
  func exchange(
    requestSize: Int = 0,
    _ build: (UnsafeMutableRawPointer, Int, UInt32) -> Int32,
    onMessage: ((UnsafeRawPointer) -> Void)? = nil
  ) -> (Outcome, interrupted: Bool) {
    let seq = sequence
    sequence &+= 1
    if sequence == 0 { sequence = 1 }  // 0 would match any reply
    let large = requestSize > requestBuffer.count ? UnsafeMutableRawBufferPointer.allocate(byteCount: requestSize, alignment: 8) : nil
    defer { large?.deallocate() }
    let buffer = large ?? requestBuffer
    guard let base = buffer.baseAddress else { return (Outcome(code: ENOMEM), false) }
    let length = build(base, buffer.count, seq)
    guard length > 0 else { return (Outcome(code: length < 0 ? -length : EINVAL), false) }
    let sent = transport.send(UnsafeRawBufferPointer(start: base, count: Int(length)))
    guard sent == 0 else { return (Outcome(code: -sent), false) }

    let sink = MessageSink(onMessage)
    var status = cnet_nl_status()
    let portID = transport.portID
    while true {
      let received = transport.receive(into: receiveBuffer)
      guard received >= 0 else { return (Outcome(code: Int32(-received)), false) }
      let rc = withExtendedLifetime(sink) {
        cnet_nl_process(
          receiveBuffer.baseAddress, received, seq, portID,
          onMessage == nil ? nil : messageTrampoline,
          Unmanaged.passUnretained(sink).toOpaque(), &status)
      }
      if rc == 1 { continue }
      let text = withUnsafeBytes(of: status.message) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      return (Outcome(code: rc < 0 ? -rc : 0, message: text.isEmpty ? nil : text), status.dump_interrupted != 0)
    }
  }

  /// A request that changes something: succeeds on the kernel's ack.
  func change(
    _ operation: String, _ object: String,
    _ build: (UnsafeMutableRawPointer, Int, UInt32) -> Int32
  ) throws {
    let (outcome, _) = exchange(build)
    if outcome.code != 0 {
      throw KernelError(operation, object, code: outcome.code, kernelMessage: outcome.message)
    }
  }

  /// A dump: every object the kernel lists, parsed by `parse` (which may
  /// skip a message by returning nil). Repeated when interrupted.
  func dump<T>(
    _ operation: String, _ object: String,
    _ build: (UnsafeMutableRawPointer, Int, UInt32) -> Int32,
    parse: @escaping (UnsafeRawPointer) -> T?
  ) throws -> [T] {
    for _ in 0..<Self.dumpAttempts {
      let collector = Collector<T>()
      let (outcome, interrupted) = exchange(build) { message in
        if let item = parse(message) { collector.items.append(item) }
      }
      if outcome.code != 0 {
        throw KernelError(operation, object, code: outcome.code, kernelMessage: outcome.message)
      }
      if !interrupted { return collector.items }
    }
    throw KernelError(operation, object, code: EINTR, kernelMessage: "dump kept being interrupted by concurrent changes")
  }
}

private final class Collector<T> {
  var items: [T] = []
}

private final class MessageSink {
  let handle: ((UnsafeRawPointer) -> Void)?
  init(_ handle: ((UnsafeRawPointer) -> Void)?) { self.handle = handle }
}

private let messageTrampoline: cnet_nl_message_cb = { message, context in
  guard let message, let context else { return }
  Unmanaged<MessageSink>.fromOpaque(context).takeUnretainedValue().handle?(message)
}
