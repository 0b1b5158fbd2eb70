import CnetCore
import FoundationEssentials

/// An activated plugin: its client, and what it said it implements. Calls
/// succeed, as with dockerd, only on HTTP 200 with a JSON object whose
/// error key is empty: `Err` for NetworkDriver calls, `Error` for IpamDriver
/// calls. On any other status the message is the body's `Err` if it has
/// one, else the whole body (plugins built on go-plugins-helpers answer
/// 500 with `Err`).
public final class PluginConnection: Sendable {
  public let client: PluginClient
  public let implements: [String]
  /// Set when the plugin is a cnet server: the identity of its store.
  let cnetStore: String?

  init(client: PluginClient, implements: [String], cnetStore: String? = nil) {
    self.client = client
    self.implements = implements
    self.cnetStore = cnetStore
  }

  public var name: String { client.name }

  /// Activates the plugin: /Plugin.Activate, once per connection.
  static func activate(_ found: PluginDiscovery.Found, timeout: Double) throws -> PluginConnection {
    let client = PluginClient(name: found.name, address: found.address, timeout: timeout)
    let reply = try client.call("/Plugin.Activate", body: [])
    guard reply.status == 200, let activation = try? JSONDecoder().decode(ActivateResponse.self, from: Data(reply.body)) else {
      throw CnetError(.failed, "plugin \"\(found.name)\": activation failed: \(Self.message(reply))")
    }
    return PluginConnection(client: client, implements: activation.Implements, cnetStore: activation.CnetStore)
  }

  enum Role {
    case network, ipam

    var prefix: String { self == .network ? NetworkDriverAPI.prefix : IpamDriverAPI.prefix }
  }

  /// Calls `Role.method` with `request` (nil: an empty body) and decodes the
  /// reply. `tolerate404`: a 404 means "not implemented", and nil comes
  /// back (ProgramExternalConnectivity, RevokeExternalConnectivity and
  /// IpamDriver.GetCapabilities only, as with dockerd).
  func call<Reply: Decodable>(_ role: Role, _ method: String, _ request: (some Encodable)?, reply: Reply.Type,
                              tolerate404: Bool = false) throws -> Reply? {
    let path = role.prefix + method
    let body = try request.map { try encode($0) } ?? []
    let answer = try client.call(path, body: body)
    if answer.status == 404, tolerate404 { return nil }
    guard answer.status == 200 else {
      throw CnetError(.failed, "plugin \"\(name)\": \(path.dropFirst()): \(Self.message(answer))")
    }
    let data = Data(answer.body)
    guard let errors = try? JSONDecoder().decode(ReplyErrors.self, from: data) else {
      throw CnetError(.failed, "plugin \"\(name)\": \(path.dropFirst()): the reply is not a JSON object")
    }
    let message = role == .network ? errors.Err : errors.Error
    if let message, !message.isEmpty {
      throw CnetError(.failed, "plugin \"\(name)\": \(message)")
    }
    do {
      return try JSONDecoder().decode(Reply.self, from: data)
    } catch {
      throw CnetError(.failed, "plugin \"\(name)\": \(path.dropFirst()): unexpected reply: \(String(decoding: answer.body.prefix(200), as: UTF8.self))")
    }
  }

  /// A failed reply's message: its `Err`, or the body itself.
  static func message(_ reply: PluginReply) -> String {
    struct Err: Decodable { var Err: String? }
    if let decoded = try? JSONDecoder().decode(Err.self, from: Data(reply.body)), let message = decoded.Err, !message.isEmpty {
      return message
    }
    let text = String(decoding: reply.body.prefix(300), as: UTF8.self)
    return text.isEmpty ? "HTTP \(reply.status)" : text.split(separator: "\n").joined(separator: " ")
  }
}

/// The error keys of any reply.
struct ReplyErrors: Decodable {
  var Err: String?
  var Error: String?
}

/// An Encodable nil for calls without a body.
struct NoBody: Encodable {}
