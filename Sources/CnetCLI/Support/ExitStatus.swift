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
  /// The object is in use or conflicts with another.
  case conflict = 4
  /// Bad usage or invalid input; nothing was changed (EX_USAGE).
  case usage = 64
  /// Another cnet command held the lock too long (EX_TEMPFAIL); try again.
  case busy = 75
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
    case .conflict: self = .conflict
    case .busy: self = .busy
    case .commandNotFound: self = .commandNotFound
    case .commandNotExecutable: self = .commandNotExecutable
    }
  }

  /// The text for the man page and `cnet --help`.
  static let documentation = """
    EXIT STATUS: 0 success; 1 the kernel or the system refused the operation; \
    2 a named object (network, endpoint, sandbox, namespace, link, process) \
    does not exist; 3 an object to be created already exists; 4 the object is \
    in use or conflicts with another (an address taken, overlapping subnets); \
    64 bad usage or invalid input (nothing was changed); 75 another cnet \
    command held the lock longer than CNET_LOCK_TIMEOUT seconds (default 60); \
    for exec, the command's own status, or 126 when the command \
    cannot be run and 127 when it is not found.
    """
}
