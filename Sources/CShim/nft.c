// nft(8) commands, run by the nft program of the nftables package: the
// script goes to `nft -f -` on its standard input, and what it prints comes
// back from its standard output and error.
//
// Why a program and not libnftables in the process: the release binary is
// a static executable (scripts/build-release says why), and a static
// executable that dlopens a shared library gets a second C library with
// it, one that must be the very glibc build it was linked against, which a
// security update of libc6 would break. nft is the same libnftables behind
// the same language, one transaction per script, and only the commands
// that rewrite cnet's tables run it (creating or removing a network,
// `firewall reload`, gc); publishing a port changes set elements over
// netlink (cnet_msg_nft_elements), with no nft at all. Running nft costs
// about what loading libnftables and its five libraries did.
#include "cnet_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

// nft where Debian puts it, else wherever PATH finds it.
static int spawn_nft(pid_t *pid, posix_spawn_file_actions_t *actions, posix_spawnattr_t *attr) {
  static char *const from_sbin[] = {"/usr/sbin/nft", "-f", "-", NULL};
  static char *const from_path[] = {"nft", "-f", "-", NULL};
  int rc = posix_spawn(pid, from_sbin[0], actions, attr, from_sbin, environ);
  if (rc == ENOENT) rc = posix_spawnp(pid, from_path[0], actions, attr, from_path, environ);
  return rc;
}

int cnet_nft_run(const char *commands, char **output, char **error) {
  *output = NULL;
  *error = NULL;
  int in = memory_file("nft-in", commands);
  if (in < 0) return in;
  int out = memory_file("nft-out", NULL);
  int err = memory_file("nft-err", NULL);
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
  // A changing command holds back termination signals (Controller); nft
  // starts with none held and none ignored.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid;
  int rc = spawn_nft(&pid, &actions, &attr);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  close(in);
  if (rc == 0) {
    int status;
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) {
        rc = errno;
        break;
      }
    }
    if (rc == 0) {
      *output = contents(out);
      *error = contents(err);
      if (WIFSIGNALED(status) && !*error) *error = strdup(strsignal(WTERMSIG(status)));
      rc = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
      close(out);
      close(err);
      return rc;
    }
  }
  close(out);
  close(err);
  return -rc;
}
