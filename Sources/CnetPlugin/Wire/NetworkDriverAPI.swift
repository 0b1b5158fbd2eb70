/// The remote NetworkDriver calls, as libnetwork's remote driver sends them
/// (drivers/remote/api/api.go) and as a real dockerd was seen to send them
/// (DESIGN's reference, docker-plugin-protocol.md §3). Field names are the
/// wire's. Everything a caller may leave out is optional here, so that a
/// request from a caller other than dockerd decodes too; replies leave out
/// what is nil, as Go's omitempty does.
///
/// A NetworkDriver reply reports failure in `Err`, with HTTP 200.
enum NetworkDriverAPI {
  static let prefix = "/NetworkDriver."
  static let implements = "NetworkDriver"
}

/// /Plugin.Activate's reply.
struct ActivateResponse: Codable, Equatable {
  var Implements: [String]
  /// cnet's own addition (dockerd ignores unknown fields): which store a
  /// cnet plugin server works on, so that cnet never calls a server on its
  /// own store (each would wait for the other's operation lock).
  var CnetStore: String? = nil
}

/// /NetworkDriver.GetCapabilities' reply. Scope must be "local" for a
/// standalone dockerd ("global" needs swarm).
struct CapabilitiesResponse: Codable, Equatable {
  var Scope: String
  var ConnectivityScope: String?
  var Err: String?
}

/// One subnet of a network, as CreateNetwork carries it. `Gateway` and the
/// aux addresses are "ip/len" here (Join's gateway is a plain address).
struct IPAMData: Codable, Equatable {
  var AddressSpace: String?
  var Pool: String
  var Gateway: String?
  var AuxAddresses: [String: String]?
}

struct CreateNetworkRequest: Codable, Equatable {
  var NetworkID: String
  /// com.docker.network.enable_ipv6 (bool), com.docker.network.generic (the
  /// `-o` options, an object of strings), com.docker.network.internal (bool).
  var Options: [String: JSONValue]?
  var IPv4Data: [IPAMData]?
  var IPv6Data: [IPAMData]?
}

/// DeleteNetwork, FreeNetwork.
struct NetworkRequest: Codable, Equatable {
  var NetworkID: String
}

/// The endpoint's interface as the caller's IPAM made it: "ip/len" addresses
/// and a colon-separated MAC, each "" when unknown. A reply may fill in only
/// what the request left empty (dockerd refuses a changed address).
struct EndpointInterface: Codable, Equatable {
  var Address: String?
  var AddressIPv6: String?
  var MacAddress: String?
}

struct CreateEndpointRequest: Codable, Equatable {
  var NetworkID: String
  var EndpointID: String
  var Interface: EndpointInterface?
  /// com.docker.network.portmap, com.docker.network.endpoint.exposedports,
  /// com.docker.network.endpoint.dnsservers, ...endpoint.macaddress (base64).
  var Options: [String: JSONValue]?
}

struct CreateEndpointResponse: Codable, Equatable {
  var Interface: EndpointInterface?
  var Err: String?
}

/// DeleteEndpoint, EndpointOperInfo, Leave, RevokeExternalConnectivity.
struct EndpointRequest: Codable, Equatable {
  var NetworkID: String
  var EndpointID: String
}

/// EndpointOperInfo's reply: free-form, under the driver's own keys (dockerd
/// converts reserved com.docker.network.* keys, so none are used).
struct EndpointInfoResponse: Codable, Equatable {
  var Value: [String: JSONValue]
  var Err: String?
}

struct JoinRequest: Codable, Equatable {
  var NetworkID: String
  var EndpointID: String
  /// The sandbox's namespace file (dockerd's /var/run/docker/netns/ID).
  var SandboxKey: String
  var Options: [String: JSONValue]?
}

/// The link the driver made in the caller's namespace (SrcName); the caller
/// moves it into the sandbox as DstPrefix + a counter.
struct InterfaceNameReply: Codable, Equatable {
  var SrcName: String
  var DstPrefix: String
  var DstName: String?
}

/// RouteType 0: via NextHop; 1: connected (no NextHop).
struct StaticRoute: Codable, Equatable {
  var Destination: String
  var RouteType: Int
  var NextHop: String?
}

struct JoinResponse: Codable, Equatable {
  var InterfaceName: InterfaceNameReply?
  /// Plain addresses, no prefix length.
  var Gateway: String?
  var GatewayIPv6: String?
  var StaticRoutes: [StaticRoute]?
  /// Not in remote.md: without a gateway, keeps dockerd from attaching
  /// docker_gwbridge.
  var DisableGatewayService: Bool?
  var Err: String?
}

struct ExternalConnectivityRequest: Codable, Equatable {
  var NetworkID: String
  var EndpointID: String
  var Options: [String: JSONValue]?
}

/// The reply of every call that returns nothing: `{}`, or `{"Err": ...}`.
struct NetworkReply: Codable, Equatable {
  var Err: String?
}

/// Option keys, as dockerd spells them.
enum DockerOptions {
  static let enableIPv6 = "com.docker.network.enable_ipv6"
  static let generic = "com.docker.network.generic"
  static let isInternal = "com.docker.network.internal"
  static let portMap = "com.docker.network.portmap"
  static let exposedPorts = "com.docker.network.endpoint.exposedports"
  static let gatewayData = "com.docker.network.gateway"
  static let macAddress = "com.docker.network.endpoint.macaddress"
}
