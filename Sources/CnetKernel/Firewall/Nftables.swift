import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// nft(8) commands, run by `nft -f -` (see cnet_nft_run). One call is one
/// transaction: the kernel applies all of it or none.
public enum Nftables {
  /// Runs `commands` and returns what nft printed.
  @discardableResult
  public static func run(_ commands: String, operation: String = "change the firewall") throws -> String {
    var output: UnsafeMutablePointer<CChar>?
    var error: UnsafeMutablePointer<CChar>?
    let rc = cnet_nft_run(commands, &output, &error)
    defer {
      free(output)
      free(error)
    }
    let printed = output.map { String(cString: $0) } ?? ""
    switch rc {
    case 0:
      return printed
    case 1:
      // nft explains itself over several lines (the command, a caret line);
      // the first says what went wrong.
      let explanation = error.map { String(cString: $0) } ?? ""
      let first = explanation.split(separator: "\n").first.map(String.init) ?? "nft refused the commands"
      throw KernelError(operation, "", code: EINVAL, kernelMessage: first)
    case -ENOENT:
      throw KernelError(operation, "", code: ENOENT,
        kernelMessage: "nft is not installed (Debian: apt-get install nftables)")
    default:
      throw KernelError(operation, "", code: -rc)
    }
  }
}
