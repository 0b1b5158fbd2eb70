// Address requests (`ip addr add|del|show`) and their parser.
#include "cnet_shim.h"
#include "nl_build.h"

#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

static size_t family_len(uint8_t family) {
  return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int cnet_msg_addr(void *buf, size_t size, uint32_t seq, int add,
                  const struct cnet_addr *a) {
  size_t len = family_len(a->family);
  if (!len) return -EAFNOSUPPORT;
  struct nl_builder b;
  uint16_t flags = NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
  struct ifaddrmsg *ifa = nlb_start(&b, buf, size, add ? RTM_NEWADDR : RTM_DELADDR,
                                    flags, seq, sizeof(struct ifaddrmsg));
  if (!ifa) return -EMSGSIZE;
  ifa->ifa_family = a->family;
  ifa->ifa_prefixlen = a->prefixlen;
  ifa->ifa_index = (uint32_t)a->ifindex;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  // IFA_LOCAL is the address; IFA_ADDRESS the peer, which for a plain
  // (not point-to-point) address is the same, as `ip addr add` sends it.
  nlb_bytes(&b, IFA_LOCAL, a->local, len);
  nlb_bytes(&b, IFA_ADDRESS, a->local, len);
  if (a->has_broadcast && a->family == AF_INET)
    nlb_bytes(&b, IFA_BROADCAST, a->broadcast, 4);
  if (a->flags) {
    ifa->ifa_flags = (uint8_t)a->flags;
    nlb_u32(&b, IFA_FLAGS, a->flags);
  }
  return nlb_finish(&b);
}

int cnet_msg_addr_dump(void *buf, size_t size, uint32_t seq, uint8_t family,
                       int32_t ifindex) {
  struct nl_builder b;
  struct ifaddrmsg *ifa = nlb_start(&b, buf, size, RTM_GETADDR, NLM_F_DUMP, seq,
                                    sizeof(struct ifaddrmsg));
  if (!ifa) return -EMSGSIZE;
  ifa->ifa_family = family;
  ifa->ifa_index = (uint32_t)ifindex;
  return nlb_finish(&b);
}

int cnet_parse_addr(const void *msg, struct cnet_addr_info *out) {
  const struct nlmsghdr *nlh = msg;
  memset(out, 0, sizeof(*out));
  if (nlh->nlmsg_type != RTM_NEWADDR ||
      nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct ifaddrmsg))
    return -EBADMSG;
  const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
  out->family = ifa->ifa_family;
  out->prefixlen = ifa->ifa_prefixlen;
  out->scope = ifa->ifa_scope;
  out->flags = ifa->ifa_flags;
  out->ifindex = (int32_t)ifa->ifa_index;

  const struct nlattr *tb[IFA_MAX + 1] = {0};
  struct nl_attr_table t = {tb, IFA_MAX};
  if (mnl_attr_parse(nlh, sizeof(*ifa), nl_keep_attr, &t) < 0) return -EBADMSG;
  const struct nlattr *local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
  if (local) nl_copy_bytes(out->address, sizeof(out->address), local);
  if (tb[IFA_LOCAL] && tb[IFA_ADDRESS] &&
      (mnl_attr_get_payload_len(tb[IFA_LOCAL]) != mnl_attr_get_payload_len(tb[IFA_ADDRESS]) ||
       memcmp(mnl_attr_get_payload(tb[IFA_LOCAL]), mnl_attr_get_payload(tb[IFA_ADDRESS]),
              mnl_attr_get_payload_len(tb[IFA_LOCAL])) != 0)) {
    nl_copy_bytes(out->peer, sizeof(out->peer), tb[IFA_ADDRESS]);
    out->has_peer = 1;
  }
  if (tb[IFA_BROADCAST]) {
    nl_copy_bytes(out->broadcast, sizeof(out->broadcast), tb[IFA_BROADCAST]);
    out->has_broadcast = 1;
  }
  if (tb[IFA_LABEL]) nl_copy_str(out->label, sizeof(out->label), tb[IFA_LABEL]);
  if (tb[IFA_FLAGS]) out->flags = nl_get_u32(tb[IFA_FLAGS]);
  if (tb[IFA_CACHEINFO] &&
      mnl_attr_get_payload_len(tb[IFA_CACHEINFO]) >= sizeof(struct ifa_cacheinfo)) {
    const struct ifa_cacheinfo *ci = mnl_attr_get_payload(tb[IFA_CACHEINFO]);
    out->valid_lft = ci->ifa_valid;
    out->preferred_lft = ci->ifa_prefered;
  } else {
    out->valid_lft = out->preferred_lft = 0xffffffffu;
  }
  return 0;
}
