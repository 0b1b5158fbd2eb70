import CnetCore
import CnetKernel
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// /etc/netns/NAME/{hostname,hosts,resolv.conf}: what `ip netns exec` and
/// `cnet exec` bind over /etc in a sandbox. cnet only ever writes and
/// removes these three names; other files a user keeps there stay. Every
/// name below /etc/netns is reached without following a link (Directory):
/// /etc/netns/NAME planted as a link to /etc would otherwise have cnet
/// replace, then delete, the host's own files.
struct SandboxFiles {
  var etcDirectory: String
  var hosts: HostsFiles

  static let names = ["hostname", "hosts", "resolv.conf"]

  func path(_ sandbox: SandboxRecord) -> String { etcDirectory + "/" + sandbox.netns }

  /// Whether the sandbox writes files (not when it is the host's
  /// namespace: it sees the host's; nor dockerd's or a CNI runtime's: they
  /// write the container's own).
  static func writesFiles(_ sandbox: SandboxRecord) -> Bool {
    sandbox.origin != .host && sandbox.origin != .external && sandbox.origin != .cni
  }

  /// Refuses, before anything changes, a sandbox whose files cannot be
  /// written where they belong: /etc/netns/NAME or one of the three names
  /// in it is not what cnet keeps there (a link, a file for a directory).
  func check(_ sandbox: SandboxRecord) throws {
    guard Self.writesFiles(sandbox) else { return }
    try hosts.check()
    guard let etc = try Directory.base(etcDirectory, create: false) else { return }
    try etc.expect(sandbox.netns, .directory)
    guard let directory = try etc.subdirectory(sandbox.netns, create: false) else { return }
    try directory.expect("hostname", .regular)
    try directory.expect("resolv.conf", .regular)
    if directory.kind(of: "hosts") != .symlink { try directory.expect("hosts", .regular) }
  }

  /// The sandbox's directory, made if missing.
  private func directory(_ sandbox: SandboxRecord) throws -> Directory {
    guard let etc = try Directory.base(etcDirectory, create: true),
      let directory = try etc.subdirectory(sandbox.netns, create: true)
    else { throw CnetError(.failed, "cannot create \(path(sandbox))") }
    return directory
  }

  /// Writes hostname, resolv.conf and hosts (for the networks it is
  /// joined to).
  func create(_ sandbox: SandboxRecord, joinedNetworks: [String]) throws {
    guard Self.writesFiles(sandbox) else { return }
    let directory = try directory(sandbox)
    try directory.write("hostname", sandbox.hostname + "\n")
    let resolv = ResolvConf.render(
      dns: sandbox.dns, search: sandbox.dnsSearch,
      host: SystemFile.read(ResolvConf.hostFile), upstream: SystemFile.read(ResolvConf.upstreamFile))
    try directory.write("resolv.conf", resolv)
    try hosts.writeSandbox(sandbox, in: directory, joinedNetworks: joinedNetworks)
  }

  /// Updates the sandbox's hosts after its joins changed.
  func update(_ sandbox: SandboxRecord, joinedNetworks: [String]) throws {
    guard Self.writesFiles(sandbox) else { return }
    try hosts.writeSandbox(sandbox, in: try directory(sandbox), joinedNetworks: joinedNetworks)
  }

  func remove(_ sandbox: SandboxRecord) {
    guard Self.writesFiles(sandbox), let etc = try? Directory.base(etcDirectory, create: false) else { return }
    Self.remove(sandbox.netns, in: etc)
  }

  /// Removes cnet's three files of the directory `name`, and the
  /// directory when nothing else is left in it. A link of that name is
  /// left alone: it is not cnet's.
  static func remove(_ name: String, in etc: Directory) {
    guard let directory = try? etc.subdirectory(name, create: false) else { return }
    for entry in names { directory.remove(entry) }
    // The kernel says whether anything else is left; only then is the
    // directory read, for temporaries of a write killed half-way (a
    // user's own files stay, and the directory with them).
    if etc.removeDirectory(name) { return }
    for entry in directory.names() where names.contains(where: { entry.hasPrefix($0 + ".tmp.") }) {
      directory.remove(entry)
    }
    etc.removeDirectory(name)
  }

  /// True when the directory `name` holds files cnet wrote (its hosts
  /// file is a link into cnet's run directory, or carries cnet's header).
  func isCnets(_ name: String, in etc: Directory) -> Bool {
    guard let directory = try? etc.subdirectory(name, create: false) else { return false }
    if let target = directory.linkTarget("hosts") { return target.hasPrefix(hosts.path + "/") }
    return directory.readText("hosts")?.hasPrefix("# hosts of sandbox \"") == true
  }
}
