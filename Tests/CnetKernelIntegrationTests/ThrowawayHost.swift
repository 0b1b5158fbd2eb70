import CnetCore
import Testing

@testable import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// These tests change the kernel, so they run only as root inside the
/// throwaway host that scripts/throwaway-host makes (its own network and
/// mount namespaces, tmpfs over /var/run/netns, /etc/netns, /run/cnet and
/// /var/lib/cnet). The test command always runs them there; a plain
/// `swift test` reports them as skipped rather than touch the real host.
enum ThrowawayHost {
  static let active: Bool = {
    guard getuid() == 0, let flag = getenv("CNET_THROWAWAY_HOST"), String(cString: flag) == "1" else {
      return false
    }
    // And really not the host: the script's own tmpfs is mounted over
    // /run/cnet in this mount namespace, and over nothing on the host.
    guard let file = fopen("/proc/self/mountinfo", "re") else { return false }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 4096)
    while fgets(&line, Int32(line.count), file) != nil {
      let text = String(cString: line)
      if text.contains(" /run/cnet ") && text.contains(" tmpfs cnet-throwaway ") { return true }
    }
    return false
  }()

  /// A fresh, empty network namespace of the test's own, with a socket in
  /// it: tests running in parallel never see each other's links.
  static func namespace() throws -> (NetworkNamespace, RouteSocket) {
    let namespace = try NetworkNamespace.create(name: "test")
    return (namespace, try RouteSocket.inside(namespace))
  }

  /// A directory of its own for named namespaces, on the throwaway host's
  /// tmpfs (never on the real host's disk).
  static func directory() -> NetnsDirectory {
    NetnsDirectory(path: "/run/cnet/test-\(UInt32.random(in: 0...UInt32.max))")
  }

  /// Starts `argv` and returns its pid; the caller stops it with `stop`.
  static func spawn(_ argv: [String]) throws -> pid_t {
    var pid: pid_t = 0
    var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
    cArgs.append(nil)
    defer { cArgs.forEach { free($0) } }
    let rc = posix_spawnp(&pid, argv[0], nil, nil, cArgs, environ)
    guard rc == 0 else { throw CnetError(.failed, "cannot start \(argv[0]): \(rc)") }
    return pid
  }

  static func stop(_ pid: pid_t) {
    kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
  }

  static func name(_ text: String) -> InterfaceName {
    // Test names are literals that are valid by construction.
    (try? InterfaceName(text)) ?? { fatalError("bad test name \(text)") }()
  }
}
