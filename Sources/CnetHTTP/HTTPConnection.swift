import CnetCore

/// HTTP/1.1 on a StreamSocket, as the plugin protocol and etcd's JSON
/// gateway use it: a head (a start line and headers, up to the empty line),
/// then a body sized by Content-Length, sent in chunks (read whole, or
/// chunk by chunk as it streams), or (a reply only) running to the end of
/// the connection. What dockerd sends, what plugins built on Go's net/http
/// or Python's http.server answer, and what etcd's gateway streams.
public struct HTTPConnection {
  public let socket: StreamSocket
  /// Bytes read and not yet consumed.
  private var buffer: [UInt8] = []

  public init(_ socket: StreamSocket) { self.socket = socket }

  /// Whether bytes of a message came that are not read yet (a head begun
  /// and not finished, when reading it timed out).
  public var hasPartialInput: Bool { !buffer.isEmpty }

  /// A message's head.
  public struct Head {
    /// "POST", "/Plugin.Activate", "HTTP/1.1"; or "HTTP/1.1", "200", "OK".
    public var startLine: [String]
    public var headers: [(name: String, value: String)]

    public func header(_ name: String) -> String? {
      headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The status of a reply (nil for a request or a bad start line).
    public var status: Int? {
      startLine.count >= 2 && startLine[0].hasPrefix("HTTP/") ? Int(startLine[1]) : nil
    }

    /// Whether the connection stays open after this message: HTTP/1.1
    /// unless it says close, HTTP/1.0 only if it says keep-alive.
    public var keepsAlive: Bool {
      let version = startLine.first { $0.hasPrefix("HTTP/") } ?? "HTTP/1.1"
      let connection = header("Connection")?.lowercased()
      return version == "HTTP/1.0" ? connection == "keep-alive" : connection != "close"
    }
  }

  public enum Failure: Error {
    /// The peer closed before a byte of the message came.
    case closed
    /// A deadline passed.
    case timedOut
    /// Not HTTP the way the protocol speaks it.
    case malformed(String)
    case tooLarge
    case socket(StreamSocket.Failure)
  }

  public static let maximumHead = 64 << 10

  /// Reads a head. `idle`: the deadline for its first byte; `whole`, once
  /// that came, the time the rest may take.
  public mutating func readHead(idle: Double?, whole: Double?) throws(Failure) -> Head {
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
  public mutating func readBody(_ head: Head, limit: Int, until deadline: Double?, toEnd: Bool) throws(Failure) -> [UInt8] {
    if Self.isChunked(head) {
      var body: [UInt8] = []
      while let chunk = try readChunk(limit: limit - body.count, until: deadline) {
        body += chunk
      }
      return body
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

  /// Whether the body after `head` comes in chunks.
  public static func isChunked(_ head: Head) -> Bool {
    head.header("Transfer-Encoding")?.lowercased().contains("chunked") == true
  }

  /// The next chunk of a chunked body (at most `limit` bytes), nil after
  /// the last: for a reply that streams (etcd's watch), read as it comes.
  public mutating func readChunk(limit: Int, until deadline: Double?) throws(Failure) -> [UInt8]? {
    let line = try readLine(until: deadline)
    guard let size = Int(line.split(separator: ";").first.map { String($0).trimmingSpaces } ?? "", radix: 16),
      size >= 0
    else { throw .malformed("bad chunk size \"\(line.prefix(20))\"") }
    if size == 0 {
      // Trailers, then the empty line.
      while try !readLine(until: deadline).isEmpty {}
      return nil
    }
    guard size <= limit else { throw .tooLarge }
    let chunk = try readExactly(size, until: deadline)
    guard try readLine(until: deadline).isEmpty else { throw .malformed("a chunk longer than it said") }
    return chunk
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
  public func write(startLine: String, headers: [(String, String)], body: [UInt8], until deadline: Double?) throws(Failure) {
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
  public static func endOfHead(_ bytes: [UInt8]) -> Int? { find([13, 10, 13, 10], in: bytes) }

  public static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
    guard bytes.count >= needle.count else { return nil }
    for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
      if bytes[start..<(start + needle.count)].elementsEqual(needle) { return start }
    }
    return nil
  }
}

extension String {
  /// Without leading and trailing spaces and tabs.
  public var trimmingSpaces: String {
    String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
  }
}
