import CSQLite
import CnetCore

/// A failure of the store itself (not of the user's request): what was
/// being done, the file, and why in plain words ("the disk is full", "it
/// is read-only"), with SQLite's own words when they say more.
public struct StoreError: ReportableError, CustomStringConvertible {
  public var kind: ErrorKind { .failed }
  public var message: String
  public var description: String { message }

  init(_ operation: String, path: String, _ db: OpaquePointer?, code: Int32) {
    self.init(operation, path: path, code: code,
              detail: db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code)))
  }

  init(_ operation: String, path: String, code: Int32, detail: String) {
    message = "cannot \(operation) the store \(path): \(Self.reason(code, detail))"
  }

  public init(_ message: String) { self.message = "store: " + message }

  /// SQLite's primary result codes in a user's words.
  static func reason(_ code: Int32, _ detail: String) -> String {
    switch code & 0xff {
    case SQLITE_READONLY: "it is read-only (\(detail))"
    case SQLITE_FULL: "the disk is full"
    case SQLITE_IOERR: "the disk failed to read or write it (\(detail))"
    case SQLITE_CANTOPEN: "it cannot be opened (\(detail))"
    case SQLITE_CORRUPT, SQLITE_NOTADB: "it is damaged, or not a cnet store (\(detail))"
    case SQLITE_BUSY, SQLITE_LOCKED: "another process holds it locked (\(detail))"
    case SQLITE_PERM, SQLITE_AUTH: "permission denied (\(detail))"
    default: detail
    }
  }
}

/// A thin SQLite connection: prepared statements cached by their text,
/// typed binding and reading, and transactions. One per process; used from
/// one thread.
public final class Database {
  let handle: OpaquePointer
  // Sized for every statement a command prepares: growing a dictionary
  // rehashes its keys, here the statements' text.
  private var statements: [String: Statement] = Dictionary(minimumCapacity: 48)
  public let path: String

  /// Opens (creating if asked) the database file. SQLite marks its fds
  /// close-on-exec itself.
  /// `immutable`: read-only, and SQLite takes no locks and keeps no log,
  /// for a store on a filesystem nothing can write.
  public init(path: String, create: Bool = true, immutable: Bool = false) throws {
    _ = Self.configured
    var db: OpaquePointer?
    // NOFOLLOW: a link planted at the store's name is refused, never
    // written through.
    var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW
    if create { flags |= SQLITE_OPEN_CREATE }
    var name = path
    if immutable {
      flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_NOFOLLOW
      name = "file:" + path + "?immutable=1"
    }
    let rc = sqlite3_open_v2(name, &db, flags, nil)
    guard rc == SQLITE_OK, let db else {
      let error = StoreError("open", path: path, db, code: rc)
      sqlite3_close_v2(db)
      throw error
    }
    handle = db
    self.path = path
    // Writers are serialized by the operation lock; the busy timeout only
    // covers readers meeting a checkpoint.
    sqlite3_busy_timeout(db, 10_000)
    sqlite3_extended_result_codes(db, 1)
  }

  /// SQLite's process-wide settings, made before its first connection
  /// (sqlite3_config refuses them later): no memory statistics.
  private static let configured: Bool = cnet_sqlite_configure() == SQLITE_OK

  deinit {
    statements.removeAll()
    sqlite3_close_v2(handle)
  }

  /// Whether the connection can only read (the file or its filesystem is
  /// read-only).
  public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

  /// Runs SQL without results (several statements allowed); `operation`
  /// says what it is for, in the error.
  public func execute(_ sql: String, _ operation: String = "change") throws {
    var error: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(handle, sql, nil, nil, &error)
    if rc != SQLITE_OK {
      let text = error.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
      sqlite3_free(error)
      throw StoreError(operation, path: path, code: rc, detail: text)
    }
  }

  /// A prepared statement, reset and ready for new bindings.
  public func statement(_ sql: String) throws -> Statement {
    if let cached = statements[sql] {
      cached.reset()
      return cached
    }
    var raw: OpaquePointer?
    let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
    guard rc == SQLITE_OK, let raw else { throw StoreError("read", path: path, handle, code: rc) }
    let statement = Statement(raw, database: self)
    statements[sql] = statement
    return statement
  }

