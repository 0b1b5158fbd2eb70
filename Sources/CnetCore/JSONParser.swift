// Reading JSON into the JSON value: what etcd's gateway answers and what
// the cluster keeps in it, read without Foundation's decoders, whose
// first use in a process costs more than a whole small command's parsing.

extension JSON {
  public struct ParseError: Error, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String

    public var description: String { "\(reason) at byte \(offset)" }
  }

  /// The one JSON value `bytes` hold (white space around it allowed). A
  /// number that is not an integer that fits an Int is kept as its text
  /// (`.string`): nothing cnet reads is one. Nesting deeper than 64 is
  /// refused.
  public static func parse(_ bytes: some Collection<UInt8>) throws(ParseError) -> JSON {
    var parser = Parser(Array(bytes))
    parser.skipSpace()
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    guard parser.at == parser.bytes.count else { throw parser.error("text after the value") }
    return value
  }

  /// A field of an object (the first of that name); nil for anything else.
  public subscript(key: String) -> JSON? {
    guard case .object(let fields) = self else { return nil }
    return fields.first { $0.0 == key }?.1
  }

  public var string: String? { if case .string(let s) = self { s } else { nil } }
  public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
  public var array: [JSON]? { if case .array(let a) = self { a } else { nil } }

  /// An integer, or one written as a string (as Go's gateways write
  /// 64-bit numbers).
  public var integer: Int? {
    switch self {
    case .int(let n): n
    case .string(let s): Int(s)
    default: nil
    }
  }

  private struct Parser {
    let bytes: [UInt8]
    var at = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func error(_ reason: String) -> ParseError { ParseError(offset: at, reason: reason) }

    mutating func skipSpace() {
      while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
    }

    mutating func literal(_ word: String, _ value: JSON) throws(ParseError) -> JSON {
      let expected = Array(word.utf8)
      guard bytes.count - at >= expected.count, bytes[at..<at + expected.count].elementsEqual(expected) else {
        throw error("not JSON")
      }
      at += expected.count
      return value
    }

    mutating func value(depth: Int) throws(ParseError) -> JSON {
      guard depth < 64 else { throw error("nested too deep") }
      guard at < bytes.count else { throw error("unexpected end") }
      switch bytes[at] {
      case UInt8(ascii: "{"): return try object(depth: depth)
      case UInt8(ascii: "["): return try array(depth: depth)
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): return try literal("true", .bool(true))
      case UInt8(ascii: "f"): return try literal("false", .bool(false))
      case UInt8(ascii: "n"): return try literal("null", .null)
      default: return try number()
      }
    }

    mutating func object(depth: Int) throws(ParseError) -> JSON {
      at += 1
      var fields: [(String, JSON)] = []
      skipSpace()
      if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
        at += 1
        return .object(fields)
      }
      while true {
        skipSpace()
        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw error("expected a field name") }
        let key = try string()
        skipSpace()
        guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw error("expected ':'") }
        at += 1
        skipSpace()
        fields.append((key, try value(depth: depth + 1)))
        skipSpace()
        guard at < bytes.count else { throw error("unexpected end") }
        if bytes[at] == UInt8(ascii: ",") {
          at += 1
          continue
        }
        guard bytes[at] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
        at += 1
        return .object(fields)
      }
    }

    mutating func array(depth: Int) throws(ParseError) -> JSON {
      at += 1
      var items: [JSON] = []
      skipSpace()
      if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
        at += 1
        return .array(items)
      }
      while true {
        skipSpace()
        items.append(try value(depth: depth + 1))
        skipSpace()
        guard at < bytes.count else { throw error("unexpected end") }
        if bytes[at] == UInt8(ascii: ",") {
          at += 1
          continue
        }
        guard bytes[at] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
        at += 1
        return .array(items)
      }
    }

    mutating func hex4() throws(ParseError) -> UInt32 {
      guard bytes.count - at >= 4 else { throw error("unexpected end") }
      var value: UInt32 = 0
      for _ in 0..<4 {
        let c = bytes[at]
        let digit: UInt32
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
        default: throw error("bad \\u escape")
        }
        value = value << 4 | digit
        at += 1
      }
      return value
    }

    mutating func string() throws(ParseError) -> String {
      at += 1
      var out: [UInt8] = []
      while true {
        guard at < bytes.count else { throw error("unterminated string") }
        let c = bytes[at]
        at += 1
        switch c {
        case UInt8(ascii: "\""):
          return String(decoding: out, as: UTF8.self)
        case UInt8(ascii: "\\"):
          guard at < bytes.count else { throw error("unterminated string") }
          let escape = bytes[at]
          at += 1
          switch escape {
          case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
          case UInt8(ascii: "b"): out.append(0x08)
          case UInt8(ascii: "f"): out.append(0x0C)
          case UInt8(ascii: "n"): out.append(0x0A)
          case UInt8(ascii: "r"): out.append(0x0D)
          case UInt8(ascii: "t"): out.append(0x09)
          case UInt8(ascii: "u"):
            var scalar = try hex4()
            // A surrogate pair: two escapes for one scalar.
            if (0xD800..<0xDC00).contains(scalar), bytes.count - at >= 6, bytes[at] == UInt8(ascii: "\\"),
              bytes[at + 1] == UInt8(ascii: "u")
            {
              at += 2
              let low = try hex4()
              guard (0xDC00..<0xE000).contains(low) else { throw error("bad surrogate pair") }
              scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            out += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
          default:
            throw error("bad escape")
          }
        case 0..<0x20:
          throw error("control character in a string")
        default:
          out.append(c)
        }
      }
    }

    mutating func number() throws(ParseError) -> JSON {
      let start = at
      func digits(_ at: inout Int, _ bytes: [UInt8]) -> Int {
        let from = at
        while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") { at += 1 }
        return at - from
      }
      if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
      let first = at
      let whole = digits(&at, bytes)
      // JSON's grammar: no leading zeros, digits after a point and in an exponent.
      guard whole > 0, whole == 1 || bytes[first] != UInt8(ascii: "0") else { throw error("not a JSON number") }
      var integral = true
      if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
        at += 1
        guard digits(&at, bytes) > 0 else { throw error("not a JSON number") }
        integral = false
      }
      if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
        at += 1
        if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
        guard digits(&at, bytes) > 0 else { throw error("not a JSON number") }
        integral = false
      }
      let text = String(decoding: bytes[start..<at], as: UTF8.self)
      if integral, let n = Int(text) { return .int(n) }
      return .string(text)
    }
  }
}
