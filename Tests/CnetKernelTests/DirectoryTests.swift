import CnetCore
import CnetTestSupport
import Testing

@testable import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// The files cnet writes, reached without following a link: what is
/// planted in its directories is refused or replaced, never written
/// through, and a canary elsewhere is neither written nor removed.
@Suite struct DirectoryTests {
  let scratch = TemporaryDirectory()

  func base() throws -> Directory { try #require(try Directory.base(scratch.path + "/base", create: true)) }

  /// A directory elsewhere holding a canary file.
  func canary() -> String {
    let elsewhere = scratch.path + "/elsewhere"
    mkdir(elsewhere, 0o755)
    let fd = open(elsewhere + "/canary", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    _ = "canary\n".withCString { write(fd, $0, 7) }
    close(fd)
    return elsewhere
  }

  func contents(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    guard fgets(&line, 256, file) != nil else { return "" }
    return String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  @Test func writesReadsAndReplaces() throws {
    let dir = try base()
    try dir.write("a", "one\n")
    #expect(dir.readText("a") == "one\n")
    try dir.write("a", "two\n")
    #expect(dir.readText("a") == "two\n")
    #expect(dir.kind(of: "a") == .regular)
    #expect(dir.names() == ["a"], "no temporary left")
    try dir.link("l", to: "/nowhere")
    #expect(dir.linkTarget("l") == "/nowhere")
    #expect(dir.read("l") == nil, "a link is not followed")
    dir.remove("l")
    #expect(dir.kind(of: "l") == nil)
    #expect(try dir.subdirectory("missing", create: false) == nil)
  }

  @Test func piecesAreWrittenInOrderAndAFailureLeavesTheOldFile() throws {
    let dir = try base()
    let bytes = Array("one\ntwo\nthree\n".utf8)
    try bytes.withUnsafeBytes { all in
      try dir.write("pieces") { emit in
        for range in [8..<14, 0..<0, 0..<4, 7..<8] { try emit(UnsafeRawBufferPointer(rebasing: all[range])) }
      }
    }
    #expect(dir.readText("pieces") == "three\none\n\n")
    struct Refused: Error {}
    #expect(throws: Refused.self) {
      try dir.write("pieces") { _ in throw Refused() }
    }
    #expect(dir.readText("pieces") == "three\none\n\n")
    #expect(dir.names() == ["pieces"])
  }

  @Test func theMappingSeesEverything() throws {
    let dir = try base()
    let content = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    try content.withUnsafeBytes { all in try dir.write("big") { try $0(all) } }
    #expect(try dir.withMappedBytes("big") { Array($0) } == content)
    #expect(try dir.withMappedBytes("absent") { _ in 1 } == nil)
    try dir.write("empty", "")
    #expect(try dir.withMappedBytes("empty") { $0.count } == 0)
  }

  @Test func aLinkWhereADirectoryBelongsIsRefusedAndNotFollowed() throws {
    let elsewhere = canary()
    let dir = try base()
    symlink(elsewhere, dir.path + "/web")
    #expect(throws: CnetError.self) { try dir.subdirectory("web", create: true) }
    #expect(throws: CnetError.self) { try dir.expect("web", .directory) }
    do {
      _ = try dir.subdirectory("web", create: true)
    } catch let error as CnetError {
      #expect(error.message == "\(dir.path)/web is a symbolic link where cnet keeps a directory (cnet does not follow links it did not make); move it away")
    }
    // A regular file where a directory belongs.
    try dir.write("file", "x")
    #expect(throws: CnetError.self) { try dir.subdirectory("file", create: true) }
    #expect(contents(elsewhere + "/canary") == "canary\n")
  }

  @Test func aLinkAtAFilesNameIsReplacedNeverWrittenThrough() throws {
    let elsewhere = canary()
    let dir = try base()
    symlink(elsewhere + "/canary", dir.path + "/hosts")
    try dir.write("hosts", "cnet's\n")
    #expect(dir.kind(of: "hosts") == .regular)
    #expect(contents(elsewhere + "/canary") == "canary\n")
    symlink(elsewhere + "/canary", dir.path + "/link")
    #expect(throws: CnetError.self) { try dir.withMappedBytes("link") { _ in 1 } }
    dir.remove("link")
    #expect(contents(elsewhere + "/canary") == "canary\n")
    // Temporaries have names nobody can guess: two writes, two names.
    #expect(Directory.temporaryName("hosts") != Directory.temporaryName("hosts"))
    #expect(Directory.isTemporary(Directory.temporaryName("hosts")))
  }
}
