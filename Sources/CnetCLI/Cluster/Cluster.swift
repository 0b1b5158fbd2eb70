import ArgumentParser

struct ClusterCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cluster",
    abstract: "Join hosts into a cluster that shares overlay networks, through etcd.",
    discussion: """
      A cluster is a set of hosts that share overlay networks (`network create \
      -d overlay`): VXLAN networks whose sandboxes reach each other across hosts. \
      What the hosts share (networks, names, VXLAN ids, addresses, which host \
      holds which endpoint, who is alive) is kept in etcd v3; everything else \
      stays in each host's own store. Each host runs `cnet agent` (see there).

      Bridge, host, null and plugin networks never wait on etcd, and work with \
      etcd down or never configured.
      """,
    subcommands: [ClusterJoin.self, ClusterList.self, ClusterLeave.self])
}
