import CnetCore

/// cnet's exit statuses. They are part of the contract with scripts and
/// are documented in the man page (the root command's discussion).
enum ExitStatus: Int32 {
  case success = 0
  /// The kernel or the system refused the operation.
  case failed = 1
  /// A named object (namespace, link, process) does not exist.
  case notFound = 2
  /// An object to be created exists already.
  case alreadyExists = 3
  /// Bad usage or invalid input; nothing was changed (EX_USAGE).
  case usage = 64
  /// `exec`: the command was found but could not be run.
  case commandNotExecutable = 126
  /// `exec`: the command was not found.
  case commandNotFound = 127

  init(_ kind: ErrorKind) {
    switch kind {
    case .invalidArgument: self = .usage
    case .notFound: self = .notFound
    case .alreadyExists: self = .alreadyExists
    case .failed: self = .failed
    case .commandNotFound: self = .commandNotFound
    case .commandNotExecutable: self = .commandNotExecutable
    }
  }

  /// The text for the man page and `cnet --help`.
  static let documentation = """
    EXIT STATUS: 0 success; 1 the kernel or the system refused the operation; \
    2 a named namespace, link or process does not exist; 3 an object to be \
    created already exists; 64 bad usage or invalid input (nothing was \
    changed); for exec, the command's own status, or 126 when the command \
    cannot be run and 127 when it is not found.
    """
}
