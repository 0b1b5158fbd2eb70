// The functions of libmnl that cnet calls, compiled into cnet rather than
// loaded from libmnl.so.0 at every start.
//
// Why: each shared library costs every start of the program its mapping,
// relocation and symbol search: a C program linked with libc alone started
// about 0.2 ms sooner than the same program with libc, libm and libmnl,
// and scripts run cnet thousands of times. Debian ships libmnl only as a
// shared library, and what cnet uses of it is this: a socket wrapper and
// the bounds-checked walking and building of netlink messages and
// attributes. Names, prototypes and behaviour are libmnl's (1.0.4, the
// version libmnl-dev installs on Debian 12), so the rest of the shim reads
// as libmnl code; the prototypes and macros still come from
// <libmnl/libmnl.h> (libmnl-dev), so a prototype that drifted would not
// compile. Each function says what it checks, as libmnl's documentation
// does.
#include "cnet_shim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

// MARK: - Socket

struct mnl_socket {
  int fd;
  struct sockaddr_nl addr;  // as bound: nl_pid is the port ID the kernel chose
};

struct mnl_socket *mnl_socket_open2(int bus, int flags) {
  struct mnl_socket *nl = calloc(1, sizeof(*nl));
  if (!nl) return NULL;
  nl->fd = socket(AF_NETLINK, SOCK_RAW | flags, bus);
  if (nl->fd < 0) {
    free(nl);
    return NULL;
  }
  return nl;
}

// Binds to `groups` with port ID `pid` (MNL_SOCKET_AUTOPID: the kernel's
// choice) and reads back the address the kernel gave.
int mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid) {
  nl->addr.nl_family = AF_NETLINK;
  nl->addr.nl_groups = groups;
  nl->addr.nl_pid = (uint32_t)pid;
  if (bind(nl->fd, (struct sockaddr *)&nl->addr, sizeof(nl->addr)) < 0) return -1;
  socklen_t len = sizeof(nl->addr);
  if (getsockname(nl->fd, (struct sockaddr *)&nl->addr, &len) < 0) return -1;
  if (len != sizeof(nl->addr) || nl->addr.nl_family != AF_NETLINK) {
    errno = EINVAL;
    return -1;
  }
  return 0;
}

int mnl_socket_close(struct mnl_socket *nl) {
  int rc = close(nl->fd);
  free(nl);
  return rc;
}

int mnl_socket_get_fd(const struct mnl_socket *nl) { return nl->fd; }

unsigned int mnl_socket_get_portid(const struct mnl_socket *nl) { return nl->addr.nl_pid; }

// To the kernel (port 0).
ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t siz) {
  static const struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  return sendto(nl->fd, req, siz, 0, (const struct sockaddr *)&kernel, sizeof(kernel));
}

// One datagram; -1 with ENOSPC when it did not fit in `buf`.
ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t siz) {
  struct sockaddr_nl from;
  struct iovec iov = {.iov_base = buf, .iov_len = siz};
  struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1};
  ssize_t n = recvmsg(nl->fd, &msg, 0);
  if (n < 0) return n;
  if (msg.msg_flags & MSG_TRUNC) {
    errno = ENOSPC;
    return -1;
  }
  if (msg.msg_namelen != sizeof(from)) {
    errno = EINVAL;
    return -1;
  }
  return n;
}

int mnl_socket_setsockopt(const struct mnl_socket *nl, int type, void *buf, socklen_t len) {
  return setsockopt(nl->fd, SOL_NETLINK, type, buf, len);
}

// MARK: - Messages

// A cleared header in `buf`, its length the header's.
struct nlmsghdr *mnl_nlmsg_put_header(void *buf) {
  struct nlmsghdr *nlh = buf;
  memset(buf, 0, MNL_NLMSG_HDRLEN);
  nlh->nlmsg_len = MNL_NLMSG_HDRLEN;
  return nlh;
}

// `size` cleared bytes (aligned) after the header, for the family header.
void *mnl_nlmsg_put_extra_header(struct nlmsghdr *nlh, size_t size) {
  char *extra = (char *)nlh + nlh->nlmsg_len;
  nlh->nlmsg_len += MNL_ALIGN(size);
  memset(extra, 0, MNL_ALIGN(size));
  return extra;
}

