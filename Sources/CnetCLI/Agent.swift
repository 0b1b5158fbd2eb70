import ArgumentParser
import CnetCluster
import CnetCore
import CnetEngine
import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

struct AgentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "agent",
    abstract: "Keep this host alive in its cluster and its overlay networks in step with the others.",
    discussion: """
      The long-running process each host of a cluster runs (contrib/cnet-agent.service): \
      it renews the host's lease, takes in overlay networks made on other hosts, and \
      on each overlay network with sandboxes here keeps a neighbour and a forwarding \
      entry for every endpoint the other hosts publish, within milliseconds of their \
      change in etcd. When etcd is down, what is programmed stays and traffic keeps \
      flowing; the agent catches up on its own when etcd is back.

      Runs in the foreground and logs to standard error; SIGTERM or SIGINT stops it. \
      Its lease is kept: an agent restarted within the lease's TTL takes it up again.
      """)

  func run() throws {
    guard getuid() == 0 else { throw CnetError(.failed, "agent: needs root (it changes the kernel)") }
    let settings = Controller.Settings()
    guard let config = try ClusterConfig.load(stateDirectory: settings.stateDirectory) else {
      throw CnetError(.notFound, "this host is in no cluster (cnet cluster join)")
    }
    // SIGTERM and SIGINT are held in every thread and taken by one waiter.
    var signals = sigset_t()
    sigemptyset(&signals)
    for signal in [SIGTERM, SIGINT] { sigaddset(&signals, signal) }
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    let log: @Sendable (String) -> Void = { writeError("cnet agent: " + $0 + "\n") }
    let agent = try Agent(config: config, stateDirectory: settings.stateDirectory, runDirectory: settings.runDirectory, openController: {
      var changing = try Engine.settings()
      changing.holdsSignals = false
      changing.warn = log
      return try Controller.forChanges(changing)
    }, log: log)
    let waiter = try Worker { [signals] in
      var set = signals
      var number: Int32 = 0
      sigwait(&set, &number)
      log("signal \(number): stopping")
      agent.stop()
    }
    _ = waiter
    try agent.run()
  }
}
