// Netfilter messages on NETLINK_NETFILTER: probes of nftables tables,
// chains and rules (cnet's own, and the tables of iptables-nft and
// firewalld, whose forward policies decide whether cnet's traffic passes),
// the conntrack dump and delete that flushing a UDP port needs, and set
// element batches. Every message starts with a nfgenmsg after the netlink
// header.
#include "cnet_shim.h"
#include "nl_build.h"

#include <arpa/inet.h>
#include <endian.h>
#include <sys/socket.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

static void put_nfgen(struct nfgenmsg *g, uint8_t family) {
  if (!g) return;
  g->nfgen_family = family;
  g->version = NFNETLINK_V0;
  g->res_id = 0;
}

int cnet_msg_nft_get_table(void *buf, size_t size, uint32_t seq, uint8_t family, const char *name) {
  struct nl_builder b;
  put_nfgen(nlb_start(&b, buf, size, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, NLM_F_ACK, seq,
                      sizeof(struct nfgenmsg)), family);
  nlb_str(&b, NFTA_TABLE_NAME, name);
  return nlb_finish(&b);
}

int cnet_msg_nft_get_set(void *buf, size_t size, uint32_t seq, uint8_t family, const char *table, const char *set) {
  struct nl_builder b;
  put_nfgen(nlb_start(&b, buf, size, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETSET, NLM_F_ACK, seq,
                      sizeof(struct nfgenmsg)), family);
  nlb_str(&b, NFTA_SET_TABLE, table);
  nlb_str(&b, NFTA_SET_NAME, set);
  return nlb_finish(&b);
}

int cnet_msg_nft_dump_tables(void *buf, size_t size, uint32_t seq) {
  struct nl_builder b;
  put_nfgen(nlb_start(&b, buf, size, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, NLM_F_DUMP, seq,
                      sizeof(struct nfgenmsg)), NFPROTO_UNSPEC);
  return nlb_finish(&b);
}

// The family header of an nftables message of `type`, or NULL.
static const struct nfgenmsg *nft_header(const struct nlmsghdr *nlh, uint16_t type) {
  if (nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | type) ||
      nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))
    return NULL;
  return mnl_nlmsg_get_payload(nlh);
}

int cnet_parse_nft_table(const void *msg, struct cnet_nft_table *out) {
  const struct nlmsghdr *nlh = msg;
  memset(out, 0, sizeof(*out));
  const struct nfgenmsg *g = nft_header(nlh, NFT_MSG_NEWTABLE);
  if (!g) return -EBADMSG;
  out->family = g->nfgen_family;
  const struct nlattr *tb[NFTA_TABLE_MAX + 1] = {0};
  struct nl_attr_table t = {tb, NFTA_TABLE_MAX};
  if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), nl_keep_attr, &t) < 0 || !tb[NFTA_TABLE_NAME]) return -EBADMSG;
  nl_copy_str(out->name, sizeof(out->name), tb[NFTA_TABLE_NAME]);
  if (tb[NFTA_TABLE_HANDLE] && mnl_attr_get_payload_len(tb[NFTA_TABLE_HANDLE]) >= 8) {
    uint64_t handle;
    memcpy(&handle, mnl_attr_get_payload(tb[NFTA_TABLE_HANDLE]), sizeof(handle));
    out->handle = be64toh(handle);
  }
  return 0;
}

int cnet_msg_nft_dump_chains(void *buf, size_t size, uint32_t seq, uint8_t family, const char *table) {
  struct nl_builder b;
  put_nfgen(nlb_start(&b, buf, size, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETCHAIN, NLM_F_DUMP, seq,
                      sizeof(struct nfgenmsg)), family);
  nlb_str(&b, NFTA_CHAIN_TABLE, table);
  return nlb_finish(&b);
}

