// Namespace helpers that must not run on a Swift thread: creating a network
// namespace (unshare changes the calling thread), plus two small probes
// Swift's Glibc module cannot express (the namespace type, the thread count).
#include "cnet_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
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

// A veth pair the namespace's thread makes once the namespace is there,
// when the caller asks for it (cnet_netns_pending_pair): creating the pair
// and bringing its host end up on a bridge of hundreds of ports is the
// longest kernel work of a join, and this way it overlaps with the
// caller's store transaction instead of following it.
struct pair_request {
  char host[IFNAMSIZ];
  char peer[IFNAMSIZ];
  char bridge[IFNAMSIZ];
  uint32_t mtu;
  char alias[128];
};

struct cnet_netns_pending {
  pthread_t thread;
  struct create_job job;
  struct cnet_nl *nl;
  struct cnet_nl *host;  // opened before unshare, so in the caller's namespace
  int pair_fd;           // the thread's own fd to the namespace, for the pair
  pthread_mutex_t lock;
  pthread_cond_t changed;
  int ready;             // the namespace is done, or failed (job.rc)
  int taken;             // the caller has it (cnet_netns_create_finish)
  int asked;             // 0 undecided, 1 a pair is asked, -1 none will be
  struct pair_request pair;
  int pair_done;
  int pair_rc;
  char pair_message[256];
};

// Sends one request on `nl` and reads its reply; 0 or -errno, the kernel's
// explanation in `status`.
static int talk(struct cnet_nl *nl, void *request, int len, uint32_t seq, struct cnet_nl_status *status) {
  unsigned char reply[CNET_NL_RECEIVE_SIZE];
  int rc = len < 0 ? len : cnet_nl_send(nl, request, (size_t)len);
  while (rc == 0) {
    ssize_t n = cnet_nl_recv(nl, reply, sizeof(reply));
    if (n < 0) return (int)n;
    rc = cnet_nl_process(reply, (size_t)n, seq, cnet_nl_portid(nl), NULL, NULL, status);
    if (rc != 1) break;
    rc = 0;
  }
  return rc;
}

// The pair, as BridgeDriver.join makes it: the host end on the bridge, the
// peer born inside the namespace with its final name and the same MTU;
// then the host end's owner mark, no IPv6 addresses of its own, and up
// (the kernel ignores the mark and the mode on creation).
static int make_pair(struct cnet_netns_pending *p, struct cnet_nl_status *status) {
  unsigned char request[CNET_NL_REQUEST_SIZE];
  int32_t bridge = cnet_nl_ifindex(p->host, p->pair.bridge);
  if (bridge < 0) return bridge;
  struct cnet_link_attrs a, peer;
  cnet_link_attrs_init(&a);
  cnet_link_attrs_init(&peer);
  a.ifname = p->pair.host;
  a.master = bridge;
  a.mtu = p->pair.mtu;
  peer.ifname = p->pair.peer;
  peer.netns_fd = p->pair_fd;
  peer.mtu = p->pair.mtu;
  struct cnet_link_kind kind = {.kind = "veth", .veth_peer = &peer, .macvlan_mode = -1};
  int rc = talk(p->host, request, cnet_msg_link_add(request, sizeof(request), 1, &a, &kind), 1, status);
  if (rc != 0) return rc;
  cnet_link_attrs_init(&a);
  a.ifname = p->pair.host;
  a.up = 1;
  a.alias = p->pair.alias;
  a.addr_gen_mode = 1;
  return talk(p->host, request, cnet_msg_link_set(request, sizeof(request), 2, &a), 2, status);
}

