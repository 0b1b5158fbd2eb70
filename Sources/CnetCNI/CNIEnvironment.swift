import CnetCore

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
/// STATUS and GC, which read none (podman sends VERSION with "dummy" in
/// each). Those that are read are checked here: a bad one is code 4.
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
    let needed: [(String, String?)]
    switch command {
    case .add, .check, .delete:
      containerID = value("CNI_CONTAINERID")
      netns = value("CNI_NETNS")
      interface = value("CNI_IFNAME")
      needed = command == .delete
        ? [("CNI_CONTAINERID", containerID), ("CNI_IFNAME", interface)]
        : [("CNI_CONTAINERID", containerID), ("CNI_NETNS", netns), ("CNI_IFNAME", interface)]
    case .status, .gc, .version:
      return
    }
    for (key, present) in needed where present == nil {
      throw CNIError(CNIError.invalidEnvironment, "\(key) is not set; \(command.rawValue) needs it")
    }
    if let containerID, !Self.isContainerID(containerID) {
      throw CNIError(CNIError.invalidEnvironment,
        "invalid CNI_CONTAINERID \"\(containerID)\": use letters, digits, '_', '.' and '-', starting with a letter or digit")
    }
    if let interface {
      do { _ = try InterfaceName(interface) } catch {
        throw CNIError(CNIError.invalidEnvironment, "invalid CNI_IFNAME: \(error.message)")
      }
    }
    if command != .delete, let netns, !netns.hasPrefix("/") {
      throw CNIError(CNIError.invalidEnvironment, "invalid CNI_NETNS \"\(netns)\": not an absolute path")
    }
    // DEL needs none of CNI_ARGS: a malformed one must not stop a teardown.
    if command != .delete, let text = value("CNI_ARGS") { args = try Self.parseArgs(text) }
  }

  /// The specification's container ids: a letter or digit, then letters,
  /// digits, '_', '.' and '-'; no length limit (podman's and containerd's
  /// are 64 hex digits; cnet keeps it to 1024 bytes).
  static func isContainerID(_ id: String) -> Bool {
    id.utf8.count <= 1024 && NameCharacters.valid(id)
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
