import ArgumentParser
import CnetCluster
import CnetCore
import CnetEngine

struct ClusterJoin: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "join",
    abstract: "Join this host to a cluster.",
    discussion: """
      Records the cluster in this host's state (/var/lib/cnet/cluster.json) and \
      registers the host in etcd: its VXLAN endpoint (the --advertise address, which \
      must be this host's), its boot id, under a lease of --ttl seconds that `cnet \
      agent` keeps alive. The VXLAN port is the cluster's: the first host sets it \
      (default 4789); a host asking for another is refused.

      Examples:
        cnet cluster join http://192.0.2.100:2379 --advertise 192.0.2.1
        cnet cluster join http://e1:2379,http://e2:2379,http://e3:2379 --advertise 192.0.2.2 --name h2
        cnet agent &
      """)

  @Argument(help: ArgumentHelp("etcd's client URLs, comma-separated (http://HOST:PORT).", valueName: "etcd-urls"))
  var endpoints: String

  @Option(help: ArgumentHelp("This host's address on the underlay: where other hosts send its VXLAN traffic.", valueName: "ip"))
  var advertise: String

  @Option(help: ArgumentHelp("This host's name in the cluster (default: its host name).", valueName: "name"))
  var name: String?

  @Option(name: .customLong("vxlan-port"), help: ArgumentHelp("The cluster's VXLAN UDP port, 1024-49151 (default 4789, set by the first host).", valueName: "port"))
  var vxlanPort: Int?

  @Option(help: ArgumentHelp("Seconds this host's lease lives without renewal (default 15).", valueName: "seconds"))
  var ttl: Int?

  @OptionGroup var output: JSONOption

  func run() throws {
    let urls = endpoints.split(separator: ",").map(String.init)
    let settings = Controller.Settings()
    let config = try Membership.join(endpoints: urls, advertise: advertise, name: name, vxlanPort: vxlanPort, ttl: ttl,
                                     stateDirectory: settings.stateDirectory, runDirectory: settings.runDirectory)
    if output.json {
      emit(.object([("ID", .string(config.hostID)), ("Name", .string(config.name)), ("Advertise", .string(config.advertise)),
                    ("VXLANPort", .int(config.vxlanPort)), ("TTL", .int(config.ttl)),
                    ("Endpoints", .array(config.endpoints.map { .string($0) }))]))
      return
    }
    print("joined the cluster at \(config.endpoints.joined(separator: ",")) as \(config.name) (\(config.hostID)), VXLAN port \(config.vxlanPort); run `cnet agent` to keep this host alive")
  }
}
