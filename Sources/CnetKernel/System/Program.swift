import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Another program run to completion (nft, iptables, dbus-send; spawn.c
/// says why programs): what it printed and how it ended.
public struct ProgramResult: Sendable {
  public var status: Int32
  public var output: String
  public var error: String

  /// The first line of what it said on standard error (or output), for a
  /// one-line message.
  public var firstErrorLine: String? {
    for text in [error, output] {
      if let line = text.split(separator: "\n").first(where: { !$0.allSatisfy { $0 == " " } }) { return String(line) }
    }
    return nil
  }
}

public enum Program {
  /// Runs `arguments` (the first is the program, found on PATH or in
  /// /usr/sbin and /sbin) with `input` on its standard input. Throws only
  /// when it cannot be started: `package` names the Debian package that
  /// has it, for the message.
  public static func run(_ arguments: [String], input: String? = nil, package: String? = nil) throws -> ProgramResult {
    var pointers = arguments.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    var output: UnsafeMutablePointer<CChar>?
    var error: UnsafeMutablePointer<CChar>?
    var status: Int32 = -1
    let rc = pointers.withUnsafeBufferPointer { argv in
      cnet_run(argv.baseAddress, input, &output, &error, &status)
    }
    defer {
      free(output)
      free(error)
    }
    guard rc == 0 else {
      let name = arguments.first ?? ""
      if rc == -ENOENT {
        let hint = package.map { " (Debian: apt-get install \($0))" } ?? ""
        throw CnetError(.failed, "\(name) is not installed\(hint)")
      }
      throw KernelError("run", name, code: -rc)
    }
    return ProgramResult(status: status, output: output.map { String(cString: $0) } ?? "",
                         error: error.map { String(cString: $0) } ?? "")
  }
}
