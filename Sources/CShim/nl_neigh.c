// Neighbour and forwarding-database requests (`ip neigh`, `bridge fdb`)
// and their parser: what an overlay network's VXLAN device needs for each
// remote endpoint (its IP to its MAC; its MAC to its host's VTEP).
#include "cnet_shim.h"
#include "nl_build.h"

#include <sys/socket.h>

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

static size_t dst_len(uint8_t len) { return len == 4 || len == 16 ? len : 0; }

static struct ndmsg *start(struct nl_builder *b, void *buf, size_t size, uint16_t type, uint16_t flags,
                           uint32_t seq, const struct cnet_neigh *n) {
  struct ndmsg *nd = nlb_start(b, buf, size, type, flags, seq, sizeof(struct ndmsg));
  if (!nd) return NULL;
  nd->ndm_family = n->family;
  nd->ndm_ifindex = n->ifindex;
  nd->ndm_state = n->state;
  nd->ndm_flags = n->flags;
  return nd;
}

int cnet_msg_neigh_set(void *buf, size_t size, uint32_t seq, const struct cnet_neigh *n) {
  struct nl_builder b;
  // Replace, not add: an address can move to another host, and its entry
  // then changes in place.
  if (!start(&b, buf, size, RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, seq, n)) return -EMSGSIZE;
  if (dst_len(n->dst_len)) nlb_bytes(&b, NDA_DST, n->dst, n->dst_len);
  if (n->has_lladdr) nlb_bytes(&b, NDA_LLADDR, n->lladdr, 6);
  return nlb_finish(&b);
}

int cnet_msg_neigh_del(void *buf, size_t size, uint32_t seq, const struct cnet_neigh *n) {
  struct nl_builder b;
  if (!start(&b, buf, size, RTM_DELNEIGH, NLM_F_ACK, seq, n)) return -EMSGSIZE;
  if (dst_len(n->dst_len)) nlb_bytes(&b, NDA_DST, n->dst, n->dst_len);
  if (n->has_lladdr) nlb_bytes(&b, NDA_LLADDR, n->lladdr, 6);
  return nlb_finish(&b);
}

int cnet_msg_neigh_dump(void *buf, size_t size, uint32_t seq, uint8_t family, int32_t ifindex) {
  struct nl_builder b;
  struct ndmsg *nd = nlb_start(&b, buf, size, RTM_GETNEIGH, NLM_F_DUMP, seq, sizeof(struct ndmsg));
  if (!nd) return -EMSGSIZE;
  nd->ndm_family = family;
  // With strict checking on the socket, the kernel honours the filter.
  if (ifindex > 0) nlb_u32(&b, NDA_IFINDEX, (uint32_t)ifindex);
  return nlb_finish(&b);
}

int cnet_parse_neigh(const void *msg, struct cnet_neigh *out) {
  const struct nlmsghdr *nlh = msg;
  memset(out, 0, sizeof(*out));
  if (nlh->nlmsg_type != RTM_NEWNEIGH || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct ndmsg)) return -EBADMSG;
  const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
  out->family = nd->ndm_family;
  out->ifindex = nd->ndm_ifindex;
  out->state = nd->ndm_state;
  out->flags = nd->ndm_flags;
  const struct nlattr *tb[NDA_MAX + 1] = {0};
  struct nl_attr_table t = {tb, NDA_MAX};
  if (mnl_attr_parse(nlh, sizeof(*nd), nl_keep_attr, &t) < 0) return -EBADMSG;
  if (tb[NDA_DST]) {
    uint16_t len = mnl_attr_get_payload_len(tb[NDA_DST]);
    if (len == 4 || len == 16) {
      memcpy(out->dst, mnl_attr_get_payload(tb[NDA_DST]), len);
      out->dst_len = (uint8_t)len;
    }
  }
  if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6) {
    memcpy(out->lladdr, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
    out->has_lladdr = 1;
  }
  return 0;
}
