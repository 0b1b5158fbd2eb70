import CnetCore
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// The hosts files that let sandboxes find each other by name with no
/// daemon, and stay O(1) to keep in sync however many sandboxes a network
/// has:
///
/// - each network has one hosts file, /run/cnet/hosts/NETWORK-ID: the
///   localhost lines and one line per address of every joined endpoint
///   (its name, its sandbox's name and host name, its aliases), each tagged
///   with the endpoint's id; a join appends its lines, a leave removes them;
/// - a sandbox on exactly one network, with no --add-host, has
///   /etc/netns/NAME/hosts as a symbolic link to that network's file (mount
///   follows it when `ip netns exec` or `cnet exec` binds it over /etc/hosts);
/// - any other sandbox has a file of its own (hosts mode "own"): localhost,
///   its --add-host entries and the endpoint lines of all its networks,
///   written again when one of those networks changes.
///
/// Every file is replaced atomically (written aside, then renamed), so a
/// process in a sandbox that reads /etc/hosts sees the old or the new list.
/// A process started before a change keeps the file that was bound when it
/// started, as with `ip netns exec`.
struct HostsFiles {
  var runDirectory: String
  var etcDirectory: String
  /// Within a batch, the edits held back (see DeferredHosts).
  let deferred = DeferredHosts()

  /// /run/cnet/hosts.
  var path: String { runDirectory + "/hosts" }

  static let localhost = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"

  /// The tag that ends an endpoint's lines.
  static func tag(_ endpointID: String) -> String { "\t# cnet endpoint \(endpointID)" }

  /// The directory of the networks' files, reached without following a
  /// link; made if missing when `create` is set.
  func directory(create: Bool = true) throws -> Directory? {
    try Directory.base(runDirectory, create: create)?.subdirectory("hosts", create: create)
  }

  /// Refuses, before anything changes, a /run/cnet/hosts that is not a
  /// directory (a link, say).
  func check() throws {
    try Directory.base(runDirectory, create: false)?.expect("hosts", .directory)
  }

  /// Creates the network's file (header only) if it is missing.
  func ensureNetwork(_ network: NetworkRecord) throws {
    if deferred.isOn, deferred.files[network.id] != nil { return }
    guard let directory = try directory() else { return }
    if directory.kind(of: network.id) == nil {
      try directory.write(network.id, header(network) + Self.localhost)
    }
  }

  private func header(_ network: NetworkRecord) -> String {
    "# hosts of network \"\(network.name)\", kept by cnet\n"
  }

  /// Writes the network's file anew with the lines of `joined` (each
  /// endpoint with its sandbox): what it holds when nothing went wrong.
  func rebuild(_ network: NetworkRecord, joined: [(EndpointRecord, SandboxRecord)]) throws {
    deferred.files[network.id] = nil
    guard let directory = try directory() else { return }
    try directory.write(network.id, header(network) + Self.localhost + joined.map { Self.lines($0.0, $0.1) }.joined())
  }

  /// The ids of the endpoints with lines in the network's file; nil when
  /// there is no file.
  func endpointIDs(in networkID: String) throws -> Set<String>? {
    guard let text = text(of: networkID, in: try directory(create: false)) else { return nil }
    var ids: Set<String> = []
    let prefix = "# cnet endpoint "
    for line in text.split(separator: "\n") {
      guard let last = line.split(separator: "\t").last, last.hasPrefix(prefix) else { continue }
      ids.insert(String(last.dropFirst(prefix.count)))
    }
    return ids
  }

  func removeNetwork(_ networkID: String) {
    deferred.files[networkID] = nil
    (try? directory(create: false))?.remove(networkID)
  }

  /// The network's file as it stands: held back within a batch, or in
  /// `networks` (the directory of the networks' files); nil when there is
  /// none.
  func text(of networkID: String, in networks: Directory?) -> String? {
    if let held = deferred.files[networkID] { return String(decoding: held, as: UTF8.self) }
    return networks?.readText(networkID)
  }

  /// The lines of one joined endpoint.
  static func lines(_ endpoint: EndpointRecord, _ sandbox: SandboxRecord) -> String {
    var names: [String] = []
    for name in [endpoint.name, sandbox.name, sandbox.hostname] + endpoint.aliases where !names.contains(name) {
      names.append(name)
    }
    return endpoint.addresses.map { "\($0.address)\t\(names.joined(separator: " "))\(tag(endpoint.id))\n" }.joined()
  }

