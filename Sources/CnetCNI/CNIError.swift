import CnetCore

/// A CNI error: what a plugin prints on stdout (never stderr: libcni reads
/// stdout and falls back to stderr's text only when stdout is no error)
/// with a non-zero exit status. Codes below 100 are the specification's;
/// cnet's own start at 100.
public struct CNIError: Error, Equatable {
  public var code: Int
  public var message: String
  public var details: String

  public init(_ code: Int, _ message: String, details: String = "") {
    self.code = code
    self.message = message
    self.details = details
  }

  /// The request's cniVersion is not one cnet speaks, or the command is
  /// newer than it.
  public static let incompatibleVersion = 1
  /// CHECK of an attachment cnet does not know.
  public static let unknownContainer = 3
  /// A CNI_* variable is missing or malformed.
  public static let invalidEnvironment = 4
  /// The configuration on stdin is not JSON.
  public static let decodingFailure = 6
  /// The configuration is not one cnet can serve (a bad subnet, a network
  /// that disagrees with it, a field of the wrong type).
  public static let invalidConfiguration = 7
  /// Another cnet command held the operation lock too long.
  public static let tryAgainLater = 11
  /// STATUS: cnet cannot serve an ADD now.
  public static let notAvailable = 50
  /// cnet's own: the kernel or the system refused a change.
  public static let failed = 100
  /// cnet's own: what was asked for conflicts with what exists (an address
  /// taken, the interface there already, a port published already).
  public static let conflict = 101
  /// cnet's own: something the request names does not exist (the
  /// container's namespace).
  public static let notFound = 102

  /// The error as cnet's error kinds map onto CNI's codes.
  public init(_ error: ReportableError) {
    switch error.kind {
    case .busy: self.init(Self.tryAgainLater, error.message)
    case .invalidArgument: self.init(Self.invalidConfiguration, error.message)
    case .conflict, .alreadyExists: self.init(Self.conflict, error.message)
    case .notFound: self.init(Self.notFound, error.message)
    case .failed, .commandNotFound, .commandNotExecutable: self.init(Self.failed, error.message)
    }
  }

  /// The error object, in `version` (the request's, or the newest when
  /// the request gave none cnet speaks).
  public func json(version: String) -> JSON {
    .present([
      ("cniVersion", .string(version)), ("code", .int(code)), ("msg", .string(message)),
      ("details", details.isEmpty ? nil : .string(details)),
    ])
  }
}
