import CnetCore
import Testing

@Suite struct JSONParserTests {
  func parse(_ text: String) throws -> JSON { try JSON.parse(Array(text.utf8)) }

  @Test func valuesAndFieldOrder() throws {
    let json = try parse(#" {"b": [1, -2, true, false, null], "a": {"x": "y"}, "n": "42"} "#)
    #expect(json == .object([
      ("b", .array([.int(1), .int(-2), .bool(true), .bool(false), .null])), ("a", .object([("x", .string("y"))])),
      ("n", .string("42")),
    ]))
    #expect(json["a"]?["x"]?.string == "y")
    #expect(json["n"]?.integer == 42)
    #expect(json["b"]?.array?.first?.integer == 1)
    #expect(json["missing"] == nil)
  }

  @Test func whatTheWriterWritesReadsBack() throws {
    let value = JSON.object([("s", .string("tab\t\"q\" \\ nl\n é \u{1}")), ("i", .int(Int.min)), ("e", .array([])),
                             ("o", .object([]))])
    #expect(try parse(value.compact) == value)
    #expect(try parse(value.pretty) == value)
  }

  @Test func escapes() throws {
    #expect(try parse(#""a\/b\u00e9\ud83d\ude00\n""#) == .string("a/bé😀\n"))
  }

  @Test func numbersThatAreNotIntegersKeepTheirText() throws {
    #expect(try parse("1.5e3") == .string("1.5e3"))
    #expect(try parse("-0") == .int(0))
    #expect(try parse("0.25E-2") == .string("0.25E-2"))
    #expect(try parse("99999999999999999999") == .string("99999999999999999999"))
  }

  @Test(arguments: ["", "{", "[1,", #"{"a" 1}"#, #"{"a":1,}"#, "tru", "1 2", #""\x""#, "\"a\u{1}\"", "-", "01", "1.", "1e", "+1", "--1", "1-2", "-.5",
                    String(repeating: "[", count: 100) + String(repeating: "]", count: 100)])
  func malformedIsAnError(_ text: String) {
    #expect(throws: JSON.ParseError.self) { try parse(text) }
  }
}
