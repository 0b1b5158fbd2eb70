import CnetCore
import CnetEngine
import CnetStore
import CnetTestSupport
import FoundationEssentials
import Logging
import Testing

@testable import CnetPlugin

/// The wire types against what a real dockerd sent and what a plugin
/// answered (Traces/, captured by the protocol probe; see
/// docker-plugin-protocol.md): every request decodes, and encodes back to
/// the same JSON; every successful reply decodes; cnet's own replies have
/// the shapes dockerd accepted.
@Suite struct WireFormatTests {
  struct Record: Decodable {
    var kind: String
    var path: String?
    var request_raw: String?
    var response_raw: String?
    var status: Int?
    var seq: Int?
  }

  static let traces: [(file: String, record: Record)] = {
    let directory = String(#filePath.dropLast("WireFormatTests.swift".count)) + "Traces"
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
    return files.flatMap { file -> [(String, Record)] in
      guard let data = FileManager.default.contents(atPath: directory + "/" + file) else { return [] }
      return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
        (try? JSONDecoder().decode(Record.self, from: Data(line.utf8))).map { (file, $0) }
      }
    }
  }()

  static var calls: [(file: String, record: Record)] { traces.filter { $0.record.kind == "plugin_call" && $0.record.path != nil } }

  @Test func theTracesAreThere() {
    #expect(Self.traces.count > 300)
    #expect(Set(Self.calls.compactMap(\.record.path)).count >= 17)
  }

  /// Decodes `raw` as `T`, encodes it again, and compares the two as JSON
  /// values (Go and Swift order keys differently).
  func roundTrip<T: Codable>(_ type: T.Type, _ raw: String, _ where: String) throws {
    let data = Data(raw.utf8)
    let decoded = try JSONDecoder().decode(T.self, from: data)
    let again = try encode(decoded)
    let original = try JSONDecoder().decode(JSONValue.self, from: data)
    let reencoded = try JSONDecoder().decode(JSONValue.self, from: Data(again))
    #expect(original == reencoded, "\(`where`): \(raw) became \(String(decoding: again, as: UTF8.self))")
  }

  @Test func everyRequestDecodesAndEncodesBackTheSame() throws {
    var checked = 0
    for (file, record) in Self.calls {
      guard let path = record.path, let raw = record.request_raw, !raw.isEmpty else { continue }
      let at = "\(file)#\(record.seq ?? 0) \(path)"
      switch path {
      case "/NetworkDriver.CreateNetwork": try roundTrip(CreateNetworkRequest.self, raw, at)
      case "/NetworkDriver.DeleteNetwork": try roundTrip(NetworkRequest.self, raw, at)
      case "/NetworkDriver.CreateEndpoint": try roundTrip(CreateEndpointRequest.self, raw, at)
      case "/NetworkDriver.Join": try roundTrip(JoinRequest.self, raw, at)
      case "/NetworkDriver.ProgramExternalConnectivity": try roundTrip(ExternalConnectivityRequest.self, raw, at)
      case "/NetworkDriver.DeleteEndpoint", "/NetworkDriver.Leave", "/NetworkDriver.EndpointOperInfo",
        "/NetworkDriver.RevokeExternalConnectivity":
        try roundTrip(EndpointRequest.self, raw, at)
      case "/IpamDriver.RequestPool": try roundTrip(RequestPoolRequest.self, raw, at)
      case "/IpamDriver.ReleasePool": try roundTrip(ReleasePoolRequest.self, raw, at)
      case "/IpamDriver.RequestAddress": try roundTrip(RequestAddressRequest.self, raw, at)
      case "/IpamDriver.ReleaseAddress": try roundTrip(ReleaseAddressRequest.self, raw, at)
      default:
        Issue.record("\(at): a request the wire types do not know")
      }
      checked += 1
    }
    #expect(checked > 150)
  }

