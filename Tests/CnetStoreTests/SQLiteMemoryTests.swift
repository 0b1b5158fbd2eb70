import CSQLite
import CnetTestSupport
import Dispatch
import Synchronization
import Testing

@testable import CnetStore

/// SQLite's memory comes from Sources/CSQLiteMemory once a Database has
/// been opened; these check that allocator through SQLite's own API.
@Suite struct SQLiteMemoryTests {
  let directory = TemporaryDirectory()

  init() throws {
    // Opening a database installs the allocator (before SQLite's first use).
    _ = try Database(path: directory.path + "/memory.db")
  }

  /// Fills `count` bytes at `pointer` with a pattern derived from `seed`.
  private static func fill(_ pointer: UnsafeMutableRawPointer, _ count: Int, _ seed: UInt8) {
    let bytes = pointer.assumingMemoryBound(to: UInt8.self)
    for i in 0..<count { bytes[i] = seed &+ UInt8(truncatingIfNeeded: i) }
  }

  private static func holds(_ pointer: UnsafeMutableRawPointer, _ count: Int, _ seed: UInt8) -> Bool {
    let bytes = pointer.assumingMemoryBound(to: UInt8.self)
    return (0..<count).allSatisfy { bytes[$0] == seed &+ UInt8(truncatingIfNeeded: $0) }
  }

  @Test func blocksAreAlignedAndAtLeastAsBigAsAsked() throws {
    // Small classes, medium classes and the direct path past 8 KiB.
    for size in [1, 7, 8, 15, 16, 17, 100, 1023, 1024, 1025, 4000, 8191, 8192, 8193, 100_000] {
      let block = try #require(sqlite3_malloc(Int32(size)))
      #expect(Int(bitPattern: block) % 8 == 0, "size \(size)")
      #expect(sqlite3_msize(block) >= UInt64(size), "size \(size)")
      Self.fill(block, size, UInt8(size & 0xff))
      #expect(Self.holds(block, size, UInt8(size & 0xff)))
      sqlite3_free(block)
    }
  }

  @Test func reallocKeepsTheContentsBothWays() throws {
    var block = try #require(sqlite3_malloc(24))
    Self.fill(block, 24, 3)
    // Grow through every kind of block, then shrink back.
    for size in [40, 600, 3000, 9000, 70_000] {
      let before = Int(sqlite3_msize(block))
      block = try #require(sqlite3_realloc(block, Int32(size)))
      #expect(Self.holds(block, min(before, 24), 3))
      Self.fill(block, size, 3)
    }
    for size in [9000, 500, 20] {
      block = try #require(sqlite3_realloc(block, Int32(size)))
      #expect(Self.holds(block, size, 3))
      #expect(sqlite3_msize(block) >= UInt64(size))
    }
    sqlite3_free(block)
  }

  @Test func freedBlocksAreHandedOutAgain() throws {
    // Without reuse every round would take a new block. Other tests
    // allocate in this process at the same time and may take a freed
    // block first, so the check allows for them rather than asking for
    // the very same pointer back.
    var seen = Set<UnsafeMutableRawPointer>()
    for _ in 0..<1000 {
      let block = try #require(sqlite3_malloc(200))
      seen.insert(block)
      sqlite3_free(block)
    }
    #expect(seen.count < 100)
  }

  @Test func threadsAllocatingAtOnceNeverShareABlock() {
    // The plugin server uses connections on several threads; each thread
    // here writes its own pattern into every block it holds and checks it
    // is still there before freeing, so a block handed to two threads at
    // once shows up as a changed pattern.
    let threads = 8
    let failures = FailureCount()
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      var generator = SystemRandomNumberGenerator()
      var held: [(UnsafeMutableRawPointer, Int, UInt8)] = []
      for round in 0..<20_000 {
        if held.count > 64 || (!held.isEmpty && Bool.random(using: &generator)) {
          let (block, size, seed) = held.remove(at: Int.random(in: 0..<held.count, using: &generator))
          if !Self.holds(block, size, seed) { failures.increment() }
          sqlite3_free(block)
        } else {
          let size = Int.random(in: 1...(round % 10 == 0 ? 12_000 : 600), using: &generator)
          guard let block = sqlite3_malloc(Int32(size)) else { failures.increment(); continue }
          let seed = UInt8(truncatingIfNeeded: thread &* 31 &+ round)
          Self.fill(block, size, seed)
          held.append((block, size, seed))
        }
      }
      for (block, size, seed) in held {
        if !Self.holds(block, size, seed) { failures.increment() }
        sqlite3_free(block)
      }
    }
    #expect(failures.value == 0)
  }

  @Test func sqliteWorksOnIt() throws {
    let database = try Database(path: directory.path + "/work.db")
    try database.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
    try database.transaction {
      for i in 0..<2000 {
        try database.statement("INSERT INTO t (a, b) VALUES (?, ?)").bind(.int(i), .text(String(repeating: "x", count: i % 300))).run()
      }
    }
    let total = try database.statement("SELECT sum(length(b)) FROM t").first { $0.int(0) }
    #expect(total == (0..<2000).reduce(0) { $0 + $1 % 300 })
  }
}

/// A counter several threads add to.
final class FailureCount: Sendable {
  private let count = Atomic<Int>(0)
  func increment() { count.add(1, ordering: .relaxed) }
  var value: Int { count.load(ordering: .relaxed) }
}
