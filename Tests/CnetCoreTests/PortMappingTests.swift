import CnetCore
import Testing

@Suite struct PortMappingTests {
  @Test(arguments: [
    ("8080:80", "8080:80/tcp"),
    ("8080:80/udp", "8080:80/udp"),
    ("127.0.0.1:8080:80", "127.0.0.1:8080:80/tcp"),
    ("198.51.100.7:53:53/udp", "198.51.100.7:53:53/udp"),
    ("[::1]:8080:80", "[::1]:8080:80/tcp"),
    ("[2001:db8::1]:443:8443/tcp", "[2001:db8::1]:443:8443/tcp"),
    ("9000-9010:9000-9010", "9000-9010:9000-9010/tcp"),
    ("9000-9010:7000-7010/udp", "9000-9010:7000-7010/udp"),
    ("65535:1", "65535:1/tcp"),
  ])
  func parsesAndPrints(text: String, canonical: String) throws {
    #expect(try PortMapping(text).description == canonical)
  }

  @Test(arguments: [
    "", "80", "8080:", ":80", "0:80", "8080:0", "65536:80", "8080:80/sctp", "8080:80/", "a:80",
    "9000-9010:80", "9010-9000:9010-9000", "1-2-3:1-2-3", "256.1.1.1:80:80", "::1:8080:80",
    "[::1]8080:80", "[10.0.0.1]:80:80", "1.2.3.4:5:6:7", "8080:80/tcp/udp", "+80:80", " 80:80",
  ])
  func refuses(text: String) {
    #expect(throws: CnetError.self) { try PortMapping(text) }
  }

  @Test func errorsNameTheInput() {
    do {
      _ = try PortMapping("9000-9010:80")
      Issue.record("expected an error")
    } catch {
      #expect(error.message == "invalid -p \"9000-9010:80\": host ports 9000-9010 and ports 80 are ranges of different lengths")
    }
  }

  @Test func clashes() throws {
    let any = try PortMapping("8080:80")
    #expect(any.clashes(with: try PortMapping("127.0.0.1:8080:81")))
    #expect(any.clashes(with: try PortMapping("8000-8100:9000-9100")))
    #expect(!any.clashes(with: try PortMapping("8080:80/udp")))
    #expect(!any.clashes(with: try PortMapping("8081:80")))
    let loopback = try PortMapping("127.0.0.1:8080:80")
    #expect(!loopback.clashes(with: try PortMapping("192.0.2.1:8080:80")))
    #expect(loopback.clashes(with: try PortMapping("127.0.0.1:8080:90")))
  }
}
