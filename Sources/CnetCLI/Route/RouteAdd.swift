import ArgumentParser
import CnetCore

struct RouteAdd: ParsableCommand, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Add a route.",
    discussion: """
      Equivalent to `ip route add PREFIX [via GW] [dev IF] [metric N]`.

      Examples:
        cnet route add default --via 10.0.0.1
        cnet route add 10.9.0.0/16 --dev br0 --metric 50
        cnet route add default --via fd00::1
      """)

  @OptionGroup var route: RouteOptions
  @OptionGroup var scope: NamespaceOption

  func run() throws { try Self.perform(route.request, namespace: scope.netns) }

  /// What `run` does; FastPath calls it for a plain command line.
  static func perform(_ request: RouteRequest, namespace: String?) throws {
    let plan = try request.plan(requireNextHop: true)
    let socket = try Kernel.socket(in: namespace)
    try socket.addRoute(try request.spec(plan, socket))
  }
}
