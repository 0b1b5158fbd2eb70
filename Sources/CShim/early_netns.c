// The namespace of a sandbox that `cnet connect NETWORK SANDBOX` will make,
// started before main.
//
// Why: creating a network namespace is the longest single piece of a
// connect (about 2 ms here), and it already runs on the other core while
// the command reads the store (speculativeNamespace). Started from main, it
// was often still not ready when the store work was done (a phase trace at
// 500 containers, in a fast phase of the machine: 0.5 ms of waiting), and
// starting its thread took the main thread 0.1 ms. From here, it also
// overlaps with the Swift runtime's start. glibc calls .init_array
// functions with (argc, argv, envp). The guess is speculativeNamespace's,
// made from the raw words: `connect` with two positional words first, no
// --pid or --netns, no namespace of that name. The Swift side takes it only
// if its own checks agree; a wrong guess costs the kernel's work on the
// other core, and the namespace, never named, goes with the process.
#include "cnet_shim.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct cnet_netns_pending *early;

static int names_namespace_source(const char *word) {
  return strcmp(word, "--pid") == 0 || strncmp(word, "--pid=", 6) == 0 || strcmp(word, "--netns") == 0 ||
         strncmp(word, "--netns=", 8) == 0;
}

static void start_early(int argc, char **argv, char **envp) {
  (void)envp;
  if (argc < 4 || strcmp(argv[1], "connect") != 0 || argv[2][0] == '-' || argv[3][0] == '-') return;
  for (int i = 4; i < argc; i++) {
    if (names_namespace_source(argv[i])) return;
  }
  const char *name = argv[3];
  if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strlen(name) > NAME_MAX) return;
  // NetnsDirectory.standard; speculativeNamespace takes this one only for
  // that directory.
  char path[PATH_MAX];
  if (snprintf(path, sizeof(path), "/var/run/netns/%s", name) >= (int)sizeof(path)) return;
  if (access(path, F_OK) == 0) return;
  if (cnet_netns_create_start(&early) != 0) early = NULL;
}

__attribute__((section(".init_array"), used))
static void (*const start_early_entry)(int, char **, char **) = start_early;

struct cnet_netns_pending *cnet_netns_take_early(void) {
  struct cnet_netns_pending *taken = early;
  early = NULL;
  return taken;
}
