import CnetCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct IPAddressTests {
  @Test(arguments: ["0.0.0.0", "10.1.2.3", "255.255.255.255", "192.0.2.1"])
  func validIPv4(_ text: String) {
    #expect(IPv4Address(text)?.description == text)
  }

  @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", " 1.2.3.4", "1..2.3", "1.2.3.4/24", "a.b.c.d", "1.2.3.4 "])
  func invalidIPv4(_ text: String) {
    #expect(IPv4Address(text) == nil)
  }

  @Test(arguments: [
    ("::", "::"), ("::1", "::1"), ("fd00::2", "fd00::2"), ("FD00:0:0:0:0:0:0:2", "fd00::2"),
    ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("2001:0db8::0001", "2001:db8::1"),
    ("::ffff:192.0.2.1", "::ffff:192.0.2.1"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
    ("1::", "1::"), ("fe80::1:2", "fe80::1:2"), ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
  ])
  func ipv6TextMatchesInetNtop(_ input: String, _ expected: String) {
    #expect(IPv6Address(input)?.description == expected)
  }

  @Test(arguments: ["", ":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::", "fe80::1%eth0", "1:2:3:4:5:6:7", "::1.2.3", ":1::", "1::2:"])
  func invalidIPv6(_ text: String) {
    #expect(IPv6Address(text) == nil)
  }

  /// Thousands of random addresses, biased towards runs of zero groups:
  /// parsing and printing agree with glibc's inet_pton and inet_ntop.
  @Test func agreesWithGlibcOnRandomAddresses() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<5000 {
      var bytes = [UInt8](repeating: 0, count: 16)
      for group in 0..<8 where Int.random(in: 0..<3, using: &generator) != 0 {
        bytes[2 * group] = UInt8.random(in: 0...255, using: &generator) & (Bool.random() ? 0xff : 0)
        bytes[2 * group + 1] = UInt8.random(in: 0...255, using: &generator)
      }
      var storage = in6_addr()
      withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: bytes) }
      var text = [CChar](repeating: 0, count: 64)
      inet_ntop(AF_INET6, &storage, &text, 64)
      let glibc = String(cString: text)
      let ours = IPv6Address(bytes: bytes)
      #expect(ours?.description == glibc)
      #expect(IPv6Address(glibc)?.bytes == bytes)
    }
  }

  /// Fifty thousand strings, half of them dotted numbers near the valid
  /// forms (octets up to 300, leading zeros, three or five parts), half
  /// random text over digits, dots and a few strays: the byte-by-byte IPv4
  /// parser accepts exactly what inet_pton accepts, with the same value.
  /// A fixed seed: the same strings every run.
  @Test func ipv4AgreesWithGlibcOnGeneratedText() {
    var random = SplitMix64(seed: 0x1c4e7)
    let alphabet = Array("0123456789.-+ x/:".utf8)
    var accepted = 0
    for round in 0..<50_000 {
      var text: String
      if round % 2 == 0 {
        let parts = [3, 4, 4, 4, 4, 5][Int(random.next() % 6)]
        text = (0..<parts).map { _ in
          let octet = String(random.next() % 301)
          return random.next() % 8 == 0 ? "0" + octet : octet
        }.joined(separator: ".")
      } else {
        let length = Int(random.next() % 17)
        text = String(decoding: (0..<length).map { _ in
          random.next() % 10 < 9 ? alphabet[Int(random.next() % 11)] : alphabet[Int(random.next() % UInt64(alphabet.count))]
        }, as: UTF8.self)
      }
      var storage = in_addr()
      let glibc = inet_pton(AF_INET, text, &storage) == 1 ? UInt32(bigEndian: storage.s_addr) : nil
      #expect(IPv4Address(text)?.value == glibc, "\(text)")
      #expect(IPv4Address(Substring(text))?.value == glibc, "\(text)")
      if glibc != nil { accepted += 1 }
    }
    #expect(accepted > 4_000, "the generated text should hold valid addresses too (5,120 of them)")
  }

  @Test func familyAndBytes() {
    #expect(IPAddress("10.0.0.1")?.family == .v4)
    #expect(IPAddress("fd00::1")?.family == .v6)
    #expect(IPAddress("10.0.0.1")?.bytes == [10, 0, 0, 1])
    #expect(IPAddress(bytes: [1, 2, 3]) == nil)
  }
}