  /// Puts (or replaces) an endpoint's lines in its network's file. The
  /// new file is written from the old one's mapping, less the endpoint's
  /// old lines, plus its new ones: a network with a thousand sandboxes has
  /// a file of some 100 KB, edited on every join, and every fresh page a
  /// copy would touch is a page fault.
  func add(_ endpoint: EndpointRecord, of sandbox: SandboxRecord, to network: NetworkRecord) throws {
    guard !endpoint.addresses.isEmpty else { return }
    var lines = Self.lines(endpoint, sandbox)
    if deferred.isOn {
      let old = try held(network.id) ?? Array((header(network) + Self.localhost).utf8)
      var new: [UInt8] = []
      new.reserveCapacity(old.count + lines.utf8.count)
      old.withUnsafeBytes { bytes in Self.forEachKept(bytes, without: endpoint.id) { new += $0 } }
      new += lines.utf8
      try deferred.set(network.id, new)
      return
    }
    guard let directory = try directory() else { return }
    let edited: Void? = try lines.withUTF8 { new in
      try directory.withMappedBytes(network.id) { old in
        try directory.write(network.id) { emit in
          try Self.forEachKept(old, without: endpoint.id, emit)
          try emit(UnsafeRawBufferPointer(new))
        }
      }
    }
    if edited == nil {
      try directory.write(network.id, header(network) + Self.localhost + lines)
    }
  }

  /// Takes an endpoint's lines out of its network's file; the file is
  /// left alone when it has none. One pass: the scan that finds the first
  /// line goes on from there while writing.
  func remove(_ endpointID: String, from networkID: String) throws {
    if deferred.isOn {
      guard let old = try held(networkID) else { return }
      var new: [UInt8] = []
      new.reserveCapacity(old.count)
      old.withUnsafeBytes { bytes in Self.forEachKept(bytes, without: endpointID) { new += $0 } }
      if new.count != old.count { try deferred.set(networkID, new) }
      return
    }
    guard let directory = try directory(create: false) else { return }
    _ = try directory.withMappedBytes(networkID) { old in
      var first: Range<Int>?
      Self.forEachLine(of: endpointID, in: old) { line in
        first = line
        return false
      }
      guard let first else { return }
      try directory.write(networkID) { emit in
        try emit(UnsafeRawBufferPointer(rebasing: old[..<first.lowerBound]))
        try Self.forEachKept(UnsafeRawBufferPointer(rebasing: old[first.upperBound...]), without: endpointID, emit)
      }
    }
  }

  /// Hands `emit` the stretches of `bytes` left when the endpoint's lines
  /// are taken out, in order.
  static func forEachKept(_ bytes: UnsafeRawBufferPointer, without endpointID: String,
                          _ emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    var from = 0  // where the stretch being kept began
    try forEachLine(of: endpointID, in: bytes) { line in
      if from < line.lowerBound { try emit(UnsafeRawBufferPointer(rebasing: bytes[from..<line.lowerBound])) }
      from = line.upperBound
      return true
    }
    if from < bytes.count { try emit(UnsafeRawBufferPointer(rebasing: bytes[from...])) }
  }

