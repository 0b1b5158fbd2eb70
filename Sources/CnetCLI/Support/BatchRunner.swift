import ArgumentParser
import CnetCore
import CnetEngine

#if canImport(Glibc)
import Glibc
#endif

/// `cnet batch FILE` and `cnet -batch FILE`: the lines of FILE run one after
/// the other in this process, each as the command line it is (CnetMain.run,
/// the one route every command takes), with what a single command pays once
/// per process paid once per batch:
///
/// - the process's start, and the store's opening, the operation lock and
///   the settling of what an interrupted command left (Engine keeps the
///   controller of the first line that changes something);
/// - the netlink sockets of the last few namespaces lines worked in
///   (Kernel.keptSockets);
/// - the networks' hosts files, edited in memory and written once
///   (DeferredHosts).
///
/// Kept per line: the reservation, the change and the commit, so a line
/// is all or nothing in the store and the kernel as a single command is,
/// and a batch killed half-way leaves the lines before it done.
enum BatchRunner {
  static let nested = "a batch cannot run another batch"
  static let exec = "exec runs a program until it ends; run it with `cnet exec`, not in a batch"

  /// Why a batch does not run `command`; nil when it does. exec waits for
  /// a program; the others run until stopped.
  static func refusal(_ command: ParsableCommand) -> String? {
    let endless: String
    switch command {
    case is Exec, is NetnsExec: return exec
    case is Batch: return nested
    case is PluginServe: endless = "plugin serve"
    case is AgentCommand: endless = "agent"
    case is FirewallWatch: endless = "firewall watch"
    default: return nil
    }
    return endless + " runs until stopped; it cannot be part of a batch"
  }

  static func refusal(_ fast: FastPath) -> String? {
    guard case .exec = fast else { return nil }
    return exec
  }

