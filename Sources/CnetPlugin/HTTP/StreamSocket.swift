import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// A blocking stream socket (Unix or TCP), close-on-exec, whose reads and
/// writes wait with poll until a deadline: the plugin protocol's one
/// request and one reply per call need no event loop.
final class StreamSocket: @unchecked Sendable {
  let fd: Int32

  init(fd: Int32) { self.fd = fd }

  deinit { close(fd) }

  /// Why an operation failed: the errno, or the deadline passed.
  struct Failure: Error {
    var code: Int32
    var timedOut = false

    var description: String { timedOut ? "timed out" : String(cString: strerror(code)) }
  }

  /// Seconds on the monotonic clock, for deadlines.
  static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }

  // MARK: - Connecting and listening

  static func connect(_ address: PluginAddress) throws(Failure) -> StreamSocket {
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
        if Glibc.connect(socket.fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return socket }
        last = Failure(code: errno)
      }
      throw last
    }
  }

  /// A listening Unix socket at `path` (a stale socket file there is
  /// replaced), with the mode the process's umask gives.
  static func listen(unixPath path: String, backlog: Int32) throws(Failure) -> StreamSocket {
    let socket = try make(AF_UNIX)
    unlink(path)
    try withUnixAddress(path) { address, length throws(Failure) in
      guard bind(socket.fd, address, length) == 0 else { throw Failure(code: errno) }
    }
    guard Glibc.listen(socket.fd, backlog) == 0 else { throw Failure(code: errno) }
    return socket
  }

  /// The next connection; nil when the listening socket was shut down.
  func accept() -> StreamSocket? {
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
  func shutdownBoth() {
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
  func read(into buffer: inout [UInt8], until deadline: Double?) throws(Failure) -> Int {
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

  func write(_ bytes: [UInt8], until deadline: Double?) throws(Failure) {
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
