import CnetCore
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Finds legacy ("v1") plugins where dockerd does (pkg/plugins/discovery.go):
///
/// 1. `/run/docker/plugins/NAME.sock`, then `/run/docker/plugins/NAME/NAME.sock`
///    — it must be a socket;
/// 2. in `/etc/docker/plugins`, then `/usr/lib/docker/plugins`: `NAME.spec`,
///    `NAME/NAME.spec`, `NAME.json`, `NAME/NAME.json` — a .spec file holds an
///    address (`unix:///path`, `tcp://host:port`), a .json file an object
///    whose `Addr` is one.
///
/// A plugin's name is its file's name without the extension.
public struct PluginDiscovery: Sendable {
  public var socketDirectory = "/run/docker/plugins"
  public var specDirectories = ["/etc/docker/plugins", "/usr/lib/docker/plugins"]

  public init() {}

  public struct Found: Sendable, Equatable {
    public var name: String
    public var address: PluginAddress
    /// The file that named it.
    public var file: String
  }

  /// The plugin `name`, or nil when no file names it.
  public func find(_ name: String) throws -> Found? {
    guard Self.isValidName(name) else { return nil }
    for path in ["\(socketDirectory)/\(name).sock", "\(socketDirectory)/\(name)/\(name).sock"] where Self.isSocket(path) {
      return Found(name: name, address: .unix(path), file: path)
    }
    for directory in specDirectories {
      for path in ["\(directory)/\(name).spec", "\(directory)/\(name)/\(name).spec",
                   "\(directory)/\(name).json", "\(directory)/\(name)/\(name).json"] where Self.exists(path) {
        return Found(name: name, address: try Self.readAddress(path), file: path)
      }
    }
    return nil
  }

  /// Every plugin the directories name, each once (the first place wins,
  /// as for `find`), sorted by name.
  public func all() -> [Found] {
    var names: [String] = []
    func add(_ name: String) { if Self.isValidName(name), !names.contains(name) { names.append(name) } }
    for entry in Self.entries(socketDirectory) {
      if entry.hasSuffix(".sock") { add(String(entry.dropLast(5))) } else if Self.isSocket("\(socketDirectory)/\(entry)/\(entry).sock") { add(entry) }
    }
    for directory in specDirectories {
      for entry in Self.entries(directory) {
        if entry.hasSuffix(".spec") || entry.hasSuffix(".json") { add(String(entry.dropLast(5))) } else { add(entry) }
      }
    }
    return names.sorted().compactMap { try? find($0) }
  }

  static func isValidName(_ name: String) -> Bool {
    !name.isEmpty && name != "." && name != ".." && !name.contains("/") && name.utf8.count <= 255
  }

  /// Reads a .spec or .json file's address.
  static func readAddress(_ path: String) throws -> PluginAddress {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CnetError(.failed, "cannot read plugin file \(path)")
    }
    var text = String(decoding: data, as: UTF8.self)
    if path.hasSuffix(".json") {
      struct Spec: Decodable { var Addr: String? }
      guard let spec = try? JSONDecoder().decode(Spec.self, from: data), let address = spec.Addr else {
        throw CnetError(.failed, "plugin file \(path): not a JSON object with an Addr")
      }
      text = address
    }
    let trimmed = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).first.map(String.init) ?? ""
    return try parseAddress(trimmed, file: path)
  }

  /// `unix:///path` or `tcp://host:port` (http:// is plain HTTP as well;
  /// https is not supported).
  static func parseAddress(_ text: String, file: String) throws -> PluginAddress {
    if text.hasPrefix("unix://") {
      let path = String(text.dropFirst(7))
      guard path.hasPrefix("/") else { throw CnetError(.failed, "plugin file \(file): \"\(text)\" is not an absolute socket path") }
      return .unix(path)
    }
    for scheme in ["tcp://", "http://"] where text.hasPrefix(scheme) {
      let rest = text.dropFirst(scheme.count).split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
      guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
        throw CnetError(.failed, "plugin file \(file): \"\(text)\" has no host:port")
      }
      var host = String(rest[..<colon])
      if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
      return .tcp(host: host, port: port)
    }
    if text.hasPrefix("https://") { throw CnetError(.failed, "plugin file \(file): https plugins are not supported") }
    throw CnetError(.failed, "plugin file \(file): unknown protocol in \"\(text)\"")
  }

  static func isSocket(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK
  }

  static func exists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
  }

  static func entries(_ directory: String) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
  }
}
