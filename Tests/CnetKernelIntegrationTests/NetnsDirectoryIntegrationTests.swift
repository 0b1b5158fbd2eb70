import CnetCore
import Testing

@testable import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

@Suite(.enabled(if: ThrowawayHost.active, "needs root inside scripts/throwaway-host"))
struct NetnsDirectoryIntegrationTests {
  func name(_ text: String) throws -> NamespaceName { try NamespaceName(text) }

  @Test func addOpenListDelete() throws {
    let directory = ThrowawayHost.directory()
    let web = try directory.add(name("web"))
    #expect(web.name == "web")
    let opened = try directory.open(name("web"))
    #expect(opened.identity == web.identity)
    // A new namespace has only lo.
    #expect(try RouteSocket.inside(opened).links().map(\.name) == ["lo"])
    #expect(directory.list().map(\.name) == ["web"])
    #expect(directory.list().first?.kind == .namespace)

    do {
      try directory.add(name("web"))
      Issue.record("expected EEXIST")
    } catch let error as KernelError {
      #expect(error.kind == .alreadyExists)
      #expect(error.message == "cannot create namespace \"web\": File exists")
    }

    try directory.delete(name("web"))
    #expect(directory.list().isEmpty)
    do {
      try directory.delete(name("web"))
      Issue.record("expected ENOENT")
    } catch let error as KernelError {
      #expect(error.kind == .notFound)
    }
    do {
      _ = try directory.open(name("web"))
      Issue.record("expected ENOENT")
    } catch let error as KernelError {
      #expect(error.message == "cannot open network namespace \"web\": No such file or directory")
    }
  }

  @Test func linkToAProcessDanglesWhenItExits() throws {
    let directory = ThrowawayHost.directory()
    let pid = try ThrowawayHost.spawn(["sleep", "60"])
    defer { ThrowawayHost.stop(pid) }
    try directory.link(pid: pid, as: name("c1"), bind: false)
    try directory.link(pid: pid, as: name("c1-bound"), bind: true)
    var entries = directory.list()
    #expect(entries.map(\.name) == ["c1", "c1-bound"])
    #expect(entries[0].kind == .link(target: "/proc/\(pid)/ns/net"))
    #expect(entries[0].pid == pid)
    #expect(!entries[0].dangling)
    #expect(entries[1].kind == .namespace)

    ThrowawayHost.stop(pid)
    entries = directory.list()
    #expect(entries[0].dangling, "the link outlived its process")
    #expect(try directory.open(name("c1-bound")).identity != nil, "the bound name keeps the namespace")

    let pruned = try directory.prune()
    #expect(pruned.map(\.name) == ["c1"])
    #expect(directory.list().map(\.name) == ["c1-bound"])
    try directory.delete(name("c1-bound"))
  }

  @Test func linkToAMissingProcessFails() throws {
    let directory = ThrowawayHost.directory()
    do {
      try directory.link(pid: 999_999_999, as: name("ghost"), bind: false)
      Issue.record("expected an error")
    } catch let error as KernelError {
      #expect(error.kind == .notFound)
    }
    #expect(directory.list().isEmpty)
  }

  @Test func pruneLeavesNamespacesAndYoungPlaceholders() throws {
    let directory = ThrowawayHost.directory()
    try directory.add(name("keep"))
    // An interrupted add leaves an empty file.
    let stale = directory.path + "/stale"
    close(open(stale, O_CREAT | O_WRONLY | O_CLOEXEC, 0))
    #expect(directory.list().map(\.kind) == [.namespace, .placeholder])
    #expect(try directory.prune().isEmpty, "a fresh placeholder may belong to an add in progress")
    #expect(try directory.prune(placeholderAge: 0, dryRun: true).map(\.name) == ["stale"])
    #expect(directory.list().count == 2, "a dry run removes nothing")
    #expect(try directory.prune(placeholderAge: 0).map(\.name) == ["stale"])
    #expect(directory.list().map(\.name) == ["keep"])
    try directory.delete(name("keep"))
  }

  @Test func identifyAndPids() throws {
    let directory = ThrowawayHost.directory()
    try directory.add(name("box"))
    // A process started inside the namespace.
    let pid = try ThrowawayHost.spawn(["nsenter", "--net=\(directory.path)/box", "sleep", "60"])
    defer { ThrowawayHost.stop(pid) }
    var found: [Int32] = []
    for _ in 0..<200 where found.isEmpty {
      found = try directory.pids(in: name("box"))
      if found.isEmpty { usleep(10_000) }
    }
    #expect(found == [pid])
    #expect(try directory.identify(pid: pid) == ["box"])
    #expect(try directory.identify(pid: getpid()).isEmpty)
    ThrowawayHost.stop(pid)
    try directory.delete(name("box"))
  }
}
