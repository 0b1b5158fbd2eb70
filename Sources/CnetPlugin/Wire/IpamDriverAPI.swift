/// The remote IpamDriver calls (ipams/remote/api/api.go), field names as on
/// the wire. An IpamDriver reply reports failure in `Error` with HTTP 200;
/// dockerd ignores `Err` there (docker-plugin-protocol.md §2.1).
enum IpamDriverAPI {
  static let prefix = "/IpamDriver."
  static let implements = "IpamDriver"
}

struct IPAMCapabilitiesResponse: Codable, Equatable {
  var RequiresMACAddress: Bool?
  var RequiresRequestReplay: Bool?
  var Error: String?
}

struct AddressSpacesResponse: Codable, Equatable {
  var LocalDefaultAddressSpace: String?
  var GlobalDefaultAddressSpace: String?
  var Error: String?
}

struct RequestPoolRequest: Codable, Equatable {
  var AddressSpace: String?
  /// "" asks the driver to choose.
  var Pool: String?
  /// `--ip-range`; "" for none.
  var SubPool: String?
  var Options: [String: String]?
  var V6: Bool?
}

struct RequestPoolResponse: Codable, Equatable {
  var PoolID: String?
  var Pool: String?
  /// com.docker.network.gateway ("ip/len") names the gateway, and the
  /// caller then asks for none.
  var Data: [String: String]?
  var Error: String?
}

struct ReleasePoolRequest: Codable, Equatable {
  var PoolID: String
}

struct RequestAddressRequest: Codable, Equatable {
  var PoolID: String
  /// A plain address, or "" for any.
  var Address: String?
  /// RequestAddressType = com.docker.network.gateway for a gateway; dockerd
  /// sends null when it has nothing to say.
  var Options: [String: String]?

  // Options goes out as null when there are none, as dockerd writes it.
  func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(PoolID, forKey: .PoolID)
    try container.encode(Address ?? "", forKey: .Address)
    try container.encode(Options, forKey: .Options)
  }
}

struct RequestAddressResponse: Codable, Equatable {
  /// "ip/len".
  var Address: String?
  var Data: [String: String]?
  var Error: String?
}

struct ReleaseAddressRequest: Codable, Equatable {
  var PoolID: String
  var Address: String
}

/// The reply of the IPAM calls that return nothing.
struct IPAMReply: Codable, Equatable {
  var Error: String?
}
