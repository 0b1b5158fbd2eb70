// Link requests (`ip link add|set|del|show`) and the parser for the
// kernel's link descriptions.
#include "cnet_shim.h"
#include "nl_build.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

void cnet_link_attrs_init(struct cnet_link_attrs *a) {
  memset(a, 0, sizeof(*a));
  a->master = -1;
  a->netns_fd = -1;
  a->up = -1;
  a->addr_gen_mode = -1;
}

// The attributes every link request may carry, in the order `ip` sends them.
static void put_common(struct nl_builder *b, struct ifinfomsg *ifi,
                       const struct cnet_link_attrs *a) {
  if (!b->ok) return;
  ifi->ifi_index = a->ifindex;
  if (a->up >= 0) {
    ifi->ifi_change |= IFF_UP;
    if (a->up) ifi->ifi_flags |= IFF_UP;
  }
  if (a->ifname) nlb_str(b, IFLA_IFNAME, a->ifname);
  if (a->mtu) nlb_u32(b, IFLA_MTU, a->mtu);
  if (a->address) nlb_bytes(b, IFLA_ADDRESS, a->address, a->address_len);
  if (a->master >= 0) nlb_u32(b, IFLA_MASTER, (uint32_t)a->master);
  if (a->netns_fd >= 0) nlb_u32(b, IFLA_NET_NS_FD, (uint32_t)a->netns_fd);
  // The alias is sent without a NUL, as `ip link set alias` does.
  if (a->alias) nlb_bytes(b, IFLA_IFALIAS, a->alias, strlen(a->alias));
  if (a->link) nlb_u32(b, IFLA_LINK, (uint32_t)a->link);
  if (a->addr_gen_mode >= 0) {
    struct nlattr *spec = nlb_nest(b, IFLA_AF_SPEC);
    struct nlattr *inet6 = nlb_nest(b, AF_INET6);
    nlb_u8(b, IFLA_INET6_ADDR_GEN_MODE, (uint8_t)a->addr_gen_mode);
    nlb_end(b, inet6);
    nlb_end(b, spec);
  }
}

// VETH_INFO_PEER holds a whole ifinfomsg followed by the peer's attributes:
// the peer is created with its final name directly in its namespace.
static void put_veth_peer(struct nl_builder *b, const struct cnet_link_attrs *peer) {
  struct nlattr *nest = nlb_nest(b, VETH_INFO_PEER);
  if (!b->ok) return;
  if (b->nlh->nlmsg_len + MNL_ALIGN(sizeof(struct ifinfomsg)) > b->size) {
    b->ok = 0;
    return;
  }
  struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(b->nlh, sizeof(*ifi));
  put_common(b, ifi, peer);
  nlb_end(b, nest);
}

static void put_vxlan(struct nl_builder *b, const struct cnet_vxlan *v) {
  nlb_u32(b, IFLA_VXLAN_ID, v->vni);
  if (v->local_len == 4) nlb_bytes(b, IFLA_VXLAN_LOCAL, v->local, 4);
  if (v->local_len == 16) nlb_bytes(b, IFLA_VXLAN_LOCAL6, v->local, 16);
  if (v->remote_len == 4) nlb_bytes(b, IFLA_VXLAN_GROUP, v->remote, 4);
  if (v->remote_len == 16) nlb_bytes(b, IFLA_VXLAN_GROUP6, v->remote, 16);
  if (v->dev) nlb_u32(b, IFLA_VXLAN_LINK, (uint32_t)v->dev);
  // The port travels in network byte order.
  if (v->port) nlb_u16(b, IFLA_VXLAN_PORT, htons(v->port));
  if (v->learning >= 0) nlb_u8(b, IFLA_VXLAN_LEARNING, (uint8_t)v->learning);
  if (v->proxy >= 0) nlb_u8(b, IFLA_VXLAN_PROXY, (uint8_t)v->proxy);
}

int cnet_msg_link_add(void *buf, size_t size, uint32_t seq,
                      const struct cnet_link_attrs *a,
                      const struct cnet_link_kind *k) {
  struct nl_builder b;
  struct ifinfomsg *ifi =
      nlb_start(&b, buf, size, RTM_NEWLINK,
                NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, seq, sizeof(*ifi));
  put_common(&b, ifi, a);
  struct nlattr *linkinfo = nlb_nest(&b, IFLA_LINKINFO);
  nlb_str(&b, IFLA_INFO_KIND, k->kind);
  int has_data = (k->veth_peer && strcmp(k->kind, "veth") == 0) ||
                 (k->vxlan && strcmp(k->kind, "vxlan") == 0) ||
                 (k->macvlan_mode >= 0 && strcmp(k->kind, "macvlan") == 0);
  if (has_data) {
    struct nlattr *data = nlb_nest(&b, IFLA_INFO_DATA);
    if (strcmp(k->kind, "veth") == 0) put_veth_peer(&b, k->veth_peer);
    if (strcmp(k->kind, "vxlan") == 0) put_vxlan(&b, k->vxlan);
    if (strcmp(k->kind, "macvlan") == 0)
      nlb_u32(&b, IFLA_MACVLAN_MODE, (uint32_t)k->macvlan_mode);
    nlb_end(&b, data);
  }
  nlb_end(&b, linkinfo);
  return nlb_finish(&b);
}

