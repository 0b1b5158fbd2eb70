import ArgumentParser
import CnetCore

struct RouteDelete: ParsableCommand, NamespaceScoped {
  static let configuration = CommandConfiguration(
    commandName: "del",
    abstract: "Delete a route.",
    discussion: "Equivalent to `ip route del PREFIX [via GW] [dev IF] [metric N]`; the options narrow which route is deleted.",
    aliases: ["delete", "rm"])

  @OptionGroup var route: RouteOptions
  @OptionGroup var scope: NamespaceOption

  func run() throws {
    let plan = try route.plan(requireNextHop: false)
    let socket = try Kernel.socket(in: scope.netns)
    try socket.deleteRoute(try route.spec(plan, socket))
  }
}