int cnet_parse_nft_chain(const void *msg, struct cnet_nft_chain *out) {
  const struct nlmsghdr *nlh = msg;
  memset(out, 0, sizeof(*out));
  out->policy = -1;
  if (!nft_header(nlh, NFT_MSG_NEWCHAIN)) return -EBADMSG;
  const struct nlattr *tb[NFTA_CHAIN_MAX + 1] = {0};
  struct nl_attr_table t = {tb, NFTA_CHAIN_MAX};
  if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), nl_keep_attr, &t) < 0 || !tb[NFTA_CHAIN_NAME] ||
      !tb[NFTA_CHAIN_TABLE])
    return -EBADMSG;
  nl_copy_str(out->table, sizeof(out->table), tb[NFTA_CHAIN_TABLE]);
  nl_copy_str(out->name, sizeof(out->name), tb[NFTA_CHAIN_NAME]);
  if (tb[NFTA_CHAIN_POLICY]) out->policy = (int32_t)ntohl(nl_get_u32(tb[NFTA_CHAIN_POLICY]));
  if (tb[NFTA_CHAIN_USE]) out->use = ntohl(nl_get_u32(tb[NFTA_CHAIN_USE]));
  return 0;
}

int cnet_msg_nft_dump_rules(void *buf, size_t size, uint32_t seq, uint8_t family, const char *table,
                            const char *chain) {
  struct nl_builder b;
  put_nfgen(nlb_start(&b, buf, size, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE, NLM_F_DUMP, seq,
                      sizeof(struct nfgenmsg)), family);
  nlb_str(&b, NFTA_RULE_TABLE, table);
  nlb_str(&b, NFTA_RULE_CHAIN, chain);
  return nlb_finish(&b);
}

// A comment iptables-nft wrote: an expression "match" whose data names
// the xt match "comment" and carries its info, struct xt_comment_info (a
// NUL-padded string of at most 256 bytes).
static int xt_comment(const struct nlattr *expression, char *comment, size_t size) {
  const struct nlattr *tb[NFTA_EXPR_MAX + 1] = {0};
  struct nl_attr_table t = {tb, NFTA_EXPR_MAX};
  if (mnl_attr_parse_nested(expression, nl_keep_attr, &t) < 0 || !tb[NFTA_EXPR_NAME] || !tb[NFTA_EXPR_DATA]) return 0;
  char name[16];
  nl_copy_str(name, sizeof(name), tb[NFTA_EXPR_NAME]);
  if (strcmp(name, "match") != 0) return 0;
  const struct nlattr *data[NFTA_MATCH_MAX + 1] = {0};
  struct nl_attr_table d = {data, NFTA_MATCH_MAX};
  if (mnl_attr_parse_nested(tb[NFTA_EXPR_DATA], nl_keep_attr, &d) < 0 || !data[NFTA_MATCH_NAME] ||
      !data[NFTA_MATCH_INFO])
    return 0;
  char match[32];
  nl_copy_str(match, sizeof(match), data[NFTA_MATCH_NAME]);
  if (strcmp(match, "comment") != 0) return 0;
  nl_copy_str(comment, size, data[NFTA_MATCH_INFO]);
  return 1;
}

// A comment nft wrote: in the rule's user data, a list of (type, length,
// value) records, type 0 (NFTNL_UDATA_RULE_COMMENT) a NUL-terminated string.
static int udata_comment(const struct nlattr *udata, char *comment, size_t size) {
  const uint8_t *p = mnl_attr_get_payload(udata);
  size_t left = mnl_attr_get_payload_len(udata);
  while (left >= 2) {
    uint8_t type = p[0], len = p[1];
    if ((size_t)len + 2 > left) return 0;
    if (type == 0 && len > 0 && size > 0) {
      size_t n = strnlen((const char *)p + 2, len);
      if (n >= size) n = size - 1;
      memcpy(comment, p + 2, n);
      comment[n] = '\0';
      return 1;
    }
    p += 2 + len;
    left -= 2 + (size_t)len;
  }
  return 0;
}

