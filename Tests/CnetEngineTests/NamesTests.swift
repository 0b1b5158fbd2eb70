import Testing

@testable import CnetEngine

#if canImport(Glibc)
import Glibc
#endif

@Suite struct NamesTests {
  /// What glibc's gmtime_r makes of the same instant, as RFC 3339.
  func reference(_ seconds: Int64) -> String {
    var t = time_t(seconds)
    var parts = tm()
    gmtime_r(&t, &parts)
    func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
  }

  @Test func utcMatchesGmtime() {
    // The epoch, the second before it, leap days (2000 is a leap year, 2100
    // is not), year ends, today, and a sweep of odd steps over 1900-2300.
    var instants: [Int64] = [0, -1, -86_400, -86_401, 951_782_400, 951_868_799, 946_684_799, 4_107_542_400,
                             4_107_628_800, 1_795_500_000, 253_402_300_799, -2_208_988_800]
    var s: Int64 = -2_208_988_800
    while s < 10_413_792_000 {
      instants.append(s)
      s += 7_654_321
    }
    for instant in instants {
      #expect(Names.utc(instant) == reference(instant), "at \(instant)")
    }
    #expect(Names.utc(1_795_500_000) == "2026-11-24T06:00:00Z")  // date -u -d @1795500000
  }

  @Test func utcNeverTraps() {
    // Any Int64 gives some text, never an overflow trap.
    #expect(!Names.utc(.min).isEmpty)
    #expect(!Names.utc(.max).isEmpty)
  }
}
