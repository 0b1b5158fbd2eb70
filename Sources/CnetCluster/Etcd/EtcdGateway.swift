import CnetCore
import CnetHTTP
import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// EtcdClient over etcd's JSON gateway (`POST /v3/...`, etcd 3.4 and
/// later): one HTTP/1.1 request per call on a connection of its own, a
/// watch as one long request whose reply streams a JSON message per line.
/// Keys and values travel base64-encoded, 64-bit numbers as strings, and
/// fields at their zero value are left out (so a failed transaction has no
/// "succeeded", a put event no "type").
///
/// Several endpoints (the members of a cluster) are tried in turn, the
/// last that answered first; every call has `timeout` seconds in all.
public final class EtcdGateway: EtcdClient, @unchecked Sendable {
  public let endpoints: [SocketAddress]
  public let timeout: Double
  private let monitor = Monitor()
  /// The endpoint that answered last, tried first.
  private var preferred = 0

  /// `urls`: "http://HOST:PORT" each (https is not spoken).
  public init(urls: [String], timeout: Double = 5) throws {
    endpoints = try urls.map(Self.address)
    guard !endpoints.isEmpty else { throw CnetError(.invalidArgument, "no etcd endpoint given") }
    self.timeout = timeout
  }

  /// "http://HOST:PORT" (or HOST:PORT) as a socket address.
  public static func address(_ url: String) throws -> SocketAddress {
    var rest = Substring(url)
    if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
    guard !rest.hasPrefix("https://") else {
      throw CnetError(.invalidArgument, "etcd endpoint \(url): https is not supported; use http://")
    }
    if rest.hasSuffix("/") { rest = rest.dropLast() }
    let host: Substring
    let portText: Substring
    if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
      host = rest[rest.index(after: rest.startIndex)..<close]
      portText = rest[close...].dropFirst().drop { $0 == ":" }
    } else if let colon = rest.lastIndex(of: ":") {
      host = rest[..<colon]
      portText = rest[rest.index(after: colon)...]
    } else {
      host = rest
      portText = "2379"
    }
    guard !host.isEmpty, !host.contains("/"), let port = Int(portText), (1...65535).contains(port) else {
      throw CnetError(.invalidArgument, "etcd endpoint \"\(url)\" is not http://HOST:PORT")
    }
    return .tcp(host: String(host), port: port)
  }

  var endpointList: String {
    endpoints.map { address -> String in
      guard case .tcp(let host, let port) = address else { return address.description }
      return "http://\(host):\(port)"
    }.joined(separator: ",")
  }

  // MARK: - Calls

  public func range(_ key: String, prefix: Bool, keysOnly: Bool, serializable: Bool) throws -> EtcdRange {
    let request = Wire.RangeRequest(
      key: Wire.encode(key), range_end: prefix ? Wire.encode(Self.rangeEnd(key)) : nil,
      keys_only: keysOnly ? true : nil, serializable: serializable ? true : nil)
    let reply = try call("/v3/kv/range", request, Wire.RangeResponse.self)
    return EtcdRange(kvs: (reply.kvs ?? []).map(\.valueRecord), revision: reply.header?.revision?.value ?? 0)
  }

  public func put(_ key: String, _ value: [UInt8], lease: Int64) throws -> Int64 {
    let request = Wire.PutRequest(key: Wire.encode(key), value: Wire.encode(value), lease: lease == 0 ? nil : String(lease))
    return try call("/v3/kv/put", request, Wire.Header.Holder.self).header?.revision?.value ?? 0
  }

  public func delete(_ key: String, prefix: Bool) throws -> Int {
    let request = Wire.DeleteRequest(key: Wire.encode(key), range_end: prefix ? Wire.encode(Self.rangeEnd(key)) : nil)
    return Int(try call("/v3/kv/deleterange", request, Wire.DeleteResponse.self).deleted?.value ?? 0)
  }

  public func txn(_ compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation]) throws -> EtcdTxnResult {
    let request = Wire.TxnRequest(compare: compare.map(Wire.Compare.init), success: success.map(Wire.RequestOp.init),
                                  failure: failure.map(Wire.RequestOp.init))
    return Self.result(try call("/v3/kv/txn", request, Wire.TxnResponse.self))
  }

  private func txn(_ request: Wire.TxnRequest, until deadline: Double) throws -> EtcdTxnResult {
    Self.result(try call("/v3/kv/txn", request, Wire.TxnResponse.self, until: deadline))
  }

  static func result(_ reply: Wire.TxnResponse) -> EtcdTxnResult {
    let ranges = (reply.responses ?? []).map { response -> EtcdRange? in
      response.response_range.map { EtcdRange(kvs: ($0.kvs ?? []).map(\.valueRecord), revision: reply.header?.revision?.value ?? 0) }
    }
    return EtcdTxnResult(succeeded: reply.succeeded ?? false, revision: reply.header?.revision?.value ?? 0, ranges: ranges)
  }

  /// The request goes to the member that answered last, and the answer is
  /// read at `answer()`; whatever goes wrong in between (no such member,
  /// a lost connection, an election under way) sends it again with `txn`,
  /// which tries every member. The time counts from the asking for the
  /// answer (the caller worked meanwhile, and the answer may be waiting
  /// in the socket): the first member's share of `timeout`, as `open`
  /// gives it, then the rest.
  public func sendTxn(_ compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation]) throws -> EtcdPendingTxn {
    let request = Wire.TxnRequest(compare: compare.map(Wire.Compare.init), success: success.map(Wire.RequestOp.init),
                                  failure: failure.map(Wire.RequestOp.init))
    let share = timeout / Double(endpoints.count)
    let index = monitor.locked { preferred }
    let sent = try? send("/v3/kv/txn", Wire.body(request), to: index, until: StreamSocket.now() + share, streaming: false)
    return EtcdPendingTxn { [self] resend in
      let deadline = StreamSocket.now() + timeout
      if var connection = sent {
        let until = StreamSocket.now() + share
        if let head = try? connection.readHead(idle: until, whole: nil), head.status == 200,
          let body = try? connection.readBody(head, limit: 64 << 20, until: until, toEnd: true),
          let reply = try? JSON.parse(Self.firstLine(body))
        {
          monitor.locked { preferred = index }
          return Self.result(Wire.TxnResponse(reply))
        }
      }
      guard resend else { throw EtcdError.unreachable(endpoints: endpointList, reason: "no answer to /v3/kv/txn") }
      return try txn(request, until: deadline)
    }
  }

  public func grantLease(ttl: Int) throws -> EtcdLease {
    let reply = try call("/v3/lease/grant", Wire.LeaseGrantRequest(TTL: String(ttl)), Wire.LeaseGrantResponse.self)
    if let error = reply.error, !error.isEmpty { throw EtcdError.refused(error) }
    guard let id = reply.ID?.value, id != 0 else { throw EtcdError.refused("no lease granted") }
    return EtcdLease(id: id, ttl: Int(reply.TTL?.value ?? Int64(ttl)))
  }

  public func keepAlive(_ lease: Int64) throws -> Int {
    // The gateway streams keepalive replies; one request, one reply.
    let reply = try call("/v3/lease/keepalive", Wire.LeaseRequest(ID: String(lease)), Wire.Streamed<Wire.LeaseKeepAliveResponse>.self)
    if let error = reply.error { throw EtcdError.refused(error.message ?? "keepalive failed") }
    return Int(reply.result?.TTL?.value ?? 0)
  }

  public func revokeLease(_ lease: Int64) throws {
    do {
      _ = try call("/v3/lease/revoke", Wire.LeaseRequest(ID: String(lease)), Wire.Header.Holder.self)
    } catch EtcdError.refused(let why) where why.contains("not found") {
      // Gone already: as good as revoked.
    }
  }

  public func compact(_ revision: Int64) throws {
    _ = try call("/v3/kv/compaction", Wire.CompactionRequest(revision: String(revision), physical: true), Wire.Header.Holder.self)
  }

  public func watch(prefix: String, from revision: Int64) throws -> EtcdWatch {
    let request = Wire.WatchRequest(create_request: Wire.WatchCreate(
      key: Wire.encode(prefix), range_end: Wire.encode(Self.rangeEnd(prefix)), start_revision: String(revision)))
    let deadline = StreamSocket.now() + timeout
    let (connection, head) = try open("/v3/watch", Wire.body(request), deadline: deadline, streaming: true)
    let stream = GatewayWatch(connection: connection, chunked: HTTPConnection.isChunked(head), endpoints: endpointList)
    // The first message says the watch was created, or why not.
    guard let first = try stream.message(until: deadline) else {
      throw EtcdError.unreachable(endpoints: endpointList, reason: "the watch closed before it started")
    }
    if let error = first.error { throw EtcdError.refused(error.message ?? "watch refused") }
    if let compacted = first.result?.compact_revision?.value, compacted > 0, first.result?.canceled == true {
      throw EtcdError.compacted(compacted)
    }
    return stream
  }

  /// The key after every key that starts with `prefix`: etcd's range_end
  /// for a prefix (its last byte plus one).
  static func rangeEnd(_ prefix: String) -> [UInt8] {
    var bytes = Array(prefix.utf8)
    while let last = bytes.last {
      if last < 0xFF {
        bytes[bytes.count - 1] = last + 1
        return bytes
      }
      bytes.removeLast()
    }
    return [0]
  }

  // MARK: - Transport

  /// One request and its reply. A reply of gRPC's Unavailable (code 14:
  /// "no leader", "leader changed" while a member is lost and the others
  /// elect a new leader) is tried again, at another member, until the
  /// deadline: every write cnet sends is safe to repeat, being idempotent
  /// or guarded by compares that recognise its own earlier success (a
  /// claim token, the network's id).
  private func call<Reply: Wire.Reply>(_ path: String, _ request: some Wire.Request, _ type: Reply.Type,
                                       until: Double? = nil) throws -> Reply {
    let deadline = until ?? StreamSocket.now() + timeout
    let encoded = Wire.body(request)
    var pause = 0.05
    while true {
      var (connection, head) = try open(path, encoded, deadline: deadline, streaming: false)
      let body: [UInt8]
      do throws(HTTPConnection.Failure) {
        if path == "/v3/lease/keepalive", HTTPConnection.isChunked(head) {
          // A stream: its first message is the reply.
          body = try connection.readChunk(limit: 1 << 20, until: deadline) ?? []
        } else {
          body = try connection.readBody(head, limit: 64 << 20, until: deadline, toEnd: true)
        }
      } catch {
        throw EtcdError.unreachable(endpoints: endpointList, reason: "no reply to \(path): \(Self.describe(error))")
      }
      guard head.status == 200 else {
        let error = Self.errorReply(body, status: head.status)
        if error.code == Self.unavailable, StreamSocket.now() + pause < deadline {
          monitor.locked { preferred = (preferred + 1) % endpoints.count }
          usleep(UInt32(pause * 1_000_000))
          pause = min(pause * 2, 0.5)
          continue
        }
        throw EtcdError.refused(error.text)
      }
      do {
        return Reply(try JSON.parse(Self.firstLine(body)))
      } catch {
        throw EtcdError.refused("an answer to \(path) that is not what etcd sends: \(String(decoding: body.prefix(200), as: UTF8.self))")
      }
    }
  }

  /// gRPC's status code Unavailable, as the gateway's error replies carry it.
  static let unavailable = 14

  /// Sends a POST to the first endpoint that takes it and reads the head of
  /// its reply. A connection refused or a silence moves on to the next.
  private func open(_ path: String, _ body: [UInt8], deadline: Double, streaming: Bool) throws -> (HTTPConnection, HTTPConnection.Head) {
    let start = monitor.locked { preferred }
    var reasons: [String] = []
    for offset in 0..<endpoints.count {
      let index = (start + offset) % endpoints.count
      let address = endpoints[index]
      // Each endpoint gets its share of what is left, the last all of it.
      let left = deadline - StreamSocket.now()
      guard left > 0 else { break }
      let share = offset == endpoints.count - 1 ? deadline : StreamSocket.now() + left / Double(endpoints.count - offset)
      do {
        var connection = try send(path, body, to: index, until: share, streaming: streaming)
        let head = try connection.readHead(idle: share, whole: nil)
        monitor.locked { preferred = index }
        return (connection, head)
      } catch let failure as StreamSocket.Failure {
        reasons.append("\(address): \(failure.description)")
      } catch let failure as HTTPConnection.Failure {
        reasons.append("\(address): \(Self.describe(failure))")
      }
    }
    throw EtcdError.unreachable(endpoints: endpointList, reason: reasons.isEmpty ? "timed out" : reasons.joined(separator: "; "))
  }

  /// Connects to endpoint `index` and sends a POST of `body` to `path`.
  private func send(_ path: String, _ body: [UInt8], to index: Int, until deadline: Double, streaming: Bool) throws -> HTTPConnection {
    let address = endpoints[index]
    let socket = try StreamSocket.connect(address, until: deadline)
    var connection = HTTPConnection(socket)
    guard case .tcp(let host, let port) = address else { throw HTTPConnection.Failure.malformed("\(address) is not a TCP address") }
    let headers = [("Host", "\(host):\(port)"), ("Content-Type", "application/json"),
                   ("Connection", streaming ? "keep-alive" : "close")]
    try connection.write(startLine: "POST \(path) HTTP/1.1", headers: headers, body: body, until: deadline)
    return connection
  }

  static func describe(_ failure: HTTPConnection.Failure) -> String {
    switch failure {
    case .closed: "the connection closed"
    case .timedOut: "timed out"
    case .malformed(let why): "not HTTP: \(why)"
    case .tooLarge: "the reply is too large"
    case .socket(let error): error.description
    }
  }

  /// The first JSON message of a body (a stream's bodies hold one per line).
  static func firstLine(_ body: [UInt8]) -> ArraySlice<UInt8> {
    let end = body.firstIndex(of: 10) ?? body.endIndex
    return body[..<end]
  }

  /// What an error reply says: {"error": "...", "message": "...", "code": N}.
  static func errorReply(_ body: [UInt8], status: Int?) -> (text: String, code: Int?) {
    if let json = try? JSON.parse(firstLine(body)), case let reply = Wire.ErrorReply(json), let text = reply.message ?? reply.error {
      return (text, reply.code)
    }
    return ("HTTP status \(status.map(String.init) ?? "?")", nil)
  }
}

