import CnetCore
import CnetEngine
import CnetStore
import FoundationEssentials
import Logging

/// cnet as dockerd's NetworkDriver and IpamDriver: every call decoded,
/// mapped onto the engine (Controller+Caller), and answered the way dockerd
/// expects (docker-plugin-protocol.md §7, "as a server"):
///
/// - always HTTP 200 with a JSON object; a failure in `Err` (NetworkDriver)
///   or `Error` (IpamDriver) — the keys differ, and dockerd ignores the
///   wrong one;
/// - 400 with `Err` for a body that does not decode, 404 for a method
///   nobody implements (swarm's AllocateNetwork and FreeNetwork and the
///   cluster store's Discover calls answer `{}`);
/// - state lives in the store, never here: each call opens the engine
///   under the operation lock, as a cnet command does, so a restart of
///   dockerd or of the server loses nothing, and cnet's own commands see
///   and respect Docker's networks.
public struct PluginService: PluginHandler {
  let settings: Controller.Settings
  let logger: Logger

  public init(settings: Controller.Settings, logger: Logger) {
    var settings = settings
    // The server handles SIGTERM itself; a call in progress still finishes.
    settings.holdsSignals = false
    self.settings = settings
    self.logger = logger
  }

  /// Everything but the handshake and EndpointOperInfo may change state.
  public func changes(_ path: String) -> Bool {
    !["/Plugin.Activate", "/NetworkDriver.GetCapabilities", "/IpamDriver.GetCapabilities",
      "/IpamDriver.GetDefaultAddressSpaces", "/NetworkDriver.EndpointOperInfo"].contains(path)
  }

