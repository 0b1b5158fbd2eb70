import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// firewalld's zones, over its D-Bus API (with dbus-send, which comes with
/// firewalld's own dependencies).
///
/// Why: firewalld's forward chain (`inet firewalld filter_FORWARD`, Debian
/// 12's 1.3 with its nftables back end) ends in a reject for every
/// interface that no zone lets through, so cnet's bridged and outgoing
/// traffic is rejected however cnet's own table accepts it (published
/// ports pass: firewalld accepts DNATed connections). A bridge in the
/// `trusted` zone passes, as Docker's and Incus's do. The binding is a
/// runtime one, gone when firewalld reloads or restarts: cnet binds again
/// then (Controller.ensureHostFirewalls, `cnet firewall watch`).
public enum Firewalld {
  /// The zone cnet's bridges go in.
  public static let zone = "trusted"
  static let busName = "org.fedoraproject.FirewallD1"
  static let zoneInterface = "org.fedoraproject.FirewallD1.zone"
  /// The table firewalld's nftables back end keeps its rules in (family inet);
  /// it is made anew, with a new handle, at every reload and start.
  public static let tableName = "firewalld"
  public static let tableFamily: UInt8 = 1  // NFPROTO_INET

  /// Whether firewalld runs: on the system bus, and done starting (it
  /// takes its name before it has loaded its zones; this waits up to 10 s
  /// for that).
  public static func isRunning() -> Bool {
    // No bus, no firewalld: spares the program run on hosts without D-Bus.
    if getenv("DBUS_SYSTEM_BUS_ADDRESS") == nil, access("/run/dbus/system_bus_socket", F_OK) != 0 { return false }
    // Asked of the bus first: a call to firewalld's own name would have
    // the bus start it (D-Bus activation) where it is installed but off.
    guard let owned = try? Program.run([
      "dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
      "org.freedesktop.DBus.NameHasOwner", "string:" + busName,
    ]), owned.status == 0, owned.output.contains("boolean true") else { return false }
    for _ in 0..<100 {
      switch state() {
      case "RUNNING": return true
      case "INIT": usleep(100_000)
      default: return false
      }
    }
    return false
  }

  /// firewalld's state property (INIT, RUNNING, FAILED); nil when it is
  /// not on the bus.
  static func state() -> String? {
    guard let result = try? Program.run([
      "dbus-send", "--system", "--print-reply", "--reply-timeout=2000", "--dest=" + busName, "/org/fedoraproject/FirewallD1",
      "org.freedesktop.DBus.Properties.Get", "string:" + busName, "string:state",
    ]), result.status == 0 else { return nil }
    // `   variant       string "RUNNING"`
    guard let open = result.output.firstIndex(of: "\""), let close = result.output.lastIndex(of: "\""), open < close else {
      return nil
    }
    return String(result.output[result.output.index(after: open)..<close])
  }

  /// Follows firewalld on the system bus (with dbus-monitor) and calls
  /// `changed` after each of its reloads (its Reloaded signal comes once
  /// the new rules are in place) and each start (its name taken anew;
  /// `changed` then finds it done starting, see isRunning). `ready` is
  /// called once dbus-monitor listens (its first line comes after it has
  /// become a monitor). Returns when `stop` says so, asked at least once a
  /// second; throws when dbus-monitor cannot run or ends (the bus went
  /// away).
  public static func watch(stop: () -> Bool, ready: () -> Void, changed: () -> Void) throws {
    let arguments = [
      "dbus-monitor", "--system",
      "type='signal',interface='\(busName)',member='Reloaded'",
      "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='\(busName)'",
    ]
    var pointers = arguments.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    var pid: pid_t = 0
    var fd: Int32 = -1
    let rc = pointers.withUnsafeBufferPointer { cnet_spawn_reader($0.baseAddress, &pid, &fd) }
    guard rc == 0 else {
      if rc == -ENOENT { throw CnetError(.failed, "dbus-monitor is not installed (Debian: apt-get install dbus-bin)") }
      throw KernelError("run", "dbus-monitor", code: -rc)
    }
    defer {
      close(fd)
      kill(pid, SIGTERM)
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    }
    var pending: [UInt8] = []
    // After a NameOwnerChanged line: its three string arguments (name,
    // old owner, new owner); a new owner means firewalld started.
    var ownerArguments: [String]?
    var buffer = [UInt8](repeating: 0, count: 4096)
    var listening = false
    while !stop() {
      var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let events = poll(&poller, 1, 1000)
      if events < 0, errno == EINTR { continue }
      guard events > 0 else { continue }
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      guard n > 0 else { throw CnetError(.failed, "dbus-monitor ended: the system bus went away") }
      pending += buffer[..<n]
      while let newline = pending.firstIndex(of: 10) {
        let line = String(decoding: pending[..<newline], as: UTF8.self)
        pending.removeSubrange(...newline)
        if !listening {
          listening = true
          ready()
        }
        if line.hasPrefix("signal ") {
          ownerArguments = line.contains("member=NameOwnerChanged") ? [] : nil
          if line.contains("member=Reloaded") { changed() }
        } else if var arguments = ownerArguments, let open = line.firstIndex(of: "\""), let close = line.lastIndex(of: "\""),
          open < close
        {
          arguments.append(String(line[line.index(after: open)..<close]))
          ownerArguments = arguments
          if arguments.count == 3 {
            ownerArguments = nil
            if arguments[0] == busName, !arguments[2].isEmpty { changed() }
          }
        }
      }
    }
  }

  /// The zone `interface` is bound to; nil when it is in none (the default
  /// zone then applies to it).
  public static func zone(of interface: InterfaceName) throws -> String? {
    let zone = try call("getZoneOfInterface", interface.value)
    return zone.isEmpty ? nil : zone
  }

  /// Binds `interface` to the trusted zone, from whatever zone it is in.
  public static func trust(_ interface: InterfaceName) throws {
    _ = try call("changeZoneOfInterface", zone, interface.value)
  }

  /// Unbinds `interface` from the trusted zone; nothing when it is not there.
  public static func distrust(_ interface: InterfaceName) throws {
    guard try self.zone(of: interface) == zone else { return }
    _ = try call("removeInterface", zone, interface.value)
  }

  /// Calls a method of firewalld's zone interface with string arguments;
  /// returns the string it answers.
  static func call(_ method: String, _ arguments: String...) throws -> String {
    let result = try Program.run(
      ["dbus-send", "--system", "--print-reply", "--reply-timeout=10000", "--dest=" + busName, "/org/fedoraproject/FirewallD1",
       zoneInterface + "." + method] + arguments.map { "string:" + $0 },
      package: "dbus-bin")
    guard result.status == 0 else {
      throw CnetError(.failed, "firewalld refused \(method)(\(arguments.joined(separator: ", "))): \(result.firstErrorLine ?? "exit status \(result.status)")")
    }
    // `   string "trusted"`
    for line in result.output.split(separator: "\n") {
      let text = line.drop { $0 == " " }
      if text.hasPrefix("string \""), text.hasSuffix("\"") {
        return String(text.dropFirst("string \"".count).dropLast())
      }
    }
    return ""
  }
}