  @Test func everySuccessfulReplyDecodes() throws {
    var checked = 0
    for (file, record) in Self.calls where record.status == 200 {
      guard let path = record.path, let raw = record.response_raw, raw.hasPrefix("{") else { continue }
      let data = Data(raw.utf8)
      let at = "\(file)#\(record.seq ?? 0) \(path)"
      do {
        switch path {
        case "/Plugin.Activate": _ = try JSONDecoder().decode(ActivateResponse.self, from: data)
        case "/NetworkDriver.GetCapabilities": _ = try JSONDecoder().decode(CapabilitiesResponse.self, from: data)
        case "/NetworkDriver.CreateEndpoint": _ = try JSONDecoder().decode(CreateEndpointResponse.self, from: data)
        case "/NetworkDriver.Join": _ = try JSONDecoder().decode(JoinResponse.self, from: data)
        case "/NetworkDriver.EndpointOperInfo":
          if !raw.contains("\"Err\"") { _ = try JSONDecoder().decode(EndpointInfoResponse.self, from: data) }
        case "/IpamDriver.GetCapabilities": _ = try JSONDecoder().decode(IPAMCapabilitiesResponse.self, from: data)
        case "/IpamDriver.GetDefaultAddressSpaces": _ = try JSONDecoder().decode(AddressSpacesResponse.self, from: data)
        case "/IpamDriver.RequestPool": _ = try JSONDecoder().decode(RequestPoolResponse.self, from: data)
        case "/IpamDriver.RequestAddress": _ = try JSONDecoder().decode(RequestAddressResponse.self, from: data)
        default: _ = try JSONDecoder().decode(ReplyErrors.self, from: data)
        }
      } catch {
        Issue.record("\(at): \(raw): \(error)")
      }
      checked += 1
    }
    #expect(checked > 150)
  }

