// Other programs, run to completion: nft(8) for what rewrites cnet's
// tables, iptables(8)/ip6tables(8) for the accepts cnet adds beside
// another tool's forward policy, dbus-send(1) for firewalld's zones. The
// input goes to the program's standard input from a file in memory, and
// what it prints comes back from its standard output and error.
//
// Why programs and not their libraries in the process: iptables must be
// the very binary Docker runs (the legacy and nf_tables variants write
// different kernel tables, and nft-written rules in iptables-nft's tables
// break Docker, moby#48568); nft is libnftables behind the same language,
// one transaction per script; dbus-send speaks firewalld's D-Bus API. Only
// commands that change networks or repair state run them; publishing a
// port changes set elements over netlink (cnet_msg_nft_elements).
#include "cnet_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

// A file in memory holding `text`, positioned at its start.
static int memory_file(const char *name, const char *text) {
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return -errno;
  size_t left = text ? strlen(text) : 0;
  while (left > 0) {
    ssize_t n = write(fd, text, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int rc = -errno;
      close(fd);
      return rc;
    }
    text += n;
    left -= (size_t)n;
  }
  if (lseek(fd, 0, SEEK_SET) < 0) {
    int rc = -errno;
    close(fd);
    return rc;
  }
  return fd;
}

// All of a memory file, malloc'ed; NULL when it is empty (or unreadable).
static char *contents(int fd) {
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0 || lseek(fd, 0, SEEK_SET) < 0) return NULL;
  char *text = malloc((size_t)size + 1);
  if (!text) return NULL;
  size_t got = 0;
  while (got < (size_t)size) {
    ssize_t n = read(fd, text + got, (size_t)size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  text[got] = '\0';
  return text;
}

// argv[0] as PATH finds it, else in /usr/sbin and /sbin, where Debian puts
// these programs and where a PATH without the sbin directories (a user's,
// under sudo) would miss them. Returns posix_spawn's error.
static int spawn_program(pid_t *pid, const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
                         char *const argv[]) {
  int rc = posix_spawnp(pid, argv[0], actions, attr, argv, environ);
  if (rc != ENOENT || strchr(argv[0], '/')) return rc;
  static const char *const directories[] = {"/usr/sbin/", "/sbin/"};
  for (size_t i = 0; i < sizeof(directories) / sizeof(directories[0]) && rc == ENOENT; i++) {
    char path[512];
    if (snprintf(path, sizeof(path), "%s%s", directories[i], argv[0]) >= (int)sizeof(path)) return ENAMETOOLONG;
    rc = posix_spawn(pid, path, actions, attr, argv, environ);
  }
  return rc;
}

// The program starts with no signal held and none ignored: a changing
// command holds termination signals back (Controller), and a child must
// not inherit that.
static void init_attributes(posix_spawnattr_t *attr) {
  posix_spawnattr_init(attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(attr, &none);
  posix_spawnattr_setsigdefault(attr, &all);
  posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

int cnet_run(char *const argv[], const char *input, char **output, char **error, int *status) {
  *output = NULL;
  *error = NULL;
  *status = -1;
  int in = memory_file("cnet-in", input);
  if (in < 0) return in;
  int out = memory_file("cnet-out", NULL);
  int err = memory_file("cnet-err", NULL);
  if (out < 0 || err < 0) {
    int rc = out < 0 ? out : err;
    close(in);
    if (out >= 0) close(out);
    if (err >= 0) close(err);
    return rc;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in, 0);
  posix_spawn_file_actions_adddup2(&actions, out, 1);
  posix_spawn_file_actions_adddup2(&actions, err, 2);
  posix_spawnattr_t attr;
  init_attributes(&attr);
  pid_t pid;
  int rc = spawn_program(&pid, &actions, &attr, argv);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  close(in);
  if (rc == 0) {
    int wstatus;
    while (waitpid(pid, &wstatus, 0) < 0) {
      if (errno != EINTR) {
        rc = errno;
        break;
      }
    }
    if (rc == 0) {
      *output = contents(out);
      *error = contents(err);
      if (WIFSIGNALED(wstatus) && !*error) *error = strdup(strsignal(WTERMSIG(wstatus)));
      *status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    }
  }
  close(out);
  close(err);
  return -rc;
}

int cnet_spawn_reader(char *const argv[], pid_t *pid, int *fd) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return -errno;
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) {
    int rc = -errno;
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return rc;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, devnull, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawnattr_t attr;
  init_attributes(&attr);
  int rc = spawn_program(pid, &actions, &attr, argv);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  close(devnull);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    return -rc;
  }
  *fd = pipe_fds[0];
  return 0;
}

int cnet_accept(int fd) {
  int client = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
  return client >= 0 ? client : -errno;
}
