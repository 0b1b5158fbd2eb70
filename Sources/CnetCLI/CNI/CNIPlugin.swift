import CnetCNI
import CnetCore
import CnetStore

#if canImport(Glibc)
import Glibc
#endif

/// cnet as a CNI plugin: a runtime (podman, containerd, CRI-O, anything
/// on libcni) runs the binary with CNI_COMMAND and the attachment in the
/// environment and the network configuration on stdin, and reads the
/// answer on stdout. The binary is one: a plugin call is told from a
/// command line by its name (`cnet-cni`, a link to cnet) or by CNI_COMMAND
/// with no arguments at all (runtimes pass none; `cnet network ls` with a
/// stray CNI_COMMAND in the environment stays a command).
///
/// Every answer is in the request's cniVersion. An error is the CNI error
/// object on stdout with exit status 1 (libcni reads stdout, not stderr),
/// and nothing is changed: the same checks, lock and
/// reserve -> apply -> commit as every cnet command.
enum CNIPlugin {
  /// Whether this process is a plugin call. Every command asks, so the
  /// name is compared by bytes and the environment read only without
  /// arguments (splitting the path cost a start 16,000 instructions).
  static func invoked(program: String?, arguments: [String]) -> Bool {
    if arguments.isEmpty, getenv("CNI_COMMAND") != nil { return true }
    guard var program else { return false }
    let name = "cnet-cni".utf8
    return program.withUTF8 { path in
      path.count >= name.count && path[(path.count - name.count)...].elementsEqual(name)
        && (path.count == name.count || path[path.count - name.count - 1] == UInt8(ascii: "/"))
    }
  }

  static func main() -> Never {
    let input = readInput()
    let version = CNIConfig.answerVersion(input)
    do {
      let environment = try CNIEnvironment { key in getenv(key).map { String(cString: $0) } }
      if let answer = try run(environment, input) { writeAll(1, answer.compact + "\n") }
      CnetMain.finish()
    } catch let error as CNIError {
      fail(error, version)
    } catch let error as ReportableError {
      fail(CNIError(error), version)
    } catch {
      fail(CNIError(CNIError.failed, "\(error)"), version)
    }
  }

  /// The command's answer (nil: nothing to print).
  static func run(_ environment: CNIEnvironment, _ input: [UInt8]) throws -> JSON? {
    if environment.command == .version { return CNIVersionCommand.answer(input) }
    let config = try CNIConfig.parse(input, lenient: environment.command == .delete || environment.command == .gc)
    guard CNIVersion.isSupported(config.cniVersion) else {
      throw CNIError(CNIError.incompatibleVersion,
        "incompatible CNI versions; config is \"\(config.cniVersion)\", plugin supports \(CNIVersion.supported)")
    }
    let command = environment.command
    guard CNIVersion.atLeast(config.cniVersion, command.since) else {
      throw CNIError(CNIError.incompatibleVersion,
        "\(command.rawValue) is not in CNI \(config.cniVersion); it came with \(command.since)")
    }
    switch command {
    case .add: return try CNIAdd.run(environment, config)
    case .delete: try CNIDelete.run(environment, config)
    case .check: try CNICheck.run(environment, config)
    case .status: try CNIStatus.run(config)
    case .gc: try CNIGarbageCollect.run(config)
    case .version: break
    }
    return nil
  }

  /// The network the configuration names.
  static func network(_ config: CNIConfig) throws -> String {
    guard let name = config.network, !name.isEmpty else {
      throw CNIError(CNIError.invalidConfiguration, "the configuration names no cnet network (\"network\", or \"name\")")
    }
    return name
  }

  private static func fail(_ error: CNIError, _ version: String) -> Never {
    writeAll(1, error.json(version: version).compact + "\n")
    CnetMain.finish(.failed)
  }

  /// All of stdin (a configuration is a few kilobytes; VERSION may come
  /// with none, or with stdin closed).
  private static func readInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16384)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
      if n > 0 {
        bytes += buffer[0..<n]
      } else if n < 0, errno == EINTR {
        continue
      } else {
        return bytes
      }
    }
  }
}
