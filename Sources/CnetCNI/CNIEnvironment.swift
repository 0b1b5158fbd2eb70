/// What CNI commands there are: the runtime's CNI_COMMAND.
public enum CNICommand: String, Sendable, CaseIterable {
  case add = "ADD"
  case delete = "DEL"
  case check = "CHECK"
  case status = "STATUS"
  case gc = "GC"
  case version = "VERSION"

  /// The first specification version that has the command.
  public var since: String {
    switch self {
    case .check: "0.4.0"
    case .status, .gc: "1.1.0"
    case .add, .delete, .version: "0.3.0"
    }
  }
}

/// The request's CNI_* variables. Which must be there depends on the
/// command: all three of the attachment's for ADD and CHECK; the container
/// and interface for DEL (its namespace may be gone); none for VERSION,
/// STATUS and GC (podman sends VERSION with "dummy" in each).
public struct CNIEnvironment: Sendable {
  public var command: CNICommand
  public var containerID: String?
  public var netns: String?
  public var interface: String?
  /// CNI_ARGS, `KEY=VALUE;...`, in order.
  public var args: [(key: String, value: String)] = []

  /// Reads the variables through `get` (getenv, or a test's table).
  public init(_ get: (String) -> String?) throws(CNIError) {
    guard let name = get("CNI_COMMAND"), !name.isEmpty else {
      throw CNIError(CNIError.invalidEnvironment, "CNI_COMMAND is not set")
    }
    guard let command = CNICommand(rawValue: name) else {
      throw CNIError(CNIError.invalidEnvironment, "unknown CNI_COMMAND \"\(name)\"",
                     details: "expected one of " + CNICommand.allCases.map(\.rawValue).joined(separator: ", "))
    }
    self.command = command
    func value(_ key: String) -> String? { get(key).flatMap { $0.isEmpty ? nil : $0 } }
    containerID = value("CNI_CONTAINERID")
    netns = value("CNI_NETNS")
    interface = value("CNI_IFNAME")
    if let text = value("CNI_ARGS") { args = try Self.parseArgs(text) }
    let needed: [(String, String?)]
    switch command {
    case .add, .check: needed = [("CNI_CONTAINERID", containerID), ("CNI_NETNS", netns), ("CNI_IFNAME", interface)]
    case .delete: needed = [("CNI_CONTAINERID", containerID), ("CNI_IFNAME", interface)]
    case .status, .gc, .version: needed = []
    }
    for (key, present) in needed where present == nil {
      throw CNIError(CNIError.invalidEnvironment, "\(key) is not set; \(command.rawValue) needs it")
    }
  }

  /// `KEY=VALUE;KEY=VALUE`. Keys cnet does not know are left alone, with
  /// or without IgnoreUnknown (runtimes add their own: K8S_POD_NAMESPACE).
  static func parseArgs(_ text: String) throws(CNIError) -> [(key: String, value: String)] {
    var pairs: [(key: String, value: String)] = []
    for item in text.split(separator: ";", omittingEmptySubsequences: true) {
      guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
        throw CNIError(CNIError.invalidEnvironment, "invalid CNI_ARGS \"\(text)\": \"\(item)\" is no KEY=VALUE")
      }
      pairs.append((String(item[..<equals]), String(item[item.index(after: equals)...])))
    }
    return pairs
  }

  /// The last value of `key` in CNI_ARGS.
  public func arg(_ key: String) -> String? {
    args.last { $0.key == key }?.value
  }
}
