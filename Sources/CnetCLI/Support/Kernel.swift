import CnetCore
import CnetKernel

/// How commands reach the kernel: a netlink socket in the namespace `-n`
/// names (or cnet's own), and namespaces named by the user.
enum Kernel {
  static var namespaces: NetnsDirectory { .standard }

  /// A socket in the named namespace, or in cnet's own without a name.
  static func socket(in namespace: String?) throws -> RouteSocket {
    guard let namespace else { return try RouteSocket.current() }
    return try RouteSocket.inside(try open(namespace: namespace))
  }

  static func open(namespace: String) throws -> NetworkNamespace {
    try namespaces.open(NamespaceName(namespace))
  }

  /// A namespace given as a name or, as `ip link set netns` allows, a PID
  /// (when no namespace of that name exists).
  static func namespace(nameOrPID argument: String) throws -> NetworkNamespace {
    let name = try NamespaceName(argument)
    if !namespaces.exists(name), let pid = Int32(argument), pid > 0 {
      return try NetworkNamespace.of(pid: pid)
    }
    return try namespaces.open(name)
  }

  /// Parses a PID argument.
  static func pid(_ text: String) throws -> Int32 {
    guard let pid = Int32(text), pid > 0 else {
      throw CnetError(.invalidArgument, "invalid PID \"\(text)\": expected a positive number")
    }
    return pid
  }
}
