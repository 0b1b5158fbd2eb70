// timeit CMD [ARG...]: runs CMD once and prints how long it took, in
// nanoseconds, from spawn to exit, as the calling script would see it.
// CMD's stdout goes to /dev/null (listings are not what is measured); its
// stderr is kept. Exits with CMD's status, so a failing run is noticed.
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: timeit CMD [ARG...]\n");
    return 2;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  long long start = now_ns();
  int rc = posix_spawnp(&pid, argv[1], &actions, NULL, argv + 1, environ);
  if (rc != 0) {
    fprintf(stderr, "timeit: cannot run %s\n", argv[1]);
    return 127;
  }
  int status;
  waitpid(pid, &status, 0);
  long long elapsed = now_ns() - start;
  printf("%lld\n", elapsed);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}
