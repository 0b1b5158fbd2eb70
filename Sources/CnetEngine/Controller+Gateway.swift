import CnetCore
import CnetKernel
import CnetStore

/// A sandbox's default routes, as libnetwork keeps them: one per address
/// family, via the gateway of the first joined endpoint (in interface order)
/// whose network has a gateway of that family and is not internal. A join
/// adds the route when it brings the first such endpoint; a leave of the
/// endpoint that provided it moves the route to the next one (the kernel
/// drops routes through a link that goes away).
extension Controller {
  /// The endpoint that provides the default route of `family`, with its
  /// gateway. `known`: networks the caller has read already.
  func gatewayProvider(_ family: IPFamily, among endpoints: [EndpointRecord], known: [NetworkRecord] = []) throws
    -> (EndpointRecord, CIDR)?
  {
    for endpoint in endpoints.sorted(by: { Self.interfaceNumber($0) < Self.interfaceNumber($1) }) {
      guard endpoint.addresses.contains(where: { $0.family == family }),
        let network = try known.first(where: { $0.id == endpoint.networkID }) ?? store.network(id: endpoint.networkID),
        !network.isInternal, knownDriver(network.driver)?.providesDefaultRoute ?? true,
        let gateway = network.pools.lazy.compactMap(\.gateway).first(where: { $0.family == family })
      else { continue }
      return (endpoint, gateway)
    }
    return nil
  }

  static func interfaceNumber(_ endpoint: EndpointRecord) -> Int {
    Int(endpoint.interface?.dropFirst(3) ?? "") ?? Int.max
  }

  /// After `joined` joins a sandbox that had `before`: the default routes
  /// it now provides, as plan steps (someone else's default route stays).
  func defaultRoutes(for joined: EndpointRecord, on network: NetworkRecord, before: [EndpointRecord]) throws
    -> KernelPlan
  {
    var plan = KernelPlan()
    for family in [IPFamily.v4, .v6] {
      guard let (provider, gateway) = try gatewayProvider(family, among: before + [joined], known: [network]),
        provider.id == joined.id,
        let interface = joined.interface
      else { continue }
      plan.steps.append(.addRoute(.sandbox, destination: .any(family), gateway: gateway.address,
                                  link: try InterfaceName(interface), keepExisting: true))
    }
    return plan
  }

  /// After `left` leaves a sandbox that keeps `remaining`: the default
  /// routes it provided, through the next provider.
  func movedDefaultRoutes(from left: EndpointRecord, on network: NetworkRecord, remaining: [EndpointRecord]) throws
    -> KernelPlan
  {
    var plan = KernelPlan()
    for family in [IPFamily.v4, .v6] {
      guard let (was, _) = try gatewayProvider(family, among: remaining + [left], known: [network]), was.id == left.id,
        let (next, gateway) = try gatewayProvider(family, among: remaining), let interface = next.interface
      else { continue }
      plan.steps.append(.addRoute(.sandbox, destination: .any(family), gateway: gateway.address,
                                  link: try InterfaceName(interface), keepExisting: true))
    }
    return plan
  }
}