int cnet_msg_link_set(void *buf, size_t size, uint32_t seq,
                      const struct cnet_link_attrs *a) {
  struct nl_builder b;
  struct ifinfomsg *ifi =
      nlb_start(&b, buf, size, RTM_NEWLINK, NLM_F_ACK, seq, sizeof(*ifi));
  put_common(&b, ifi, a);
  return nlb_finish(&b);
}

int cnet_msg_bridge_port_hairpin(void *buf, size_t size, uint32_t seq, int32_t ifindex, int on) {
  struct nl_builder b;
  struct ifinfomsg *ifi = nlb_start(&b, buf, size, RTM_SETLINK, NLM_F_ACK, seq, sizeof(*ifi));
  if (ifi) {
    ifi->ifi_family = AF_BRIDGE;
    ifi->ifi_index = ifindex;
  }
  struct nlattr *info = nlb_nest(&b, IFLA_PROTINFO);
  nlb_u8(&b, IFLA_BRPORT_MODE, on ? 1 : 0);
  nlb_end(&b, info);
  return nlb_finish(&b);
}

int cnet_msg_link_del(void *buf, size_t size, uint32_t seq, int32_t ifindex) {
  struct nl_builder b;
  struct ifinfomsg *ifi =
      nlb_start(&b, buf, size, RTM_DELLINK, NLM_F_ACK, seq, sizeof(*ifi));
  if (ifi) ifi->ifi_index = ifindex;
  return nlb_finish(&b);
}

int cnet_msg_link_get(void *buf, size_t size, uint32_t seq, const char *ifname) {
  struct nl_builder b;
  // A single get is acked after its answer, so the reply has a clear end.
  uint16_t flags = ifname ? NLM_F_ACK : NLM_F_DUMP;
  nlb_start(&b, buf, size, RTM_GETLINK, flags, seq, sizeof(struct ifinfomsg));
  if (ifname) nlb_str(&b, IFLA_IFNAME, ifname);
  return nlb_finish(&b);
}

int cnet_parse_link(const void *msg, struct cnet_link_info *out) {
  const struct nlmsghdr *nlh = msg;
  memset(out, 0, sizeof(*out));
  out->link_netnsid = -1;
  if (nlh->nlmsg_type != RTM_NEWLINK ||
      nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct ifinfomsg))
    return -EBADMSG;
  const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
  out->ifindex = ifi->ifi_index;
  out->flags = ifi->ifi_flags;
  out->type = ifi->ifi_type;

  const struct nlattr *tb[IFLA_MAX + 1] = {0};
  struct nl_attr_table t = {tb, IFLA_MAX};
  if (mnl_attr_parse(nlh, sizeof(*ifi), nl_keep_attr, &t) < 0) return -EBADMSG;
  if (tb[IFLA_IFNAME]) nl_copy_str(out->ifname, sizeof(out->ifname), tb[IFLA_IFNAME]);
  if (tb[IFLA_MTU]) out->mtu = nl_get_u32(tb[IFLA_MTU]);
  if (tb[IFLA_MASTER]) out->master = (int32_t)nl_get_u32(tb[IFLA_MASTER]);
  if (tb[IFLA_LINK]) out->link = (int32_t)nl_get_u32(tb[IFLA_LINK]);
  if (tb[IFLA_LINK_NETNSID])
    out->link_netnsid = (int32_t)nl_get_u32(tb[IFLA_LINK_NETNSID]);
  if (tb[IFLA_OPERSTATE]) out->operstate = nl_get_u8(tb[IFLA_OPERSTATE]);
  if (tb[IFLA_ADDRESS])
    out->address_len = nl_copy_bytes(out->address, sizeof(out->address), tb[IFLA_ADDRESS]);
  if (tb[IFLA_BROADCAST])
    out->broadcast_len = nl_copy_bytes(out->broadcast, sizeof(out->broadcast), tb[IFLA_BROADCAST]);
  if (tb[IFLA_IFALIAS]) nl_copy_str(out->alias, sizeof(out->alias), tb[IFLA_IFALIAS]);
  if (tb[IFLA_LINKINFO]) {
    const struct nlattr *info[IFLA_INFO_MAX + 1] = {0};
    struct nl_attr_table it = {info, IFLA_INFO_MAX};
    if (mnl_attr_parse_nested(tb[IFLA_LINKINFO], nl_keep_attr, &it) >= 0 &&
        info[IFLA_INFO_KIND])
      nl_copy_str(out->kind, sizeof(out->kind), info[IFLA_INFO_KIND]);
  }
  return 0;
}
