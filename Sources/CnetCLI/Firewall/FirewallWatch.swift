import ArgumentParser
import CnetCore
import CnetEngine
import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

struct FirewallWatch: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "watch",
    abstract: "Reload cnet's rules now and whenever firewalld reloads or starts; runs until stopped.",
    discussion: """
      firewalld forgets the runtime bindings of interfaces to zones when it \
      reloads (`firewall-cmd --reload`) or restarts, and cnet's bridges are such \
      bindings: without them firewalld rejects their forwarded traffic. This \
      follows firewalld's signals on the system bus (with dbus-monitor) and runs \
      `cnet firewall reload` after each, as netavark's firewalld-reload service \
      does. contrib/cnet-firewalld-watch.service runs it beside firewalld. It \
      prints what each reload changed, and a line once it listens. Stops on \
      SIGTERM or SIGINT.
      """)

  func run() throws {
    // Termination signals are taken with sigtimedwait between reloads, so
    // that one arriving during a reload waits for its end.
    var signals = sigset_t()
    sigemptyset(&signals)
    for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, signal) }
    sigprocmask(SIG_BLOCK, &signals, nil)
    func stopRequested() -> Bool {
      var none = timespec()
      return sigtimedwait(&signals, nil, &none) > 0
    }
    func reload() throws {
      var settings = Controller.Settings()
      settings.holdsSignals = false
      settings.warn = { writeError("cnet: warning: " + $0 + "\n") }
      if let timeout = try Engine.lockTimeout() { settings.lockTimeout = timeout }
      let (_, others) = try Controller.forChanges(settings, repair: false).reloadFirewall()
      for line in others { print(line) }
      fflush(nil)
    }
    try reload()
    try Firewalld.watch(stop: stopRequested, ready: {
      print("watching firewalld on the system bus")
      fflush(nil)
    }) {
      do {
        try reload()
      } catch let error as ReportableError {
        writeError("cnet: warning: cannot reload cnet's rules after firewalld changed: \(error.message)\n")
      } catch {
        writeError("cnet: warning: cannot reload cnet's rules after firewalld changed: \(error)\n")
      }
    }
  }
}
