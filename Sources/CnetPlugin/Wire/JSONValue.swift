import FoundationEssentials

/// Any JSON value. Options maps in the plugin protocol are Go
/// `map[string]interface{}`: strings, booleans, numbers, arrays and objects
/// side by side, so they are decoded as values, never assumed to be strings.
public enum JSONValue: Codable, Sendable, Equatable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .number(let value):
      // Go writes whole numbers without a fraction; so do we.
      if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  public var string: String? { if case .string(let s) = self { s } else { nil } }
  public var bool: Bool? {
    switch self {
    case .bool(let b): b
    // `-o` values reach drivers as strings: "true" counts.
    case .string(let s): s == "true" ? true : s == "false" ? false : nil
    default: nil
    }
  }
  public var int: Int? {
    if case .number(let n) = self, n == n.rounded(), abs(n) < 1e15 { Int(n) } else { nil }
  }
  public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
  public var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
}
