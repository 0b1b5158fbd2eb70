import CnetCore

/// HTTP/1.1 as the plugin protocol uses it, on a StreamSocket: a head (a
/// start line and headers, up to the empty line), then a body sized by
/// Content-Length, sent in chunks, or (a reply only) running to the end of
/// the connection. What dockerd sends and what plugins built on Go's
/// net/http or Python's http.server answer.
struct HTTPConnection {
  let socket: StreamSocket
  /// Bytes read and not yet consumed.
  private var buffer: [UInt8] = []

  init(_ socket: StreamSocket) { self.socket = socket }

  /// Whether bytes of a message came that are not read yet (a head begun
  /// and not finished, when reading it timed out).
  var hasPartialInput: Bool { !buffer.isEmpty }

  /// A message's head.
  struct Head {
    /// "POST", "/Plugin.Activate", "HTTP/1.1"; or "HTTP/1.1", "200", "OK".
    var startLine: [String]
    var headers: [(name: String, value: String)]

    func header(_ name: String) -> String? {
      headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Whether the connection stays open after this message: HTTP/1.1
    /// unless it says close, HTTP/1.0 only if it says keep-alive.
    var keepsAlive: Bool {
      let version = startLine.first { $0.hasPrefix("HTTP/") } ?? "HTTP/1.1"
      let connection = header("Connection")?.lowercased()
      return version == "HTTP/1.0" ? connection == "keep-alive" : connection != "close"
    }
  }

  enum Failure: Error {
    /// The peer closed before a byte of the message came.
    case closed
    /// A deadline passed.
    case timedOut
    /// Not HTTP the way the protocol speaks it.
    case malformed(String)
    case tooLarge
    case socket(StreamSocket.Failure)
  }

  static let maximumHead = 64 << 10

  /// Reads a head. `idle`: the deadline for its first byte; `whole`, once
  /// that came, the time the rest may take.
  mutating func readHead(idle: Double?, whole: Double?) throws(Failure) -> Head {
    var deadline = buffer.isEmpty ? idle : whole.map { StreamSocket.now() + $0 }
    var end: Int?
    while true {
      end = Self.endOfHead(buffer)
      if end != nil { break }
      guard buffer.count <= Self.maximumHead else { throw .tooLarge }
      let n: Int
      do {
        n = try socket.read(into: &buffer, until: deadline)
      } catch {
        throw error.timedOut ? .timedOut : .socket(error)
      }
      if n == 0 {
        if buffer.isEmpty { throw .closed }
        throw .malformed("the connection closed in the middle of a head")
      }
      if deadline == idle, let whole { deadline = StreamSocket.now() + whole }
    }
    guard let end else { throw .malformed("no head") }
    let text = String(decoding: buffer[..<end], as: UTF8.self)
    buffer.removeSubrange(..<(end + 4))
    var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
    let start = lines.removeFirst().split(separator: " ", maxSplits: 2).map(String.init)
    guard start.count >= 2 else { throw .malformed("\"\(text.prefix(80))\" is not an HTTP start line") }
    var headers: [(name: String, value: String)] = []
    for line in lines where !line.isEmpty {
      guard let colon = line.firstIndex(of: ":") else { throw .malformed("\"\(line.prefix(80))\" is not a header") }
      headers.append((String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })))
    }
    return Head(startLine: start, headers: headers)
  }

  /// Reads the body that follows `head`, at most `limit` bytes, by
  /// `deadline`. `toEnd`: without a length or chunks, the body runs to the
  /// end of the connection (a reply's; a request has none then).
  mutating func readBody(_ head: Head, limit: Int, until deadline: Double?, toEnd: Bool) throws(Failure) -> [UInt8] {
    if head.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
      var body: [UInt8] = []
      while true {
        let line = try readLine(until: deadline)
        guard let size = Int(line.split(separator: ";").first.map { String($0).trimmingSpaces } ?? "", radix: 16),
          size >= 0
        else { throw .malformed("bad chunk size \"\(line.prefix(20))\"") }
        if size == 0 {
          // Trailers, then the empty line.
          while try !readLine(until: deadline).isEmpty {}
          return body
        }
        guard body.count + size <= limit else { throw .tooLarge }
        body += try readExactly(size, until: deadline)
        guard try readLine(until: deadline).isEmpty else { throw .malformed("a chunk longer than it said") }
      }
    }
    if let text = head.header("Content-Length") {
      guard let length = Int(text.trimmingSpaces), length >= 0 else { throw .malformed("bad Content-Length \"\(text)\"") }
      guard length <= limit else { throw .tooLarge }
      return try readExactly(length, until: deadline)
    }
    guard toEnd else { return [] }
    while true {
      guard buffer.count <= limit else { throw .tooLarge }
      let n: Int
      do {
        n = try socket.read(into: &buffer, until: deadline)
      } catch {
        throw error.timedOut ? .timedOut : .socket(error)
      }
      if n == 0 { break }
    }
    defer { buffer = [] }
    return buffer
  }

  private mutating func readExactly(_ count: Int, until deadline: Double?) throws(Failure) -> [UInt8] {
    while buffer.count < count {
      let n: Int
      do {
        n = try socket.read(into: &buffer, until: deadline)
      } catch {
        throw error.timedOut ? .timedOut : .socket(error)
      }
      if n == 0 { throw .malformed("the connection closed in the middle of a body") }
    }
    let bytes = Array(buffer[..<count])
    buffer.removeSubrange(..<count)
    return bytes
  }

  private mutating func readLine(until deadline: Double?) throws(Failure) -> String {
    while true {
      if let end = Self.find([13, 10], in: buffer) {
        let line = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeSubrange(..<(end + 2))
        return line
      }
      guard buffer.count <= Self.maximumHead else { throw .tooLarge }
      let n: Int
      do {
        n = try socket.read(into: &buffer, until: deadline)
      } catch {
        throw error.timedOut ? .timedOut : .socket(error)
      }
      if n == 0 { throw .malformed("the connection closed in the middle of a chunk") }
    }
  }

  /// Writes a whole message: start line, headers, Content-Length, body.
  func write(startLine: String, headers: [(String, String)], body: [UInt8], until deadline: Double?) throws(Failure) {
    var text = startLine + "\r\n"
    for (name, value) in headers { text += "\(name): \(value)\r\n" }
    text += "Content-Length: \(body.count)\r\n\r\n"
    do {
      try socket.write(Array(text.utf8) + body, until: deadline)
    } catch {
      throw error.timedOut ? .timedOut : .socket(error)
    }
  }

  /// Where CR LF CR LF begins, if it is there.
  static func endOfHead(_ bytes: [UInt8]) -> Int? { find([13, 10, 13, 10], in: bytes) }

  static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
    guard bytes.count >= needle.count else { return nil }
    for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
      if bytes[start..<(start + needle.count)].elementsEqual(needle) { return start }
    }
    return nil
  }
}

extension String {
  /// Without leading and trailing spaces and tabs.
  var trimmingSpaces: String {
    String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
  }
}
