import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Why `exec` could not start the command.
public struct ExecError: ReportableError, CustomStringConvertible {
  public var kind: ErrorKind
  public var message: String
  public var description: String { message }
}

extension NetnsDirectory {
  /// Runs `command` inside the named namespace the way `ip netns exec`
  /// does, replacing this process: the command's exit status and signals
  /// are the caller's. Only returns by throwing. Must be called from a
  /// single-threaded process (the CLI is).
  public func exec(_ name: NamespaceName, command: [String]) throws -> Never {
    guard let program = command.first else {
      throw ExecError(kind: .invalidArgument, message: "no command to run in netns \"\(name)\"")
    }
    let namespace = try open(name)
    let arguments = CArguments()
    var argv: [UnsafeMutablePointer<CChar>?] = command.map { UnsafeMutablePointer(mutating: arguments.string($0)) }
    argv.append(nil)
    var step: Int32 = 0
    let rc = withExtendedLifetime((namespace, arguments)) {
      argv.withUnsafeBufferPointer { cnet_netns_exec(namespace.fd, name.value, $0.baseAddress, &step) }
    }
    let code = -rc
    switch Int(step) {
    case Int(CNET_EXEC_EXECVP.rawValue):
      let kind: ErrorKind = code == ENOENT ? .commandNotFound : .commandNotExecutable
      throw ExecError(kind: kind, message: "cannot run \"\(program)\" in netns \"\(name)\": \(errnoDescription(code))")
    case Int(CNET_EXEC_THREADS.rawValue):
      throw ExecError(kind: .failed, message: "cannot enter netns \"\(name)\": cnet is running more than one thread")
    case Int(CNET_EXEC_SETNS.rawValue):
      throw KernelError("enter netns", "\"\(name)\"", code: code)
    case Int(CNET_EXEC_UNSHARE.rawValue):
      throw KernelError("create a mount namespace for netns", "\"\(name)\"", code: code)
    case Int(CNET_EXEC_SLAVE.rawValue):
      throw KernelError("make mounts private for netns", "\"\(name)\"", code: code)
    default:
      throw KernelError("mount /sys for netns", "\"\(name)\"", code: code)
    }
  }
}
