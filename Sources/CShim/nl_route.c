// Route requests (`ip route add|del|show`) and their parser.
#include "cnet_shim.h"
#include "nl_build.h"

#include <sys/socket.h>

#include <linux/rtnetlink.h>

static size_t family_len(uint8_t family) {
  return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int cnet_msg_route(void *buf, size_t size, uint32_t seq, int add,
                   const struct cnet_route *r) {
  size_t len = family_len(r->family);
  if (!len) return -EAFNOSUPPORT;
  struct nl_builder b;
  uint16_t flags = NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
  struct rtmsg *rtm = nlb_start(&b, buf, size, add ? RTM_NEWROUTE : RTM_DELROUTE,
                                flags, seq, sizeof(struct rtmsg));
  if (!rtm) return -EMSGSIZE;
  uint32_t table = r->table ? r->table : RT_TABLE_MAIN;
  rtm->rtm_family = r->family;
  rtm->rtm_dst_len = r->dst_len;
  rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
  if (add) {
    // What `ip route add` sends: proto boot, unicast, and link scope for a
    // route without a gateway (the destination is on the link).
    rtm->rtm_protocol = RTPROT_BOOT;
    rtm->rtm_type = RTN_UNICAST;
    rtm->rtm_scope = r->has_gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  } else {
    // Scope "nowhere" matches a route of any scope, as `ip route del` does.
    rtm->rtm_scope = RT_SCOPE_NOWHERE;
  }
  if (table >= 256) nlb_u32(&b, RTA_TABLE, table);
  if (r->dst_len) nlb_bytes(&b, RTA_DST, r->dst, len);
  if (r->has_gateway) nlb_bytes(&b, RTA_GATEWAY, r->gateway, len);
  if (r->oif) nlb_u32(&b, RTA_OIF, (uint32_t)r->oif);
  if (r->has_metric) nlb_u32(&b, RTA_PRIORITY, r->metric);
  return nlb_finish(&b);
}

int cnet_msg_route_dump(void *buf, size_t size, uint32_t seq, uint8_t family) {
  struct nl_builder b;
  struct rtmsg *rtm = nlb_start(&b, buf, size, RTM_GETROUTE, NLM_F_DUMP, seq,
                                sizeof(struct rtmsg));
  if (!rtm) return -EMSGSIZE;
  rtm->rtm_family = family;
  return nlb_finish(&b);
}

int cnet_parse_route(const void *msg, struct cnet_route_info *out) {
  const struct nlmsghdr *nlh = msg;
  memset(out, 0, sizeof(*out));
  if (nlh->nlmsg_type != RTM_NEWROUTE ||
      nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct rtmsg))
    return -EBADMSG;
  const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
  out->family = rtm->rtm_family;
  out->dst_len = rtm->rtm_dst_len;
  out->src_len = rtm->rtm_src_len;
  out->protocol = rtm->rtm_protocol;
  out->scope = rtm->rtm_scope;
  out->type = rtm->rtm_type;
  out->flags = rtm->rtm_flags;
  out->table = rtm->rtm_table;

  const struct nlattr *tb[RTA_MAX + 1] = {0};
  struct nl_attr_table t = {tb, RTA_MAX};
  if (mnl_attr_parse(nlh, sizeof(*rtm), nl_keep_attr, &t) < 0) return -EBADMSG;
  if (tb[RTA_TABLE]) out->table = nl_get_u32(tb[RTA_TABLE]);
  if (tb[RTA_DST]) {
    nl_copy_bytes(out->dst, sizeof(out->dst), tb[RTA_DST]);
    out->has_dst = 1;
  }
  if (tb[RTA_GATEWAY]) {
    nl_copy_bytes(out->gateway, sizeof(out->gateway), tb[RTA_GATEWAY]);
    out->has_gateway = 1;
  }
  if (tb[RTA_PREFSRC]) {
    nl_copy_bytes(out->prefsrc, sizeof(out->prefsrc), tb[RTA_PREFSRC]);
    out->has_prefsrc = 1;
  }
  if (tb[RTA_OIF]) out->oif = (int32_t)nl_get_u32(tb[RTA_OIF]);
  if (tb[RTA_PRIORITY]) {
    out->metric = nl_get_u32(tb[RTA_PRIORITY]);
    out->has_metric = 1;
  }
  return 0;
}
