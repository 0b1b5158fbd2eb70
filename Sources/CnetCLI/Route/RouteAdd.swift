import ArgumentParser
import CnetCore

struct RouteAdd: FastPathed, NamespaceScoped {
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

  var fastPath: FastPath { .routeAdd(route.request, namespace: scope.netns) }

  /// What the command runs (FastPath.run), parsed or not.
  static func perform(_ request: RouteRequest, namespace: String?) throws {
    let plan = try request.plan(requireNextHop: true)
    let socket = try Kernel.socket(in: namespace)
    try socket.addRoute(try request.spec(plan, socket))
  }
}
