import ArgumentParser
import CnetCore
import CnetStore

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

  /// Commands a batch does not run, and why.
  static let refused: [(path: [String], why: String)] = [
    (["exec"], "exec runs a program until it ends; run it with `cnet exec`, not in a batch"),
    (["netns", "exec"], "netns exec runs a program until it ends; run it with `cnet exec`, not in a batch"),
    (["plugin", "serve"], "plugin serve runs until stopped; it cannot be part of a batch"),
    (["agent"], "agent runs until stopped; it cannot be part of a batch"),
    (["firewall", "watch"], "firewall watch runs until stopped; it cannot be part of a batch"),
    (["batch"], nested),
  ]

  /// Runs the batch; returns its exit status.
  static func run(_ file: String, force: Bool, namespace: String?, json: Bool) -> Int32 {
    let fd: Int32
    if file == "-" {
      fd = 0
    } else {
      fd = open(file, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else {
        writeError("cnet: cannot read \(file): \(String(cString: strerror(errno)))\n")
        return errno == ENOENT ? ExitStatus.notFound.rawValue : ExitStatus.failed.rawValue
      }
    }
    Interruption.catchTerminationSignals()
    Engine.keepsController = true
    Kernel.keptSockets = []
    var reader = LineReader(fd: fd)
    var status: Int32 = 0
    while true {
      if let signal = Interruption.pending() { return stop(by: signal, status: status) }
      let next: (number: Int, text: String)?
      do {
        next = try reader.next()
      } catch {
        if let signal = Interruption.pending() { return stop(by: signal, status: status) }
        writeError("cnet: cannot read \(file == "-" ? "stdin" : file): \(error)\n")
        status = ExitStatus.failed.rawValue
        break
      }
      guard let (number, text) = next else { break }
      batchLine = number
      let failed = runLine(text, namespace: namespace, json: json)
      fflush(nil)
      Kernel.dropStaleSockets()
      if let failed {
        status = failed
        if !force { break }
      }
      // Someone waits for the lock: what the batch held back is written,
      // and the lock and the store go until they have had their turn.
      if Engine.isWanted {
        do {
          try Engine.release()
        } catch {
          report(error)
          status = ExitStatus.failed.rawValue
          break
        }
        OperationLock.yield(timeout: ((try? Engine.lockTimeout()) ?? nil) ?? 60)
      }
      batchLine = nil
    }
    batchLine = nil
    do {
      try Engine.release()
    } catch {
      report(error)
      if status == 0 { status = ExitStatus.failed.rawValue }
    }
    return status
  }

  /// Runs one line; its exit status when it failed, nil when it did not.
  static func runLine(_ text: String, namespace: String?, json: Bool) -> Int32? {
    let outcome: CnetMain.Outcome
    do {
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
      let path = OptionTable.command(for: line.remaining).0.path
      if let refusal = refused.first(where: { $0.path == path }) {
        throw CnetError(.invalidArgument, refusal.why)
      }
      outcome = CnetMain.run(line)
    } catch {
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

  private static func report(_ error: Error) {
    let message = (error as? ReportableError)?.message ?? "\(error)"
    writeError("cnet: batch: \(message)\n")
  }

  /// A termination signal came: the batch ends between two lines, with
  /// what it held back written.
  private static func stop(by signal: Int32, status: Int32) -> Int32 {
    let next = batchLine.map { $0 + 1 }
    batchLine = nil
    do { try Engine.release() } catch { report(error) }
    let name = String(cString: strsignal(signal))
    writeError("cnet: batch stopped by a signal (\(name))\(next.map { " before line \($0)" } ?? ""); the lines before it are done\n")
    return 128 + signal
  }
}

/// The lines of a batch's input, read in large pieces; a line that ends
/// in a backslash goes on on the next (the backslash and the newline are
/// dropped by ShellWords, as a shell drops them).
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
    var text: [UInt8] = []
    var number = 0
    while let physical = try physicalLine() {
      lines += 1
      if number == 0 { number = lines }
      text += physical
      // An odd number of backslashes at the end: the line goes on.
      let backslashes = physical.reversed().prefix { $0 == UInt8(ascii: "\\") }.count
      guard backslashes % 2 == 1 else { break }
      text.append(UInt8(ascii: "\n"))
    }
    return number == 0 ? nil : (number, String(decoding: text, as: UTF8.self))
  }

  private mutating func physicalLine() throws -> ArraySlice<UInt8>? {
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
      buffer.removeFirst(start)
      start = 0
      try fill()
    }
  }

  private mutating func fill() throws {
    // Waiting for input, a termination signal may end the process at
    // once: no line is half-way (Interruption).
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
/// terminal, a pipe) nothing is half-way, and a signal is let through
/// there.
enum Interruption {
  static let signals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
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