  /// Copies the write-ahead log into the database file and empties it, as
  /// closing the last connection does. For a process about to end without
  /// closing: what matters of a close is this (the next command then opens
  /// an empty log instead of reading it through); finalising every
  /// statement and freeing the caches costs more and changes nothing.
  public func checkpoint() throws {
    let rc = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
    guard rc == SQLITE_OK else { throw StoreError("write", path: path, handle, code: rc) }
  }

  /// Runs `body` in one write transaction (BEGIN IMMEDIATE), committed when
  /// it returns and rolled back when it throws. BEGIN and COMMIT are
  /// prepared statements like any other: a command runs two transactions
  /// (reserve, commit), and compiling the words again each time cost as
  /// much as a query.
  public func transaction<T>(_ body: () throws -> T) throws -> T {
    try statement("BEGIN IMMEDIATE").run()
    do {
      let result = try body()
      try statement("COMMIT").run()
      return result
    } catch {
      try? statement("ROLLBACK").run()
      throw error
    }
  }

  public var changes: Int { Int(sqlite3_changes(handle)) }
}

/// A prepared statement. Bind with `bind(...)`, then read with `rows`/`first`
/// or `run()` a change.
public final class Statement {
  let raw: OpaquePointer
  unowned let database: Database

  init(_ raw: OpaquePointer, database: Database) {
    self.raw = raw
    self.database = database
  }

  deinit { sqlite3_finalize(raw) }

  func reset() {
    sqlite3_reset(raw)
    sqlite3_clear_bindings(raw)
  }

  /// SQLite values a statement takes.
  public enum Value {
    case int(Int)
    case text(String)
    case blob([UInt8])
    case null
  }

  @discardableResult
  public func bind(_ values: Value...) throws -> Statement {
    try bind(values)
  }

  @discardableResult
  public func bind(_ values: [Value]) throws -> Statement {
    for (i, value) in values.enumerated() {
      let index = Int32(i + 1)
      let rc: Int32
      switch value {
      case .int(let n): rc = sqlite3_bind_int64(raw, index, Int64(n))
      case .text(let s): rc = sqlite3_bind_text(raw, index, s, -1, cnet_sqlite_transient())
      case .blob(let b):
        rc = b.withUnsafeBytes { sqlite3_bind_blob(raw, index, $0.baseAddress, Int32($0.count), cnet_sqlite_transient()) }
      case .null: rc = sqlite3_bind_null(raw, index)
      }
      guard rc == SQLITE_OK else { throw StoreError("read", path: database.path, database.handle, code: rc) }
    }
    return self
  }

  /// Whether the statement writes: SQLite counts BEGIN and COMMIT as
  /// read-only, but they are where a transaction's writes fail.
  private var isWrite: Bool {
    guard sqlite3_stmt_readonly(raw) != 0 else { return true }
    let text = sqlite3_sql(raw).map { String(cString: $0) } ?? ""
    return text.hasPrefix("BEGIN") || text.hasPrefix("COMMIT")
  }

  /// Advances to the next row; false when there is none.
  func step() throws -> Bool {
    let rc = sqlite3_step(raw)
    switch rc {
    case SQLITE_ROW: return true
    case SQLITE_DONE: return false
    default:
      throw StoreError(isWrite ? "write" : "read", path: database.path, database.handle, code: rc)
    }
  }

  /// Runs a statement that returns no rows.
  public func run() throws {
    defer { sqlite3_reset(raw) }
    while try step() {}
  }

  /// Reads every row with `read`. The statement is reset afterwards: a
  /// statement left mid-way keeps its read transaction open, which stops
  /// checkpoints and lets the write-ahead log grow without end.
  public func rows<T>(_ read: (Statement) throws -> T) throws -> [T] {
    defer { sqlite3_reset(raw) }
    var found: [T] = []
    while try step() { found.append(try read(self)) }
    return found
  }

  /// The first row read with `read`, or nil; the statement is reset.
  public func first<T>(_ read: (Statement) throws -> T) throws -> T? {
    defer { sqlite3_reset(raw) }
    return try step() ? try read(self) : nil
  }

  public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(raw, column)) }

  public func text(_ column: Int32) -> String {
    guard let text = sqlite3_column_text(raw, column) else { return "" }
    return String(cString: text)
  }

  public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }

  public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

  public func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }

  public func blob(_ column: Int32) -> [UInt8] {
    let count = Int(sqlite3_column_bytes(raw, column))
    guard count > 0, let bytes = sqlite3_column_blob(raw, column) else { return [] }
    return Array(UnsafeRawBufferPointer(start: bytes, count: count))
  }
}
