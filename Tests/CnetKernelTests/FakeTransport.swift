import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// Stands in for the kernel: records every request and answers each with
/// the datagrams `respond` builds from it.
final class FakeTransport: NetlinkTransport {
  let portID: UInt32 = 0x4242
  private(set) var requests: [[UInt8]] = []
  private var pending: [[UInt8]] = []
  var respond: ([UInt8]) -> [[UInt8]]

  init(respond: @escaping ([UInt8]) -> [[UInt8]] = { request in [Reply.ack(to: request)] }) {
    self.respond = respond
  }

  func send(_ request: UnsafeRawBufferPointer) -> Int32 {
    let bytes = Array(request)
    requests.append(bytes)
    pending += respond(bytes)
    return 0
  }

  func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int {
    guard !pending.isEmpty else { return -Int(EAGAIN) }
    let datagram = pending.removeFirst()
    guard datagram.count <= buffer.count else { return -Int(ENOSPC) }
    buffer.copyBytes(from: datagram)
    return datagram.count
  }
}

/// Builds kernel replies byte by byte (little-endian, as on x86-64 and
/// arm64), so tests read like the wire format.
enum Reply {
  static func u16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
  static func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * UInt32($0)) & 0xff) } }
  static func i32(_ v: Int32) -> [UInt8] { u32(UInt32(bitPattern: v)) }

  static func sequence(of request: [UInt8]) -> UInt32 {
    request[8..<12].reversed().reduce(0) { $0 << 8 | UInt32($1) }
  }

  /// One netlink message: header, then `payload`, padded to 4 bytes.
  static func message(type: UInt16, flags: UInt16 = 0, seq: UInt32, port: UInt32 = 0x4242, payload: [UInt8]) -> [UInt8] {
    let length = 16 + payload.count
    var out = u32(UInt32(length)) + u16(type) + u16(flags) + u32(seq) + u32(port) + payload
    while out.count % 4 != 0 { out.append(0) }
    return out
  }

  /// An attribute: length, type, value, padding.
  static func attr(_ type: UInt16, _ value: [UInt8]) -> [UInt8] {
    var out = u16(UInt16(4 + value.count)) + u16(type) + value
    while out.count % 4 != 0 { out.append(0) }
    return out
  }

  static func string(_ type: UInt16, _ s: String) -> [UInt8] { attr(type, Array(s.utf8) + [0]) }

  /// NLMSG_ERROR with error 0 (the ack) or -errno, capped (NETLINK_CAP_ACK),
  /// with the extended-ack message as NLMSGERR_ATTR_MSG when given.
  static func ack(to request: [UInt8], error: Int32 = 0, extack: String? = nil) -> [UInt8] {
    let seq = sequence(of: request)
    // nlmsgerr: the error, then the request's header (16 bytes).
    var payload = i32(error) + Array(request[0..<16])
    var flags: UInt16 = 0x100  // NLM_F_CAPPED
    if let extack {
      flags |= 0x200  // NLM_F_ACK_TLVS
      payload += string(1, extack)  // NLMSGERR_ATTR_MSG
    }
    return message(type: 2, flags: flags, seq: seq, payload: payload)  // NLMSG_ERROR
  }

  /// NLMSG_DONE ending a dump, with its error code.
  static func done(to request: [UInt8], error: Int32 = 0) -> [UInt8] {
    message(type: 3, flags: 2, seq: sequence(of: request), payload: i32(error))  // NLMSG_DONE, NLM_F_MULTI
  }
}

/// Bytes from hex text; spaces, newlines and comments after "//" are ignored.
func hex(_ text: String) -> [UInt8] {
  var out: [UInt8] = []
  for line in text.split(separator: "\n") {
    let code = line.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    let digits = code.filter { !$0.isWhitespace }
    var index = digits.startIndex
    while index < digits.endIndex {
      let next = digits.index(index, offsetBy: 2)
      out.append(UInt8(digits[index..<next], radix: 16) ?? 0)
      index = next
    }
  }
  return out
}