void *mnl_nlmsg_get_payload(const struct nlmsghdr *nlh) { return (char *)nlh + MNL_NLMSG_HDRLEN; }

void *mnl_nlmsg_get_payload_offset(const struct nlmsghdr *nlh, size_t offset) {
  return (char *)nlh + MNL_NLMSG_HDRLEN + MNL_ALIGN(offset);
}

void *mnl_nlmsg_get_payload_tail(const struct nlmsghdr *nlh) { return (char *)nlh + MNL_ALIGN(nlh->nlmsg_len); }

// Whether a whole message with a sane length starts here, `len` bytes left.
bool mnl_nlmsg_ok(const struct nlmsghdr *nlh, int len) {
  return len >= (int)sizeof(struct nlmsghdr) && nlh->nlmsg_len >= sizeof(struct nlmsghdr) &&
         (int)nlh->nlmsg_len <= len;
}

struct nlmsghdr *mnl_nlmsg_next(const struct nlmsghdr *nlh, int *len) {
  *len -= (int)MNL_ALIGN(nlh->nlmsg_len);
  return (struct nlmsghdr *)((char *)nlh + MNL_ALIGN(nlh->nlmsg_len));
}

// A zero on either side (an event, or a caller not checking) matches.
bool mnl_nlmsg_seq_ok(const struct nlmsghdr *nlh, unsigned int seq) {
  return nlh->nlmsg_seq && seq ? nlh->nlmsg_seq == seq : true;
}

bool mnl_nlmsg_portid_ok(const struct nlmsghdr *nlh, unsigned int portid) {
  return nlh->nlmsg_pid && portid ? nlh->nlmsg_pid == portid : true;
}

// MARK: - Attributes, reading

uint16_t mnl_attr_get_type(const struct nlattr *attr) { return attr->nla_type & NLA_TYPE_MASK; }

uint16_t mnl_attr_get_payload_len(const struct nlattr *attr) { return (uint16_t)(attr->nla_len - MNL_ATTR_HDRLEN); }

void *mnl_attr_get_payload(const struct nlattr *attr) { return (char *)attr + MNL_ATTR_HDRLEN; }

uint8_t mnl_attr_get_u8(const struct nlattr *attr) { return *(const uint8_t *)mnl_attr_get_payload(attr); }

uint16_t mnl_attr_get_u16(const struct nlattr *attr) {
  uint16_t v;
  memcpy(&v, mnl_attr_get_payload(attr), sizeof(v));
  return v;
}

uint32_t mnl_attr_get_u32(const struct nlattr *attr) {
  uint32_t v;
  memcpy(&v, mnl_attr_get_payload(attr), sizeof(v));
  return v;
}

const char *mnl_attr_get_str(const struct nlattr *attr) { return mnl_attr_get_payload(attr); }

// Whether a whole attribute with a sane length starts here, `len` bytes left.
bool mnl_attr_ok(const struct nlattr *attr, int len) {
  return len >= (int)sizeof(struct nlattr) && attr->nla_len >= sizeof(struct nlattr) && (int)attr->nla_len <= len;
}

struct nlattr *mnl_attr_next(const struct nlattr *attr) {
  return (struct nlattr *)((char *)attr + MNL_ALIGN(attr->nla_len));
}

// Whether the payload fits `type`: at least its size (exactly, for the
// fixed-size integers), a NUL-terminated string, an empty flag.
int mnl_attr_validate(const struct nlattr *attr, enum mnl_attr_data_type type) {
  static const size_t fixed[MNL_TYPE_MAX] = {
      [MNL_TYPE_U8] = 1, [MNL_TYPE_U16] = 2, [MNL_TYPE_U32] = 4, [MNL_TYPE_U64] = 8, [MNL_TYPE_MSECS] = 8,
  };
  if ((unsigned)type >= MNL_TYPE_MAX) {
    errno = EINVAL;
    return -1;
  }
  size_t len = mnl_attr_get_payload_len(attr);
  const char *data = mnl_attr_get_payload(attr);
  size_t expected = fixed[type];
  if (len < expected) {
    errno = ERANGE;
    return -1;
  }
  switch (type) {
  case MNL_TYPE_FLAG:
    if (len > 0) {
      errno = ERANGE;
      return -1;
    }
    break;
  case MNL_TYPE_NUL_STRING:
    if (len == 0) {
      errno = ERANGE;
      return -1;
    }
    if (data[len - 1] != '\0') {
      errno = EINVAL;
      return -1;
    }
    break;
  case MNL_TYPE_STRING:
    if (len == 0) {
      errno = ERANGE;
      return -1;
    }
    break;
  case MNL_TYPE_NESTED:
    if (len != 0 && len < MNL_ATTR_HDRLEN) {
      errno = ERANGE;
      return -1;
    }
    break;
  default:
    break;
  }
  if (expected && len > expected) {
    errno = ERANGE;
    return -1;
  }
  return 0;
}

