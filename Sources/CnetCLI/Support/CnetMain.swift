import ArgumentParser
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// The program: split off global options, parse, run, and turn every
/// failure into one line on stderr and a documented exit status.
public enum CnetMain {
  public static func main(_ arguments: [String]) -> Never {
    if CNIPlugin.invoked(program: CommandLine.arguments.first, arguments: arguments) { CNIPlugin.main() }
    let global: GlobalOptions
    do {
      global = try GlobalOptions.extract(from: arguments)
    } catch {
      reportParseError(error)
    }
    if let batch = global.batch {
      finish(BatchRunner.run(batch, force: global.force, namespace: global.namespace, json: global.json))
    }
    // (Ended here, not returned from: FastPath? then needs no destroying,
    // whose metadata the runtime would build at every start.)
    if let fast = FastPath.match(global.remaining, namespace: global.namespace) { end(run(fast)) }
    end(parseAndRun(global))
  }

  private static func end(_ outcome: Outcome) -> Never {
    switch outcome {
    case .done: finish()
    case .failed(let message, let status): fail(message, status)
    case .exit(let code): exit(code)
    case .argumentParser(let error): CnetCommand.exit(withError: error)
    }
  }

  /// How one command line ended.
  enum Outcome {
    case done
    /// One line for stderr (without the "cnet: " before it).
    case failed(String, ExitStatus)
    /// A command's own status (ExitCode), with nothing more to say.
    case exit(Int32)
    /// Help, a version or a completion script that ArgumentParser prints.
    case argumentParser(Error)
  }

  /// Runs what the fast path made of a line; `inBatch`: a line of a
  /// batch, which refuses some commands.
  static func run(_ fast: FastPath, inBatch: Bool = false) -> Outcome {
    if inBatch, let why = BatchRunner.refusal(fast) { return .failed(why, .usage) }
    do {
      try fast.run()
      return .done
    } catch {
      return parseFailure(error)
    }
  }

  /// Parses a line the fast path does not take, and runs it.
  static func parseAndRun(_ global: GlobalOptions, inBatch: Bool = false) -> Outcome {
    var command: ParsableCommand
    do {
      let words = try OptionTable.prepare(global.remaining)
      try checkHelpTopic(words)
      command = try CnetCommand.parseAsRoot(words)
    } catch {
      return parseFailure(error)
    }
    if inBatch, let why = BatchRunner.refusal(command) { return .failed(why, .usage) }
    do {
      if let namespace = global.namespace {
        guard var scoped = command as? any NamespaceScoped else {
          throw CnetError(.invalidArgument,
            "-n/--netns applies to the link, addr, route and bridge commands only")
        }
        if let given = scoped.namespaceName, given != namespace {
          throw CnetError(.invalidArgument, "two namespaces given: \"\(namespace)\" and \"\(given)\"")
        }
        scoped.namespaceName = namespace
        command = scoped
      }
      try command.run()
      return .done
    } catch let error as ReportableError {
      return .failed(error.message, ExitStatus(error.kind))
    } catch let error as ExitCode {
      return .exit(error.rawValue)
    } catch {
      // ArgumentParser's own errors (CleanExit, help requests) end here.
      return .argumentParser(error)
    }
  }

  /// `cnet help TOPIC...`: a topic that is no command is an error, not
  /// the root's help with exit 0.
  static func checkHelpTopic(_ words: [String]) throws {
    guard words.first == "help", words.count > 1 else { return }
    let topic = Array(words.dropFirst())
    let (_, length) = OptionTable.command(for: topic)
    guard length < topic.count else { return }
    throw CnetError(.invalidArgument, "unknown help topic \"\(topic.joined(separator: " "))\" (see 'cnet --help')")
  }

  /// Help, version and completion requests are printed as ArgumentParser
  /// prints them; a usage mistake becomes one line with a pointer to the
  /// command's help.
  private static func reportParseError(_ error: Error) -> Never {
    switch parseFailure(error) {
    case .failed(let message, let status): fail(message, status)
    default: CnetCommand.exit(withError: error)
    }
  }

  static func parseFailure(_ error: Error) -> Outcome {
    if let error = error as? ReportableError {
      return .failed(error.message, ExitStatus(error.kind))
    }
    let code = CnetCommand.exitCode(for: error)
    guard code != .success else { return .argumentParser(error) }
    let message = CnetCommand.message(for: error)
      .split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "invalid usage"
    var hint = ""
    let full = CnetCommand.fullMessage(for: error)
    if let see = full.split(separator: "\n").first(where: { $0.hasPrefix("  See '") }),
      let open = see.firstIndex(of: "'"), let close = see.lastIndex(of: "'"), open < close
    {
      hint = " (see \(see[open...close]))"
    }
    return .failed(message + hint, .usage)
  }

  static func fail(_ message: String, _ status: ExitStatus) -> Never {
    writeError(messagePrefix() + message + "\n")
    finish(status)
  }

  /// Flushes what was printed and ends the process at once: there is
  /// nothing for exit handlers to do.
  static func finish(_ status: ExitStatus = .success) -> Never {
    finish(status.rawValue)
  }

  static func finish(_ status: Int32) -> Never {
    Engine.finishForExit()
    fflush(nil)
    _exit(status)
  }
}

/// The line of the batch being run (BatchRunner), for messages.
nonisolated(unsafe) var batchLine: Int?

/// What begins every line cnet writes on stderr: "cnet: ", and in a batch
/// the line it is about, "cnet: batch line 37: ".
func messagePrefix() -> String {
  guard let line = batchLine else { return "cnet: " }
  return "cnet: batch line \(line): "
}

/// Writes to stderr, unbuffered.
func writeError(_ text: String) {
  writeAll(2, text)
}

/// Writes all of `text` to `fd`, unbuffered.
func writeAll(_ fd: Int32, _ text: String) {
  var text = text
  text.withUTF8 { buffer in
    guard let base = buffer.baseAddress else { return }
    var offset = 0
    while offset < buffer.count {
      let n = write(fd, base + offset, buffer.count - offset)
      if n < 0, errno == EINTR { continue }
      if n <= 0 { break }
      offset += n
    }
  }
}
