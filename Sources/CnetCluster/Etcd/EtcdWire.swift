import CnetCore
import FoundationEssentials

/// The JSON shapes of etcd's gateway (etcdserverpb, mvccpb), as it sends
/// them: keys and values base64, 64-bit numbers as strings, zero values
/// left out (every field optional here).
enum Wire {
  static func encode(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
  static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
  static func decode(_ text: String?) -> [UInt8] { text.flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? [] }

  /// An int64 the gateway sends as a string (or, from other encoders, a number).
  struct Number: Decodable, Sendable {
    var value: Int64

    init(from decoder: Decoder) throws {
      let container = try decoder.singleValueContainer()
      if let text = try? container.decode(String.self), let number = Int64(text) {
        value = number
      } else {
        value = try container.decode(Int64.self)
      }
    }
  }

  struct Header: Decodable {
    var revision: Number?

    /// A reply of which only the header matters.
    struct Holder: Decodable {
      var header: Header?
    }
  }

  struct KeyValue: Decodable {
    var key: String?
    var value: String?
    var create_revision: Number?
    var mod_revision: Number?
    var version: Number?
    var lease: Number?

    var valueRecord: EtcdKeyValue {
      EtcdKeyValue(key: String(decoding: Wire.decode(key), as: UTF8.self), value: Wire.decode(value),
                   createRevision: create_revision?.value ?? 0, modRevision: mod_revision?.value ?? 0,
                   version: version?.value ?? 0, lease: lease?.value ?? 0)
    }
  }

  struct RangeRequest: Encodable {
    var key: String
    var range_end: String?
    var keys_only: Bool?
    var serializable: Bool?
  }

  struct RangeResponse: Decodable {
    var header: Header?
    var kvs: [KeyValue]?
  }

  struct PutRequest: Encodable {
    var key: String
    var value: String
    var lease: String?
  }

  struct DeleteRequest: Encodable {
    var key: String
    var range_end: String?
  }

  struct DeleteResponse: Decodable {
    var header: Header?
    var deleted: Number?
  }

  struct Compare: Encodable {
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
  }

  struct RequestOp: Encodable {
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
  }

  struct TxnRequest: Encodable {
    var compare: [Compare]
    var success: [RequestOp]
    var failure: [RequestOp]
  }

  struct TxnResponse: Decodable {
    struct Response: Decodable {
      var response_range: RangeResponse?
    }

    var header: Header?
    var succeeded: Bool?
    var responses: [Response]?
  }

  struct LeaseGrantRequest: Encodable {
    var TTL: String
  }

  struct LeaseGrantResponse: Decodable {
    var ID: Number?
    var TTL: Number?
    var error: String?
  }

  struct LeaseRequest: Encodable {
    var ID: String
  }

  struct LeaseKeepAliveResponse: Decodable {
    var ID: Number?
    var TTL: Number?
  }

  struct CompactionRequest: Encodable {
    var revision: String
    var physical: Bool
  }

  struct WatchCreate: Encodable {
    var key: String
    var range_end: String
    var start_revision: String
    var progress_notify = true
  }

  struct WatchRequest: Encodable {
    var create_request: WatchCreate
  }

  struct WatchResponse: Decodable {
    struct Event: Decodable {
      var type: String?
      var kv: KeyValue?
    }

    var header: Header?
    var created: Bool?
    var canceled: Bool?
    var cancel_reason: String?
    var compact_revision: Number?
    var events: [Event]?
  }

  /// A message of a stream: {"result": ...} or {"error": ...}.
  struct Streamed<Result: Decodable>: Decodable {
    struct Failure: Decodable {
      var message: String?
      var code: Int?
    }

    var result: Result?
    var error: Failure?
  }
}
