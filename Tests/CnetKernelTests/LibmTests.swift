import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Sources/CShim/libm.c defines ceil itself (this test binary links it
/// too) and forwards the rest of libm's functions to libm.so.6.
@Suite struct LibmTests {
  /// ceil(x) is -floor(-x), bit for bit (the sign of a zero included);
  /// floor is libm's own, reached through the forwarding.
  @Test func ceilAgreesWithLibmFloor() {
    var values: [Double] = [
      0, -0.0, 0.5, -0.5, 1, -1, 1.5, -1.5, 0.999_999, -0.999_999, 2.0.nextDown, -(2.0.nextDown),
      4_503_599_627_370_495.5, -4_503_599_627_370_495.5, 4_503_599_627_370_496, -4_503_599_627_370_496,
      9_007_199_254_740_994, 1e300, -1e300, .infinity, -.infinity, .leastNonzeroMagnitude,
      -.leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
    ]
    // A fixed sequence (SplitMix64): magnitudes around the 2^52 boundary
    // and below it, and arbitrary bit patterns.
    var state: UInt64 = 0x5EED
    func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    for _ in 0..<20_000 {
      let bits = next()
      values.append(Double(bitPattern: bits))
      values.append(Double(Int64(bitPattern: bits) >> 8) / Double(1 << (bits & 63)))
      values.append(Double(Int32(truncatingIfNeeded: bits)) / 1000)
    }
    var mismatches: [Double] = []
    for x in values {
      let c = ceil(x)
      if x.isNaN {
        if !c.isNaN { mismatches.append(x) }
      } else if c.bitPattern != (-floor(-x)).bitPattern {
        mismatches.append(x)
      }
    }
    let count = mismatches.count
    #expect(count == 0, "ceil differs from -floor(-x) for \(mismatches.prefix(5))")
  }

  /// A forwarded function reaches libm (loaded on first use).
  @Test func forwardedFunctionsReachLibm() {
    let inputs = [0.25, 2.0, 10.0]
    #expect(inputs.map { pow($0, 2) } == [0.0625, 4, 100])
    #expect(inputs.map { log2($0) } == [-2, 1, log2(10.0)])
    #expect(abs(sin(Double.pi / 2) - 1) < 1e-15)
  }
}