  /// Runs the batch; returns its exit status.
  static func run(_ file: String, force: Bool, namespace: String?, json: Bool) -> Int32 {
    let fd: Int32
    if file == "-" {
      fd = 0
    } else {
      fd = open(file, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else {
        let code = errno
        writeError("cnet: cannot read \(file): \(String(cString: strerror(code)))\n")
        return code == ENOENT ? ExitStatus.notFound.rawValue : ExitStatus.failed.rawValue
      }
    }
    Interruption.catchTerminationSignals()
    Engine.keepsController = true
    Kernel.keptSockets = []
    var reader = LineReader(fd: fd)
    // No line to run until the input says more (a person at a terminal, a
    // script that runs cnet itself, half a line written): the lock and the
    // store are let go meanwhile, so that the writer holds nobody up.
    reader.beforeWaiting = {
      do { try Engine.release() } catch { throw LetGoFailure(error: error) }
    }
    var status: Int32 = 0
    let source = file == "-" ? "stdin" : file
    // The last line run, for the message of a stop by a signal.
    var last: Int?
    // The next line, read and split while the line before it ran.
    var ahead: Line?
    while true {
      if let signal = Interruption.pending() { stop(by: signal, after: last) }
      let line: Line
      do {
        if let read = ahead {
          line = read
          ahead = nil
        } else {
          guard let (number, text) = try reader.next() else { break }
          line = Line(number: number, text: text, namespace: namespace, json: json)
        }
      } catch let failure as LetGoFailure {
        report(failure.error)
        status = ExitStatus.failed.rawValue
        break
      } catch {
        if let signal = Interruption.pending() { stop(by: signal, after: last) }
        report(error, reading: source)
        status = ExitStatus.failed.rawValue
        break
      }
      // A connect on the next line, when the input holds it already: its
      // namespace is started once this line's own is made (Engine.connect).
      Engine.nextConnect = nil
      if let (number, text) = reader.nextIfRead() {
        ahead = Line(number: number, text: text, namespace: namespace, json: json)
        if case .connect(_, let sandbox, _, let options)? = ahead?.fast, line.sandbox != sandbox {
          Engine.nextConnect = (number, sandbox, options)
        }
      }
      batchLine = line.number
      let failed = run(line)
      Engine.discardAhead(upTo: line.number)
      fflush(nil)
      Kernel.dropStaleSockets()
      last = line.number
      do {
        if let failed {
          status = failed
          if !force { break }
          // What the failed line left half-done is settled before the
          // next line, as the next command would settle it.
          try Engine.release()
        }
        // Someone waits for the lock: what the batch held back is
        // written, and the lock and the store go until they have had
        // their turn.
        try Engine.yieldIfWanted()
      } catch {
        report(error)
        if status == 0 { status = ExitStatus.failed.rawValue }
        break
      }
      batchLine = nil
    }
    batchLine = nil
    Engine.discardAhead()
    do {
      try Engine.release()
    } catch {
      report(error)
      if status == 0 { status = ExitStatus.failed.rawValue }
    }
    return status
  }

  /// What letting the lock go before waiting for input could not do.
  struct LetGoFailure: Error {
    let error: Error
  }

  /// A line of the batch, split into words and its global options, with
  /// the batch's applied; or why it cannot be.
  struct Line {
    let number: Int
    let words: Result<GlobalOptions?, Error>
    /// What the fast path makes of it, when it takes it.
    let fast: FastPath?

    /// The sandbox a connect line names.
    var sandbox: String? {
      if case .connect(_, let sandbox, _, _)? = fast { return sandbox }
      return nil
    }

    init(number: Int, text: String, namespace: String?, json: Bool) {
      self.number = number
      words = Result { try Self.split(text, namespace: namespace, json: json) }
      if case .success(let line?) = words {
        fast = FastPath.match(line.remaining, namespace: line.namespace)
      } else {
        fast = nil
      }
    }

    /// nil for a blank line or a comment.
    private static func split(_ text: String, namespace: String?, json: Bool) throws -> GlobalOptions? {
      let words = try ShellWords.split(text)
      if words.isEmpty { return nil }
      var line = try GlobalOptions.extract(from: words)
      if line.batch != nil || line.force { throw CnetError(.invalidArgument, nested) }
      if let namespace {
        if let own = line.namespace, own != namespace {
          throw CnetError(.invalidArgument, "two namespaces given: \"\(namespace)\" and \"\(own)\"")
        }
        line.namespace = namespace
      }
      if json, !line.json {
        line.json = true
        line.applyJSON()
      }
      return line
    }
  }

  /// Runs one line; its exit status when it failed, nil when it did not.
  static func run(_ line: Line) -> Int32? {
    let outcome: CnetMain.Outcome
    switch line.words {
    case .success(nil):
      return nil
    case .success(let words?):
      if let fast = line.fast {
        outcome = CnetMain.run(fast, inBatch: true)
      } else {
        outcome = CnetMain.parseAndRun(words, inBatch: true)
      }
    case .failure(let error):
      outcome = CnetMain.parseFailure(error)
    }
    switch outcome {
    case .done:
      return nil
    case .failed(let message, let status):
      fflush(nil)
      writeError(messagePrefix() + message + "\n")
      return status.rawValue
    case .exit(let code):
      return code == 0 ? nil : code
    case .argumentParser(let error):
      // Help and the like, printed as ArgumentParser prints them.
      let code = CnetCommand.exitCode(for: error)
      let message = CnetCommand.fullMessage(for: error)
      if code == .success {
        if !message.isEmpty { print(message) }
        return nil
      }
      fflush(nil)
      writeError(messagePrefix() + (message.isEmpty ? "failed" : message) + "\n")
      return code.rawValue
    }
  }

  private static func report(_ error: Error, reading source: String? = nil) {
    let message = (error as? ReportableError)?.message ?? "\(error)"
    writeError(source.map { "cnet: cannot read \($0): \(message)\n" } ?? "cnet: batch: \(message)\n")
  }

  /// A termination signal came: the batch ends between two lines, with
  /// what it held back written, and the process ends by the signal, so
  /// that a script's loop around it stops as for any command.
  private static func stop(by signal: Int32, after last: Int?) -> Never {
    batchLine = nil
    Engine.discardAhead()
    do { try Engine.release() } catch { report(error) }
    let name = String(cString: strsignal(signal))
    writeError("cnet: batch stopped by a signal (\(name))\(last.map { " after line \($0)" } ?? " before its first line"); the lines run are done\n")
    fflush(nil)
    Interruption.raiseAgain(signal)
  }
}

/// The lines of a batch's input, read in large pieces; a line that ends
/// in a backslash goes on on the next, as in a shell (ShellWords drops the
/// backslash and the newline).
struct LineReader {
  let fd: Int32
  private var buffer: [UInt8] = []
  private var start = 0
  private var atEnd = false
  /// The number of the last physical line read.
  private var lines = 0