/// A watch's reply, read message by message as it streams.
final class GatewayWatch: EtcdWatch, @unchecked Sendable {
  private var connection: HTTPConnection
  private let chunked: Bool
  private let endpoints: String
  /// Bytes of the stream not yet split into messages.
  private var pending: [UInt8] = []
  private var ended = false

  init(connection: HTTPConnection, chunked: Bool, endpoints: String) {
    self.connection = connection
    self.chunked = chunked
    self.endpoints = endpoints
  }

  func cancel() {
    connection.socket.shutdownBoth()
  }

  /// The next message of the stream, nil at the deadline (or its end).
  func message(until deadline: Double?) throws -> Wire.Streamed<Wire.WatchResponse>? {
    while true {
      if let newline = pending.firstIndex(of: 10) {
        let line = pending[..<newline]
        pending.removeSubrange(...newline)
        if line.allSatisfy({ $0 == 32 || $0 == 13 }) { continue }
        do {
          return Wire.Streamed<Wire.WatchResponse>(try JSON.parse(line))
        } catch {
          throw EtcdError.refused("a watch message that is not what etcd sends: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
      }
      guard !ended else {
        throw EtcdError.unreachable(endpoints: endpoints, reason: "the watch stream ended")
      }
      do throws(HTTPConnection.Failure) {
        if chunked {
          if let chunk = try connection.readChunk(limit: 64 << 20, until: deadline) {
            pending += chunk
          } else {
            ended = true
          }
        } else {
          var more: [UInt8] = []
          let n: Int
          do {
            n = try connection.socket.read(into: &more, until: deadline)
          } catch {
            throw HTTPConnection.Failure.socket(error)
          }
          if n == 0 { ended = true }
          pending += more
        }
      } catch .timedOut {
        return nil
      } catch .socket(let failure) where failure.timedOut {
        return nil
      } catch {
        throw EtcdError.unreachable(endpoints: endpoints, reason: "the watch stream broke: \(EtcdGateway.describe(error))")
      }
    }
  }

  func next(until deadline: Double?) throws -> (events: [EtcdEvent], revision: Int64)? {
    while true {
      guard let message = try message(until: deadline) else { return nil }
      if let error = message.error { throw EtcdError.refused(error.message ?? "the watch failed") }
      guard let result = message.result else { continue }
      if result.canceled == true {
        if let compacted = result.compact_revision?.value, compacted > 0 { throw EtcdError.compacted(compacted) }
        throw EtcdError.refused(result.cancel_reason ?? "the watch was canceled")
      }
      let events = (result.events ?? []).map { event in
        EtcdEvent(event.type == "DELETE" ? .delete : .put, event.kv?.valueRecord ?? EtcdKeyValue(key: "", value: []))
      }
      let revision = result.header?.revision?.value ?? 0
      // A progress notification (no events) still moves the revision on.
      return (events, revision)
    }
  }
}
