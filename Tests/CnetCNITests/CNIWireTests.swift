import CnetCore
import Testing

@testable import CnetCNI

@Suite struct CNIWireTests {
  @Test func placeholder() { #expect(CNIVersion.isSupported("1.0.0")) }
}
