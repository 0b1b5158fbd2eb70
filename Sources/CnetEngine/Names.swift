import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Ids, times and the names users give networks, endpoints and sandboxes.
public enum Names {
  /// 64 hex digits from the kernel's random source, as Docker's ids.
  public static func newID() -> String {
    var generator = SystemRandomNumberGenerator()
    var text = ""
    for _ in 0..<4 {
      let word = generator.next() as UInt64
      let hex = String(word, radix: 16)
      text += String(repeating: "0", count: 16 - hex.count) + hex
    }
    return text
  }

  /// Now, as RFC 3339 in UTC ("2026-11-24T20:30:00Z").
  public static func now() -> String { utc(Int64(time(nil))) }

  /// Seconds since the epoch as RFC 3339 in UTC, computed by hand: glibc's
  /// gmtime_r (and strftime) read the time zone file on their first call,
  /// four system calls for nothing in a process that lives milliseconds.
  /// The date is the proleptic Gregorian calendar's (days to civil date
  /// after Howard Hinnant's algorithm, exact for any Int64 day count).
  static func utc(_ seconds: Int64) -> String {
    let (quotient, remainder) = seconds.quotientAndRemainder(dividingBy: 86_400)
    let days = remainder < 0 ? quotient - 1 : quotient
    let clock = remainder < 0 ? remainder + 86_400 : remainder
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shifted = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shifted + 2) / 5 + 1
    let month = shifted < 10 ? shifted + 3 : shifted - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(year)-\(two(month))-\(two(day))T\(two(clock / 3600)):\(two(clock / 60 % 60)):\(two(clock % 60))Z"
  }

  /// Names of networks, endpoints and sandboxes: what Docker accepts, short
  /// enough to be a host name label, usable as a namespace name and in a
  /// hosts file: a letter or digit, then letters, digits, '_', '.', '-';
  /// at most 63 bytes.
  static func check(_ name: String, _ what: String, limit: Int = 63) throws {
    let count = name.utf8.count
    guard count > 0 else {
      throw CnetError(.invalidArgument, "invalid \(what) name \"\": must not be empty")
    }
    guard count <= limit else {
      throw CnetError(.invalidArgument, "invalid \(what) name \"\(name)\": \(count) bytes, at most \(limit) allowed")
    }
    guard NameCharacters.valid(name) else {
      throw CnetError(.invalidArgument,
        "invalid \(what) name \"\(name)\": use letters, digits, '_', '.' and '-', starting with a letter or digit")
    }
  }

  /// A host name (RFC 1123): labels of letters, digits and '-', dotted, at
  /// most 253 bytes; also what an alias and an --add-host name must be.
  static func checkHostname(_ name: String, _ what: String) throws {
    let labels = name.split(separator: ".", omittingEmptySubsequences: false)
    let valid = !name.isEmpty && name.utf8.count <= 253 && labels.allSatisfy { label in
      let b = Array(label.utf8)
      return (1...63).contains(b.count) && b.first?.isAlphanumeric == true && b.last?.isAlphanumeric == true
        && b.allSatisfy { $0.isAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }
    guard valid else {
      throw CnetError(.invalidArgument, "invalid \(what) \"\(name)\": expected a host name (letters, digits and '-', in dot-separated labels)")
    }
  }
}

