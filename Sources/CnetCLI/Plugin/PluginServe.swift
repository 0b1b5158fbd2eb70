import ArgumentParser
import CnetCore
import CnetEngine
import CnetPlugin
import Logging

#if canImport(Glibc)
import Glibc
#endif

struct PluginServe: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve cnet to dockerd as a network and IPAM plugin.",
    discussion: """
      Listens on /run/docker/plugins/NAME.sock (root only) and answers dockerd's \
      NetworkDriver and IpamDriver calls with cnet's engine: a network made with \
      `docker network create -d NAME --ipam-driver NAME` is a bridge network in \
      cnet's store (cnet network ls shows it as docker-ID), its containers' \
      addresses come from cnet's IPAM, their namespaces are cnet sandboxes \
      (docker-ID), and their published ports and isolation are cnet's nftables \
      rules. Nothing is kept in memory: a restart of dockerd or of this server \
      loses nothing.

      Runs in the foreground and logs to standard error; SIGTERM or SIGINT stops \
      it after the call in progress and removes the socket. contrib/cnet-plugin.service \
      runs it under systemd.

      Examples:
        cnet plugin serve
        docker network create -d cnet --ipam-driver cnet --subnet 10.50.0.0/24 net1
        docker run --rm --network net1 busybox ip addr
      """)

  @Option(help: ArgumentHelp("The plugin's name, as dockerd's -d and --ipam-driver name it.", valueName: "name"))
  var name = "cnet"

  @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning or error.", valueName: "level"))
  var logLevel = "info"

  func validate() throws {
    // A socket's name in /run/docker/plugins, and what dockerd's -d takes:
    // letters, digits, '_', '.', '-' (no newline, no '/').
    let allowed = name.utf8.allSatisfy { byte in
      (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
        || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
    }
    guard allowed, !name.isEmpty, name != ".", name != "..", !name.hasPrefix("-"), name.utf8.count <= 64 else {
      throw CnetError(.invalidArgument,
        "invalid plugin name \"\(name)\": use at most 64 letters, digits, '_', '.' and '-'")
    }
    guard !["bridge", "host", "null", "overlay", "macvlan", "ipvlan", "default"].contains(name) else {
      throw CnetError(.invalidArgument, "\"\(name)\" is one of dockerd's built-in drivers; dockerd would never call the plugin")
    }
    guard Logger.Level(rawValue: logLevel) != nil else {
      throw CnetError(.invalidArgument, "invalid --log-level \"\(logLevel)\"")
    }
  }

  func run() throws {
    guard getuid() == 0 else {
      throw CnetError(.failed, "plugin serve: needs root (it changes the kernel on dockerd's behalf)")
    }
    let level = Logger.Level(rawValue: logLevel) ?? .info
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    let logger = Logger(label: "cnet.plugin")
    let path = "/run/docker/plugins/\(name).sock"
    // SIGTERM and SIGINT are held back in every thread (the server's
    // inherit the mask) and taken here, by sigwait: stop listening, finish
    // the call in progress, remove the socket.
    var signals = sigset_t()
    sigemptyset(&signals)
    for signal in [SIGTERM, SIGINT] { sigaddset(&signals, signal) }
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    var settings = Controller.Settings()
    settings.plugins = PluginResolver(stateDirectory: settings.stateDirectory)
    settings.warn = { logger.warning("\($0)") }
    let server: PluginServer
    do {
      server = try PluginServer(path: path, handler: PluginService(settings: settings, logger: logger), logger: logger)
    } catch let error as CnetError {
      throw CnetError(error.kind, "plugin serve: \(error.message)")
    }
    logger.info("serving NetworkDriver and IpamDriver as \"\(name)\" on \(path)")

    var number: Int32 = 0
    sigwait(&signals, &number)
    logger.info("signal \(number): stopping")
    server.stop()
    logger.info("stopped")
  }
}
