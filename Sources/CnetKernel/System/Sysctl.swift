import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Kernel parameters under /proc/sys, per network namespace for net.*.
public enum Sysctl {
  /// Writes `value` to /proc/sys/`key` (dots become slashes, as sysctl(8)
  /// reads them; interface names keep their dots when given as a path).
  public static func write(_ path: [String], _ value: String) throws {
    let file = "/proc/sys/" + path.joined(separator: "/")
    let fd = open(file, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { throw KernelError("set", file, code: errno) }
    defer { close(fd) }
    let bytes = Array((value + "\n").utf8)
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    guard written == bytes.count else { throw KernelError("set", "\(file) to \(value)", code: errno) }
  }

  public static func read(_ path: [String]) -> String? {
    let file = "/proc/sys/" + path.joined(separator: "/")
    let fd = open(file, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 64)
    let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
    guard n > 0 else { return nil }
    return String(decoding: buffer[..<n], as: UTF8.self).split(separator: "\n").first.map(String.init)
  }

  /// Writes only when the value differs: a write to some of these (the
  /// forwarding switches) makes the kernel walk every interface.
  public static func ensure(_ path: [String], _ value: String) throws {
    if read(path) != value { try write(path, value) }
  }
}
