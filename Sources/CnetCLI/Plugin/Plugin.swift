import ArgumentParser

struct PluginCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plugin",
    abstract: "Docker's plugin protocol: serve cnet to dockerd, list the plugins cnet can use.",
    discussion: """
      `plugin serve` makes cnet a NetworkDriver and IpamDriver plugin for dockerd: \
      `docker network create -d cnet --ipam-driver cnet` networks are cnet networks. \
      The other way, `cnet network create -d NAME` and `--ipam-driver NAME` use any \
      plugin found where dockerd looks: /run/docker/plugins/NAME.sock (or \
      NAME/NAME.sock), and NAME.spec or NAME.json under /etc/docker/plugins and \
      /usr/lib/docker/plugins.
      """,
    subcommands: [PluginServe.self, PluginList.self])
}