int cnet_parse_nft_rule_comment(const void *msg, char *chain, size_t chain_size, char *comment, size_t size) {
  const struct nlmsghdr *nlh = msg;
  if (size > 0) comment[0] = '\0';
  if (chain_size > 0) chain[0] = '\0';
  if (!nft_header(nlh, NFT_MSG_NEWRULE)) return -EBADMSG;
  const struct nlattr *tb[NFTA_RULE_MAX + 1] = {0};
  struct nl_attr_table t = {tb, NFTA_RULE_MAX};
  if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), nl_keep_attr, &t) < 0 || !tb[NFTA_RULE_CHAIN]) return -EBADMSG;
  nl_copy_str(chain, chain_size, tb[NFTA_RULE_CHAIN]);
  if (tb[NFTA_RULE_EXPRESSIONS]) {
    const struct nlattr *expression;
    mnl_attr_for_each_nested(expression, tb[NFTA_RULE_EXPRESSIONS]) {
      if (mnl_attr_get_type(expression) == NFTA_LIST_ELEM && xt_comment(expression, comment, size)) return 1;
    }
  }
  if (tb[NFTA_RULE_USERDATA] && udata_comment(tb[NFTA_RULE_USERDATA], comment, size)) return 1;
  return 0;
}

int cnet_msg_ct_dump(void *buf, size_t size, uint32_t seq, uint8_t family) {
  struct nl_builder b;
  put_nfgen(nlb_start(&b, buf, size, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET, NLM_F_DUMP, seq,
                      sizeof(struct nfgenmsg)), family);
  return nlb_finish(&b);
}

int cnet_parse_ct(const void *msg, struct cnet_ct *out) {
  const struct nlmsghdr *nlh = msg;
  memset(out, 0, sizeof(*out));
  if (nlh->nlmsg_type != ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW) ||
      nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))
    return -EBADMSG;
  const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
  out->family = g->nfgen_family;
  const struct nlattr *tb[CTA_MAX + 1] = {0};
  struct nl_attr_table t = {tb, CTA_MAX};
  if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), nl_keep_attr, &t) < 0) return -EBADMSG;
  const struct nlattr *orig = tb[CTA_TUPLE_ORIG];
  if (!orig) return 0;
  if (orig->nla_len <= sizeof(out->tuple)) {
    memcpy(out->tuple, orig, orig->nla_len);
    out->tuple_len = orig->nla_len;
  }
  const struct nlattr *tuple[CTA_TUPLE_MAX + 1] = {0};
  struct nl_attr_table tt = {tuple, CTA_TUPLE_MAX};
  if (mnl_attr_parse_nested(orig, nl_keep_attr, &tt) < 0 || !tuple[CTA_TUPLE_PROTO]) return 0;
  const struct nlattr *proto[CTA_PROTO_MAX + 1] = {0};
  struct nl_attr_table pt = {proto, CTA_PROTO_MAX};
  if (mnl_attr_parse_nested(tuple[CTA_TUPLE_PROTO], nl_keep_attr, &pt) < 0) return 0;
  if (proto[CTA_PROTO_NUM]) out->l4proto = nl_get_u8(proto[CTA_PROTO_NUM]);
  if (proto[CTA_PROTO_DST_PORT] && mnl_attr_get_payload_len(proto[CTA_PROTO_DST_PORT]) >= 2)
    out->dst_port = ntohs(mnl_attr_get_u16(proto[CTA_PROTO_DST_PORT]));
  return 0;
}

int cnet_msg_ct_delete(void *buf, size_t size, uint32_t seq, const struct cnet_ct *ct) {
  struct nl_builder b;
  put_nfgen(nlb_start(&b, buf, size, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE, NLM_F_ACK, seq,
                      sizeof(struct nfgenmsg)), ct->family);
  if (ct->tuple_len < sizeof(struct nlattr)) return -EINVAL;
  // The dumped CTA_TUPLE_ORIG as it came, header and all.
  if (b.ok && b.nlh->nlmsg_len + MNL_ALIGN(ct->tuple_len) <= b.size) {
    memset((char *)b.nlh + b.nlh->nlmsg_len, 0, MNL_ALIGN(ct->tuple_len));
    memcpy((char *)b.nlh + b.nlh->nlmsg_len, ct->tuple, ct->tuple_len);
    b.nlh->nlmsg_len += MNL_ALIGN(ct->tuple_len);
  } else {
    b.ok = 0;
  }
  return nlb_finish(&b);
}

