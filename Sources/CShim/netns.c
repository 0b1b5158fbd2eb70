// Namespace helpers that must not run on a Swift thread: creating a network
// namespace (unshare changes the calling thread), plus two small probes
// Swift's Glibc module cannot express (the namespace type, the thread count).
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

struct create_job {
  int fd;
  struct cnet_nl **nl;
  int rc;
};

static void *create_thread(void *arg) {
  struct create_job *job = arg;
  if (unshare(CLONE_NEWNET) < 0) {
    job->rc = -errno;
    return NULL;
  }
  // thread-self, not self: /proc/self names the thread-group leader, whose
  // namespace did not change (model-codebases P2).
  job->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  job->rc = job->fd < 0 ? -errno : 0;
  if (job->rc == 0 && job->nl) {
    job->rc = cnet_nl_open(job->nl);
    if (job->rc != 0) {
      close(job->fd);
      job->fd = -1;
    }
  }
  return NULL;
}

struct cnet_netns_pending {
  pthread_t thread;
  struct create_job job;
  struct cnet_nl *nl;
};

static void *speculative_thread(void *arg) {
  struct cnet_netns_pending *p = arg;
  create_thread(&p->job);
  if (p->job.rc != 0) return NULL;
  // lo up, on the thread too: `lo` is always index 1 in a new namespace.
  unsigned char request[CNET_NL_REQUEST_SIZE];
  unsigned char reply[CNET_NL_RECEIVE_SIZE];
  struct cnet_link_attrs lo;
  cnet_link_attrs_init(&lo);
  lo.ifindex = 1;
  lo.up = 1;
  int len = cnet_msg_link_set(request, sizeof(request), 1, &lo);
  int rc = len < 0 ? len : cnet_nl_send(p->nl, request, (size_t)len);
  struct cnet_nl_status status = {0};
  while (rc == 0) {
    ssize_t n = cnet_nl_recv(p->nl, reply, sizeof(reply));
    if (n < 0) {
      rc = (int)n;
      break;
    }
    rc = cnet_nl_process(reply, (size_t)n, 1, cnet_nl_portid(p->nl), NULL, NULL, &status);
    if (rc != 1) break;
    rc = 0;
  }
  p->job.rc = rc;
  return NULL;
}

// Keeps a thread off the calling thread's CPU, when the process may run
// on another. Why: the scheduler here (a 2-vCPU guest whose kernel packs
// work onto few vCPUs) queued a new thread behind its busy creator, on the
// same vCPU, until a tick preempted the creator: a plain new thread
// started 1.86 ms after pthread_create while its creator kept running, and
// 0.067 ms when kept off the creator's vCPU (medians of 200). A phase
// trace of `cnet connect` at 500 containers showed the namespace thread
// starting 1.3 ms late and the join waiting for it. The thread is never
// pinned to one CPU, only kept off one.
static void keep_off_this_cpu(pthread_attr_t *attr) {
  cpu_set_t allowed;
  int here = sched_getcpu();
  if (here < 0 || sched_getaffinity(0, sizeof(allowed), &allowed) != 0 || !CPU_ISSET(here, &allowed)) return;
  CPU_CLR(here, &allowed);
  if (CPU_COUNT(&allowed) > 0) pthread_attr_setaffinity_np(attr, sizeof(allowed), &allowed);
}

int cnet_netns_create_start(struct cnet_netns_pending **out) {
  struct cnet_netns_pending *p = calloc(1, sizeof(*p));
  if (!p) return -ENOMEM;
  p->job.fd = -1;
  p->job.nl = &p->nl;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  keep_off_this_cpu(&attr);
  int rc = pthread_create(&p->thread, &attr, speculative_thread, p);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    free(p);
    return -rc;
  }
  *out = p;
  return 0;
}

int cnet_netns_create_finish(struct cnet_netns_pending *p, int *fd, struct cnet_nl **nl) {
  int rc = pthread_join(p->thread, NULL);
  if (rc == 0) rc = p->job.rc;
  else rc = -rc;
  if (rc == 0) {
    *fd = p->job.fd;
    if (nl) *nl = p->nl;
    else cnet_nl_close(p->nl);
  } else {
    if (p->job.fd >= 0) close(p->job.fd);
    if (p->nl) cnet_nl_close(p->nl);
  }
  free(p);
  return rc;
}

int cnet_netns_create(int *fd, struct cnet_nl **nl) {
  struct create_job job = {.fd = -1, .nl = nl, .rc = 0};
  pthread_t thread;
  int rc = pthread_create(&thread, NULL, create_thread, &job);
  if (rc != 0) return -rc;
  rc = pthread_join(thread, NULL);
  if (rc != 0) {
    if (job.fd >= 0) close(job.fd);
    return -rc;
  }
  if (job.rc == 0) *fd = job.fd;
  return job.rc;
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
