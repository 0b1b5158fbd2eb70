import CnetCore
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// /etc/netns/NAME/{hostname,hosts,resolv.conf}: what `ip netns exec` and
/// `cnet exec` bind over /etc in a sandbox. cnet only ever writes and
/// removes these three names; other files a user keeps there stay.
struct SandboxFiles {
  var etcDirectory: String
  var hosts: HostsFiles

  static let names = ["hostname", "hosts", "resolv.conf"]

  func directory(_ sandbox: SandboxRecord) -> String { etcDirectory + "/" + sandbox.netns }

  /// Writes hostname, resolv.conf and hosts (for the networks it is
  /// joined to). A sandbox in the host's namespace gets none: it sees the
  /// host's files; an external one gets none either: its manager writes
  /// them.
  func create(_ sandbox: SandboxRecord, joinedNetworks: [String]) throws {
    guard sandbox.origin != .host, sandbox.origin != .external else { return }
    try AtomicFile.directory(etcDirectory)
    try AtomicFile.directory(directory(sandbox))
    try AtomicFile.write(directory(sandbox) + "/hostname", sandbox.hostname + "\n")
    let resolv = ResolvConf.render(
      dns: sandbox.dns, search: sandbox.dnsSearch,
      host: AtomicFile.read(ResolvConf.hostFile), upstream: AtomicFile.read(ResolvConf.upstreamFile))
    try AtomicFile.write(directory(sandbox) + "/resolv.conf", resolv)
    try hosts.writeSandbox(sandbox, joinedNetworks: joinedNetworks)
  }

  /// Updates the sandbox's hosts after its joins changed.
  func update(_ sandbox: SandboxRecord, joinedNetworks: [String]) throws {
    guard sandbox.origin != .host, sandbox.origin != .external else { return }
    try hosts.writeSandbox(sandbox, joinedNetworks: joinedNetworks)
  }

  func remove(_ sandbox: SandboxRecord) {
    Self.remove(directory: directory(sandbox))
  }

  static func remove(directory: String) {
    for name in names { unlink(directory + "/" + name) }
    // Temporaries of a write that was killed half-way.
    if let dir = opendir(directory) {
      var leftovers: [String] = []
      while let entry = readdir(dir) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
          $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if names.contains(where: { name.hasPrefix($0 + ".tmp.") }) { leftovers.append(name) }
      }
      closedir(dir)
      for name in leftovers { unlink(directory + "/" + name) }
    }
    rmdir(directory)  // only when nothing else is left in it
  }

  /// True when `directory` holds files cnet wrote (its hosts file is a link
  /// into cnet's run directory, or carries cnet's header).
  func isCnets(directory: String) -> Bool {
    let hostsPath = directory + "/hosts"
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink(hostsPath, &buffer, buffer.count - 1)
    if n > 0 {
      let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      return target.hasPrefix(hosts.directory + "/")
    }
    return AtomicFile.read(hostsPath)?.hasPrefix("# hosts of sandbox \"") == true
  }
}
