/// Where the cluster keeps what its hosts share, in etcd, under one
/// prefix (default `/cnet/v1/`); values are JSON (ClusterRecords):
///
///     config                     {"vxlanPort":4789}                     no lease; made by the first host
///     members/<hostID>           {"name","vtep","joined"}               no lease: who joined (alive or not)
///     hosts/<hostID>             {"name","vtep","bootID","mtu"}         the host's lease: alive while it lasts
///     networks/<netID>           {"name","vni","subnets","mtu",...}     no lease: an overlay network
///     names/<name>               "<netID>"                              no lease: a name is taken once
///     vni/<vni>                  "<netID>"                              no lease: a VNI is taken once
///     ipam/<subnet>/<ip>         {"host","endpoint"}                    no lease: who owns an address
///                                                                       (subnet as 10.200.0.0_24; overlay
///                                                                       subnets never overlap)
///     gone/<hostID>              "<unix seconds>"                       no lease: when a host was first
///                                                                       seen gone (cnet gc --grace reads it)
///     endpoints/<netID>/<eid>    {"ip","mac","host","vtep","name"}      the host's lease: a published endpoint
///
/// Liveness and ownership are apart: when a host's lease ends, its
/// `hosts/` key and its published endpoints go (every agent then removes
/// their entries), while its addresses stay owned until `cnet gc` frees
/// them after a grace period; a host that comes back re-claims each one
/// with create-if-absent, never by overwriting.
public struct ClusterKeys: Sendable, Equatable {
  public let prefix: String

  public init(prefix: String = "/cnet/v1/") {
    self.prefix = prefix.hasSuffix("/") ? prefix : prefix + "/"
  }

  public var config: String { prefix + "config" }
  public var members: String { prefix + "members/" }
  public func member(_ host: String) -> String { members + host }
  public var hosts: String { prefix + "hosts/" }
  public func host(_ host: String) -> String { hosts + host }
  public var networks: String { prefix + "networks/" }
  public func network(_ id: String) -> String { networks + id }
  public func name(_ name: String) -> String { prefix + "names/" + name }
  public func vni(_ vni: UInt32) -> String { prefix + "vni/" + String(vni) }
  public var allVNIs: String { prefix + "vni/" }
  public var gone: String { prefix + "gone/" }
  public var allEndpoints: String { prefix + "endpoints/" }
  public func endpoints(_ network: String) -> String { allEndpoints + network + "/" }
  public func endpoint(_ network: String, _ id: String) -> String { endpoints(network) + id }

  /// The last component of a key under `under` ("hosts/ab12" -> "ab12"),
  /// or the components after it.
  public func rest(of key: String, under: String) -> [String]? {
    guard key.hasPrefix(under) else { return nil }
    return key.dropFirst(under.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
  }
}