// One message of a batch at `*used`: the batch's begin or end (no
// change), or a NEWSETELEM/DELSETELEM with the set's elements, each key
// (and closing key, for the concatenated ranges of an interval map), data
// (maps only) and comment (not when deleting) nested as nft(8) sends them.
static int put_message(unsigned char *base, size_t size, size_t *used, uint16_t type, uint16_t flags, uint32_t seq,
                       uint8_t family, uint16_t res_id, const struct cnet_nft_set_change *change, int with_data) {
  if (*used + MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg)) > size) return -EMSGSIZE;
  struct nl_builder b = {.nlh = mnl_nlmsg_put_header(base + *used), .size = size - *used, .ok = 1};
  b.nlh->nlmsg_type = type;
  b.nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  b.nlh->nlmsg_seq = seq;
  struct nfgenmsg *g = mnl_nlmsg_put_extra_header(b.nlh, sizeof(struct nfgenmsg));
  put_nfgen(g, family);
  g->res_id = htons(res_id);
  if (change) {
    nlb_str(&b, NFTA_SET_ELEM_LIST_TABLE, change->table);
    nlb_str(&b, NFTA_SET_ELEM_LIST_SET, change->set);
    struct nlattr *list = nlb_nest(&b, NFTA_SET_ELEM_LIST_ELEMENTS);
    for (size_t i = 0; i < change->count && b.ok; i++) {
      const struct cnet_nft_elem *e = &change->elements[i];
      struct nlattr *elem = nlb_nest(&b, NFTA_LIST_ELEM);
      struct nlattr *key = nlb_nest(&b, NFTA_SET_ELEM_KEY);
      nlb_bytes(&b, NFTA_DATA_VALUE, e->key, e->key_len);
      nlb_end(&b, key);
      if (e->key_end_len) {
        struct nlattr *end = nlb_nest(&b, NFTA_SET_ELEM_KEY_END);
        nlb_bytes(&b, NFTA_DATA_VALUE, e->key_end, e->key_end_len);
        nlb_end(&b, end);
      }
      if (with_data && e->data_len) {
        struct nlattr *data = nlb_nest(&b, NFTA_SET_ELEM_DATA);
        nlb_bytes(&b, NFTA_DATA_VALUE, e->data, e->data_len);
        nlb_end(&b, data);
      }
      if (with_data && e->userdata_len) nlb_bytes(&b, NFTA_SET_ELEM_USERDATA, e->userdata, e->userdata_len);
      nlb_end(&b, elem);
    }
    nlb_end(&b, list);
  }
  if (!b.ok) return -EMSGSIZE;
  *used += b.nlh->nlmsg_len;
  return 0;
}

int cnet_msg_nft_elements(void *buf, size_t size, uint32_t seq, const struct cnet_nft_set_change *changes,
                          size_t count, int remove) {
  unsigned char *base = buf;
  size_t used = 0;
  int rc = put_message(base, size, &used, NFNL_MSG_BATCH_BEGIN, 0, seq, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, NULL, 0);
  const uint16_t add = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWSETELEM;
  const uint16_t del = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELSETELEM;
  for (size_t i = 0; i < count && rc == 0; i++) {
    // Only the batch's last message asks for an ack: one reply ends it
    // (a failing message is reported anyway, and the batch aborted).
    int last_add = !remove && i == count - 1;
    rc = put_message(base, size, &used, add, NLM_F_CREATE | (last_add ? NLM_F_ACK : 0), seq, changes[i].family, 0,
                     &changes[i], 1);
    if (rc == 0 && remove)
      rc = put_message(base, size, &used, del, i == count - 1 ? NLM_F_ACK : 0, seq, changes[i].family, 0,
                       &changes[i], 0);
  }
  if (rc == 0) rc = put_message(base, size, &used, NFNL_MSG_BATCH_END, 0, seq, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, NULL, 0);
  return rc == 0 ? (int)used : rc;
}
