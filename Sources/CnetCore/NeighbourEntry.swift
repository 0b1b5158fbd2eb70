/// A static entry of an overlay network's VXLAN device: where a remote
/// endpoint is. `ip neigh replace IP lladdr MAC dev VX nud permanent` and
/// `bridge fdb replace MAC dev VX dst VTEP self permanent` each say half.
public struct NeighbourEntry: Sendable, Equatable, Hashable {
  public enum Kind: Sendable, Equatable, Hashable {
    /// The endpoint's address has this MAC (the device answers ARP for it).
    case neighbour(IPAddress)
    /// Frames for this MAC go to this VTEP (the remote host's address).
    case forwarding(vtep: IPAddress)
  }

  public var kind: Kind
  public var mac: MACAddress

  public init(_ kind: Kind, mac: MACAddress) {
    self.kind = kind
    self.mac = mac
  }
}

extension NeighbourEntry: CustomStringConvertible {
  public var description: String {
    switch kind {
    case .neighbour(let address): "neighbour \(address) lladdr \(mac)"
    case .forwarding(let vtep): "fdb \(mac) dst \(vtep)"
    }
  }
}
