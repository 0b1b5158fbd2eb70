import CnetCore

/// The etcd v3 operations cnet uses, behind one protocol: the cluster code
/// (membership, the global IPAM, the overlay driver, the agent) is written
/// against this, not against a transport. EtcdGateway implements it over
/// etcd's JSON gateway (`/v3/`).
///
/// Semantics are etcd's own (etcdserver/etcdserverpb/rpc.proto):
/// - every answer carries the store's revision at the time it was served;
/// - a transaction compares, then runs its success or its failure
///   operations, atomically;
/// - a key put with a lease is deleted when the lease expires or is
///   revoked, which is how a dead host's publications go;
/// - a watch delivers every change after a revision in order, or says the
///   revision was compacted away (EtcdError.compacted), after which the
///   caller lists again.
///
/// Calls block the calling thread; each has a deadline (the client's
/// timeout), so an unreachable store is an error within it, never a hang.
public protocol EtcdClient: Sendable {
  /// The keys at `key`, or under it with `prefix`. `keysOnly`: without
  /// values. `serializable`: answered by the member asked, possibly stale,
  /// without a round of the cluster (what a read that must not block on a
  /// lost majority uses).
  func range(_ key: String, prefix: Bool, keysOnly: Bool, serializable: Bool) throws -> EtcdRange

  /// Puts a value, bound to `lease` when it is not 0; the new revision.
  @discardableResult
  func put(_ key: String, _ value: [UInt8], lease: Int64) throws -> Int64

  /// Deletes a key, or every key under it with `prefix`; how many went.
  @discardableResult
  func delete(_ key: String, prefix: Bool) throws -> Int

  /// Compares, then runs `success` or `failure` as one change.
  func txn(_ compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation]) throws -> EtcdTxnResult

  /// `txn`, its request sent now and its answer read by the caller later
  /// (`EtcdPendingTxn.answer`), so that the caller works while etcd
  /// commits. Only for a transaction that is safe to send twice: when the
  /// answer is lost, it is sent again.
  func sendTxn(_ compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation]) throws -> EtcdPendingTxn

  /// A new lease of `ttl` seconds (etcd may raise a short one).
  func grantLease(ttl: Int) throws -> EtcdLease

  /// Renews a lease once; the seconds it has left, 0 or less when it is
  /// gone (expired or revoked).
  func keepAlive(_ lease: Int64) throws -> Int

  /// Revokes a lease: every key bound to it goes at once.
  func revokeLease(_ lease: Int64) throws

  /// Starts watching every key under `prefix` from `revision` (the first
  /// change delivered is at `revision` or after).
  func watch(prefix: String, from revision: Int64) throws -> EtcdWatch

  /// Compacts the history up to `revision` (tests and maintenance).
  func compact(_ revision: Int64) throws
}

extension EtcdClient {
  /// Without a transport that can part a request from its answer: the
  /// whole call, now.
  public func sendTxn(_ compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation]) throws -> EtcdPendingTxn {
    let result = Result { try txn(compare, success: success, failure: failure) }
    return EtcdPendingTxn { _ in try result.get() }
  }

  public func range(_ key: String, prefix: Bool = false) throws -> EtcdRange {
    try range(key, prefix: prefix, keysOnly: false, serializable: false)
  }
}

/// A key and its value as etcd keeps them.
public struct EtcdKeyValue: Sendable, Equatable {
  public var key: String
  public var value: [UInt8]
  /// The revision of the key's creation (0: absent) and of its last change.
  public var createRevision: Int64
  public var modRevision: Int64
  public var version: Int64
  /// The lease it is bound to, 0 for none.
  public var lease: Int64

  public init(key: String, value: [UInt8], createRevision: Int64 = 0, modRevision: Int64 = 0, version: Int64 = 0,
              lease: Int64 = 0) {
    self.key = key
    self.value = value
    self.createRevision = createRevision
    self.modRevision = modRevision
    self.version = version
    self.lease = lease
  }

  public var text: String { String(decoding: value, as: UTF8.self) }
}

/// What a range found, and the revision it was read at.
public struct EtcdRange: Sendable, Equatable {
  public var kvs: [EtcdKeyValue]
  public var revision: Int64

  public init(kvs: [EtcdKeyValue], revision: Int64) {
    self.kvs = kvs
    self.revision = revision
  }
}

public struct EtcdLease: Sendable, Equatable {
  public var id: Int64
  public var ttl: Int

  public init(id: Int64, ttl: Int) {
    self.id = id
    self.ttl = ttl
  }
}

/// One comparison of a transaction.
public struct EtcdCompare: Sendable, Equatable {
  public enum Target: String, Sendable {
    case version = "VERSION", create = "CREATE", mod = "MOD", value = "VALUE", lease = "LEASE"
  }

