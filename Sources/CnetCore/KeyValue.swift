/// KEY=VALUE, as `-o` and `--label` take it and Docker's options are.
public struct KeyValue: Sendable, Equatable {
  public var key: String
  public var value: String
  public init(_ key: String, _ value: String) {
    self.key = key
    self.value = value
  }
}
