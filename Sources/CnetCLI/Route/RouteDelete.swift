import ArgumentParser
import CnetCore

struct RouteDelete: FastPathed, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "del",
    abstract: "Delete a route.",
    discussion: "Equivalent to `ip route del PREFIX [via GW] [dev IF] [metric N]`; the options narrow which route is deleted.",
    aliases: ["delete", "rm"])

  @OptionGroup var route: RouteOptions
  @OptionGroup var scope: NamespaceOption

  var fastPath: FastPath { .routeDelete(route.request, namespace: scope.netns) }

  /// What the command runs (FastPath.run), parsed or not.
  static func perform(_ request: RouteRequest, namespace: String?) throws {
    let plan = try request.plan(requireNextHop: false)
    let socket = try Kernel.socket(in: namespace)
    try socket.deleteRoute(try request.spec(plan, socket))
  }
}
