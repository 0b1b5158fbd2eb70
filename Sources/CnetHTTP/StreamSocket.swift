import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Where a peer listens: a Unix socket, or a TCP address.
public enum SocketAddress: Sendable, Equatable, CustomStringConvertible {
  case unix(String)
  case tcp(host: String, port: Int)

  public var description: String {
    switch self {
    case .unix(let path): "unix://\(path)"
    case .tcp(let host, let port): "tcp://\(host):\(port)"
    }
  }
}

/// A blocking stream socket (Unix or TCP), close-on-exec, whose connects,
/// reads and writes wait with poll until a deadline: one request and one
/// reply per call (the plugin protocol), or a reply read as it streams
/// (etcd's watch), need no event loop.
public final class StreamSocket: @unchecked Sendable {
  public let fd: Int32

  init(fd: Int32) { self.fd = fd }

  deinit { close(fd) }

  /// Why an operation failed: the errno, or the deadline passed.
  public struct Failure: Error {
    public var code: Int32
    public var timedOut = false

    public var description: String { timedOut ? "timed out" : String(cString: strerror(code)) }
  }

  /// Seconds on the monotonic clock, for deadlines.
  public static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }

  // MARK: - Connecting and listening

  /// Connects; with a deadline, a TCP peer that does not answer (a host
  /// that is down) is given up at the deadline, not after the kernel's
  /// minutes of retries.
  public static func connect(_ address: SocketAddress, until deadline: Double? = nil) throws(Failure) -> StreamSocket {
    switch address {
    case .unix(let path):
      let socket = try make(AF_UNIX)
      try withUnixAddress(path) { address, length throws(Failure) in
        guard Glibc.connect(socket.fd, address, length) == 0 else { throw Failure(code: errno) }
      }
      return socket
    case .tcp(let host, let port):
      var hints = addrinfo()
      hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
      var found: UnsafeMutablePointer<addrinfo>?
      let rc = getaddrinfo(host, String(port), &hints, &found)
      guard rc == 0, let first = found else { throw Failure(code: rc == EAI_SYSTEM ? errno : ENOENT) }
      defer { freeaddrinfo(found) }
      var last = Failure(code: ECONNREFUSED)
      var entry: UnsafeMutablePointer<addrinfo>? = first
      while let info = entry {
        entry = info.pointee.ai_next
        guard let socket = try? make(info.pointee.ai_family) else { continue }
        do throws(Failure) {
          try socket.connect(info.pointee.ai_addr, info.pointee.ai_addrlen, until: deadline)
          return socket
        } catch {
          last = error
        }
      }
      throw last
    }
  }

  /// connect(2), given up at `deadline`: non-blocking while it waits, then
  /// blocking again (reads and writes wait with poll anyway).
  private func connect(_ address: UnsafePointer<sockaddr>, _ length: socklen_t, until deadline: Double?) throws(Failure) {
    guard let deadline else {
      guard Glibc.connect(fd, address, length) == 0 else { throw Failure(code: errno) }
      return
    }
    let flags = fcntl(fd, F_GETFL)
    _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    defer { _ = fcntl(fd, F_SETFL, flags) }
    if Glibc.connect(fd, address, length) == 0 { return }
    guard errno == EINPROGRESS else { throw Failure(code: errno) }
    try wait(for: Int16(POLLOUT), until: deadline)
    var code: Int32 = 0
    var size = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &size) == 0 else { throw Failure(code: errno) }
    guard code == 0 else { throw Failure(code: code) }
  }

  /// A listening Unix socket at `path` (a stale socket file there is
  /// replaced), with the mode the process's umask gives.
  public static func listen(unixPath path: String, backlog: Int32) throws(Failure) -> StreamSocket {
    let socket = try make(AF_UNIX)
    unlink(path)
    try withUnixAddress(path) { address, length throws(Failure) in
      guard bind(socket.fd, address, length) == 0 else { throw Failure(code: errno) }
    }
    guard Glibc.listen(socket.fd, backlog) == 0 else { throw Failure(code: errno) }
    return socket
  }

  /// The next connection; nil when the listening socket was shut down.
  public func accept() -> StreamSocket? {
    while true {
      let client = cnet_accept(fd)
      if client >= 0 { return StreamSocket(fd: client) }
      switch -client {
      case EINTR, ECONNABORTED:
        continue
      case EMFILE, ENFILE, ENOBUFS, ENOMEM:
        // Out of descriptors for a moment: the open connections free some.
        usleep(10_000)
      default:
        return nil
      }
    }
  }

  /// Stops accepting and wakes a thread blocked in `accept`.
  public func shutdownBoth() {
    Glibc.shutdown(fd, Int32(SHUT_RDWR))
  }

  private static func make(_ family: Int32) throws(Failure) -> StreamSocket {
    let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw Failure(code: errno) }
    return StreamSocket(fd: fd)
  }

  private static func withUnixAddress(
    _ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) throws(Failure) -> Void
  ) throws(Failure) {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard path.utf8.count < capacity else { throw Failure(code: ENAMETOOLONG) }
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      for (i, byte) in path.utf8.enumerated() { buffer[i] = byte }
    }
    var failure: Failure?
    withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        do throws(Failure) {
          try body(pointer, socklen_t(MemoryLayout<sockaddr_un>.size))
        } catch {
          failure = error
        }
      }
    }
    if let failure { throw failure }
  }

  // MARK: - Reading and writing

  /// Waits until the socket is readable (or writable), or the deadline.
  private func wait(for events: Int16, until deadline: Double?) throws(Failure) {
    while true {
      var timeout: Int32 = -1
      if let deadline {
        let left = deadline - Self.now()
        guard left > 0 else { throw Failure(code: ETIMEDOUT, timedOut: true) }
        timeout = Int32(min(left * 1000 + 1, Double(Int32.max)))
      }
      var poller = pollfd(fd: fd, events: events, revents: 0)
      let ready = poll(&poller, 1, timeout)
      if ready > 0 { return }
      if ready < 0, errno != EINTR { throw Failure(code: errno) }
    }
  }

  /// Appends what the peer sent (at least one byte) to `buffer`; 0 at the
  /// end of its stream.
  public func read(into buffer: inout [UInt8], until deadline: Double?) throws(Failure) -> Int {
    try wait(for: Int16(POLLIN), until: deadline)
    var chunk = [UInt8](repeating: 0, count: 16384)
    while true {
      let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n >= 0 {
        buffer += chunk[..<n]
        return n
      }
      if errno != EINTR { throw Failure(code: errno) }
    }
  }

  public func write(_ bytes: [UInt8], until deadline: Double?) throws(Failure) {
    var offset = 0
    while offset < bytes.count {
      try wait(for: Int16(POLLOUT), until: deadline)
      let n = bytes.withUnsafeBytes { all -> Int in
        guard let base = all.baseAddress else { return 0 }
        return send(fd, base + offset, all.count - offset, Int32(MSG_NOSIGNAL))
      }
      if n < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        throw Failure(code: errno)
      }
      offset += n
    }
  }
}