// Calls `cb` for each attribute after the family header (`offset` bytes),
// until one returns MNL_CB_STOP or MNL_CB_ERROR, which is returned.
int mnl_attr_parse(const struct nlmsghdr *nlh, unsigned int offset, mnl_attr_cb_t cb, void *data) {
  const struct nlattr *attr;
  int rc = MNL_CB_OK;
  mnl_attr_for_each(attr, nlh, offset) {
    if ((rc = cb(attr, data)) <= MNL_CB_STOP) return rc;
  }
  return rc;
}

int mnl_attr_parse_nested(const struct nlattr *nested, mnl_attr_cb_t cb, void *data) {
  const struct nlattr *attr;
  int rc = MNL_CB_OK;
  mnl_attr_for_each_nested(attr, nested) {
    if ((rc = cb(attr, data)) <= MNL_CB_STOP) return rc;
  }
  return rc;
}

// MARK: - Attributes, writing

// Appends an attribute when it fits in `buflen`; false (and nothing
// written) when it does not. Padding is left as it was: nl_build.h clears
// it, as libmnl 1.0.4 does not.
bool mnl_attr_put_check(struct nlmsghdr *nlh, size_t buflen, uint16_t type, size_t len, const void *data) {
  if (MNL_ALIGN(nlh->nlmsg_len) + MNL_ATTR_HDRLEN + MNL_ALIGN(len) > buflen) return false;
  struct nlattr *attr = mnl_nlmsg_get_payload_tail(nlh);
  attr->nla_type = type;
  attr->nla_len = (uint16_t)(MNL_ATTR_HDRLEN + len);
  memcpy(mnl_attr_get_payload(attr), data, len);
  nlh->nlmsg_len += MNL_ALIGN(attr->nla_len);
  return true;
}

bool mnl_attr_put_u8_check(struct nlmsghdr *nlh, size_t buflen, uint16_t type, uint8_t data) {
  return mnl_attr_put_check(nlh, buflen, type, sizeof(data), &data);
}

bool mnl_attr_put_u16_check(struct nlmsghdr *nlh, size_t buflen, uint16_t type, uint16_t data) {
  return mnl_attr_put_check(nlh, buflen, type, sizeof(data), &data);
}

bool mnl_attr_put_u32_check(struct nlmsghdr *nlh, size_t buflen, uint16_t type, uint32_t data) {
  return mnl_attr_put_check(nlh, buflen, type, sizeof(data), &data);
}

bool mnl_attr_put_strz_check(struct nlmsghdr *nlh, size_t buflen, uint16_t type, const char *data) {
  return mnl_attr_put_check(nlh, buflen, type, strlen(data) + 1, data);
}

// Opens a nested attribute (NLA_F_NESTED set) when its header fits; NULL
// otherwise. mnl_attr_nest_end sets its length once its contents are in.
struct nlattr *mnl_attr_nest_start_check(struct nlmsghdr *nlh, size_t buflen, uint16_t type) {
  if (MNL_ALIGN(nlh->nlmsg_len) + MNL_ATTR_HDRLEN > buflen) return NULL;
  struct nlattr *start = mnl_nlmsg_get_payload_tail(nlh);
  start->nla_type = NLA_F_NESTED | type;
  nlh->nlmsg_len += MNL_ATTR_HDRLEN;
  return start;
}

void mnl_attr_nest_end(struct nlmsghdr *nlh, struct nlattr *start) {
  start->nla_len = (uint16_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)start);
}
