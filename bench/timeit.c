// timeit [-f] CMD [ARG...] [";" CMD [ARG...]]...: runs the commands one
// after the other, as a script would, and prints how long they took
// together, in nanoseconds, from the first spawn to the last exit; with -f,
// also the page faults they took (minor ones: a process's start-up and
// memory footprint, each a few microseconds in a VM). A command whose first
// word is "<FILE" reads FILE on stdin. stdout goes to /dev/null (output is
// not what is measured); stderr is kept. Stops at the first command that
// fails and exits with its status, so a failing run is noticed.
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long faults;

// Runs argv[0..n) (NULL-terminated in place); returns its exit status.
static int run(char **argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  if (argv[0][0] == '<') {
    posix_spawn_file_actions_addopen(&actions, 0, argv[0] + 1, O_RDONLY, 0);
    argv++;
  }
  pid_t pid;
  if (posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ) != 0) {
    fprintf(stderr, "timeit: cannot run %s\n", argv[0]);
    return 127;
  }
  posix_spawn_file_actions_destroy(&actions);
  int status;
  struct rusage usage;
  wait4(pid, &status, 0, &usage);
  faults += usage.ru_minflt;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

int main(int argc, char **argv) {
  int with_faults = argc > 1 && strcmp(argv[1], "-f") == 0;
  int first = with_faults ? 2 : 1;
  if (argc <= first) {
    fprintf(stderr, "usage: timeit [-f] CMD [ARG...] [\";\" CMD [ARG...]]...\n");
    return 2;
  }
  long long start = now_ns();
  for (int i = first; i <= argc; i++) {
    if (i == argc || strcmp(argv[i], ";") == 0) {
      argv[i < argc ? i : argc] = NULL;
      if (i > first) {
        int rc = run(argv + first);
        if (rc != 0) return rc;
      }
      first = i + 1;
    }
  }
  long long elapsed = now_ns() - start;
  if (with_faults) printf("%lld %ld\n", elapsed, faults);
  else printf("%lld\n", elapsed);
  return 0;
}
