/// The versions of the CNI specification cnet speaks. A request's
/// `cniVersion` decides the version of everything cnet answers it with,
/// whatever the newest is (a result in a newer version than asked for
/// breaks older runtimes).
public enum CNIVersion {
  /// Oldest first. 0.3.0 is the first whose results carry interfaces.
  public static let supported = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]
  public static let latest = "1.1.0"

  /// Whether `version` is one cnet speaks.
  public static func isSupported(_ version: String) -> Bool { supported.contains(version) }

  /// Whether `version` is `minimum` or newer (both supported, or at least
  /// in the a.b.c form; anything else is older than all).
  public static func atLeast(_ version: String, _ minimum: String) -> Bool {
    guard let a = numbers(version), let b = numbers(minimum) else { return false }
    return !a.lexicographicallyPrecedes(b)
  }

  /// Results before 1.0.0 give each address's IP version ("4", "6").
  public static func resultsCarryIPVersion(_ version: String) -> Bool { !atLeast(version, "1.0.0") }

  private static func numbers(_ version: String) -> [Int]? {
    let parts = version.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3 else { return nil }
    var out: [Int] = []
    for part in parts {
      guard !part.isEmpty, part.utf8.count <= 4, let n = Int(part) else { return nil }
      out.append(n)
    }
    return out
  }
}
