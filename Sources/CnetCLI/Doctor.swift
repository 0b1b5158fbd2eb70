import ArgumentParser
import CnetCore
import CnetEngine

struct Doctor: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Report what would break cnet's traffic or state on this host, with the fixes.",
    discussion: """
      Checks, and changes nothing: iptables' (and ip6tables') FORWARD policy \
      dropping cnet's traffic without cnet's accepts (Docker's DOCKER-USER chain, \
      or a DROP policy); firewalld running without cnet's bridges in its trusted \
      zone; IPv4 or IPv6 forwarding off while a network needs a way out; drift \
      between the store and the kernel (a network's bridge missing or changed, a \
      sandbox's namespace gone, an endpoint's link gone, cnet's nftables entries \
      missing, what cnet marked in the kernel or its files that the store does \
      not know, interrupted commands); routes that take part of a network's \
      subnet elsewhere; bridge ports whose MTU differs from their bridge's.

      Each finding is printed with the command that fixes it. Exit status 0 when \
      nothing was found, 1 when something was.

      Examples:
        cnet doctor
        cnet doctor --json | jq -r '.[].Fix' | sort -u
      """)

  @OptionGroup var output: JSONOption

  func run() throws {
    var settings = Controller.Settings()
    if let timeout = try Engine.lockTimeout() { settings.lockTimeout = timeout }
    let (controller, storeFound) = try Engine.diagnosing(settings)
    var findings = try controller.diagnose()
    if !storeFound, !findings.isEmpty {
      // Plain gc refuses without a store: what it says is for --adopt or --force.
      for index in findings.indices where findings[index].fix == "cnet gc" {
        findings[index].fix = "cnet gc --adopt (or --force)"
      }
      findings.insert(Finding("store",
        "there is no store at \(settings.stateDirectory)/cnet.db, yet the kernel holds what cnet made (below)",
        fix: "mount or restore \(settings.stateDirectory) if it is elsewhere; else cnet gc --adopt takes over what it can, cnet gc --force removes it"),
        at: 0)
    }
    if output.json {
      emit(.array(findings.map {
        .object([("Check", .string($0.check)), ("Problem", .string($0.problem)), ("Fix", .string($0.fix))])
      }))
    } else if findings.isEmpty {
      print("no problems found")
    } else {
      for finding in findings {
        print("\(finding.check): \(finding.problem)")
        print("  fix: \(finding.fix)")
      }
      print("\(findings.count) problem\(findings.count == 1 ? "" : "s") found")
    }
    if !findings.isEmpty { throw ExitCode(1) }
  }
}
