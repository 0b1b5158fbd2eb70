import CShim

#if canImport(Glibc)
import Glibc
#endif

/// Where netlink requests go and replies come from. The kernel socket is
/// the real one; tests substitute a fake that records requests and plays
/// back golden replies.
public protocol NetlinkTransport: AnyObject {
  /// The port id replies are addressed to.
  var portID: UInt32 { get }
  /// Sends one request; 0 or -errno.
  func send(_ request: UnsafeRawBufferPointer) -> Int32
  /// Receives one datagram into `buffer`; its length, or -errno.
  func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int
  /// The index of the link named `name` in the transport's namespace, or
  /// -errno (-ENODEV: none). Transports that cannot tell answer
  /// -EOPNOTSUPP, and callers ask with a link dump instead.
  func interfaceIndex(_ name: String) -> Int32
}

extension NetlinkTransport {
  public func interfaceIndex(_ name: String) -> Int32 { -EOPNOTSUPP }
}

/// A NETLINK_ROUTE socket from the shim, pinned to the namespace it was
/// opened in, closed when the last reference goes.
final class KernelTransport: NetlinkTransport {
  private let socket: OpaquePointer
  let portID: UInt32

  /// Opens a socket in the calling thread's namespace.
  init() throws(Errno) {
    var nl: OpaquePointer?
    let rc = cnet_nl_open(&nl)
    guard rc == 0, let nl else { throw Errno(rc) }
    socket = nl
    portID = cnet_nl_portid(nl)
  }

  /// Opens a socket inside the namespace `fd` refers to, from a throwaway
  /// thread (the shim joins it before returning).
  init(namespaceFD fd: Int32) throws(Errno) {
    var nl: OpaquePointer?
    let rc = cnet_nl_open_in_netns(fd, &nl)
    guard rc == 0, let nl else { throw Errno(rc) }
    socket = nl
    portID = cnet_nl_portid(nl)
  }

  /// Takes over a socket the shim opened elsewhere.
  init(adopting nl: OpaquePointer) {
    socket = nl
    portID = cnet_nl_portid(nl)
  }

  deinit { cnet_nl_close(socket) }

  func send(_ request: UnsafeRawBufferPointer) -> Int32 {
    cnet_nl_send(socket, request.baseAddress, request.count)
  }

  func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int {
    cnet_nl_recv(socket, buffer.baseAddress, buffer.count)
  }

  func interfaceIndex(_ name: String) -> Int32 {
    cnet_nl_ifindex(socket, name)
  }
}
