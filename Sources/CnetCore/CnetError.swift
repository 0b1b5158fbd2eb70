// The error every layer reports to the user: a kind, which decides the
// exit status, and one line of text naming the operation, the object and
// the reason.

/// What went wrong, in the terms the exit status uses.
public enum ErrorKind: Sendable, Equatable {
  /// Malformed or contradictory input; nothing was changed.
  case invalidArgument
  /// A named object (namespace, link, process) does not exist.
  case notFound
  /// An object to be created exists already.
  case alreadyExists
  /// The operation was tried and the kernel or system refused it.
  case failed
  /// The object is in use, or conflicts with another (an address taken,
  /// overlapping subnets, a network with endpoints).
  case conflict
  /// Another cnet command held the lock for longer than the timeout.
  case busy
  /// A command run by `exec` was not found, or could not be executed.
  case commandNotFound
  case commandNotExecutable
}

/// Anything that can be shown to the user as one line with a kind.
public protocol ReportableError: Error {
  var kind: ErrorKind { get }
  var message: String { get }
}

public struct CnetError: ReportableError, CustomStringConvertible, Equatable {
  public var kind: ErrorKind
  public var message: String

  public init(_ kind: ErrorKind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}
