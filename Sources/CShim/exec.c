// `ip netns exec` in place (iproute2 lib/namespace.c netns_switch and
// bind_etc, then execvp). Everything from setns to execvp is in this one
// function because a mount namespace belongs to the whole process: it only
// works single-threaded, and no Swift code may run in between.
#include "cnet_shim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define NETNS_ETC_DIR "/etc/netns"

// Bind-mounts each entry of /etc/netns/NAME over the file of the same name
// in /etc. As in iproute2, a failure is reported and the rest go on.
static void bind_etc(const char *name) {
  char etc_netns_path[PATH_MAX];
  snprintf(etc_netns_path, sizeof(etc_netns_path), "%s/%s", NETNS_ETC_DIR, name);
  DIR *dir = opendir(etc_netns_path);
  if (!dir) return;
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
      continue;
    char src[PATH_MAX], dst[PATH_MAX];
    snprintf(src, sizeof(src), "%s/%s", etc_netns_path, entry->d_name);
    snprintf(dst, sizeof(dst), "/etc/%s", entry->d_name);
    if (mount(src, dst, "none", MS_BIND, NULL) < 0)
      fprintf(stderr, "cnet: warning: cannot bind %s over %s: %s\n", src, dst,
              strerror(errno));
  }
  closedir(dir);
}

static int fail(int *step, int which) {
  int err = errno;
  *step = which;
  return -err;
}

int cnet_netns_exec(int nsfd, const char *name, char *const argv[], int *step) {
  int threads = cnet_thread_count();
  if (threads != 1) {
    *step = CNET_EXEC_THREADS;
    return threads < 0 ? threads : -EINVAL;
  }
  if (setns(nsfd, CLONE_NEWNET) < 0) return fail(step, CNET_EXEC_SETNS);
  if (unshare(CLONE_NEWNS) < 0) return fail(step, CNET_EXEC_UNSHARE);
  // Don't let any mounts propagate back to the parent.
  if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0)
    return fail(step, CNET_EXEC_SLAVE);

  // Mount a /sys that describes the new namespace. If the old one cannot be
  // detached, overlay it; a read-only /sys cannot be shadowed read-write.
  unsigned long mountflags = 0;
  if (umount2("/sys", MNT_DETACH) < 0) {
    struct statvfs fsstat;
    if (statvfs("/sys", &fsstat) == 0 && (fsstat.f_flag & ST_RDONLY))
      mountflags = MS_RDONLY;
  }
  if (mount(name, "/sys", "sysfs", mountflags, NULL) < 0)
    return fail(step, CNET_EXEC_SYSFS);

  bind_etc(name);

  // The command inherits neither cnet's fds nor its signal state.
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
    for (int fd = 3; fd < 1024; fd++) {
      int flags = fcntl(fd, F_GETFD);
      if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
  }
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    signal(sig, SIG_DFL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);

  fflush(stdout);
  fflush(stderr);
  execvp(argv[0], argv);
  return fail(step, CNET_EXEC_EXECVP);
}
