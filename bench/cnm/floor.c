// The floor: what a connect and a disconnect cost when one long-lived C
// process makes the same kernel changes with the same netlink messages
// (cnet's own shim), with no process start, no parsing, no store and no
// files. Per container: a named namespace (unshare on a thread, bind-mounted
// under /var/run/netns), lo up, a veth with its peer born in the namespace
// on the bridge, both ends up without IPv6 addresses of their own, the
// peer's address, the default route. Teardown:
// the name is unmounted and removed, and the kernel reaps the rest.
//
//   floor BRIDGE PREFIX COUNT   (PREFIX: the /16's first two octets, "10.70")
// Prints "connect NS" and "disconnect NS" lines, one per container.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cnet_shim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static unsigned char request[CNET_NL_REQUEST_SIZE];
static unsigned char reply[CNET_NL_RECEIVE_SIZE];
static uint32_t sequence = 1;

// A new namespace with a socket inside, made on a thread of its own, as
// cnet's PendingNamespace makes one (unshare moves only that thread).
struct creation {
  int fd;
  struct cnet_nl *nl;
  int rc;
};

static void *create_thread(void *arg) {
  struct creation *c = arg;
  c->rc = cnet_netns_unshare_here(&c->fd);
  if (c->rc == 0) c->rc = cnet_nl_open(&c->nl);
  return NULL;
}