static void *speculative_thread(void *arg) {
  struct cnet_netns_pending *p = arg;
  // For a pair asked later; a socket's namespace is the one it was made
  // in, so before unshare (six system calls, on this thread, whether a
  // pair comes or not).
  if (cnet_nl_open(&p->host) != 0) p->host = NULL;
  create_thread(&p->job);
  if (p->job.rc == 0) {
    // lo up, on the thread too: `lo` is always index 1 in a new namespace.
    unsigned char request[CNET_NL_REQUEST_SIZE];
    struct cnet_link_attrs lo;
    cnet_link_attrs_init(&lo);
    lo.ifindex = 1;
    lo.up = 1;
    struct cnet_nl_status status = {0};
    p->job.rc = talk(p->nl, request, cnet_msg_link_set(request, sizeof(request), 1, &lo), 1, &status);
  }
  if (p->job.rc == 0) p->pair_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

  pthread_mutex_lock(&p->lock);
  p->ready = 1;
  pthread_cond_broadcast(&p->changed);
  while (p->asked == 0) pthread_cond_wait(&p->changed, &p->lock);
  int make = p->asked == 1;
  pthread_mutex_unlock(&p->lock);

  struct cnet_nl_status status = {0};
  int rc = 0;
  if (make) {
    if (p->job.rc != 0) rc = p->job.rc;
    else if (!p->host || p->pair_fd < 0) rc = -EBADF;
    else rc = make_pair(p, &status);
  }
  if (p->pair_fd >= 0) close(p->pair_fd);
  if (p->host) cnet_nl_close(p->host);

  pthread_mutex_lock(&p->lock);
  p->pair_rc = rc;
  memcpy(p->pair_message, status.message, sizeof(p->pair_message));
  p->pair_done = 1;
  pthread_cond_broadcast(&p->changed);
  pthread_mutex_unlock(&p->lock);
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
  p->pair_fd = -1;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->changed, NULL);
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

// Frees `p` once its thread is gone.
static void release(struct cnet_netns_pending *p) {
  pthread_join(p->thread, NULL);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->changed);
  free(p);
}

int cnet_netns_pending_pair(struct cnet_netns_pending *p, const char *host, const char *peer, const char *bridge,
                            uint32_t mtu, const char *alias) {
  if (strlen(host) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ || strlen(bridge) >= IFNAMSIZ ||
      strlen(alias) >= sizeof(p->pair.alias))
    return -EINVAL;
  pthread_mutex_lock(&p->lock);
  int rc = 0;
  if (p->asked != 0) {
    rc = -EALREADY;
  } else {
    strcpy(p->pair.host, host);
    strcpy(p->pair.peer, peer);
    strcpy(p->pair.bridge, bridge);
    strcpy(p->pair.alias, alias);
    p->pair.mtu = mtu;
    p->asked = 1;
    pthread_cond_broadcast(&p->changed);
  }
  pthread_mutex_unlock(&p->lock);
  return rc;
}

int cnet_netns_create_finish(struct cnet_netns_pending *p, int *fd, struct cnet_nl **nl) {
  pthread_mutex_lock(&p->lock);
  while (!p->ready) pthread_cond_wait(&p->changed, &p->lock);
  int paired = p->asked == 1;
  if (!paired) {
    p->asked = -1;
    pthread_cond_broadcast(&p->changed);
  }
  p->taken = 1;
  pthread_mutex_unlock(&p->lock);
  int rc = p->job.rc;
  if (rc == 0) {
    *fd = p->job.fd;
    if (nl) *nl = p->nl;
    else cnet_nl_close(p->nl);
  } else {
    if (p->job.fd >= 0) close(p->job.fd);
    if (p->nl) cnet_nl_close(p->nl);
  }
  if (!paired) release(p);
  return rc;
}

int cnet_netns_pending_pair_finish(struct cnet_netns_pending *p, char *message, size_t size) {
  pthread_mutex_lock(&p->lock);
  if (p->asked == 0) {
    p->asked = -1;
    pthread_cond_broadcast(&p->changed);
  }
  while (!p->pair_done) pthread_cond_wait(&p->changed, &p->lock);
  int taken = p->taken;
  pthread_mutex_unlock(&p->lock);
  int rc = p->pair_rc;
  if (message && size > 0) snprintf(message, size, "%s", p->pair_message);
  if (!taken) {
    // Never handed over: the namespace (and the pair in it) goes with
    // these, unnamed.
    if (p->job.fd >= 0) close(p->job.fd);
    if (p->nl) cnet_nl_close(p->nl);
  }
  release(p);
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