  /// Calls `body` with each of the endpoint's lines (those that end with
  /// its tag), newline included, until it returns false. memchr and memcmp
  /// over the buffer: a network's file has a line per endpoint, and this
  /// runs on every join and leave; slicing arrays line by line cost ten
  /// times as much.
  static func forEachLine(of endpointID: String, in bytes: UnsafeRawBufferPointer,
                          _ body: (Range<Int>) throws -> Bool) rethrows {
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
    let tag = Array(tag(endpointID).utf8)
    var start = 0
    while start < bytes.count {
      let end = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start)
        .map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
      if end - start >= tag.count, memcmp(base + end - tag.count, tag, tag.count) == 0 {
        guard try body(start..<min(end + 1, bytes.count)) else { return }
      }
      start = end + 1
    }
  }

  /// Whether a sandbox can share its network's file.
  static func canLink(_ sandbox: SandboxRecord, joinedNetworks: [String]) -> Bool {
    joinedNetworks.count == 1 && sandbox.extraHosts.isEmpty
  }

  /// Writes a sandbox's hosts in its directory: the link or a file of its own.
  func writeSandbox(_ sandbox: SandboxRecord, in directory: Directory, joinedNetworks: [String]) throws {
    if Self.canLink(sandbox, joinedNetworks: joinedNetworks), let network = joinedNetworks.first {
      try directory.link("hosts", to: path + "/" + network)
      return
    }
    var text = "# hosts of sandbox \"\(sandbox.name)\", kept by cnet\n" + Self.localhost
    for entry in sandbox.extraHosts {
      // HOST:IP, the IP possibly IPv6 with colons of its own.
      guard let colon = entry.firstIndex(of: ":") else { continue }
      text += "\(entry[entry.index(after: colon)...])\t\(entry[..<colon])\n"
    }
    let networks = try self.directory(create: false)
    for network in joinedNetworks {
      let lines = (self.text(of: network, in: networks) ?? "").split(separator: "\n")
      for line in lines where line.contains("\t# cnet endpoint ") {
        text += line + "\n"
      }
    }
    try directory.write("hosts", text)
  }

  // MARK: - Within a batch

  /// /run/cnet/hosts-unwritten: there while a batch holds edits back (see
  /// DeferredHosts). Beside the files it is about: a reboot empties both.
  static let unwrittenMark = "hosts-unwritten"

  func markUnwritten() throws {
    try Directory.base(runDirectory, create: true)?.write(Self.unwrittenMark, "a cnet batch holds hosts files back\n")
  }

  func clearUnwritten() {
    (try? Directory.base(runDirectory, create: false))?.remove(Self.unwrittenMark)
  }

  /// Whether a batch held edits back and has not written them (one stat,
  /// at every settle).
  var isMarkedUnwritten: Bool {
    var st = stat()
    return lstat(runDirectory + "/" + Self.unwrittenMark, &st) == 0
  }

  /// A network's file as held back, or as read from disk the first time a
  /// batch edits it.
  private func held(_ networkID: String) throws -> [UInt8]? {
    if let held = deferred.files[networkID] { return held }
    // Read as a single command reads it: a link there is refused.
    return try directory(create: false)?.withMappedBytes(networkID) { Array($0) }
  }

  /// Writes the files held back, and stops holding them; returns the ids
  /// of the networks written.
  func writeDeferred() throws -> [String] {
    let written = deferred.order.filter { deferred.files[$0] != nil }
    if !written.isEmpty, let directory = try directory() {
      for id in written {
        guard let bytes = deferred.files[id] else { continue }
        try bytes.withUnsafeBytes { bytes in try directory.write(id) { emit in try emit(bytes) } }
        deferred.files[id] = nil
      }
    }
    deferred.order = []
    deferred.files = [:]
    return written
  }
}

/// Within a batch (`cnet batch`): the networks' hosts files as its lines
/// edited them, written once, when the batch ends or lets the lock go
/// (Controller.writeDeferredFiles), instead of at every join and leave. A
/// network's file has a line per sandbox, so a batch that connects a
/// thousand sandboxes one by one would write it a thousand times, 50 MB in
/// all; held back, it is written once, with the same lines in the same
/// order. Off for a single command. A batch killed before it wrote them
/// leaves a mark (HostsFiles.unwrittenMark), and the next command's settle
/// writes every hosts file again from the store (Controller.settle).
final class DeferredHosts {
  var isOn = false
  var files: [String: [UInt8]] = [:]
  /// The networks in the order first edited, for a stable order of writes.
  var order: [String] = []
  /// Called before an edit is held back while there is no mark.
  var beforeFirst: () throws -> Void = {}
  /// Whether the mark is there.
  var marked = false
  /// Networks whose sandboxes with hosts files of their own are to be
  /// written again with them.
  var ownHostsStale: [String] = []

  func set(_ networkID: String, _ bytes: [UInt8]) throws {
    try mark()
    if files.updateValue(bytes, forKey: networkID) == nil, !order.contains(networkID) { order.append(networkID) }
  }

  func holdOwnHosts(of networkID: String) throws {
    try mark()
    if !ownHostsStale.contains(networkID) { ownHostsStale.append(networkID) }
  }

  private func mark() throws {
    guard !marked else { return }
    try beforeFirst()
    marked = true
  }
}
