// Namespace and thread helpers Swift's Glibc module cannot express: unshare
// with CLONE_NEWNET, the namespace type of an fd, the thread count, and a
// thread's CPU affinity (the CPU_* macros).
#include "cnet_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/nsfs.h>

int cnet_netns_unshare_here(int *fd) {
  if (unshare(CLONE_NEWNET) < 0) return -errno;
  // thread-self, not self: /proc/self names the thread-group leader, whose
  // namespace did not change (model-codebases P2).
  int opened = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (opened < 0) return -errno;
  *fd = opened;
  return 0;
}

// Why keep a new thread off its creator's CPU: a scheduler that packs work
// onto few CPUs (as in small virtual machines) queues a new thread behind
// its busy creator, on the same CPU, until a tick preempts the creator,
// and work meant to run beside the creator's then runs after it
// (bench/README.md has the figures). The thread is never pinned to one
// CPU, only kept off one.
void cnet_thread_attr_elsewhere(pthread_attr_t *attr) {
  cpu_set_t allowed;
  int here = sched_getcpu();
  if (here < 0 || sched_getaffinity(0, sizeof(allowed), &allowed) != 0 || !CPU_ISSET(here, &allowed)) return;
  CPU_CLR(here, &allowed);
  if (CPU_COUNT(&allowed) > 0) pthread_attr_setaffinity_np(attr, sizeof(allowed), &allowed);
}

int cnet_fd_is_netns(int fd) {
  int type = ioctl(fd, NS_GET_NSTYPE);
  if (type < 0) return errno == ENOTTY || errno == EINVAL ? 0 : -errno;
  return type == CLONE_NEWNET;
}

int cnet_thread_count(void) {
  FILE *f = fopen("/proc/self/status", "re");
  if (!f) return -errno;
  char line[256];
  int threads = -ENOENT;
  while (fgets(line, sizeof(line), f)) {
    if (strncmp(line, "Threads:", 8) == 0) {
      threads = atoi(line + 8);
      break;
    }
  }
  fclose(f);
  return threads;
}
