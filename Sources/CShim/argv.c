// The program's arguments for Swift's CommandLine, kept the way glibc hands
// them to ELF constructors.
//
// Why: the Swift 6 runtime's own definition of these two functions comes
// with a constructor that, at every start, opens /proc/self/maps, has the
// kernel format every mapping of the process, scans the lines for the stack
// and walks back from environ to find argv: alternating runs of `cnet netns
// list` (both binaries copied afresh, 500 of each, both orders) took 1.57
// ms with it and 1.47-1.48 ms without, in a program that scripts run
// thousands of times. glibc calls every .init_array function with (argc,
// argv, envp), so keeping them costs nothing. With both functions defined
// here, the linker never takes the runtime's CommandLine object (which
// defines only these two) out of the static standard library, and its
// constructor is not linked in. Against the shared runtime (debug builds,
// tests) either definition returns the same vector.
#include <stddef.h>

char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen);
void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc);

static char **kept_argv;
static int kept_argc;
static char **override_argv;
static int override_argc;

static void keep_arguments(int argc, char **argv, char **envp) {
  (void)envp;
  kept_argc = argc;
  kept_argv = argv;
}

__attribute__((section(".init_array"), used))
static void (*const keep_arguments_entry)(int, char **, char **) = keep_arguments;

char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
  static char *empty[] = {NULL};
  if (override_argv) {
    *outArgLen = override_argc;
    return override_argv;
  }
  if (!kept_argv) {
    *outArgLen = 0;
    return empty;
  }
  *outArgLen = kept_argc;
  return kept_argv;
}

void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc) {
  override_argv = argv;
  override_argc = argc;
}
