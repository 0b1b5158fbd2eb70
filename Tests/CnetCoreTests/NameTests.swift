import CnetCore
import Testing

@Suite struct NameTests {
  @Test(arguments: ["eth0", "br-1234567890ab", "a", "veth.5", "x_y"])
  func validInterfaceNames(_ name: String) throws {
    #expect(try InterfaceName(name).value == name)
  }

  @Test(arguments: ["", "0123456789abcdef", "a/b", "a:b", "a b", "a\tb", "a\nb", ".", ".."])
  func invalidInterfaceNames(_ name: String) {
    #expect(throws: CnetError.self) { try InterfaceName(name) }
  }

  @Test func interfaceNameLimitIsInBytes() {
    // 8 two-byte characters are 16 bytes: one too many.
    #expect(throws: CnetError.self) { try InterfaceName("éééééééé") }
    #expect(throws: CnetError(.invalidArgument, "invalid interface name \"0123456789abcdef\": 16 bytes, at most 15 allowed")) {
      try InterfaceName("0123456789abcdef")
    }
  }

  @Test(arguments: ["web", "ns-1", "a b", "x.y", String(repeating: "n", count: 255)])
  func validNamespaceNames(_ name: String) throws {
    #expect(try NamespaceName(name).value == name)
  }

  @Test(arguments: ["", "a/b", "/", ".", "..", String(repeating: "n", count: 256)])
  func invalidNamespaceNames(_ name: String) {
    #expect(throws: CnetError.self) { try NamespaceName(name) }
  }

  @Test func macAddresses() throws {
    #expect(try MACAddress("02:42:AC:11:0:2").description == "02:42:ac:11:00:02")
    #expect(throws: CnetError.self) { try MACAddress("02:42:ac:11:00") }
    #expect(throws: CnetError.self) { try MACAddress("02:42:ac:11:00:02:03") }
    #expect(throws: CnetError.self) { try MACAddress("02-42-ac-11-00-02") }
    #expect(throws: CnetError.self) { try MACAddress("02:42:ac:11:00:0g") }
    #expect(throws: CnetError.self) { try MACAddress.unicast("01:00:5e:00:00:01") }
    #expect(throws: CnetError.self) { try MACAddress.unicast("00:00:00:00:00:00") }
    #expect(try MACAddress.unicast("02:00:00:00:00:01").bytes == [2, 0, 0, 0, 0, 1])
  }
}

@Suite struct JSONTests {
  @Test func compactKeepsFieldOrder() {
    let value = JSON.object([("z", .int(1)), ("a", .array([.bool(true), .null, .string("x")])), ("e", .object([]))])
    #expect(value.compact == #"{"z":1,"a":[true,null,"x"],"e":{}}"#)
  }

  @Test func escapes() {
    #expect(JSON.string("a\"b\\c\nd\u{01}é").compact == #""a\"b\\c\nd\u0001é""#)
  }

  @Test func pretty() {
    #expect(JSON.object([("a", .array([.int(1)]))]).pretty == "{\n  \"a\": [\n    1\n  ]\n}")
  }
}
