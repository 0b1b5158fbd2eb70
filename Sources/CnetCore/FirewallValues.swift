// What cnet's firewall holds, as values: a bridge network's part and a
// published port's. Drivers describe them in plans (KernelPlan); the
// firewall (CnetKernel) writes them.

/// A bridge network as cnet's firewall sees it.
public struct FirewallNetwork: Sendable, Equatable {
  public var bridge: InterfaceName
  public var subnets: [CIDR]
  /// No way out and no way in: nothing crosses the bridge but traffic
  /// between its own sandboxes.
  public var isInternal: Bool
  /// Traffic leaving for anywhere but the bridge takes the host's address.
  public var masquerade: Bool
  /// What every element of the network says it belongs to ("network ID"),
  /// as its comment: `nft list table inet cnet` names each one's owner.
  public var owner: String

  public init(bridge: InterfaceName, subnets: [CIDR], isInternal: Bool, masquerade: Bool, owner: String = "") {
    self.bridge = bridge
    self.subnets = subnets.map(\.masked)
    self.isInternal = isInternal
    self.masquerade = masquerade && !isInternal
    self.owner = owner
  }
}

/// A published port range and the endpoint address it leads to (of the
/// family of the host address, when the mapping names one).
public struct PortPublication: Sendable, Equatable {
  public var mapping: PortMapping
  public var target: IPAddress
  /// The elements' comment ("endpoint ID").
  public var owner: String

  public init(_ mapping: PortMapping, to target: IPAddress, owner: String = "") {
    self.mapping = mapping
    self.target = target
    self.owner = owner
  }
}
