extension Array where Element == String {
  /// The strings with `separator` between them, as the standard library's
  /// `joined(separator:)`, which this shadows for arrays of strings: that
  /// one is generic and not specialised, and its first call in a process
  /// has the Swift runtime look up associated types and conformances by
  /// scanning the binary's tables.
  @inlinable
  public func joined(separator: String) -> String {
    var result = ""
    for (index, element) in enumerated() {
      if index > 0 { result += separator }
      result += element
    }
    return result
  }

  @inlinable
  public func joined() -> String {
    joined(separator: "")
  }
}