  init(fd: Int32) { self.fd = fd }

  /// The next line and its number (its first physical line's); nil at the end.
  mutating func next() throws -> (number: Int, text: String)? {
    try next(reading: true)
  }

  /// The next line when it is read in whole already; nil, with nothing
  /// taken, otherwise (reading more could wait for the input's writer).
  mutating func nextIfRead() -> (number: Int, text: String)? {
    let (savedStart, savedLines) = (start, lines)
    if let line = try? next(reading: false) { return line }
    (start, lines) = (savedStart, savedLines)
    return nil
  }

  private mutating func next(reading: Bool) throws -> (number: Int, text: String)? {
    var text = ""
    var number = 0
    while true {
      guard let physical = try physicalLine(reading: reading) else {
        // A line that goes on past what is read is not whole yet.
        if !reading, !atEnd { return nil }
        break
      }
      lines += 1
      if number == 0 { number = lines }
      text += String(decoding: physical, as: UTF8.self)
      guard physical.last == UInt8(ascii: "\\"), ShellWords.continues(text) else { break }
      text += "\n"
    }
    return number == 0 ? nil : (number, text)
  }

  /// Called before a read that would wait for the input's writer.
  var beforeWaiting: () throws -> Void = {}

  private mutating func physicalLine(reading: Bool) throws -> ArraySlice<UInt8>? {
    while true {
      if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
        defer { start = newline + 1 }
        return buffer[start..<newline]
      }
      if atEnd {
        guard start < buffer.count else { return nil }
        defer { start = buffer.count }
        return buffer[start...]
      }
      guard reading else { return nil }
      buffer.removeFirst(start)
      start = 0
      try fill()
    }
  }

  private mutating func fill() throws {
    var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    if poll(&request, 1, 0) == 0 { try beforeWaiting() }
    try Interruption.waitForInput(fd)
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      if n < 0 { throw CnetError(.failed, String(cString: strerror(errno))) }
      if n == 0 { atEnd = true } else { buffer += chunk[..<n] }
      return
    }
  }
}

/// A batch's termination signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT): held
/// back while a line runs, so that no line is stopped half-way, and seen
/// between lines, where the batch stops. While it waits for input (a
/// terminal, a pipe) no line is running: the signals are let through
/// there, to a handler that notes them, and the wait ends.
enum Interruption {
  static var signals: [Int32] { Controller.terminationSignals }
  nonisolated(unsafe) static var caught: Int32 = 0

  static func catchTerminationSignals() {
    var set = sigset_t()
    sigemptyset(&set)
    for signal in signals { sigaddset(&set, signal) }
    sigprocmask(SIG_BLOCK, &set, nil)
    for sig in signals {
      signal(sig) { Interruption.caught = $0 }
    }
  }

  /// A signal that came (and was held back) since the batch began.
  static func pending() -> Int32? {
    if caught != 0 { return caught }
    var set = sigset_t()
    sigpending(&set)
    return signals.first { sigismember(&set, $0) == 1 }
  }

  /// Ends the process by `signal`, as it would have ended unhandled.
  static func raiseAgain(_ sig: Int32) -> Never {
    signal(sig, SIG_DFL)
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, sig)
    sigprocmask(SIG_UNBLOCK, &set, nil)
    raise(sig)
    _exit(128 + sig)
  }

  /// Waits until `fd` has input, with the signals let through meanwhile
  /// (pselect swaps the mask in one step: a signal cannot slip in between).
  static func waitForInput(_ fd: Int32) throws {
    guard fd >= 0, fd < 1024 else { return }  // FD_SETSIZE
    var none = sigset_t()
    sigemptyset(&none)
    while true {
      var readable = fd_set()
      withUnsafeMutableBytes(of: &readable) { raw in
        let words = raw.bindMemory(to: UInt.self)
        words[Int(fd) / UInt.bitWidth] |= 1 << (UInt(fd) % UInt(UInt.bitWidth))
      }
      if pselect(fd + 1, &readable, nil, nil, nil, &none) >= 0 { return }
      if errno != EINTR { return }
      if caught != 0 { throw CnetError(.failed, "interrupted") }
    }
  }
}
