import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// nft(8) commands, run by `nft -f -`. One call is one transaction: the
/// kernel applies all of it or none.
public enum Nftables {
  /// Runs `commands` and returns what nft printed.
  @discardableResult
  public static func run(_ commands: String, operation: String = "change the firewall") throws -> String {
    let result = try Program.run(["nft", "-f", "-"], input: commands, package: "nftables")
    guard result.status == 0 else {
      // nft explains itself over several lines (the command, a caret line);
      // the first says what went wrong.
      throw KernelError(operation, "", code: EINVAL, kernelMessage: result.firstErrorLine ?? "nft refused the commands")
    }
    return result.output
  }
}
