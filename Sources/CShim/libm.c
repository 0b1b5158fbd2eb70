// libm, loaded on first use, and ceil, which is not worth loading it for.
//
// Why: the static Swift standard library refers to some 120 functions of
// libm (its floating-point math), so the linker made libm a library that
// every start of cnet maps and relocates. cnet computes no such math: of
// them, a connect, a disconnect and `netns list` call only ceil (Swift's
// Dictionary sizes its storage with it). Mapping one shared library costs
// a start about 0.1 ms here: alternating runs of `cnet netns list`, 700 of
// each, median 1.283 -> 1.176 ms; a C program linked with libc alone
// started 0.2 ms sooner than with libc, libm and libmnl.
//
// So the release binary defines each of these functions itself (ceil in
// full, the others as a call through libm, dlopen'd the first time one of
// them runs), and scripts/build-release links libm "as needed": with every
// reference answered here, it is no longer a library of the executable.
// A function of libm that a later build comes to need and this file does
// not define keeps libm linked as before, so nothing breaks, it just costs
// the start again. The prototypes come from <math.h>, so a wrong one does
// not compile. Debug builds link Swift's shared runtime, which needs libm
// itself; these definitions then forward to it all the same.
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void *libm_symbol(const char *name) {
  static void *lib;
  void *handle = __atomic_load_n(&lib, __ATOMIC_ACQUIRE);
  if (!handle) {
    handle = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
    __atomic_store_n(&lib, handle, __ATOMIC_RELEASE);
  }
  void *function = handle ? dlsym(handle, name) : NULL;
  if (!function) {
    fprintf(stderr, "cnet: cannot load %s from libm.so.6: %s\n", name, dlerror());
    abort();
  }
  return function;
}

// NAME with parameters PARAMS (the call passes ARGS) returning T: the real
// function is looked up once, then called directly.
#define FORWARD(T, NAME, PARAMS, ARGS)                                  \
  T NAME PARAMS {                                                       \
    static T(*real) PARAMS;                                             \
    T(*f) PARAMS = __atomic_load_n(&real, __ATOMIC_ACQUIRE);            \
    if (!f) {                                                           \
      f = (T(*) PARAMS)libm_symbol(#NAME);                              \
      __atomic_store_n(&real, f, __ATOMIC_RELEASE);                     \
    }                                                                   \
    return f ARGS;                                                      \
  }
#define ONE(T, NAME) FORWARD(T, NAME, (T x), (x))
#define TWO(T, NAME) FORWARD(T, NAME, (T x, T y), (x, y))
// The double, float and long double variants of a function.
#define ONE3(NAME) ONE(double, NAME) ONE(float, NAME##f) ONE(long double, NAME##l)
#define TWO3(NAME) TWO(double, NAME) TWO(float, NAME##f) TWO(long double, NAME##l)

// ceil(x) for every double: |x| >= 2^52 (and inf, NaN) is integral
// already; below, truncation toward zero is exact, and a positive
// remainder rounds up. The sign is x's, so ceil(-0.5) is -0.0.
double ceil(double x) {
  if (!(__builtin_fabs(x) < 4503599627370496.0)) return x;
  double t = (double)(long long)x;
  if (t < x) t += 1.0;
  return __builtin_copysign(t, x);
}
ONE(float, ceilf)
ONE(long double, ceill)

ONE3(acos) ONE3(acosh) ONE3(asin) ONE3(asinh) ONE3(atan) ONE3(atanh)
ONE3(cos) ONE3(cosh) ONE3(sin) ONE3(sinh) ONE3(tan) ONE3(tanh)
ONE3(exp) ONE3(exp2) ONE3(log) ONE3(log10) ONE3(log2)
ONE3(floor) ONE3(nearbyint) ONE3(rint) ONE3(round) ONE3(sqrt) ONE3(trunc)
TWO3(atan2) TWO3(fmod) TWO3(pow) TWO3(remainder)
ONE(float, cbrtf) ONE(long double, cbrtl)
ONE(float, erff) ONE(long double, erfl) ONE(float, erfcf) ONE(long double, erfcl)
ONE(float, expm1f) ONE(long double, expm1l) ONE(float, log1pf) ONE(long double, log1pl)
ONE(float, logbf) ONE(long double, logbl)
ONE(float, tgammaf) ONE(long double, tgammal)
TWO(float, fdimf) TWO(long double, fdiml) TWO(float, hypotf) TWO(long double, hypotl)
TWO(long double, fmaxl) TWO(long double, fminl)
TWO(float, nextafterf) TWO(long double, nextafterl)
FORWARD(double, fma, (double x, double y, double z), (x, y, z))
FORWARD(float, fmaf, (float x, float y, float z), (x, y, z))
FORWARD(long double, fmal, (long double x, long double y, long double z), (x, y, z))
FORWARD(double, remquo, (double x, double y, int *q), (x, y, q))
FORWARD(float, remquof, (float x, float y, int *q), (x, y, q))
FORWARD(long double, remquol, (long double x, long double y, int *q), (x, y, q))
FORWARD(double, lgamma_r, (double x, int *sign), (x, sign))
FORWARD(float, lgammaf_r, (float x, int *sign), (x, sign))
FORWARD(long double, lgammal_r, (long double x, int *sign), (x, sign))
FORWARD(double, jn, (int n, double x), (n, x))
FORWARD(double, yn, (int n, double x), (n, x))
FORWARD(float, nanf, (const char *tag), (tag))
FORWARD(long double, nanl, (const char *tag), (tag))
