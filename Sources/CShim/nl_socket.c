// The netlink transport: open, send and receive on a NETLINK_ROUTE (or
// NETLINK_NETFILTER) socket, in the caller's namespace or in another one
// through a throwaway thread; and a link's index by name, asked of the
// socket's namespace.
#include "cnet_shim.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/netlink.h>

struct cnet_nl {
  struct mnl_socket *sock;
  uint32_t portid;
};

static int open_protocol(int protocol, struct cnet_nl **out) {
  struct mnl_socket *sock = mnl_socket_open2(protocol, SOCK_CLOEXEC);
  if (!sock) return -errno;
  int one = 1;
  // Extended acks carry the kernel's own explanation of an error; capped
  // acks keep error replies small. Strict checking makes the kernel honour
  // the filters in dump requests (netavark, iproute2 do the same).
  if (mnl_socket_setsockopt(sock, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
      mnl_socket_setsockopt(sock, NETLINK_CAP_ACK, &one, sizeof(one)) < 0 ||
      mnl_socket_setsockopt(sock, NETLINK_GET_STRICT_CHK, &one, sizeof(one)) < 0 ||
      mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
    int err = errno;
    mnl_socket_close(sock);
    return -err;
  }
  struct cnet_nl *nl = malloc(sizeof(*nl));
  if (!nl) {
    mnl_socket_close(sock);
    return -ENOMEM;
  }
  nl->sock = sock;
  nl->portid = mnl_socket_get_portid(sock);
  *out = nl;
  return 0;
}

int cnet_nl_open(struct cnet_nl **out) {
  return open_protocol(NETLINK_ROUTE, out);
}

int cnet_nl_open_netfilter(struct cnet_nl **out) {
  return open_protocol(NETLINK_NETFILTER, out);
}

struct open_in_netns {
  int nsfd;
  struct cnet_nl *nl;
  int rc;
};

static void *open_in_netns_thread(void *arg) {
  struct open_in_netns *job = arg;
  // This thread is discarded right after, so it never switches back.
  if (setns(job->nsfd, CLONE_NEWNET) < 0) {
    job->rc = -errno;
    return NULL;
  }
  job->rc = cnet_nl_open(&job->nl);
  return NULL;
}

int cnet_nl_open_in_netns(int nsfd, struct cnet_nl **out) {
  struct open_in_netns job = {.nsfd = nsfd, .nl = NULL, .rc = 0};
  pthread_t thread;
  int rc = pthread_create(&thread, NULL, open_in_netns_thread, &job);
  if (rc != 0) return -rc;
  rc = pthread_join(thread, NULL);
  if (rc != 0) return -rc;
  if (job.rc == 0) *out = job.nl;
  return job.rc;
}

void cnet_nl_close(struct cnet_nl *nl) {
  if (!nl) return;
  mnl_socket_close(nl->sock);
  free(nl);
}

uint32_t cnet_nl_portid(const struct cnet_nl *nl) { return nl->portid; }

int32_t cnet_nl_ifindex(const struct cnet_nl *nl, const char *name) {
  struct ifreq request;
  memset(&request, 0, sizeof(request));
  size_t length = strlen(name);
  if (length == 0 || length >= sizeof(request.ifr_name)) return -ENODEV;
  memcpy(request.ifr_name, name, length);
  if (ioctl(mnl_socket_get_fd(nl->sock), SIOCGIFINDEX, &request) < 0) return -errno;
  return request.ifr_ifindex;
}

int cnet_nl_send(struct cnet_nl *nl, const void *buf, size_t len) {
  ssize_t n;
  do {
    n = mnl_socket_sendto(nl->sock, buf, len);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  return 0;
}

ssize_t cnet_nl_recv(struct cnet_nl *nl, void *buf, size_t len) {
  ssize_t n;
  do {
    n = mnl_socket_recvfrom(nl->sock, buf, len);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  return n;
}
