import CnetCluster
import CnetCore
import CnetHTTP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real etcd (Debian's etcd-server) for a test, started in the
/// throwaway host with its data on the host's tmpfs, on a port of its own,
/// stopped (SIGKILL, then reaped) when the test is done with it.
final class EtcdServer: @unchecked Sendable {
  let pid: pid_t
  let clientPort: Int
  let dataDirectory: String

  var url: String { "http://127.0.0.1:\(clientPort)" }

  static var active: Bool {
    guard getuid() == 0, let flag = getenv("CNET_THROWAWAY_HOST"), String(cString: flag) == "1" else { return false }
    return access("/usr/bin/etcd", X_OK) == 0
  }

  init() throws {
    // Ports of their own per test: tests of a run share the host.
    let base = 20000 + Int(UInt16.random(in: 0...20000)) * 2
    clientPort = base
    dataDirectory = "/run/cnet/etcd-test-\(base)"
    let argv = [
      "/usr/bin/etcd", "--name", "test", "--data-dir", dataDirectory,
      "--listen-client-urls", "http://127.0.0.1:\(base)", "--advertise-client-urls", "http://127.0.0.1:\(base)",
      "--listen-peer-urls", "http://127.0.0.1:\(base + 1)", "--initial-advertise-peer-urls", "http://127.0.0.1:\(base + 1)",
      "--initial-cluster", "test=http://127.0.0.1:\(base + 1)", "--log-level", "error",
    ]
    var pid: pid_t = 0
    var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
    cArgs.append(nil)
    defer { cArgs.forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ)
    guard rc == 0 else { throw CnetError(.failed, "cannot start etcd: \(rc)") }
    self.pid = pid
    // Ready when it answers.
    let client = try EtcdGateway(urls: [url], timeout: 1)
    for _ in 0..<200 {
      if (try? client.range("/ready")) != nil { return }
      usleep(25_000)
    }
    stop()
    throw CnetError(.failed, "etcd did not answer on \(url) within 5 s")
  }

  func stop() {
    kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    _ = system("rm -rf '\(dataDirectory)'")
  }

  deinit { stop() }
}