  public func handle(path: String, body: [UInt8]) -> PluginReply {
    let data = Data(body)
    do {
      switch path {
      case "/Plugin.Activate":
        return try ok(ActivateResponse(
          Implements: [NetworkDriverAPI.implements, IpamDriverAPI.implements],
          CnetStore: PluginResolver.storeIdentity(settings.stateDirectory)))
      case "/NetworkDriver.GetCapabilities":
        return try ok(CapabilitiesResponse(Scope: "local", ConnectivityScope: "local"))
      case "/IpamDriver.GetCapabilities":
        return try ok(IPAMCapabilitiesResponse(RequiresMACAddress: false, RequiresRequestReplay: false))
      case "/IpamDriver.GetDefaultAddressSpaces":
        // The default IPAM driver's, which the calls go to.
        return try ok(AddressSpacesResponse(
          LocalDefaultAddressSpace: DefaultIPAM.localSpace, GlobalDefaultAddressSpace: DefaultIPAM.globalSpace))
      case "/IpamDriver.RequestPool":
        let request = try decode(RequestPoolRequest.self, data)
        return ipam { controller in
          let pool = try nonEmpty(request.Pool).map { try CIDR($0) }
          let subPool = try nonEmpty(request.SubPool).map { try CIDR($0) }
          let got = try controller.withCallerIPAM {
            try $0.requestPool(addressSpace: request.AddressSpace ?? "", pool: pool, subPool: subPool,
                               options: request.Options ?? [:], v6: request.V6 ?? false)
          }
          return RequestPoolResponse(PoolID: got.id, Pool: got.subnet.description, Data: [:])
        }
      case "/IpamDriver.ReleasePool":
        let request = try decode(ReleasePoolRequest.self, data)
        return ipam { controller in
          try controller.withCallerIPAM { try $0.releasePool(id: request.PoolID) }
          return IPAMReply()
        }
      case "/IpamDriver.RequestAddress":
        let request = try decode(RequestAddressRequest.self, data)
        return ipam { controller in
          let address = try nonEmpty(request.Address).map(Self.address)
          let got = try controller.withCallerIPAM {
            try $0.requestAddress(poolID: request.PoolID, address: address, options: request.Options ?? [:])
          }
          guard let got else { throw CnetError(.failed, "no address in pool \(request.PoolID)") }
          return RequestAddressResponse(Address: got.description, Data: [:])
        }
      case "/IpamDriver.ReleaseAddress":
        let request = try decode(ReleaseAddressRequest.self, data)
        return ipam { controller in
          let address = try Self.address(request.Address)
          try controller.withCallerIPAM { try $0.releaseAddress(poolID: request.PoolID, address: address) }
          return IPAMReply()
        }
      case "/NetworkDriver.CreateNetwork":
        let request = try decode(CreateNetworkRequest.self, data)
        return network { controller in
          _ = try controller.createCallerNetwork(try Self.networkSpec(request))
          return NetworkReply()
        }
      case "/NetworkDriver.DeleteNetwork":
        let request = try decode(NetworkRequest.self, data)
        return network { controller in
          try controller.deleteCallerNetwork(request.NetworkID)
          return NetworkReply()
        }
      case "/NetworkDriver.CreateEndpoint":
        let request = try decode(CreateEndpointRequest.self, data)
        return network { controller in
          let interface = request.Interface
          let mac = try nonEmpty(interface?.MacAddress).map(MACAddress.unicast)
          let endpoint = try controller.createCallerEndpoint(
            network: request.NetworkID, id: try Self.checkID(request.EndpointID, "endpoint"),
            ipv4: try nonEmpty(interface?.Address).map { try CIDR($0) },
            ipv6: try nonEmpty(interface?.AddressIPv6).map { try CIDR($0) },
            mac: mac, ports: try Self.ports(request.Options?[DockerOptions.portMap]))
          // Only what the request left empty may come back (dockerd refuses a
          // changed address): the MAC the driver chose.
          guard mac == nil, let chosen = endpoint.mac else { return CreateEndpointResponse() }
          return CreateEndpointResponse(Interface: EndpointInterface(MacAddress: chosen))
        }
      case "/NetworkDriver.DeleteEndpoint":
        let request = try decode(EndpointRequest.self, data)
        return network { controller in
          try controller.deleteCallerEndpoint(request.EndpointID)
          return NetworkReply()
        }
      case "/NetworkDriver.Join":
        let request = try decode(JoinRequest.self, data)
        return network { controller in
          let join = try controller.joinCaller(request.EndpointID, sandboxKey: request.SandboxKey)
          return JoinResponse(
            InterfaceName: InterfaceNameReply(SrcName: join.interface, DstPrefix: "eth"),
            Gateway: join.gateway?.description, GatewayIPv6: join.gatewayIPv6?.description,
            // Without a gateway (an internal network) dockerd would attach
            // its docker_gwbridge, a way out the network must not have.
            DisableGatewayService: join.gateway == nil && join.gatewayIPv6 == nil ? true : nil)
        }
      case "/NetworkDriver.Leave":
        let request = try decode(EndpointRequest.self, data)
        return network { controller in
          try controller.leaveCaller(request.EndpointID)
          return NetworkReply()
        }
      case "/NetworkDriver.ProgramExternalConnectivity":
        // Programmed at Join, for every endpoint (dockerd asks here only for
        // its gateway endpoint); the endpoint must exist.
        let request = try decode(ExternalConnectivityRequest.self, data)
        return network { controller in
          guard try controller.store.endpoint(id: request.EndpointID) != nil else {
            throw CnetError(.notFound, "endpoint \(request.EndpointID) not found")
          }
          return NetworkReply()
        }
      case "/NetworkDriver.RevokeExternalConnectivity":
        let request = try decode(EndpointRequest.self, data)
        return network { controller in
          try controller.revokeCaller(request.EndpointID)
          return NetworkReply()
        }
      case "/NetworkDriver.EndpointOperInfo":
        let request = try decode(EndpointRequest.self, data)
        return respond(errorKey: .network) {
          guard let controller = try Controller.forReading(settings),
            let endpoint = try controller.store.endpoint(id: request.EndpointID)
          else { throw CnetError(.notFound, "endpoint \(request.EndpointID) not found") }
          return try encode(EndpointInfoResponse(Value: Self.operInfo(endpoint)))
        }
      case "/NetworkDriver.AllocateNetwork", "/NetworkDriver.FreeNetwork", "/NetworkDriver.DiscoverNew",
        "/NetworkDriver.DiscoverDelete":
        return try ok(NetworkReply())
      default:
        return try reply(404, NetworkReply(Err: "\(path): no such plugin call"))
      }
    } catch let error as DecodingError {
      return (try? reply(400, NetworkReply(Err: "\(path): malformed request: \(Self.describe(error))")))
        ?? PluginReply(status: 400, body: [])
    } catch {
      return (try? reply(400, NetworkReply(Err: "\(path): \(Self.message(error))"))) ?? PluginReply(status: 400, body: [])
    }
  }

  // MARK: - Replies

  enum ErrorKey { case network, ipam }

  /// Runs a NetworkDriver call with the engine open for changes.
  private func network<Reply: Encodable>(_ body: (Controller) throws -> Reply) -> PluginReply {
    respond(errorKey: .network) { try encode(body(try Controller.forChanges(settings))) }
  }

  private func ipam<Reply: Encodable>(_ body: (Controller) throws -> Reply) -> PluginReply {
    respond(errorKey: .ipam) { try encode(body(try Controller.forChanges(settings))) }
  }

  private func respond(errorKey: ErrorKey, _ body: () throws -> [UInt8]) -> PluginReply {
    do {
      return PluginReply(status: 200, body: try body())
    } catch {
      let message = Self.message(error)
      logger.warning("call failed: \(message)")
      let encoded = errorKey == .network ? try? encode(NetworkReply(Err: message)) : try? encode(IPAMReply(Error: message))
      return PluginReply(status: 200, body: encoded ?? Array("{}\n".utf8))
    }
  }

  private func ok<Reply: Encodable>(_ value: Reply) throws -> PluginReply { try reply(200, value) }

  private func reply<Reply: Encodable>(_ status: Int, _ value: Reply) throws -> PluginReply {
    PluginReply(status: status, body: try encode(value))
  }

