import ArgumentParser
import CnetCluster
import CnetCore
import CnetEngine
import CnetStore

struct GC: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gc",
    abstract: "Finish or undo interrupted commands, repair drift, and remove what cnet made whose owner is gone.",
    discussion: """
      Settles what a killed command left half-done; removes sandboxes whose \
      namespace is gone (their process exited), links cnet marked whose network \
      or endpoint is gone, cnet's files with no sandbox or network, and addresses \
      no endpoint holds; puts back what went missing: a network's bridge (the same \
      id, MAC and gateway, its ports back on it), hosts files and sandbox files, \
      cnet's firewall tables and entries, its accepts in the host's other \
      firewalls. Never touches anything cnet did not make. Prints what it did; \
      with --dry-run, what it would do. Exit status 1 when something could not be \
      done (each is said).

      A store that is missing or empty while the kernel holds what cnet made is \
      never taken for a new one: gc refuses, as every changing command does. Then \
      --adopt takes into a new store what the kernel and cnet's files still tell \
      (networks from their bridges, the endpoints joined to them and their \
      sandboxes) and removes nothing; --force removes it all.

      On a host of a cluster, gc also frees the overlay addresses of hosts that \
      have been gone (their lease ended) for longer than --grace, and only while \
      they are still gone.
      """)

  @Flag(help: "Only print what would be done.")
  var dryRun = false

  @Flag(help: "Take over into the store what cnet made that it does not know, where the kernel tells enough; remove nothing.")
  var adopt = false

  @Flag(help: "Remove what cnet made that the store does not know, even when the store is missing or empty.")
  var force = false

  @Option(help: ArgumentHelp("How long a cluster's host must have been gone before gc frees its addresses (10m; s, m, h).", valueName: "duration"))
  var grace = "10m"

  @OptionGroup var output: JSONOption

  func validate() throws {
    if adopt && force { throw ValidationError("--adopt and --force exclude each other") }
    guard Membership.seconds(grace) != nil else { throw ValidationError("invalid --grace \"\(grace)\": expected seconds, or 30s, 10m, 1h") }
  }

  func run() throws {
    var report: [String]
    var failures: [String]
    if dryRun, adopt || force, Store.isMissingOrEmpty() {
      // Nothing may be made, not even the store: an empty one in memory.
      let (controller, _) = try Engine.diagnosing()
      (report, failures) = try controller.collectGarbage(dryRun: true, adopt: adopt)
    } else {
      let controller = try Engine.changing(settle: false, storeMayBeNew: adopt || force)
      (report, failures) = try controller.collectGarbage(dryRun: dryRun, adopt: adopt)
      if let config = try ClusterConfig.load(stateDirectory: Controller.Settings().stateDirectory) {
        do {
          report += try Membership.collectAddresses(config, grace: Membership.seconds(grace) ?? 600, dryRun: dryRun)
        } catch let error as ReportableError {
          failures.append("the cluster's addresses: \(error.message)")
        }
      }
    }
    if output.json {
      emit(.array(report.map { .string($0) }))
    } else {
      for line in report { print(line) }
    }
    for failure in failures { writeError(messagePrefix() + "gc: \(failure)\n") }
    if !failures.isEmpty { throw ExitCode(1) }
  }
}
