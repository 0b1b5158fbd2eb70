#if canImport(Glibc)
import Glibc
#endif

/// The text strerror gives for an errno ("File exists"), as iproute2 prints.
func errnoDescription(_ code: Int32) -> String {
  guard let text = strerror(code) else { return "error \(code)" }
  return String(cString: text)
}

/// Reads errno right after a failed call, before anything else can change it.
@inline(__always)
func lastErrno() -> Int32 { errno }