@Suite struct CIDRTests {
  @Test func parsesAndMasks() throws {
    let cidr = try CIDR("10.1.2.3/24")
    #expect(cidr.prefixLength == 24)
    #expect(cidr.network == IPAddress("10.1.2.0"))
    #expect(cidr.broadcast == IPv4Address("10.1.2.255"))
    #expect(!cidr.isNetworkAddress)
    #expect(cidr.masked.description == "10.1.2.0/24")
    #expect(cidr.contains(IPAddress("10.1.2.200")!))
    #expect(!cidr.contains(IPAddress("10.1.3.1")!))
    #expect(!cidr.contains(IPAddress("fd00::1")!))
  }

  @Test func ipv6Masks() throws {
    #expect(try CIDR("fd00:1:2:3:4:5:6:7/64").network == IPAddress("fd00:1:2:3::"))
    #expect(try CIDR("fd00:1:2:3:ab04:5:6:7/72").network == IPAddress("fd00:1:2:3:ab00::"))
    #expect(try CIDR("fd00::7/128").isNetworkAddress)
    #expect(try CIDR("::/0").isNetworkAddress)
    #expect(try CIDR("fd00::/64").broadcast == nil)
  }

  @Test func edgeLengths() throws {
    #expect(try CIDR("0.0.0.0/0").network == IPAddress("0.0.0.0"))
    #expect(try CIDR("10.0.0.1/32").broadcast == nil)
    #expect(try CIDR("10.0.0.0/30").broadcast == IPv4Address("10.0.0.3"))
    #expect(try CIDR("10.0.0.7", hostWhenBare: true).prefixLength == 32)
    #expect(try CIDR("fd00::7", hostWhenBare: true).prefixLength == 128)
  }

  @Test(arguments: ["10.0.0.1", "10.0.0.1/33", "10.0.0.1/-1", "10.0.0.1/", "10.0.0.1/abc", "/24", "x/24", "fd00::/129", "10.0.0.1/24/8", "10.0.0.1/0024"])
  func invalid(_ text: String) {
    #expect(throws: CnetError.self) { try CIDR(text) }
  }

  /// Every prefix length around the valid range, and the forms around it.
  @Test func prefixLengths() throws {
    for n in 0...200 {
      let v4 = try? CIDR("10.0.0.1/\(n)")
      #expect(v4?.prefixLength == (n <= 32 ? n : nil))
      let v6 = try? CIDR("fd00::1/\(n)")
      #expect(v6?.prefixLength == (n <= 128 ? n : nil))
    }
    #expect(try CIDR("10.0.0.1/024").prefixLength == 24)
    #expect(try CIDR("10.0.0.1/00").prefixLength == 0)
    for bad in ["10.0.0.1//24", "10.0.0.1/2 4", "10.0.0.1/ 24", "10.0.0.1/24 ", "10.0.0.1/+24", "10.0.0.1/1000"] {
      #expect(throws: CnetError.self) { try CIDR(bad) }
    }
  }

  @Test func errorsSayWhatIsWrong() {
    #expect(throws: CnetError(.invalidArgument, "invalid prefix length in \"10.0.0.1/33\": expected 0-32")) {
      try CIDR("10.0.0.1/33")
    }
    #expect(throws: CnetError(.invalidArgument, "invalid address \"10.0.0/8\": not an IPv4 or IPv6 address")) {
      try CIDR("10.0.0/8")
    }
  }
}

/// A seeded generator, so that generated test inputs are the same in every
/// run (SplitMix64).
struct SplitMix64 {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
