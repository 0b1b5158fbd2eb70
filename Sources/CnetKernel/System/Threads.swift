import CShim

#if canImport(Glibc)
import Glibc
#endif

/// A thread of the system's (a pthread), for work that blocks: the plugin
/// server's connections, a plan run beside the command's own work. Not
/// Swift concurrency: kernel paths stay on threads cnet owns (DESIGN §4).
public final class Worker: @unchecked Sendable {
  private var thread = pthread_t()
  private var joined = false

  /// Starts `body` on a new thread; `detached` threads are never joined.
  /// `elsewhere`: off the calling thread's CPU, for work meant to run
  /// beside the caller's (cnet_thread_attr_elsewhere says why).
  public init(detached: Bool = false, elsewhere: Bool = false, _ body: @escaping @Sendable () -> Void) throws {
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    if detached { pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) }
    if elsewhere { cnet_thread_attr_elsewhere(&attributes) }
    let rc = pthread_create(&thread, &attributes, { context in
      guard let context else { return nil }
      let box = Unmanaged<Box>.fromOpaque(context).takeRetainedValue()
      box.body()
      return nil
    }, box)
    guard rc == 0 else {
      Unmanaged<Box>.fromOpaque(box).release()
      throw KernelError("start a thread", "", code: rc)
    }
    joined = detached
  }

  /// Waits for the thread to end.
  public func join() {
    guard !joined else { return }
    joined = true
    pthread_join(thread, nil)
  }

  private final class Box {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
  }
}

/// A mutex with a condition, for the few things threads share.
public final class Monitor: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  public init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(condition, nil)
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
    condition.deallocate()
  }

  /// Runs `body` holding the mutex.
  public func locked<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body()
  }

  /// With the mutex held: waits until `ready` is true, woken by `signal`.
  public func wait(until ready: () -> Bool) {
    while !ready() { pthread_cond_wait(condition, mutex) }
  }

  /// With the mutex held: wakes every waiter.
  public func signal() {
    pthread_cond_broadcast(condition)
  }
}
