// Names users give to kernel objects, validated before anything changes.

/// A network interface name: what the kernel's dev_valid_name accepts.
public struct InterfaceName: Hashable, Sendable, CustomStringConvertible {
  /// IFNAMSIZ - 1.
  public static let maxLength = 15

  public let value: String

  public init(_ text: String) throws(CnetError) {
    let bytes = text.utf8
    guard !bytes.isEmpty else {
      throw CnetError(.invalidArgument, "invalid interface name \"\": must not be empty")
    }
    guard bytes.count <= Self.maxLength else {
      throw CnetError(.invalidArgument,
        "invalid interface name \"\(text)\": \(bytes.count) bytes, at most \(Self.maxLength) allowed")
    }
    guard text != ".", text != ".." else {
      throw CnetError(.invalidArgument, "invalid interface name \"\(text)\"")
    }
    if let bad = bytes.first(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0.isASCIISpaceOrControl }) {
      throw CnetError(.invalidArgument,
        "invalid interface name \"\(text)\": must not contain \(describe(bad))")
    }
    value = text
  }

  public var description: String { value }
}

/// A named network namespace (a file under /var/run/netns): iproute2's
/// rules (ip/ipnetns.c invalid_name).
public struct NamespaceName: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// NAME_MAX.
  public static let maxLength = 255

  public let value: String

  public init(_ text: String) throws(CnetError) {
    let bytes = text.utf8
    guard !bytes.isEmpty else {
      throw CnetError(.invalidArgument, "invalid namespace name \"\": must not be empty")
    }
    guard bytes.count <= Self.maxLength else {
      throw CnetError(.invalidArgument,
        "invalid namespace name: \(bytes.count) bytes, at most \(Self.maxLength) allowed")
    }
    guard text != ".", text != ".." else {
      throw CnetError(.invalidArgument, "invalid namespace name \"\(text)\"")
    }
    guard !bytes.contains(UInt8(ascii: "/")) else {
      throw CnetError(.invalidArgument, "invalid namespace name \"\(text)\": must not contain '/'")
    }
    value = text
  }

  public var description: String { value }
  public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}

extension UInt8 {
  /// Space, tab, newline and the other C isspace() characters, plus
  /// control characters, which make names unprintable.
  fileprivate var isASCIISpaceOrControl: Bool { self <= 32 || self == 127 }

  /// An ASCII letter or digit.
  public var isAlphanumeric: Bool {
    (48...57).contains(self) || (65...90).contains(self) || (97...122).contains(self)
  }
}

/// The names Docker accepts for its objects, and the CNI specification
/// for container ids: a letter or digit, then letters, digits, '_', '.'
/// and '-'. (Lengths are the caller's rule.)
public enum NameCharacters {
  public static func valid(_ name: String) -> Bool {
    let bytes = name.utf8
    guard let first = bytes.first, first.isAlphanumeric else { return false }
    return bytes.allSatisfy { $0.isAlphanumeric || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
  }
}

private func describe(_ byte: UInt8) -> String {
  switch byte {
  case UInt8(ascii: "/"): "'/'"
  case UInt8(ascii: ":"): "':'"
  case UInt8(ascii: " "): "spaces"
  default: "whitespace or control characters"
  }
}
