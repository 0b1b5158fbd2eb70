import CnetCore
import CnetHTTP

#if canImport(Glibc)
import Glibc
#endif

/// Where a plugin listens: a Unix socket, or (from a .spec or .json file)
/// a TCP address.
public typealias PluginAddress = SocketAddress

/// Calls a plugin as dockerd does: POST, the Accept header dockerd sends
/// (v1.2, not the v1 the docs name), a compact JSON body with a trailing
/// newline, or none at all. One connection per call, closed after it.
///
/// Only failing to connect is retried (the plugin may be starting); once
/// any reply has come, it is final. Unlike dockerd, which waits 15 seconds
/// for a missing plugin and forever for a slow one, this gives up after
/// `connectBudget` and `timeout` seconds: a script wants a clear error soon.
public final class PluginClient: Sendable {
  public let name: String
  public let address: PluginAddress
  let timeout: Double
  let connectBudget: Double

  /// Replies larger than this are refused: no plugin reply comes near.
  static let maximumReply = 4 << 20

  public init(name: String, address: PluginAddress, timeout: Double = 30, connectBudget: Double = 3) {
    self.name = name
    self.address = address
    self.timeout = timeout
    self.connectBudget = connectBudget
  }

  public func call(_ path: String, body: [UInt8]) throws -> PluginReply {
    var connection = HTTPConnection(try connect())
    let deadline = StreamSocket.now() + timeout
    let headers = [("Host", "localhost"), ("User-Agent", "cnet"), ("Accept", "application/vnd.docker.plugins.v1.2+json"),
                   ("Connection", "close")]
    do throws(HTTPConnection.Failure) {
      try connection.write(startLine: "POST \(path) HTTP/1.1", headers: headers, body: body, until: deadline)
    } catch {
      throw CnetError(.failed, "plugin \"\(name)\" (\(address)): cannot send \(path): \(Self.describe(error))")
    }
    do throws(HTTPConnection.Failure) {
      let head = try connection.readHead(idle: deadline, whole: nil)
      guard head.startLine[0].hasPrefix("HTTP/"), let status = Int(head.startLine[1]) else {
        throw .malformed("\"\(head.startLine.joined(separator: " "))\" is not a status line")
      }
      let reply = try connection.readBody(head, limit: Self.maximumReply, until: deadline, toEnd: true)
      return PluginReply(status: status, body: reply)
    } catch {
      throw CnetError(.failed, "plugin \"\(name)\" (\(address)): no reply to \(path): \(Self.describe(error))")
    }
  }

  /// Connects, retrying while the plugin is not there yet (refused, no such
  /// file) with doubling waits, until `connectBudget` seconds have gone.
  private func connect() throws -> StreamSocket {
    var wait = 0.05
    var waited = 0.0
    while true {
      do throws(StreamSocket.Failure) {
        return try StreamSocket.connect(address)
      } catch {
        guard waited + wait <= connectBudget else {
          throw CnetError(.failed, "plugin \"\(name)\": cannot connect to \(address): \(error.description)")
        }
        usleep(UInt32(wait * 1_000_000))
        waited += wait
        wait *= 2
      }
    }
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
}

/// What a plugin answers: an HTTP status and a JSON body.
public struct PluginReply: Sendable, Equatable {
  public var status: Int
  public var body: [UInt8]

  public init(status: Int, body: [UInt8]) {
    self.status = status
    self.body = body
  }
}