  public enum Result: String, Sendable {
    case equal = "EQUAL", greater = "GREATER", less = "LESS", notEqual = "NOT_EQUAL"
  }

  public var key: String
  /// Compares every key under `key` (a prefix) instead of one.
  public var prefix: Bool
  public var target: Target
  public var result: Result
  /// The revision, version or lease compared with (not for `.value`).
  public var number: Int64
  public var value: [UInt8]

  public init(_ key: String, prefix: Bool = false, _ target: Target, _ result: Result, number: Int64 = 0,
              value: [UInt8] = []) {
    self.key = key
    self.prefix = prefix
    self.target = target
    self.result = result
    self.number = number
    self.value = value
  }

  /// The key does not exist (its creation revision is 0).
  public static func absent(_ key: String) -> EtcdCompare { EtcdCompare(key, .create, .equal, number: 0) }

  /// The key exists, bound to `lease`: a host whose lease expired can no
  /// longer write as that host (fencing).
  public static func leased(_ key: String, _ lease: Int64) -> EtcdCompare { EtcdCompare(key, .lease, .equal, number: lease) }

  /// The key holds exactly `value`.
  public static func holds(_ key: String, _ value: [UInt8]) -> EtcdCompare { EtcdCompare(key, .value, .equal, value: value) }

  /// Nothing under `prefix` changed after `revision`.
  public static func unchanged(prefix: String, since revision: Int64) -> EtcdCompare {
    EtcdCompare(prefix, prefix: true, .mod, .less, number: revision + 1)
  }
}

/// One operation of a transaction.
public enum EtcdOperation: Sendable, Equatable {
  case put(String, [UInt8], lease: Int64)
  case delete(String, prefix: Bool)
  case range(String, prefix: Bool)
}

/// A transaction's outcome: which branch ran, the revision after it, and
/// what its range operations found (in their order; nil for the others).
public struct EtcdTxnResult: Sendable, Equatable {
  public var succeeded: Bool
  public var revision: Int64
  public var ranges: [EtcdRange?]

  public init(succeeded: Bool, revision: Int64, ranges: [EtcdRange?]) {
    self.succeeded = succeeded
    self.revision = revision
    self.ranges = ranges
  }
}

/// A transaction sent whose answer is still to be read; read once.
public final class EtcdPendingTxn: @unchecked Sendable {
  /// Reads the answer; `resend`: sends the transaction again when it is
  /// lost.
  private var read: ((_ resend: Bool) throws -> EtcdTxnResult)?
  private var result: Result<EtcdTxnResult, any Error>?

  public init(_ read: @escaping (_ resend: Bool) throws -> EtcdTxnResult) { self.read = read }

  /// The answer, waited for the first time (the transaction sent again if
  /// its answer is lost).
  public func answer() throws -> EtcdTxnResult { try take(resend: true) }

  /// Waits for an answer on its way, if any, and sends nothing again: for
  /// a caller that is about to undo what the transaction did.
  public func settle() { _ = try? take(resend: false) }

  private func take(resend: Bool) throws -> EtcdTxnResult {
    if let result { return try result.get() }
    let got = Result { try read?(resend) ?? EtcdTxnResult(succeeded: false, revision: 0, ranges: []) }
    read = nil
    result = got
    return try got.get()
  }
}

/// A change a watch delivers.
public struct EtcdEvent: Sendable, Equatable {
  public enum Kind: Sendable { case put, delete }

  public var kind: Kind
  /// The key and, for a put, its new value (a delete's value is empty).
  public var kv: EtcdKeyValue

  public init(_ kind: Kind, _ kv: EtcdKeyValue) {
    self.kind = kind
    self.kv = kv
  }
}

/// A watch in progress. `next` blocks until changes come (or the
/// deadline), on the thread that watches; `cancel` may come from any
/// other thread, and wakes it.
public protocol EtcdWatch: AnyObject, Sendable {
  /// The next changes and the revision they bring the watcher to; nil at
  /// the deadline with nothing new. Throws EtcdError.compacted when the
  /// revision asked for is gone from the history.
  func next(until deadline: Double?) throws -> (events: [EtcdEvent], revision: Int64)?

  func cancel()
}

/// What went wrong talking to etcd.
public enum EtcdError: Error, ReportableError, Equatable {
  /// No member answered in time.
  case unreachable(endpoints: String, reason: String)
  /// The revision asked for was compacted away: list again.
  case compacted(Int64)
  /// etcd answered with an error.
  case refused(String)

  public var kind: ErrorKind { .failed }

  public var message: String {
    switch self {
    case .unreachable(let endpoints, let reason): "etcd (\(endpoints)) is unreachable: \(reason)"
    case .compacted(let revision): "etcd compacted its history past the revision asked for (now \(revision))"
    case .refused(let why): "etcd refused: \(why)"
    }
  }
}