  private func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
    // Calls without arguments come with an empty body.
    try JSONDecoder().decode(type, from: data.isEmpty ? Data("{}".utf8) : data)
  }

  static func message(_ error: Error) -> String {
    if let error = error as? CnetError { return error.message }
    if let error = error as? StoreError { return "\(error)" }
    return "\(error)"
  }

  static func describe(_ error: DecodingError) -> String {
    switch error {
    case .keyNotFound(let key, _): "no \(key.stringValue)"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
      context.codingPath.isEmpty
        ? context.debugDescription : "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
    @unknown default: "\(error)"
    }
  }

  // MARK: - Translations

  static func address(_ text: String) throws -> IPAddress {
    guard let address = IPAddress(text) else { throw CnetError(.invalidArgument, "invalid address \"\(text)\"") }
    return address
  }

  /// CreateNetwork's request as the engine's spec.
  static func networkSpec(_ request: CreateNetworkRequest) throws -> CallerNetworkSpec {
    var spec = CallerNetworkSpec(id: try Self.checkID(request.NetworkID, "network"))
    let options = request.Options ?? [:]
    spec.isInternal = options[DockerOptions.isInternal]?.bool ?? false
    spec.ipv6 = options[DockerOptions.enableIPv6]?.bool ?? false
    for (key, value) in (options[DockerOptions.generic]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
      guard let text = value.string ?? value.bool.map({ $0 ? "true" : "false" }) else {
        throw CnetError(.invalidArgument, "option \(key): not a string")
      }
      spec.options.append(KeyValue(key, text))
    }
    for data in (request.IPv4Data ?? []) + (request.IPv6Data ?? []) {
      spec.subnets.append(CallerSubnet(
        addressSpace: nonEmpty(data.AddressSpace), pool: try CIDR(data.Pool),
        gateway: try nonEmpty(data.Gateway).map { try CIDR($0) }))
    }
    return spec
  }

  /// dockerd's ids are 64 hexadecimal digits; 12 to 64 are taken (its
  /// short form up), anything else refused before it reaches the store or
  /// the kernel (an id ends up in a link's alias, at most 256 bytes).
  static func checkID(_ id: String, _ what: String) throws -> String {
    guard (12...64).contains(id.utf8.count), id.utf8.allSatisfy({ Self.isHex($0) }) else {
      let shown = id.utf8.count > 80 ? String(id.prefix(64)) + "... (\(id.utf8.count) bytes)" : id
      throw CnetError(.invalidArgument, "\(what) id \"\(shown)\" is not an id of 12 to 64 hexadecimal digits")
    }
    return id
  }

  static func isHex(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
  }

  /// com.docker.network.portmap: [{"Proto":6,"IP":"","Port":80,"HostIP":"",
  /// "HostPort":8080,"HostPortEnd":8080}]. Proto is the IP protocol number.
  static func ports(_ value: JSONValue?) throws -> [PortMapping] {
    guard let entries = value?.array else { return [] }
    return try entries.map { entry in
      guard let fields = entry.object, let port = fields["Port"]?.int, let hostPort = fields["HostPort"]?.int else {
        throw CnetError(.invalidArgument, "a port mapping without Port or HostPort")
      }
      let proto: PortProtocol
      switch fields["Proto"]?.int {
      case 6?: proto = .tcp
      case 17?: proto = .udp
      default: throw CnetError(.invalidArgument, "port \(port): only tcp (6) and udp (17) are published")
      }
      guard (1...65535).contains(port), (1...65535).contains(hostPort) else {
        throw CnetError(.invalidArgument, "port \(port): cnet publishes only to a given host port (not \(hostPort))")
      }
      let hostAddress = try nonEmpty(fields["HostIP"]?.string).map(address)
      return try PortMapping(
        hostAddress: hostAddress, hostPorts: UInt16(hostPort)...UInt16(hostPort), ports: UInt16(port)...UInt16(port),
        proto: proto)
    }
  }

  /// EndpointOperInfo's value, under cnet's own keys.
  static func operInfo(_ endpoint: EndpointRecord) -> [String: JSONValue] {
    var value: [String: JSONValue] = [
      "cnet.endpoint": .string(endpoint.name),
      "cnet.network": .string(endpoint.networkID),
      "cnet.joined": .bool(endpoint.sandboxID != nil),
    ]
    if let host = endpoint.hostInterface { value["cnet.hostInterface"] = .string(host) }
    if let ipv4 = endpoint.ipv4 { value["cnet.address"] = .string(ipv4.description) }
    if let ipv6 = endpoint.ipv6 { value["cnet.addressIPv6"] = .string(ipv6.description) }
    if !endpoint.ports.isEmpty { value["cnet.ports"] = .array(endpoint.ports.map { .string($0.description) }) }
    return value
  }
}

/// nil for nil and "".
func nonEmpty(_ text: String?) -> String? {
  guard let text, !text.isEmpty else { return nil }
  return text
}

/// Compact JSON and a newline, as Go writes it.
func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
  return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
}
