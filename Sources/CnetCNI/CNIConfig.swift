import CnetCore

/// A container's attachment as the runtime names it.
public struct CNIAttachmentKey: Hashable, Sendable {
  public var containerID: String
  public var interface: String

  public init(containerID: String, interface: String) {
    self.containerID = containerID
    self.interface = interface
  }
}

/// The request configuration on stdin: the network configuration
/// `{"type":"cnet","network":"NAME",...}` with what the runtime adds
/// (cniVersion, name, runtimeConfig, prevResult, the `capabilities` key
/// libcni passes through). Fields cnet does not know are ignored, never
/// refused: runtimes and users add their own.
public struct CNIConfig: Sendable {
  /// As given; "0.1.0" when missing, which cnet does not speak (the
  /// reference library reads a missing version the same way).
  public var cniVersion: String
  /// The network configuration's name (the runtime's network).
  public var name: String?
  /// The cnet network: `network`, else the configuration's `name`.
  public var network: String?
  /// `subnet` and `gateway`: what the network is made with when missing,
  /// and must agree with when it exists.
  public var subnet: CIDR?
  public var gateway: IPAddress?
  /// runtimeConfig.portMappings (the `portMappings` capability).
  public var portMappings: [PortMapping] = []
  /// runtimeConfig.ips (the `ips` capability), without repeats: podman's
  /// `network reload` sends each twice.
  public var ips: [IPAddress] = []
  /// runtimeConfig.mac (the `mac` capability).
  public var mac: MACAddress?
  /// `dns`, passed into the result as the reference plugins do.
  public var dns: JSON?
  public var prevResult: CNIResult?
  /// GC's list of attachments to keep: `cni.dev/valid-attachments`, or
  /// its first name `cni.dev/attachments` (both are sent by libcni); nil
  /// when neither is there.
  public var validAttachments: Set<CNIAttachmentKey>?

  /// The version a request's answer is written in: its own when cnet
  /// speaks it, else the newest.
  public static func answerVersion(_ bytes: [UInt8]) -> String {
    guard let json = try? JSON.parse(bytes), let version = json["cniVersion"]?.string,
      CNIVersion.isSupported(version)
    else { return CNIVersion.latest }
    return version
  }

  /// `lenient`: for DEL and GC, which need none of the configuration but
  /// its version and names (and GC's list): a field of theirs that does
  /// not read is left out instead of failing a teardown.
  public static func parse(_ bytes: [UInt8], lenient: Bool = false) throws(CNIError) -> CNIConfig {
    let json: JSON
    do {
      json = try JSON.parse(bytes)
    } catch {
      throw CNIError(CNIError.decodingFailure, "the configuration on stdin is not JSON: \(error)")
    }
    guard case .object = json else {
      throw CNIError(CNIError.decodingFailure, "the configuration on stdin is not a JSON object")
    }
    func bad(_ why: String) -> CNIError { CNIError(CNIError.invalidConfiguration, why) }
    func text(_ key: String, in object: JSON = json) throws(CNIError) -> String? {
      guard let value = object[key], value != .null else { return nil }
      guard let string = value.string else { throw bad("\"\(key)\" must be a string") }
      return string
    }

    var config = CNIConfig(cniVersion: try text("cniVersion") ?? "0.1.0")
    config.name = try text("name")
    config.network = try text("network") ?? config.name
    do {
      try config.readRest(json, text: text)
    } catch {
      // What DEL and GC do not need is left out when it does not read.
      if !lenient { throw error }
    }
    for key in ["cni.dev/valid-attachments", "cni.dev/attachments"] {
      guard let list = json[key], list != .null else { continue }
      guard let items = list.array else { throw bad("\"\(key)\" must be a list") }
      var keep = config.validAttachments ?? []
      for item in items {
        guard let id = item["containerID"]?.string, let name = item["ifname"]?.string else {
          throw bad("\"\(key)\": each attachment needs containerID and ifname")
        }
        keep.insert(CNIAttachmentKey(containerID: id, interface: name))
      }
      config.validAttachments = keep
    }
    return config
  }

  /// Everything but the version, the names and GC's list.
  private mutating func readRest(_ json: JSON, text: (String, JSON) throws(CNIError) -> String?) throws(CNIError) {
    func bad(_ why: String) -> CNIError { CNIError(CNIError.invalidConfiguration, why) }
    if let subnet = try text("subnet", json) {
      do {
        let cidr = try CIDR(subnet)
        try cidr.checkSubnet()
        self.subnet = cidr
      } catch {
        throw bad("invalid subnet \"\(subnet)\": \(error.message)")
      }
    }
    if let gateway = try text("gateway", json) {
      guard let address = IPAddress(gateway) else { throw bad("invalid gateway \"\(gateway)\": not an IP address") }
      self.gateway = address
    }
    if let dns = json["dns"], dns != .null {
      guard case .object = dns else { throw bad("\"dns\" must be an object") }
      self.dns = dns
    }
    if let runtime = json["runtimeConfig"], runtime != .null {
      guard case .object = runtime else { throw bad("\"runtimeConfig\" must be an object") }
      self.portMappings = try Self.portMappings(runtime["portMappings"])
      for item in runtime["ips"]?.array ?? [] {
        guard let given = item.string, let address = Self.address(given) else {
          throw bad("runtimeConfig.ips: \(item.compact) is not an IP address")
        }
        if !self.ips.contains(address) { self.ips.append(address) }
      }
      if let mac = try text("mac", runtime) {
        do { self.mac = try MACAddress.unicast(mac) } catch { throw bad("runtimeConfig.mac: \(error.message)") }
      }
    }
    if let previous = json["prevResult"], previous != .null {
      self.prevResult = try CNIResult.parse(previous)
    }
  }

  /// An address as runtimes give one (CNI_ARGS IP=, runtimeConfig.ips):
  /// bare, or with its prefix length.
  public static func address(_ text: String) -> IPAddress? {
    (try? CIDR(text, hostWhenBare: true))?.address
  }

  init(cniVersion: String) { self.cniVersion = cniVersion }

  /// `[{"hostPort":8080,"containerPort":80,"protocol":"tcp","hostIP":""}]`.
  static func portMappings(_ json: JSON?) throws(CNIError) -> [PortMapping] {
    guard let json, json != .null else { return [] }
    func bad(_ why: String) -> CNIError { CNIError(CNIError.invalidConfiguration, "runtimeConfig.portMappings: " + why) }
    guard let items = json.array else { throw bad("not a list") }
    var mappings: [PortMapping] = []
    for item in items {
      guard let host = item["hostPort"]?.integer, let container = item["containerPort"]?.integer,
        (1...65535).contains(host), (1...65535).contains(container)
      else { throw bad("\(item.compact) needs hostPort and containerPort from 1 to 65535") }
      let name = (item["protocol"]?.string ?? "tcp").lowercased()
      guard let proto = PortProtocol(rawValue: name) else { throw bad("protocol \"\(name)\" is not tcp or udp") }
      var address: IPAddress?
      if let text = item["hostIP"]?.string, !text.isEmpty {
        guard let given = IPAddress(text) else { throw bad("hostIP \"\(text)\" is not an IP address") }
        address = given
      }
      do {
        mappings.append(try PortMapping(hostAddress: address, hostPorts: UInt16(host)...UInt16(host),
                                        ports: UInt16(container)...UInt16(container), proto: proto))
      } catch {
        throw bad(error.message)
      }
    }
    return mappings
  }
}
