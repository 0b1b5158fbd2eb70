import CnetCore
import FoundationEssentials

/// The JSON shapes of etcd's gateway (etcdserverpb, mvccpb), as it sends
/// them: keys and values base64, 64-bit numbers as strings, zero values
/// left out (every field of a reply optional here). Written and read with
/// CnetCore's JSON, not Foundation's coders (their first use costs a
/// command more than its whole parsing).
enum Wire {
  static func encode(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
  static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
  static func decode(_ text: String?) -> [UInt8] { text.flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? [] }

  /// A request's body.
  protocol Request {
    var json: JSON { get }
  }

  /// A reply, read leniently: a field that is missing or not of its type
  /// is nil, as etcd leaves out what is at its zero value.
  protocol Reply {
    init(_ json: JSON)
  }

  /// An int64 the gateway sends as a string (or, from other encoders, a number).
  struct Number: Sendable {
    var value: Int64

    init?(_ json: JSON?) {
      guard let n = json?.integer else { return nil }
      value = Int64(n)
    }
  }

  struct Header: Reply {
    var revision: Number?

    init(_ json: JSON) { revision = Number(json["revision"]) }

    /// A reply of which only the header matters.
    struct Holder: Reply {
      var header: Header?

      init(_ json: JSON) { header = json["header"].map(Header.init) }
    }
  }

  struct KeyValue: Reply {
    var key: String?
    var value: String?
    var create_revision: Number?
    var mod_revision: Number?
    var version: Number?
    var lease: Number?

    init(_ json: JSON) {
      key = json["key"]?.string
      value = json["value"]?.string
      create_revision = Number(json["create_revision"])
      mod_revision = Number(json["mod_revision"])
      version = Number(json["version"])
      lease = Number(json["lease"])
    }

    var valueRecord: EtcdKeyValue {
      EtcdKeyValue(key: String(decoding: Wire.decode(key), as: UTF8.self), value: Wire.decode(value),
                   createRevision: create_revision?.value ?? 0, modRevision: mod_revision?.value ?? 0,
                   version: version?.value ?? 0, lease: lease?.value ?? 0)
    }
  }

  struct RangeRequest: Request {
    var key: String
    var range_end: String?
    var keys_only: Bool?
    var serializable: Bool?

    var json: JSON {
      JSON.present([("key", .string(key)), ("range_end", range_end.map(JSON.string)), ("keys_only", keys_only.map(JSON.bool)),
                   ("serializable", serializable.map(JSON.bool))])
    }
  }

  struct RangeResponse: Reply {
    var header: Header?
    var kvs: [KeyValue]?

    init(_ json: JSON) {
      header = json["header"].map(Header.init)
      kvs = json["kvs"]?.array?.map(KeyValue.init)
    }
  }

  struct PutRequest: Request {
    var key: String
    var value: String
    var lease: String?

    var json: JSON { JSON.present([("key", .string(key)), ("value", .string(value)), ("lease", lease.map(JSON.string))]) }
  }

  struct DeleteRequest: Request {
    var key: String
    var range_end: String?

    var json: JSON { JSON.present([("key", .string(key)), ("range_end", range_end.map(JSON.string))]) }
  }

  struct DeleteResponse: Reply {
    var header: Header?
    var deleted: Number?

    init(_ json: JSON) {
      header = json["header"].map(Header.init)
      deleted = Number(json["deleted"])
    }
  }

  struct Compare: Request {
    var key: String
    var range_end: String?
    var target: String
    var result: String
    var version: String?
    var create_revision: String?
    var mod_revision: String?
    var value: String?
    var lease: String?

    init(_ compare: EtcdCompare) {
      key = Wire.encode(compare.key)
      range_end = compare.prefix ? Wire.encode(EtcdGateway.rangeEnd(compare.key)) : nil
      target = compare.target.rawValue
      result = compare.result.rawValue
      let number = String(compare.number)
      switch compare.target {
      case .version: version = number
      case .create: create_revision = number
      case .mod: mod_revision = number
      case .value: value = Wire.encode(compare.value)
      case .lease: lease = number
      }
    }

    var json: JSON {
      JSON.present([("key", .string(key)), ("range_end", range_end.map(JSON.string)), ("target", .string(target)),
                   ("result", .string(result)), ("version", version.map(JSON.string)),
                   ("create_revision", create_revision.map(JSON.string)), ("mod_revision", mod_revision.map(JSON.string)),
                   ("value", value.map(JSON.string)), ("lease", lease.map(JSON.string))])
    }
  }

  struct RequestOp: Request {
    var request_put: PutRequest?
    var request_delete_range: DeleteRequest?
    var request_range: RangeRequest?

    init(_ operation: EtcdOperation) {
      switch operation {
      case .put(let key, let value, let lease):
        request_put = PutRequest(key: Wire.encode(key), value: Wire.encode(value), lease: lease == 0 ? nil : String(lease))
      case .delete(let key, let prefix):
        request_delete_range = DeleteRequest(key: Wire.encode(key), range_end: prefix ? Wire.encode(EtcdGateway.rangeEnd(key)) : nil)
      case .range(let key, let prefix):
        request_range = RangeRequest(key: Wire.encode(key), range_end: prefix ? Wire.encode(EtcdGateway.rangeEnd(key)) : nil)
      }
    }

    var json: JSON {
      JSON.present([("request_put", request_put?.json), ("request_delete_range", request_delete_range?.json),
                   ("request_range", request_range?.json)])
    }
  }

  struct TxnRequest: Request {
    var compare: [Compare]
    var success: [RequestOp]
    var failure: [RequestOp]

    var json: JSON {
      .object([("compare", .array(compare.map(\.json))), ("success", .array(success.map(\.json))),
               ("failure", .array(failure.map(\.json)))])
    }
  }

  struct TxnResponse: Reply {
    struct Response {
      var response_range: RangeResponse?
    }

    var header: Header?
    var succeeded: Bool?
    var responses: [Response]?

    init(_ json: JSON) {
      header = json["header"].map(Header.init)
      succeeded = json["succeeded"]?.bool
      responses = json["responses"]?.array?.map { Response(response_range: $0["response_range"].map(RangeResponse.init)) }
    }
  }

  struct LeaseGrantRequest: Request {
    var TTL: String

    var json: JSON { .object([("TTL", .string(TTL))]) }
  }

  struct LeaseGrantResponse: Reply {
    var ID: Number?
    var TTL: Number?
    var error: String?

    init(_ json: JSON) {
      ID = Number(json["ID"])
      TTL = Number(json["TTL"])
      error = json["error"]?.string
    }
  }

  struct LeaseRequest: Request {
    var ID: String

    var json: JSON { .object([("ID", .string(ID))]) }
  }

  struct LeaseKeepAliveResponse: Reply {
    var ID: Number?
    var TTL: Number?

    init(_ json: JSON) {
      ID = Number(json["ID"])
      TTL = Number(json["TTL"])
    }
  }

  struct CompactionRequest: Request {
    var revision: String
    var physical: Bool

    var json: JSON { .object([("revision", .string(revision)), ("physical", .bool(physical))]) }
  }

  struct WatchCreate {
    var key: String
    var range_end: String
    var start_revision: String
    var progress_notify = true

    var json: JSON {
      .object([("key", .string(key)), ("range_end", .string(range_end)), ("start_revision", .string(start_revision)),
               ("progress_notify", .bool(progress_notify))])
    }
  }

  struct WatchRequest: Request {
    var create_request: WatchCreate

    var json: JSON { .object([("create_request", create_request.json)]) }
  }

  struct WatchResponse: Reply {
    struct Event {
      var type: String?
      var kv: KeyValue?
    }

    var header: Header?
    var created: Bool?
    var canceled: Bool?
    var cancel_reason: String?
    var compact_revision: Number?
    var events: [Event]?

    init(_ json: JSON) {
      header = json["header"].map(Header.init)
      created = json["created"]?.bool
      canceled = json["canceled"]?.bool
      cancel_reason = json["cancel_reason"]?.string
      compact_revision = Number(json["compact_revision"])
      events = json["events"]?.array?.map { Event(type: $0["type"]?.string, kv: $0["kv"].map(KeyValue.init)) }
    }
  }

  /// A message of a stream: {"result": ...} or {"error": ...}.
  struct Streamed<Result: Reply>: Reply {
    struct Failure {
      var message: String?
      var code: Int?
    }

    var result: Result?
    var error: Failure?

    init(_ json: JSON) {
      result = json["result"].map(Result.init)
      error = json["error"].map { Failure(message: $0["message"]?.string, code: $0["code"]?.integer) }
    }
  }

  /// What an error reply says: {"error": "...", "message": "...", "code": N}.
  struct ErrorReply: Reply {
    var error: String?
    var message: String?
    var code: Int?

    init(_ json: JSON) {
      error = json["error"]?.string
      message = json["message"]?.string
      code = json["code"]?.integer
    }
  }

  static func body(_ request: some Request) -> [UInt8] { Array(request.json.compact.utf8) }
}
