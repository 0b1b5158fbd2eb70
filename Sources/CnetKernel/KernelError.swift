import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// A refusal from the kernel or the system, carrying what was being done,
/// to what, the errno, and the kernel's own explanation (netlink extended
/// ack) when it sent one. Reads like iproute2:
/// `cannot create veth "v3f2a" in netns "web": File exists`.
public struct KernelError: ReportableError, CustomStringConvertible {
  /// The verb phrase: "create veth", "add address", "open namespace".
  public var operation: String
  /// The object, already quoted: "\"v3f2a\" in netns \"web\"".
  public var object: String
  /// A positive errno value.
  public var code: Int32
  /// NLMSGERR_ATTR_MSG, when the kernel sent one.
  public var kernelMessage: String?

  public init(_ operation: String, _ object: String, code: Int32, kernelMessage: String? = nil) {
    self.operation = operation
    self.object = object
    self.code = code < 0 ? -code : code
    self.kernelMessage = kernelMessage.flatMap { $0.isEmpty ? nil : $0 }
  }

  public var kind: ErrorKind {
    switch code {
    case ENOENT, ENODEV, ESRCH, ENXIO: .notFound
    case EEXIST: .alreadyExists
    default: .failed
    }
  }

  public var message: String {
    var text = "cannot \(operation)"
    if !object.isEmpty { text += " \(object)" }
    text += ": \(errnoDescription(code))"
    if let kernelMessage { text += " (kernel: \(kernelMessage))" }
    return text
  }

  public var description: String { message }
}