  /// T06#94: -p 8080:80 -p 127.0.0.1:8443:443/tcp, as the engine's mappings.
  @Test func portMapsBecomeMappings() throws {
    let raw = #"[{"Proto":6,"IP":"","Port":443,"HostIP":"127.0.0.1","HostPort":8443,"HostPortEnd":8443},{"Proto":6,"IP":"","Port":80,"HostIP":"","HostPort":8080,"HostPortEnd":8080},{"Proto":17,"IP":"","Port":53,"HostIP":"","HostPort":5353,"HostPortEnd":5353}]"#
    let value = try JSONDecoder().decode(JSONValue.self, from: Data(raw.utf8))
    let ports = try PluginService.ports(value)
    #expect(ports.map(\.description) == ["127.0.0.1:8443:443/tcp", "8080:80/tcp", "5353:53/udp"])
    // Without a host port (docker run -p 80), dockerd expects the driver to
    // pick one; cnet says it does not.
    let unpicked = try JSONDecoder().decode(JSONValue.self, from: Data(#"[{"Proto":6,"Port":80,"HostPort":0}]"#.utf8))
    #expect(throws: CnetError.self) { try PluginService.ports(unpicked) }
    let sctp = try JSONDecoder().decode(JSONValue.self, from: Data(#"[{"Proto":132,"Port":80,"HostPort":80}]"#.utf8))
    #expect(throws: CnetError.self) { try PluginService.ports(sctp) }
  }

  /// T06#92 and T14#423, as the engine's network spec.
  @Test func createNetworkBecomesASpec() throws {
    let raw = #"{"NetworkID":"cc4bff1cd599728a4762151ec07ffbd6e3579b26c3b0a58a5751d500c2b93193","Options":{"com.docker.network.enable_ipv6":false,"com.docker.network.generic":{"com.docker.network.driver.mtu":"1400","foo":"bar"},"com.docker.network.internal":true},"IPv4Data":[{"AddressSpace":"CnetLocal","AuxAddresses":{"host1":"10.77.2.10/24"},"Gateway":"10.77.2.254/24","Pool":"10.77.2.0/24"}],"IPv6Data":[]}"#
    let request = try JSONDecoder().decode(CreateNetworkRequest.self, from: Data(raw.utf8))
    let spec = try PluginService.networkSpec(request)
    #expect(spec.id.hasPrefix("cc4bff1cd599"))
    #expect(spec.isInternal)
    #expect(!spec.ipv6)
    #expect(spec.options.map { "\($0.key)=\($0.value)" } == ["com.docker.network.driver.mtu=1400", "foo=bar"])
    #expect(spec.subnets.count == 1)
    #expect(spec.subnets[0].pool.description == "10.77.2.0/24")
    #expect(spec.subnets[0].gateway?.description == "10.77.2.254/24")
    #expect(spec.subnets[0].addressSpace == "CnetLocal")
    var bad = request
    bad.NetworkID = "../../etc"
    #expect(throws: CnetError.self) { try PluginService.networkSpec(bad) }
  }

  /// RequestAddress goes out with "Options": null when there are none, as
  /// dockerd sends it (T12#396), and the Interface object is always there.
  @Test func requestsHaveDockerdsShapes() throws {
    let request = RequestAddressRequest(PoolID: "p", Address: "", Options: nil)
    #expect(String(decoding: try encode(request), as: UTF8.self) == #"{"Address":"","Options":null,"PoolID":"p"}"# + "\n")
    let reply = JoinResponse(InterfaceName: InterfaceNameReply(SrcName: "cp1", DstPrefix: "eth"), Gateway: "10.0.0.1")
    #expect(String(decoding: try encode(reply), as: UTF8.self)
      == #"{"Gateway":"10.0.0.1","InterfaceName":{"DstPrefix":"eth","SrcName":"cp1"}}"# + "\n")
  }

  /// A failed reply's message as dockerd derives it (T12, T19): Err from the
  /// body when there is one, else the body.
  @Test func failureMessagesAsDockerdDerivesThem() {
    #expect(PluginConnection.message(PluginReply(status: 500, body: Array(#"{"Err":"injected 500"}"#.utf8))) == "injected 500")
    #expect(PluginConnection.message(PluginReply(status: 500, body: Array("plain text failure body\n".utf8))) == "plain text failure body")
    #expect(PluginConnection.message(PluginReply(status: 204, body: [])) == "HTTP 204")
  }

  /// EndpointOperInfo never carries dockerd's reserved keys.
  @Test func operInfoUsesItsOwnKeys() throws {
    let endpoint = EndpointRecord(id: "abc", networkID: "n", name: "abc", mac: nil, aliases: [], isAuto: false,
                                  created: "", ports: [try PortMapping("8080:80")])
    #expect(PluginService.operInfo(endpoint).keys.allSatisfy { $0.hasPrefix("cnet.") })
  }
}

/// Malformed calls get an error reply, never a crash: every recorded
/// request cut short at many lengths, and with its values' types changed,
/// is answered 400 with `Err` (or, when it still decodes, refused by the
/// engine: a store in a temporary directory).
@Suite struct MalformedCallTests {
  let directory = TemporaryDirectory()

  @Test func truncatedAndMistypedRequestsGetErrorReplies() throws {
    var settings = Controller.Settings()
    settings.stateDirectory = directory.path + "/state"
    settings.runDirectory = directory.path + "/run"
    settings.netnsDirectory = directory.path + "/netns"
    settings.etcNetnsDirectory = directory.path + "/etc"
    let service = PluginService(settings: settings, logger: Logger(label: "test"))
    var checked = 0
    for (_, record) in WireFormatTests.calls {
      guard let path = record.path, let raw = record.request_raw, raw.count > 2, service.changes(path) else { continue }
      let bytes = Array(raw.utf8)
      var bodies = stride(from: 1, to: bytes.count - 2, by: max(1, bytes.count / 40)).map { Array(bytes[..<$0]) }
      // Strings where objects are expected, and the other way round.
      bodies.append(Array(raw.replacing("\"NetworkID\":\"", with: "\"NetworkID\":[\"").utf8))
      bodies.append(Array(#"{"NetworkID": 7, "EndpointID": {}, "PoolID": null, "Address": 1}"#.utf8))
      bodies.append(Array("\u{0}\u{ff}garbage".utf8))
      for body in bodies {
        let reply = service.handle(path: path, body: body)
        let errors = try? JSONDecoder().decode(ReplyErrors.self, from: Data(reply.body))
        let message = reply.status == 400 ? errors?.Err : reply.status == 200 ? (errors?.Err ?? errors?.Error) : nil
        #expect(message?.isEmpty == false, "\(path): \(String(decoding: body, as: UTF8.self)) -> \(reply.status)")
        checked += 1
      }
    }
    #expect(checked > 1000)
  }
}