static int create_netns(int *fd, struct cnet_nl **nl) {
  struct creation c = {.fd = -1, .nl = NULL, .rc = 0};
  pthread_t thread;
  int rc = pthread_create(&thread, NULL, create_thread, &c);
  if (rc != 0) return -rc;
  pthread_join(thread, NULL);
  *fd = c.fd;
  *nl = c.nl;
  return c.rc;
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what, int rc) {
  fprintf(stderr, "floor: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
  exit(1);
}

struct found { int32_t ifindex; };

static void on_link(const void *nlh, void *ctx) {
  struct cnet_link_info info;
  if (cnet_parse_link(nlh, &info) == 0) ((struct found *)ctx)->ifindex = info.ifindex;
}

// Sends the request in `request` and reads the reply to its end.
static void talk(struct cnet_nl *nl, int len, cnet_nl_message_cb cb, void *ctx, const char *what) {
  if (len < 0) die(what, len);
  int rc = cnet_nl_send(nl, request, (size_t)len);
  if (rc) die(what, rc);
  struct cnet_nl_status status = {0};
  for (;;) {
    ssize_t n = cnet_nl_recv(nl, reply, sizeof(reply));
    if (n < 0) die(what, (int)n);
    rc = cnet_nl_process(reply, (size_t)n, sequence, cnet_nl_portid(nl), cb, ctx, &status);
    if (rc == 1) continue;
    if (rc < 0) die(what, rc);
    break;
  }
  sequence++;
}

static int32_t ifindex(struct cnet_nl *nl, const char *name) {
  struct found f = {0};
  talk(nl, cnet_msg_link_get(request, sizeof(request), sequence, name), on_link, &f, name);
  return f.ifindex;
}

static void set_up(struct cnet_nl *nl, int32_t index) {
  struct cnet_link_attrs a;
  cnet_link_attrs_init(&a);
  a.ifindex = index;
  a.up = 1;
  talk(nl, cnet_msg_link_set(request, sizeof(request), sequence, &a), NULL, NULL, "link up");
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: floor BRIDGE PREFIX COUNT\n");
    return 2;
  }
  const char *bridge = argv[1];
  const char *prefix = argv[2];
  int count = atoi(argv[3]);
  struct cnet_nl *host;
  int rc = cnet_nl_open(&host);
  if (rc) die("netlink", rc);
  int32_t bridge_index = ifindex(host, bridge);
  mkdir("/var/run/netns", 0755);
  // As ip netns add does once: a shared mount point.
  if (mount("", "/var/run/netns", "none", MS_SHARED | MS_REC, NULL) != 0) {
    mount("/var/run/netns", "/var/run/netns", "none", MS_BIND | MS_REC, NULL);
    mount("", "/var/run/netns", "none", MS_SHARED | MS_REC, NULL);
  }
  char gateway[32];
  snprintf(gateway, sizeof(gateway), "%s.0.1", prefix);

  for (int i = 0; i < count; i++) {
    char name[64], path[128], veth[16], proc[64], address[32];
    snprintf(name, sizeof(name), "f%d", i);
    snprintf(path, sizeof(path), "/var/run/netns/%s", name);
    snprintf(veth, sizeof(veth), "fv%d", i);
    snprintf(address, sizeof(address), "%s.%d.%d", prefix, (i + 2) / 250, (i + 2) % 250 + 1);
    long long start = now_ns();

    int fd;
    struct cnet_nl *inside;
    if ((rc = create_netns(&fd, &inside))) die("netns", rc);
    int placeholder = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (placeholder < 0) die(path, errno);
    close(placeholder);
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    if (mount(proc, path, "none", MS_BIND, NULL) != 0) die("bind", errno);
    set_up(inside, 1);

    struct cnet_link_attrs a, peer;
    cnet_link_attrs_init(&a);
    cnet_link_attrs_init(&peer);
    a.ifname = veth;
    a.master = bridge_index;
    peer.ifname = "eth0";
    peer.netns_fd = fd;
    struct cnet_link_kind kind = {.kind = "veth", .veth_peer = &peer, .macvlan_mode = -1};
    talk(host, cnet_msg_link_add(request, sizeof(request), sequence, &a, &kind), NULL, NULL, "veth");
    // As cnet: the host end up with its owner mark and no IPv6 addresses
    // (the kernel ignores both on creation); the peer's index by ioctl, its
    // addrgenmode, then the peer up (BridgeDriver.join says why in two).
    cnet_link_attrs_init(&a);
    a.ifname = veth;
    a.up = 1;
    a.alias = "cnet:endpoint:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    a.addr_gen_mode = 1;
    talk(host, cnet_msg_link_set(request, sizeof(request), sequence, &a), NULL, NULL, "veth up");

    int32_t eth0 = cnet_nl_ifindex(inside, "eth0");
    if (eth0 <= 0) die("eth0", eth0);
    cnet_link_attrs_init(&a);
    a.ifindex = eth0;
    a.addr_gen_mode = 1;
    talk(inside, cnet_msg_link_set(request, sizeof(request), sequence, &a), NULL, NULL, "eth0 addrgenmode");
    cnet_link_attrs_init(&a);
    a.ifindex = eth0;
    a.up = 1;
    talk(inside, cnet_msg_link_set(request, sizeof(request), sequence, &a), NULL, NULL, "eth0 up");
    struct cnet_addr addr = {.family = AF_INET, .prefixlen = 16, .ifindex = eth0};
    inet_pton(AF_INET, address, addr.local);
    talk(inside, cnet_msg_addr(request, sizeof(request), sequence, 1, &addr), NULL, NULL, "address");
    struct cnet_route route = {.family = AF_INET, .has_gateway = 1, .oif = eth0};
    inet_pton(AF_INET, gateway, route.gateway);
    talk(inside, cnet_msg_route(request, sizeof(request), sequence, 1, &route), NULL, NULL, "route");
    cnet_nl_close(inside);
    close(fd);
    printf("connect %lld\n", now_ns() - start);
  }
  for (int i = 0; i < count; i++) {
    char path[128];
    snprintf(path, sizeof(path), "/var/run/netns/f%d", i);
    long long start = now_ns();
    umount2(path, MNT_DETACH);
    if (unlink(path) != 0) die(path, errno);
    printf("disconnect %lld\n", now_ns() - start);
  }
  cnet_nl_close(host);
  return 0;
}
